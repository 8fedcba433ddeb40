import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { StoredSummary } from '../../core/record.js';
import { COUNT_DIMENSIONS, type CountDimension, type SearchQuery } from '../../core/search-query.js';
import { toRecordSummary } from '../../search/formats.js';
import type { ApiExtraQuery, ApiResponse, SearchPage } from '../api-types.js';
import type { ServerDeps } from '../deps.js';
import { decodeCursor, encodeCursor, parseLimit, pickOne, type RawQuery } from '../params.js';
import { searchQueryFrom } from '../query.js';
import { clientGone, textStream } from '../stream.js';
import { unseenFilterValues } from '../../search/unseen.js';
import { isHeavy, type HeavyLane } from '../heavy-lane.js';
import { DAY, utcDay } from '../../core/time.js';
import { quoted } from '../../core/quote.js';

const DEFAULT_PAGE = 200;
/** Characters of a search page written at once. */
const CHUNK_CHARS = 32_768;
/** The users the Search page's Users field suggests at most. */
const SUGGESTED_USERS = 500;
/** What a suggestion lookup may be narrowed by: the search form's period and tenants, nothing else. */
const SUGGESTION_PARAMS: readonly string[] = ['start', 'end', 'tenant'];

/**
 * Search, as Purview's audit search page does it but with no cap: a page of results newest first,
 * streamed as it is read (the first rows leave before the page is complete; a heavy page is read whole
 * in its turn first), with a keyset cursor for the next page. The exact count is a separate request so
 * the first page never waits for it.
 */
