import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { AuditOutcome } from '../../store/auth-contract.js';

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

/**
 * Which successful calls only repeat an entry their caller just had recorded, and are not recorded again (ADR 0019,
 * decision 9): the next pages of a search, its count and timeline, the Search page's user suggestions.
 */
export class RepeatedCalls {
  /** Recorded searches by searchKey, with when they were recorded. */
  private readonly searches = new Remembered();
  /** Recorded user suggestions by suggestionsKey, with when they were recorded. */
  private readonly suggestions = new Remembered();

  constructor(private readonly clock: Clock) {}

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
}
