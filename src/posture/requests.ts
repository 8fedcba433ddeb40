/**
 * The posture history of requested changes. Microsoft applies `Set-AdminAuditLogConfig
 * -UnifiedAuditLogIngestionEnabled $true` up to 60 minutes after accepting it (spec §5.5), so a check right
 * after `enable` still reads "off". Without a memory of the request every later check, the console and
 * `collect` would say "off, turn it on" to the person who just did. Each check therefore carries the
 * requests of the previous snapshot forward until it sees them in effect, and says "requested at T by X,
 * applies within 60 minutes" — or, once that time has passed, that it did not apply.
 */
import { MINUTE, toIsoSeconds } from '../core/time.js';
import { parseAgeLimitDays } from './baseline.js';
import type { AuditState, Finding, RequestedChange, StepResult } from './types.js';
import { countOf } from '../core/words.js';

/**
 * How long Microsoft takes at most to apply a change: documented for the unified audit log (§5.5); the
 * other settings (organization and mailbox auditing) are held to the same bound before a warning.
 */
export const APPLIES_WITHIN_MS = 60 * MINUTE;

/**
 * The changes an `enable` run asked for: every step Exchange accepted (done, or pending its delay), and every step
 * sent without an answer (unconfirmed: it may have been made, so later checks must look for it too).
 */
export function requestsOf(results: readonly StepResult[], now: number, requestedBy: string): RequestedChange[] {
  return results
    .filter((r) => r.status === 'done' || r.status === 'pending' || r.status === 'unconfirmed')
    .map((r) => ({
      kind: r.step.kind,
      target: r.step.target,
      cmdlet: r.step.cmdlet,
      parameters: r.step.parameters,
      description: r.step.description,
      requestedAt: toIsoSeconds(now),
      requestedBy,
      appliesBy: toIsoSeconds(now + APPLIES_WITHIN_MS),
      status: 'pending',
      ...(r.status === 'unconfirmed' ? { unconfirmed: true as const } : {}),
    }));
}

/** The status of a request as of `now` (a stored 'pending' becomes 'overdue' once appliesBy has passed). */
export function requestStatus(change: RequestedChange, now: number): RequestedChange['status'] {
  if (change.status === 'applied') return 'applied';
  return now > Date.parse(change.appliesBy) ? 'overdue' : 'pending';
}

/**
 * The requests this check reports: the earlier ones still open (a newer request for the same setting
 * replaces an older one) plus the new ones, each marked applied when `state` shows it in effect.
 * Requests already reported applied are not carried further: the earlier snapshots keep them.
 */
export function followRequests(
  earlier: readonly RequestedChange[],
  added: readonly RequestedChange[],
  state: AuditState,
  now: number,
): RequestedChange[] {
  const key = (c: RequestedChange): string => `${c.kind}\u0000${c.target.toLowerCase()}`;
  const replaced = new Set(added.map(key));
  const open = earlier.filter((c) => c.status !== 'applied' && !replaced.has(key(c)));
  return [...open, ...added].map((c): RequestedChange => {
    if (inEffect(c, state)) return { ...c, status: 'applied', appliedSeenAt: toIsoSeconds(now) };
    return { ...c, status: requestStatus(c, now) };
  });
}

/** Whether the settings read now show the change; a setting that could not be read shows nothing. */
export function inEffect(change: RequestedChange, state: AuditState): boolean {
  switch (change.kind) {
    case 'ual':
      return state.ualEnabled === true;
    case 'org-audit':
      return state.orgAuditDisabled === false;
    case 'hydrate':
      return state.dehydrated === false;
    case 'mailbox':
      return mailboxInEffect(change, state);
  }
}

