import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuditOutcome } from '../../store/auth-contract.js';
import type { Store } from '../../store/contract.js';
import { AUTH_EVENTS } from './events.js';
import { keptExactly, storable } from './sanitize.js';

/** A next page (a non-empty cursor): `cursor=` asks for the first page, as no cursor does. */
function hasCursor(request: FastifyRequest): boolean {
  const cursor = queryOf(request).cursor;
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
/** Calls remembered per process (the first, cheap check; the trail is asked when it does not know). */
const REMEMBERED = 1_000;
/** The Search page's Users suggestions: asked as the page opens and again after each search it runs. */
const SUGGESTIONS = 'search.user-suggestions';
/**
 * How long after its entry the same caller's suggestions over the same period and tenants are not recorded again:
 * the session's idle limit, as for a search's next pages. Counted from the entry, not from the calls it covers, so a
 * page left open and searched from all day is still recorded every half hour.
 */
const SUGGESTIONS_MS = 30 * 60_000;
/**
 * The caller's entries of one action in a window read to find the one a call repeats, newest first. A caller with
 * more (a script running a hundred searches in half an hour) may have an older one left unread: that call is then
 * recorded, an entry more, never one fewer.
 */
const LOOKED_UP = 100;

/** Keys with a time (RepeatedCalls says which), the last set last, at most REMEMBERED of them (per process). */
class Remembered {
  private readonly at = new Map<string, number>();

  get(key: string): number | undefined {
    return this.at.get(key);
  }

  set(key: string, at: number): void {
    this.at.delete(key);
    this.at.set(key, at);
    if (this.at.size > REMEMBERED) this.at.delete(this.at.keys().next().value!);
  }
}

type Query = Record<string, unknown>;

function queryOf(request: FastifyRequest): Query {
  return (request.query ?? {}) as Query;
}

/** The filters of a search, count or timeline: equal when they ask about the same records. */
function searchFilters(query: Query): string {
  const filters = Object.entries(query)
    .filter(([k]) => !NOT_FILTERS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(filters);
}

/**
 * The period and tenants of a user suggestions call (the only parameters the route takes; any other is refused,
 * and a refusal is always recorded). The tenants are a set: their order chooses nothing.
 */
function suggestionsFilters(query: Query): string {
  const { start, end, tenant } = query;
  const tenants = [...new Set([tenant ?? []].flat().map(String))].sort();
  return JSON.stringify([start ?? null, end ?? null, tenants]);
}

/**
 * Who asked (a user, how: session, token — which one —, the local user; from where) and what about: the key of what
 * it remembers. The token's name counts: a user's tokens each have their own tenants and role, and a next page or
 * count through another token (one of every tenant, after a search through one of a single tenant) was taken as
 * the follow-up of the first token's search and left no entry naming the token that read it.
 */
function memoryKey(request: FastifyRequest, filters: string): string {
  const { user, via, token } = request.caller;
  return JSON.stringify([user, via, token ?? null, request.ip ?? null, filters]);
}

/**
 * Which successful calls only repeat an entry their caller already has in the trail, and are not recorded again
 * (ADR 0019, decision 9): the next pages of a search, its count and timeline, the Search page's user suggestions.
 *
 * The trail itself is asked (one caller's entries of one action since the window's start: store.consoleAudit.list
 * through the console_audit_caller index), so the dedupe holds for every serve process sharing the store and across
 * a restart. It was kept only in each process's memory, and a follow-up that another process answered, or the same
 * one after a restart, was recorded again. That memory is still asked first, and earns its place:
 * - it answers the usual case, a follow-up reaching the process that recorded its search, with no query;
 * - it claims a call before the trail is asked, so the same call twice at once in one process is recorded once;
 * - it knows the next pages it left out, which leave nothing in the trail, so a search scrolled on for longer than
 *   half an hour keeps its pages covered here; another process records such a page (an entry more, never fewer).
 * Two processes answering the same call at the very same moment may both record it: each asks before either has
 * written. That is accepted (an entry more); making it atomic would hold a write lock (SQLite) or a transaction
 * and an advisory lock (PostgreSQL) around every lookup, most of which write nothing.
 * The trail is asked only about a call whose query it keeps exactly (sanitize.ts keptExactly): a text over 500
 * characters is kept cut, the same as every text that begins alike (the cut text itself among them), so an entry
 * could not tell which was asked; memory still tells them apart. A lookup that fails is logged and the call
 * recorded: a failing store never leaves an entry out.
 */
export class RepeatedCalls {
  /** Searches by caller and filters, with when this process last answered one (recorded or a page left out). */
  private readonly searches = new Remembered();
  /** User suggestions by caller, period and tenants, with when their entry was recorded. */
  private readonly suggestions = new Remembered();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** True for a call whose entry would only repeat one this caller already has in the trail: not recorded again. */
  async repeats(request: FastifyRequest, action: string, outcome: AuditOutcome): Promise<boolean> {
    if (outcome !== 'ok') return false;
    if (action === SUGGESTIONS) return this.repeatsSuggestions(request);
    if (action === 'search' || FOLLOWS_SEARCH.has(action)) return this.repeatsSearch(request, action);
    return false;
  }

  /**
   * True for the Search page's user suggestions this caller had recorded over the same period and tenants within
   * SUGGESTIONS_MS: the page asks for them as it opens and again after every search, and each of those calls was
   * an entry, flooding the trail with one lookup. Another period or tenant set is recorded: it names other days or
   * customers. A period as written (`7d`, `now`) is compared as written, so within the half hour it may have moved
   * on by minutes; the entry names what was asked.
   */
  private async repeatsSuggestions(request: FastifyRequest): Promise<boolean> {
    const filters = suggestionsFilters(queryOf(request));
    const key = memoryKey(request, filters);
    const now = this.clock.now();
    const at = this.suggestions.get(key);
    if (at !== undefined && now - at < SUGGESTIONS_MS) return true;
    this.suggestions.set(key, now);
    const recorded = await this.lastRecorded(request, SUGGESTIONS, suggestionsFilters, now - SUGGESTIONS_MS + 1);
    if (recorded === undefined) return false;
    this.suggestions.set(key, recorded);
    return true;
  }

  /**
   * True for what only repeats a search this caller had recorded with the same filters, which reads no record the
   * search's entry does not already name:
   * - its next pages (a cursor), within PAGES_MS of the search or of the page before. A cursor is only the last
   *   row's time, tenant and id, which anyone can write: one on filters no recorded search had is a search of
   *   its own, recorded (it used to be skipped for having a cursor, so `cursor=` or a made-up cursor read the
   *   records of any filter with no entry);
   * - its count or timeline, within FOLLOW_MS: recording them would triple every console search. Counts by a
   *   dimension (`search.counts`, e.g. by user or address) are never taken as a follow-up.
   */
  private async repeatsSearch(request: FastifyRequest, action: string): Promise<boolean> {
    const key = memoryKey(request, searchFilters(queryOf(request)));
    const now = this.clock.now();
    const at = this.searches.get(key);
    if (action !== 'search') {
      if (at !== undefined && now - at <= FOLLOW_MS) return true;
      const recorded = await this.lastRecorded(request, 'search', searchFilters, now - FOLLOW_MS);
      if (recorded === undefined) return false;
      this.searches.set(key, recorded);
      return true;
    }
    this.searches.set(key, now);
    if (!hasCursor(request)) return false;
    if (at !== undefined && now - at <= PAGES_MS) return true;
    return (await this.lastRecorded(request, 'search', searchFilters, now - PAGES_MS)) !== undefined;
  }

  /**
   * When the trail has a successful entry of `action` by this caller (user, via, token, address) at `since` or later with
   * the filters of this call (`filters` of both queries equal), the newest one's time; otherwise undefined.
   */
  private async lastRecorded(
    request: FastifyRequest,
    action: string,
    filters: (query: Query) => string,
    since: number,
  ): Promise<number | undefined> {
    const query = queryOf(request);
    if (request.ip === undefined || !keptExactly(query)) return undefined;
    const wanted = filters(query);
    try {
      const entries = await this.store.consoleAudit.list({
        actor: storable(request.caller.user),
        via: request.caller.via,
        address: request.ip,
        action,
        outcome: 'ok',
        from: since,
        newestFirst: true,
        limit: LOOKED_UP,
      });
      // The entry of the same token (ConsoleAuditor.forRequest writes its name as tokenName), or of none.
      const token = request.caller.token;
      const same = entries.find((e) => {
        const stored = e.details.query;
        if (e.details.tokenName !== token) return false;
        return stored !== null && typeof stored === 'object' && filters(stored as Query) === wanted;
      });
      return same?.at;
    } catch (e) {
      this.logger.warn({ event: AUTH_EVENTS.auditLookupFailed, action, err: e }, 'console audit not looked up');
      return undefined;
    }
  }
}
