import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimRecord } from './sim/types.js';

/**
 * Mutable state owned by the protocol side (the simulator is pure): subscriptions, settings changed
 * through Set-* cmdlets, records those cmdlets emit, granted permissions. Persisted as one JSON file in
 * the state folder after every change, so a restarted emulator remembers what clients did.
 */
export interface WebhookState {
  status: 'enabled' | 'disabled' | 'expired';
  address: string;
  authId: string | null;
  expiration: string | null;
  /** Failed deliveries in a row (reset by a success); the webhook is disabled after a few (§2.8). */
  failures?: number;
}

export interface SubscriptionState {
  /** The content type as the caller spelled it (echoed back, §2.1). */
  contentType: string;
  status: 'enabled' | 'disabled';
  webhook: WebhookState | null;
  enabledAt: number;
  /** contentCreated instants at which the feed was stopped: [stoppedAt, restartedAt|null]. */
  stoppedSpans: [number, number | null][];
  /** Highest contentCreated a webhook was notified of. */
  notifiedUpTo: number;
}

export interface MailboxOverride {
  AuditEnabled?: boolean;
  AuditLogAgeLimit?: string;
  AuditOwner?: string[];
  AuditDelegate?: string[];
  AuditAdmin?: string[];
}

export interface NotificationEntry {
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: string;
  contentExpiration: string;
  notificationSent: string;
  notificationStatus: string;
}

export interface TenantState {
  /** UAL switches: the value holds from `at` on (effective time, after the switch delay). */
  ualChanges: { at: number; value: boolean }[];
  orgAuditDisabled: boolean | null;
  dehydrated: boolean | null;
  mailboxes: Record<string, MailboxOverride>;
  subscriptions: Record<string, SubscriptionState>;
  lastStartAt: number | null;
  /** Records the protocol side emitted (e.g. Set-AdminAuditLogConfig → ExchangeAdmin). */
  extraRecords: SimRecord[];
  /** Granted application permissions (token roles); null = all. */
  roles: string[] | null;
  notifications: NotificationEntry[];
}

export function emptyTenantState(): TenantState {
  return {
    ualChanges: [],
    orgAuditDisabled: null,
    dehydrated: null,
    mailboxes: {},
    subscriptions: {},
    lastStartAt: null,
    extraRecords: [],
    roles: null,
    notifications: [],
  };
}

export class StateStore {
  private readonly file: string;
  private tenants: Record<string, TenantState>;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.file = join(stateDir, 'state.json');
    this.tenants = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as { tenants: Record<string, TenantState> }).tenants
      : {};
  }

  tenant(tenantId: string): TenantState {
    let t = this.tenants[tenantId];
    if (!t) {
      t = emptyTenantState();
      this.tenants[tenantId] = t;
    }
    return t;
  }

  /** Applies a change to one tenant's state and writes the file (atomically: temp file + rename). */
  update<T>(tenantId: string, change: (t: TenantState) => T): T {
    const result = change(this.tenant(tenantId));
    this.save();
    return result;
  }

  save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ tenants: this.tenants }));
    renameSync(tmp, this.file);
  }
}