function mailboxInEffect(change: RequestedChange, state: AuditState): boolean {
  const m = state.mailboxes?.find((x) => x.userPrincipalName.toLowerCase() === change.target.toLowerCase());
  if (!m) return false;
  const p = change.parameters;
  if (p.AuditEnabled === true && !m.auditEnabled) return false;
  const days = typeof p.AuditLogAgeLimit === 'string' ? parseAgeLimitDays(p.AuditLogAgeLimit) : null;
  if (days !== null && (m.ageLimitDays === null || m.ageLimitDays < days)) return false;
  const has = (have: string[], wanted: unknown): boolean => {
    const add = (wanted as { Add?: unknown } | undefined)?.Add;
    if (!Array.isArray(add)) return true;
    const lower = new Set(have.map((a) => a.toLowerCase()));
    return add.every((a) => typeof a === 'string' && lower.has(a.toLowerCase()));
  };
  return has(m.auditOwner, p.AuditOwner) && has(m.auditDelegate, p.AuditDelegate) && has(m.auditAdmin, p.AuditAdmin);
}

/** The finding a "still off" setting would give, which an open request for it replaces. */
const REPLACES: Partial<Record<RequestedChange['kind'], string>> = {
  ual: 'UAL_OFF',
  'org-audit': 'ORG_MAILBOX_AUDIT_OFF',
};

/** One line about a request, as people read it. */
export function describeRequest(c: RequestedChange, now: number): string {
  const what = `${c.kind === 'mailbox' ? `${c.target}: ` : ''}${c.description}`;
  const asked = `requested at ${c.requestedAt} by ${c.requestedBy}`;
  switch (requestStatus(c, now)) {
    case 'applied':
      return `${what} (${asked}) is in effect${c.appliedSeenAt ? ` since the check of ${c.appliedSeenAt}` : ''}`;
    case 'pending':
      return c.unconfirmed
        ? `${what}: ${asked}, but no answer came, so it may or may not have been made; checked again until ${c.appliesBy}`
        : `${what}: ${asked}; Microsoft applies it within 60 minutes (by ${c.appliesBy})`;
    case 'overdue':
      return c.unconfirmed
        ? `${what}: ${asked} without an answer, and still not in effect after 60 minutes (by ${c.appliesBy}): it was probably not made`
        : `${what}: ${asked}, but it is still not in effect after 60 minutes (due by ${c.appliesBy})`;
  }
}

/**
 * The findings of the requests, and the codes they replace: an open request to turn the unified audit
 * log (or organization mailbox auditing) on replaces the "it is off, turn it on" finding with "requested
 * at T, applies within 60 min" (a warning: nothing is recorded yet), or with a failing finding once the
 * documented time has passed without effect.
 */
export function requestFindings(
  requests: readonly RequestedChange[],
  now: number,
): { findings: Finding[]; replaces: string[] } {
  const findings: Finding[] = [];
  const replaces: string[] = [];
  for (const c of requests.filter((r) => r.kind !== 'mailbox')) {
    const status = requestStatus(c, now);
    const replaced = REPLACES[c.kind];
    if (replaced && status !== 'applied') replaces.push(replaced);
    findings.push(
      finding(status, describeRequest(c, now) + (c.kind === 'ual' && status === 'pending' ? UNTIL : ''), true),
    );
  }
  // Mailboxes can be thousands: one finding per status, naming a few.
  const mailboxes = requests.filter((r) => r.kind === 'mailbox');
  for (const status of ['pending', 'overdue', 'applied'] as const) {
    const some = mailboxes.filter((c) => requestStatus(c, now) === status);
    if (!some.length) continue;
    const more = some.length > 3 ? `; and ${some.length - 3} more mailboxes` : '';
    const message = some
      .slice(0, 3)
      .map((c) => describeRequest(c, now))
      .join('; ');
    findings.push(finding(status, `${countOf(some.length, 'mailbox change')}: ${message}${more}`, false));
  }
  return { findings, replaces };
}

const UNTIL = '; until then nothing is recorded';

function finding(status: RequestedChange['status'], message: string, organization: boolean): Finding {
  if (status === 'applied') return { code: 'REQUEST_APPLIED', severity: 'info', message };
  if (status === 'pending')
    return {
      code: 'REQUEST_PENDING',
      severity: organization ? 'warning' : 'info',
      message,
      fix: 'Nothing to do yet: check again after that time (tenantwatch audit-config check TENANT)',
    };
  return {
    code: 'REQUEST_OVERDUE',
    severity: organization ? 'failing' : 'warning',
    message,
    fix: 'Run tenantwatch audit-config enable TENANT again; if it still does not apply, check the setting in the Microsoft Purview portal or with Microsoft support',
  };
}
