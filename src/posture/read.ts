import { isAppError, toAppError } from '../core/errors.js';
import type { InvokeResult } from '../microsoft/exchange-admin.js';
import { parseAgeLimitDays } from './baseline.js';
import type { AuditState, MailboxAudit, SubscriptionState } from './types.js';

/** The one thing posture needs from the Exchange admin client (lets tests pass a canned fake). */
export interface CmdletRunner {
  invoke<T = Record<string, unknown>>(
    cmdlet: string,
    parameters?: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<InvokeResult<T>>;
}

export interface PostureSources {
  exchange: CmdletRunner;
  /** Lists the Management Activity API subscriptions; absent when not available. */
  listSubscriptions?: (signal?: AbortSignal) => Promise<SubscriptionState[]>;
  /** Newest collected CreationTime for the tenant (epoch ms) or null. */
  newestRecord?: () => Promise<number | null>;
}

const bool = (v: unknown): boolean | null =>
  typeof v === 'boolean' ? v : typeof v === 'string' ? /^true$/i.test(v) : null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? v.split(/[,\s]+/).filter(Boolean) : [];

/**
 * Reads every audit setting of one tenant. Unified audit log ingestion is read from Exchange Online,
 * never from Security & Compliance, where it always reads False (spec §5.5). A setting that cannot be
 * read is recorded in `readErrors` and the rest are still read.
 */
export async function readAuditState(sources: PostureSources, signal?: AbortSignal): Promise<AuditState> {
  const state: AuditState = {
    ualEnabled: null,
    ualFirstOptInDate: null,
    adminAuditLogEnabled: null,
    orgAuditDisabled: null,
    dehydrated: null,
    mailboxes: null,
    subscriptions: null,
    newestRecord: null,
    readErrors: [],
  };
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      if (signal?.aborted) throw e;
      const error = toAppError(e);
      // A missing permission is the same for every read: report the fix once, not five times.
      if (isAppError(e) && e.code === 'PERMISSION_MISSING' && state.readErrors.some((r) => r.message === error.message))
        return;
      state.readErrors.push({ what, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    }
  };
  await attempt('the admin audit log configuration (Get-AdminAuditLogConfig)', async () => {
    const config = (await sources.exchange.invoke('Get-AdminAuditLogConfig', {}, signal)).value[0] ?? {};
    state.ualEnabled = bool(config.UnifiedAuditLogIngestionEnabled);
    state.adminAuditLogEnabled = bool(config.AdminAuditLogEnabled);
    state.ualFirstOptInDate =
      typeof config.UnifiedAuditLogFirstOptInDate === 'string' ? config.UnifiedAuditLogFirstOptInDate : null;
  });
  await attempt('the organization configuration (Get-OrganizationConfig)', async () => {
    const org = (await sources.exchange.invoke('Get-OrganizationConfig', {}, signal)).value[0] ?? {};
    state.orgAuditDisabled = bool(org.AuditDisabled);
    state.dehydrated = bool(org.IsDehydrated);
  });
  await attempt('the mailboxes (Get-Mailbox)', async () => {
    const result = await sources.exchange.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }, signal);
    state.mailboxes = result.value.map(toMailbox).filter((m): m is MailboxAudit => m !== null);
  });
  if (sources.listSubscriptions) {
    const list = sources.listSubscriptions;
    await attempt('the Management Activity API subscriptions', async () => {
      // Only what posture reads: Microsoft lists each subscription with its webhook, authId included (spec §2.4),
      // and the state is stored in the posture snapshot, which viewers of the tenant read (GET /api/posture). The
      // authId is the one secret that authenticates webhook notifications, of every tenant.
      state.subscriptions = (await list(signal)).map(({ contentType, status }) => ({ contentType, status }));
    });
  }
  if (sources.newestRecord) state.newestRecord = await sources.newestRecord();
  return state;
}

function toMailbox(raw: Record<string, unknown>): MailboxAudit | null {
  const upn = raw.UserPrincipalName ?? raw.PrimarySmtpAddress ?? raw.Identity;
  if (typeof upn !== 'string' || !upn) return null;
  return {
    userPrincipalName: upn,
    auditEnabled: bool(raw.AuditEnabled) ?? false,
    ageLimitDays: parseAgeLimitDays(raw.AuditLogAgeLimit),
    auditOwner: strings(raw.AuditOwner),
    auditDelegate: strings(raw.AuditDelegate),
    auditAdmin: strings(raw.AuditAdmin),
  };
}
