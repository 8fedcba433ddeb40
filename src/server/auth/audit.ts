import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditOutcome, ConsoleAuditEntry } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { AUTH_EVENTS } from './events.js';
import type { Caller } from './types.js';

/** Keys whose values never enter the trail, whatever route sends them. */
const SECRET_KEY = /pass|secret|token|key|credential|cookie|authorization/i;

/**
 * Text as the trail keeps it: a NUL character (a refused request may hold one) becomes U+FFFD, since
 * PostgreSQL refuses NUL in text and jsonb, and the entry of that refusal was lost.
 */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** A request's parameters as the trail keeps them: secrets dropped, long values cut, no NUL. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storable(value.length > 500 ? `${value.slice(0, 500)}…` : value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitize(v, depth + 1));
  if (value && typeof value === 'object' && depth < 4) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [storable(k), sanitize(v, depth + 1)]),
    );
  }
  return value;
}

/**
 * Which responses become entries, and under which action (the rule is written down in ADR 0019, decision 9):
 * - only a signed-in caller's requests (a token, a session, the local user): refusals of anyone else are
 *   logged, not recorded, since anyone who reaches the port could fill an append-only trail with them; sign-in
 *   attempts are the exception and are recorded by the sign-in routes themselves (rate limited per address);
 * - a route that declares `config.audit`: every call under that action, whatever the outcome, except the next
 *   pages of a search this caller just had recorded, and the Search page's user suggestions this caller just had
 *   recorded over the same period and tenants (ConsoleAuditor.repeats);
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

/** A next page (a non-empty cursor): `cursor=` asks for the first page, as no cursor does. */
function hasCursor(request: FastifyRequest): boolean {
  const cursor = (request.query as Record<string, unknown> | undefined)?.cursor;
  return cursor !== undefined && cursor !== '';
}

/** What the console asks for right after a search's first page, over the same filters (web useSearch). */
const FOLLOWS_SEARCH = new Set(['search.count', 'search.timeline']);
/** Parameters that shape an answer without choosing which records it is about. */
const NOT_FILTERS = new Set(['limit', 'cursor', 'bucket']);
/** How long after a search its count and timeline are taken as the console's follow-up. */
const FOLLOW_MS = 60_000;
/**
 * How long after a search (or its last page) a next page of it is taken as the console scrolling on: the
 * session's idle limit, as a person reads a page before scrolling to the next.
 */
const PAGES_MS = 30 * 60_000;
/** Searches remembered for that (per process; a follow-up another process answers is simply recorded). */
const REMEMBERED = 1_000;
/** The Search page's Users suggestions: asked as the page opens and again after each search it runs. */
const SUGGESTIONS = 'search.user-suggestions';
/**
 * How long after its entry the same caller's suggestions over the same period and tenants are not recorded again:
 * the session's idle limit, as for a search's next pages. Counted from the entry, not from the calls it covers, so a
 * page left open and searched from all day is still recorded every half hour.
 */
const SUGGESTIONS_MS = 30 * 60_000;

/** Keys with when they were last recorded, oldest first, at most REMEMBERED of them (per process). */
class Remembered {
  private readonly at = new Map<string, number>();

  get(key: string): number | undefined {
    return this.at.get(key);
  }

  set(key: string, now: number): void {
    this.at.delete(key);
    this.at.set(key, now);
    if (this.at.size > REMEMBERED) this.at.delete(this.at.keys().next().value!);
  }
}

/** The caller and the filters of a search, count or timeline: equal when they ask about the same records. */
function searchKey(request: FastifyRequest): string {
  const query = Object.entries((request.query ?? {}) as Record<string, unknown>)
    .filter(([k]) => !NOT_FILTERS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([callerKey(request), query]);
}

/** Who asked: a user, how (session, token, the local user), from where. */
function callerKey(request: FastifyRequest): unknown[] {
  return [request.caller.user, request.caller.via, request.ip ?? null];
}

/**
 * The caller, period and tenants of a user suggestions call (the only parameters the route takes; any other is
 * refused, and a refusal is always recorded). The tenants are a set: their order chooses nothing.
 */
function suggestionsKey(request: FastifyRequest): string {
  const { start, end, tenant } = (request.query ?? {}) as Record<string, unknown>;
  const tenants = [...new Set([tenant ?? []].flat().map(String))].sort();
  return JSON.stringify([callerKey(request), start ?? null, end ?? null, tenants]);
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
  /** Recorded searches by searchKey, with when they were recorded. */
  private readonly searches = new Remembered();
  /** Recorded user suggestions by suggestionsKey, with when they were recorded. */
  private readonly suggestions = new Remembered();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

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

  /** True for a call whose entry would only repeat one this caller just had recorded: not recorded again. */
  repeats(request: FastifyRequest, action: string, outcome: AuditOutcome): boolean {
    if (outcome !== 'ok') return false;
    if (action === SUGGESTIONS) return this.repeatsSuggestions(request);
    return this.repeatsSearch(request, action);
  }

  /**
   * True for the Search page's user suggestions this caller had recorded over the same period and tenants within
   * SUGGESTIONS_MS: the page asks for them as it opens and again after every search, and each of those calls was
   * an entry, flooding the trail with one lookup. Another period or tenant set is recorded: it names other days or
   * customers. A period as written (`7d`, `now`) is compared as written, so within the half hour it may have moved
   * on by minutes; the entry names what was asked.
   */
  private repeatsSuggestions(request: FastifyRequest): boolean {
    const key = suggestionsKey(request);
    const now = this.clock.now();
    const at = this.suggestions.get(key);
    if (at !== undefined && now - at < SUGGESTIONS_MS) return true;
    this.suggestions.set(key, now);
    return false;
  }

  /**
   * True for what only repeats a search this caller just had recorded with the same filters, which reads no
   * record the search's entry does not already name:
   * - its next pages (a cursor), within PAGES_MS of the search or of the page before. A cursor is only the last
   *   row's time, tenant and id, which anyone can write: one on filters no recorded search had is a search of
   *   its own, recorded (it used to be skipped for having a cursor, so `cursor=` or a made-up cursor read the
   *   records of any filter with no entry);
   * - its count or timeline, within FOLLOW_MS: recording them would triple every console search. Counts by a
   *   dimension (`search.counts`, e.g. by user or address) are never taken as a follow-up.
   */
  private repeatsSearch(request: FastifyRequest, action: string): boolean {
    if (action !== 'search' && !FOLLOWS_SEARCH.has(action)) return false;
    const key = searchKey(request);
    const now = this.clock.now();
    const at = this.searches.get(key);
    if (action !== 'search') return at !== undefined && now - at <= FOLLOW_MS;
    const page = hasCursor(request) && at !== undefined && now - at <= PAGES_MS;
    this.searches.set(key, now);
    return page;
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
  // What a create request names (a new tenant, user or token) is in its body.
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const named = typeof body.name === 'string' ? body.name : undefined;
  const parts = [
    params.tenant,
    params.id,
    params.name ?? named,
    typeof query.tenant === 'string' ? query.tenant : undefined,
  ];
  const found = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  return found.length ? found.join('/').slice(0, 300) : null;
}
