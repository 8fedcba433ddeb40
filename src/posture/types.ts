/**
 * The audit posture vocabulary: what we read from a tenant (AuditState), what we conclude (Finding,
 * verdict), and what we would change (PlanStep).
 */
export interface MailboxAudit {
  userPrincipalName: string;
  auditEnabled: boolean;
  /** AuditLogAgeLimit in whole days ("90.00:00:00" → 90); null when unreadable. */
  ageLimitDays: number | null;
  auditOwner: string[];
  auditDelegate: string[];
  auditAdmin: string[];
}

export interface SubscriptionState {
  contentType: string;
  status: string;
}

/** Raw settings read from one tenant; null where a setting could not be read (see `readErrors`). */
export interface AuditState {
  ualEnabled: boolean | null;
  ualFirstOptInDate: string | null;
  adminAuditLogEnabled: boolean | null;
  orgAuditDisabled: boolean | null;
  dehydrated: boolean | null;
  mailboxes: MailboxAudit[] | null;
  subscriptions: SubscriptionState[] | null;
  /** Newest CreationTime collected by tenantwatch for this tenant (epoch ms). */
  newestRecord: number | null;
  readErrors: { what: string; message: string; hint?: string }[];
}

export type Severity = 'failing' | 'warning' | 'info';
export type Verdict = 'ok' | 'warning' | 'failing' | 'unknown';

export interface Finding {
  code: string;
  severity: Severity;
  /** Plain words: what is wrong and why it matters. */
  message: string;
  /** What to do about it. */
  fix?: string;
}

export interface MailboxSummary {
  total: number;
  auditEnabled: number;
  auditDisabled: string[];
  ageLimitBelow90: string[];
  missingActions: { userPrincipalName: string; owner: string[]; delegate: string[]; admin: string[] }[];
}

/** One tenant's check, as printed by `audit-config check --format json` and stored as a snapshot. */
export interface PostureResult {
  tenant: string;
  tenantId: string;
  checkedAt: string;
  verdict: Verdict;
  findings: Finding[];
  ualEnabled: boolean | null;
  orgAuditDisabled: boolean | null;
  dehydrated: boolean | null;
  adminAuditLogEnabled: boolean | null;
  mailboxes: MailboxSummary | null;
  subscriptions: SubscriptionState[] | null;
  newestRecord: string | null;
  /**
   * Changes `audit-config enable` asked for and not yet seen in effect, carried from check to check (the
   * posture history): what, when, by whom, and by when Microsoft should have applied it. A change seen in
   * effect is listed once more, as 'applied', in the check that saw it. Absent in snapshots older than it.
   */
  requests?: RequestedChange[];
}

/** A change asked of Microsoft by `audit-config enable`, kept until a check sees it in effect. */
export interface RequestedChange {
  kind: StepKind;
  /** The tenant ('organization') or a mailbox UPN. */
  target: string;
  cmdlet: string;
  /** What was set, so that a later check can tell whether it took effect. */
  parameters: Record<string, unknown>;
  description: string;
  /** ISO 8601 UTC. */
  requestedAt: string;
  /** Who asked: the person (OS account and host) and the app that sent it. */
  requestedBy: string;
  /** requestedAt + the time Microsoft documents for it to apply (60 minutes), ISO 8601 UTC. */
  appliesBy: string;
  /** 'overdue': not in effect after appliesBy. */
  status: 'pending' | 'overdue' | 'applied';
  /**
   * Sent without an answer (the step ended 'unconfirmed'): whether Exchange accepted it is not known, so checks
   * follow it like any request until it is seen in effect or its time has passed. Absent when Exchange accepted it.
   */
  unconfirmed?: true;
  /** The check that first saw it in effect (status 'applied'). */
  appliedSeenAt?: string;
}

export interface EnableOptions {
  /** 'all', or the UPNs of the mailboxes to change. */
  mailboxes: 'all' | string[];
  /** Raise AuditLogAgeLimit to this many days where it is lower (never lowers it). */
  ageLimitDays?: number;
  ownerActions?: string[];
  delegateActions?: string[];
  adminActions?: string[];
}

export type StepKind = 'hydrate' | 'ual' | 'org-audit' | 'mailbox';

export interface PlanStep {
  kind: StepKind;
  /** What the step changes: the tenant, or a mailbox UPN. */
  target: string;
  cmdlet: string;
  parameters: Record<string, unknown>;
  /** Plain words, e.g. "turn unified audit log ingestion on". */
  description: string;
}

/**
 * 'unconfirmed': the cmdlet was sent and no answer came (connection cut, timeout, stopped during the step), so
 * Exchange may have made the change or not; the re-check and the requests it leaves behind tell which.
 */
export type StepStatus = 'done' | 'pending' | 'failed' | 'skipped' | 'unconfirmed';

export interface StepResult {
  step: PlanStep;
  status: StepStatus;
  message?: string;
}
