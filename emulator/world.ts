import { ManualClock, systemClock, type Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/log.js';
import type { AppCredentials, SigningKey } from './apps.js';
import type { SimTenant, Simulation } from './sim/types.js';
import type { StateStore } from './state.js';
import type { TlsMaterial } from './tls.js';
import type { Faults, Tuning } from './types.js';

/** Every application permission the token service can grant (token `roles`). */
export const ALL_ROLES = [
  'ActivityFeed.Read',
  'ActivityFeed.ReadDlp',
  'AuditLogsQuery.Read.All',
  'Exchange.ManageAsApp',
  'RoleManagement.Read.Directory',
  'Directory.Read.All',
  'User.Read.All',
] as const;

/**
 * Everything the services share: the simulation, the clock, faults and tuning, persisted state,
 * credentials. Created once by startEmulator and handed to each service's routes.
 */
export class World {
  readonly virtualClock: ManualClock | null;
  readonly clock: Clock;
  faults: Faults;
  private requestCounter = 0;
  private readonly byKey = new Map<string, SimTenant>();

  constructor(
    readonly sim: Simulation,
    readonly state: StateStore,
    readonly tls: TlsMaterial,
    readonly apps: Map<string, AppCredentials>,
    readonly signingKey: SigningKey,
    readonly tuning: Tuning,
    faults: Faults,
    readonly seed: number,
    readonly logger: Logger,
    clock: 'real' | 'virtual',
    start: number,
  ) {
    this.faults = faults;
    this.virtualClock = clock === 'virtual' ? new ManualClock(start) : null;
    this.clock = this.virtualClock ?? systemClock;
    for (const t of sim.tenants) {
      this.byKey.set(t.tenantId.toLowerCase(), t);
      this.byKey.set(t.domain.toLowerCase(), t);
    }
  }

  now(): number {
    return this.clock.now();
  }

  /** The time a client sees (Date header, token iat/nbf/exp): the clock plus any skew fault. */
  shownNow(): number {
    return this.now() + this.faults.clockSkewMs;
  }

  /** A tenant by GUID or verified domain, case-insensitive. */
  tenant(key: string): SimTenant | undefined {
    return this.byKey.get(key.toLowerCase());
  }

  /** A stable per-request number for seeded fault decisions. */
  nextRequestNumber(): number {
    return ++this.requestCounter;
  }

  /** Unified audit logging as it stands at `at` (after any Set-AdminAuditLogConfig took effect). */
  ualEnabledAt(tenantId: string, at: number): boolean {
    const t = this.tenant(tenantId);
    if (!t) return false;
    let value = t.ualEnabled;
    for (const c of this.state.tenant(tenantId).ualChanges) if (c.at <= at) value = c.value;
    return value;
  }

  /** UAL as the APIs see it now: settings, and the ualDisabled fault. */
  ualEnabledNow(tenantId: string): boolean {
    const forced =
      this.faults.ualDisabled.includes('*') ||
      this.faults.ualDisabled.some((id) => id.toLowerCase() === tenantId.toLowerCase());
    return !forced && this.ualEnabledAt(tenantId, this.now());
  }

  orgAuditDisabled(tenantId: string): boolean {
    return this.state.tenant(tenantId).orgAuditDisabled ?? this.tenant(tenantId)?.orgAuditDisabled ?? false;
  }

  dehydrated(tenantId: string): boolean {
    return this.state.tenant(tenantId).dehydrated ?? this.tenant(tenantId)?.dehydrated ?? false;
  }

  grantedRoles(tenantId: string): string[] {
    return this.state.tenant(tenantId).roles ?? [...ALL_ROLES];
  }

  globalAdminsAt(tenantId: string, at: number): string[] {
    return this.sim
      .roles(tenantId)
      .filter((r) => r.role === 'Global Administrator' && r.from <= at && (r.to === null || at < r.to))
      .map((r) => r.userPrincipalName);
  }
}