export function registerSearchRoutes(app: FastifyInstance, deps: ServerDeps, lane: HeavyLane): void {
  const max = deps.maxPageSize ?? 1_000;
  /** Counts that read every record of their period wait their turn (heavy-lane.ts); the rest run at once. */
  const counted = <T>(query: SearchQuery, work: () => Promise<T>): Promise<T> =>
    isHeavy(query) ? lane.run(work) : work();

  app.get('/api/search', { config: { role: 'investigator', audit: 'search' } }, async (request, reply) => {
    const raw = request.query as RawQuery;
    const extra: ApiExtraQuery<'GET /api/search'>[] = ['limit', 'cursor'];
    const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, request.scope, extra);
    const limit = parseLimit(raw.limit, DEFAULT_PAGE, max);
    const after = decodeCursor(raw.cursor);
    const signal = clientGone(reply);
    const read = (): AsyncIterable<StoredSummary> =>
      deps.store.records.searchSummaries(query, { limit: limit + 1, ...(after ? { after } : {}), signal });
    // A free-text or object page reads every record of its period until the page is full: it takes its turn as
    // heavy counts do (a full queue is a 429 before the response starts), reads the whole page in it and gives it
    // back before its first byte is written. It held the turn until the response closed, so one slow client kept
    // every other heavy request waiting. The page is bounded (at most max + 1 summaries, no raw: ADR 0030).
    // A client that leaves while the page waits gives its place in the queue up at once.
    const rows = isHeavy(query) ? await lane.run(() => readAll(read()), { signal }) : read();
    return reply.type('application/json; charset=utf-8').send(textStream(pageChunks(rows, limit)));
  });

  app.get(
    '/api/search/count',
    { config: { role: 'investigator', audit: 'search.count' } },
    async (request): Promise<ApiResponse<'GET /api/search/count'>> => {
      const query = await searchQueryFrom(request.query as RawQuery, deps.clock.now(), deps.store, request.scope);
      // notices: filter values no stored record ever had (a typo must not read as "nothing happened").
      const [count, notices] = await Promise.all([
        counted(query, () => deps.store.records.count(query)),
        unseenFilterValues(deps.store.records, query),
      ]);
      return { count, notices };
    },
  );

  app.get(
    '/api/search/timeline',
    { config: { role: 'investigator', audit: 'search.timeline' } },
    async (request): Promise<ApiResponse<'GET /api/search/timeline'>> => {
      const raw = request.query as RawQuery;
      const extra: ApiExtraQuery<'GET /api/search/timeline'>[] = ['bucket'];
      const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, request.scope, extra);
      const bucket = pickOne(raw.bucket, 'bucket', ['auto', 'day', 'hour'] as const, 'auto');
      const chosen = bucket === 'auto' ? autoBucket(query) : bucket;
      const rows = await counted(query, () => deps.store.records.countBy(query, chosen));
      return { bucket: chosen, start: query.range.start, end: query.range.end, rows };
    },
  );

  app.get(
    '/api/search/counts',
    { config: { role: 'investigator', audit: 'search.counts' } },
    async (request): Promise<ApiResponse<'GET /api/search/counts'>> => {
      const raw = request.query as RawQuery;
      const extra: ApiExtraQuery<'GET /api/search/counts'>[] = ['by', 'limit'];
      const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, request.scope, extra);
      const by = pickOne<CountDimension>(raw.by, 'by', COUNT_DIMENSIONS, 'operation');
      const limit = parseLimit(raw.limit, 20, max);
      return { by, rows: await counted(query, () => deps.store.records.countBy(query, by, { limit })) };
    },
  );

  /**
   * The Users field's suggestions: the users seen in the form's period and tenants, most records first. It is
   * no search: it takes no filter but the period and the tenants and answers no record, only users and their
   * counts, so it cannot tell who did what, touched which object or came from which address. Its period is
   * widened to whole UTC days, read from the day rollups (ADR 0031) rather than the records. It still lists who
   * was active in which tenants on which days, so every call is recorded (ADR 0019, decision 9), under its own
   * action: the Search page asks for it as it opens, and `search.counts` read each visit as a search nobody ran.
   */
  app.get(
    '/api/search/user-suggestions',
    { config: { role: 'investigator', audit: 'search.user-suggestions' } },
    async (request): Promise<ApiResponse<'GET /api/search/user-suggestions'>> => {
      const raw = request.query as RawQuery;
      const other = Object.keys(raw).find((k) => !SUGGESTION_PARAMS.includes(k));
      if (other !== undefined)
        throw new AppError('BAD_FILTER', `User suggestions take no ${quoted(other, 60)} parameter`, {
          hint: `Accepted parameters: ${SUGGESTION_PARAMS.join(', ')}; narrower questions are searches (GET /api/search/counts?by=user)`,
        });
      const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, request.scope);
      const { start, end } = query.range;
      const days = { start: utcDay(start), end: utcDay(end) === end ? end : utcDay(end) + DAY };
      const rows = await deps.store.records.countBy({ ...query, range: days }, 'user', { limit: SUGGESTED_USERS });
      return { users: rows };
    },
  );
}

/** Hourly bars for up to three days, daily beyond: enough bars to read, never thousands. */
function autoBucket(query: SearchQuery): 'day' | 'hour' {
  return query.range.end - query.range.start <= 3 * 86_400_000 ? 'hour' : 'day';
}

/** The rows of a bounded read, in its order (Array.fromAsync comes with Node 22). */
async function readAll<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/**
 * A SearchPage written as it is read: the records first, then the rest of the page's fields (typed,
 * so the streamed text stays the contract's shape).
 */
async function* pageChunks(
  rows: AsyncIterable<StoredSummary> | Iterable<StoredSummary>,
  limit: number,
): AsyncGenerator<string> {
  const first: keyof SearchPage = 'records';
  // Rows leave in chunks of about CHUNK_CHARS: a write per row cost more than writing the rows.
  let chunk = `{"${first}":[`;
  let n = 0;
  let last: StoredSummary | undefined;
  let more = false;
  for await (const r of rows) {
    if (n === limit) {
      more = true;
      break;
    }
    chunk += (n === 0 ? '' : ',') + JSON.stringify(toRecordSummary(r));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
    last = r;
    n++;
  }
  const next =
    more && last ? encodeCursor({ creationTime: last.creationTime, tenant: last.tenant, id: last.id }) : null;
  const rest: Omit<SearchPage, typeof first> = { returned: n, next };
  yield chunk + '],' + JSON.stringify(rest).slice(1);
}
