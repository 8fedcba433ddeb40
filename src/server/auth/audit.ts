import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditOutcome, ConsoleAuditEntry } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { AUTH_EVENTS } from './events.js';
import { RepeatedCalls } from './repeats.js';
import { sanitize, storable } from './sanitize.js';
import type { Caller } from './types.js';

/**
 * Which responses become entries, and under which action (the rule is written down in ADR 0019, decision 9):
 * - only a signed-in caller's requests (a token, a session, the local user): refusals of anyone else are
 *   logged, not recorded, since anyone who reaches the port could fill an append-only trail with them; sign-in
 *   attempts are the exception and are recorded by the sign-in routes themselves (rate limited per address);
 * - a route that declares `config.audit`: every call under that action, whatever the outcome, except the next
 *   pages of a search this caller just had recorded, and the Search page's user suggestions this caller just had
 *   recorded over the same period and tenants, whichever serve process recorded them (repeats.ts: the trail is asked);
 * - any other route's refusal (403: the role, the tenant scope, CSRF): `access`, outcome denied;
 * - any other investigator route (it reads records: search, counts, exports, reports, triage): every call, under
 *   its method and path, so a route added without a name is still recorded. No route can opt out: the Search
 *   page's user suggestions once did (`config.audit: false`), and so who was active, in which tenants and on which
 *   days, was read with no entry;
 * - nothing else: the overview a viewer may read (tenants, posture, coverage, status, alert list, report list) is
 *   what the console loads on every page, and an admin's reads of accounts and the trail change nothing.
 */
export function actionFor(request: FastifyRequest, status: number): string | null {
  if (!request.caller || request.caller.role === null) return null;
  const config = request.routeOptions.config;
  if (config?.audit) return config.audit;
  if (outcomeOf(status) === 'denied') return 'access';
  if (config?.role === 'investigator' && request.routeOptions.url) {
    return `${request.method} ${request.routeOptions.url}`;
  }
  return null;
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  return status === 401 || status === 403 || status === 421 || status === 429 ? 'denied' : 'failed';
}

/**
 * Writes the console's own audit trail (store.consoleAudit). A failure to write is logged, never
 * turned into a failure of the request it describes — but it is logged at error level, since a
 * trail with holes must be noticed.
 */
export class ConsoleAuditor {
  /** Which calls only repeat an entry their caller already has in the trail (repeats.ts). */
  private readonly repeated: RepeatedCalls;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.repeated = new RepeatedCalls(store, clock, logger);
  }

  async record(entry: Omit<ConsoleAuditEntry, 'seq' | 'at'>): Promise<void> {
    try {
      const { actor, target } = entry;
      await this.store.consoleAudit.append({
        ...entry,
        actor: storable(actor),
        target: target === null ? null : storable(target),
        at: this.clock.now(),
      });
    } catch (e) {
      this.logger.error({ event: AUTH_EVENTS.auditFailed, action: entry.action, err: e }, 'console audit not written');
    }
  }

  /** True for a call whose entry would only repeat one this caller already has in the trail: not recorded again. */
  repeats(request: FastifyRequest, action: string, outcome: AuditOutcome): Promise<boolean> {
    return this.repeated.repeats(request, action, outcome);
  }

  /** An entry for a request: the caller the auth hook resolved, the client's address. */
  forRequest(
    request: FastifyRequest,
    action: string,
    outcome: AuditOutcome,
    target: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    const caller: Pick<Caller, 'user' | 'via' | 'token'> = request.caller ?? { user: '-', via: 'anonymous' };
    // Which of the user's tokens acted (a SIEM's, a script's), to revoke the right one: its name, never its secret.
    // Added after sanitize, which drops every key that looks like a secret's ("token" among them).
    const token = caller.via === 'token' && caller.token ? { tokenName: caller.token } : {};
    return this.record({
      actor: caller.user,
      via: caller.via,
      address: request.ip ?? null,
      action,
      outcome,
      target,
      details: { ...(sanitize(details) as Record<string, unknown>), ...token },
    });
  }
}

/** What a route call's entry names as its target: a tenant, a record, a report, a user, a token. */
export function targetOf(request: FastifyRequest): string | null {
  const params = (request.params ?? {}) as Record<string, string>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  // What a create request names (a new tenant, user or token) is in its body; the name in the body of a route that
  // acts on what its path names (an alert's snooze) was added to its target, anything its caller chose to write.
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const creates = Object.keys(params).length === 0;
  const named = creates && typeof body.name === 'string' ? body.name : undefined;
  const parts = [
    params.tenant,
    params.id,
    params.name ?? named,
    typeof query.tenant === 'string' ? query.tenant : undefined,
  ];
  const found = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  return found.length ? found.join('/').slice(0, 300) : null;
}
