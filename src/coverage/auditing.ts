/**
 * What a tenant records at all, from its latest posture snapshot: the fact every result over a tenant must
 * show beside itself. A tenant with unified audit log ingestion off records nothing, so "no gaps", "0
 * matches" or "No findings" would read as "nothing happened"; with mailbox auditing off, mailbox actions
 * are missing. Coverage renders it now; search and report renderers read the same fact (readAuditingFacts).
 */
import { toIsoSeconds } from '../core/time.js';
import { describeRequest, requestStatus } from '../posture/requests.js';
import type { PostureResult, RequestedChange } from '../posture/types.js';
import type { PostureSnapshot, StateStore } from '../store/contract.js';
import type { AuditingFact } from './types.js';

/** The snapshot body as far as this needs it; old snapshots may lack any of it. */
type Body = Partial<Pick<PostureResult, 'ualEnabled' | 'orgAuditDisabled' | 'mailboxes' | 'requests'>>;

/** The auditing fact of one tenant from its latest snapshot (undefined: never checked). */
export function auditingFact(snapshot: PostureSnapshot | undefined, now: number): AuditingFact {
  if (!snapshot)
    return {
      checkedAt: null,
      unifiedAuditLog: 'unknown',
      mailboxAuditing: 'unknown',
      recordsNothing: false,
      requested: null,
      note: null,
    };
  const body = (snapshot.body ?? {}) as Body;
  const ual = body.ualEnabled === true ? 'on' : body.ualEnabled === false ? 'off' : 'unknown';
  const off = body.mailboxes?.auditDisabled?.length ?? 0;
  const mailbox =
    body.orgAuditDisabled === true
      ? 'off'
      : body.orgAuditDisabled === false
        ? off > 0
          ? 'some mailboxes off'
          : 'on'
        : 'unknown';
  const request = openUalRequest(body.requests, now);
  // Whole seconds: a person reads the note (the console shows its time in the chosen zone, format.ts).
  const checked = `audit-config check of ${toIsoSeconds(Math.floor(snapshot.takenAt / 1000) * 1000)}`;
  const notes: string[] = [];
  if (ual === 'off')
    notes.push(
      `records nothing: unified audit log ingestion is off (${checked}), so an empty result means nothing was recorded, not that nothing happened` +
        (request ? `; turning it on was ${describeRequest(request, now).replace(/^[^:]*: /, '')}` : ''),
    );
  if (mailbox === 'off')
    notes.push(`mailbox actions are not recorded: mailbox auditing is off for the organization (${checked})`);
  else if (mailbox === 'some mailboxes off')
    notes.push(
      `mailbox actions of ${off} of ${body.mailboxes?.total ?? '?'} mailboxes are not recorded: their auditing is off (${checked})`,
    );
  return {
    checkedAt: snapshot.takenAt,
    unifiedAuditLog: ual,
    mailboxAuditing: mailbox,
    recordsNothing: ual === 'off',
    requested: request
      ? {
          at: Date.parse(request.requestedAt),
          by: request.requestedBy,
          appliesBy: Date.parse(request.appliesBy),
          overdue: requestStatus(request, now) === 'overdue',
          ...(request.unconfirmed ? { unconfirmed: true as const } : {}),
        }
      : null,
    note: notes.length ? notes.join('; ') : null,
  };
}

/**
 * What to tell a person whose collection was refused because ingestion is off, when turning it on was
 * already requested: when, by whom, and until when to wait — instead of "turn it on" (issue 18, item 5).
 */
function requestedHint(requested: NonNullable<AuditingFact['requested']>): string {
  const asked = `Turning it on was requested at ${toIsoSeconds(requested.at)} by ${requested.by}`;
  if (requested.unconfirmed)
    return requested.overdue
      ? `${asked} without an answer from Exchange, and it is still not in effect after 60 minutes: it was probably not made; run tenantwatch audit-config enable again`
      : `${asked}, but no answer came from Exchange, so it may not have been made: collect again after ${toIsoSeconds(requested.appliesBy)}, and if it is still off, run tenantwatch audit-config enable again`;
  return requested.overdue
    ? `${asked}, and it is still not in effect after the 60 minutes Microsoft documents: run tenantwatch audit-config check, then audit-config enable again if it is still off`
    : `${asked}; Microsoft applies it within 60 minutes (by ${toIsoSeconds(requested.appliesBy)}): collect again after that`;
}

/**
 * A refusal as a person reads it: its message and what to do, and when the refusal is ingestion being off
 * although turning it on was already requested, that request (requestedHint) instead of "turn it on" again.
 */
export function refusalText(
  error: { code: string; message: string; hint?: string | undefined },
  fact: AuditingFact | undefined,
): string {
  const requested = error.code === 'AUDIT_DISABLED' ? fact?.requested : null;
  const hint = requested ? requestedHint(requested) : error.hint;
  return hint ? `${error.message}. ${hint}` : error.message;
}

function openUalRequest(requests: RequestedChange[] | undefined, now: number): RequestedChange | null {
  if (!Array.isArray(requests)) return null;
  return requests.find((r) => r.kind === 'ual' && requestStatus(r, now) !== 'applied') ?? null;
}

/**
 * The auditing fact of each tenant (by tenant id), from the store's latest posture snapshots. Snapshots
 * are keyed by tenant id; a few early ones by name, which is matched too.
 */
export async function readAuditingFacts(
  store: Pick<StateStore, 'posture'>,
  tenants: readonly { tenantId: string; name: string }[],
  now: number,
): Promise<Map<string, AuditingFact>> {
  const latest = await store.posture.latest();
  const out = new Map<string, AuditingFact>();
  for (const t of tenants) {
    const snap = latest.find((s) => s.tenant === t.tenantId) ?? latest.find((s) => s.tenant === t.name);
    out.set(t.tenantId, auditingFact(snap, now));
  }
  return out;
}
