import type { FastifyInstance } from 'fastify';
import { readResultNotes } from '../../coverage/result-notes.js';
import { recordChunks, type RecordFormat } from '../../search/formats.js';
import type { ApiExtraQuery, ExportFormat } from '../api-types.js';
import type { ServerDeps } from '../deps.js';
import { pickOne, type RawQuery } from '../params.js';
import { searchQueryFrom } from '../query.js';
import { clientGone, holdTurnFor, textStream } from '../stream.js';
import { isHeavy, type HeavyLane } from '../heavy-lane.js';

/** The response header that says what the file cannot (tenants that record nothing or miss mailbox actions). */
export const NOTICE_HEADER = 'x-tenantwatch-notice';

/** Header values are one line of visible ASCII: lines joined with " | ", anything else replaced. */
function headerText(lines: string[]): string {
  return lines
    .join(' | ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 4000);
}

const FORMATS = ['csv', 'json', 'ndjson'] as const satisfies readonly ExportFormat[];

/** The CLI's writer for each export format: the console and `tenantwatch search --format` share the bytes. */
const AS: Record<ExportFormat, RecordFormat> = { csv: 'csv', json: 'json', ndjson: 'jsonl' };

const TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Every record a search matches — no 50,000 cap — streamed in the chosen format with the same
 * views and CSV rules as `tenantwatch search --format …` (search/formats.ts), so the console's
 * export and the CLI's are the same bytes for the same search.
 */
export function registerExportRoutes(app: FastifyInstance, deps: ServerDeps, lane: HeavyLane): void {
  app.get('/api/export', { config: { role: 'investigator', audit: 'export' } }, async (request, reply) => {
    const raw = request.query as RawQuery;
    const extra: ApiExtraQuery<'GET /api/export'>[] = ['format'];
    const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, request.scope, extra);
    const format = pickOne(raw.format, 'format', FORMATS, 'csv');
    // A free-text or object export reads every record of its period: it takes its turn as heavy counts do
    // (heavy-lane.ts), before the response starts (a full queue is a 429, not a cut file); its count (JSON) and
    // first rows are read in that turn, and the rest in turns of their own, given back while the client takes
    // the bytes: a slow download held the one SQLite turn, and every heavy count queued behind it.
    const turn = isHeavy(query) ? await lane.enter() : null;
    // A response that closes before its rows are read (an error, a client gone) gives the first turn back.
    if (turn) holdTurnFor(reply, turn);
    const signal = clientGone(reply);
    const found = deps.store.records.search(query, { signal });
    const rows = turn ? lane.inTurns(found, turn, signal) : found;
    const count = format === 'json' ? await deps.store.records.count(query) : null;
    // An empty list is a caller whose scope holds no tenant: readResultNotes reads "none named" as every
    // tenant, and would name them all, with their auditing state, in the notice header and the JSON envelope.
    const notes =
      query.tenants?.length === 0
        ? { names: new Map<string, string>(), lines: [] }
        : await readResultNotes(deps.store, query.tenants, deps.clock.now());
    const stamp = new Date(deps.clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
    void reply
      .type(TYPES[format])
      .header('content-disposition', `attachment; filename="tenantwatch-search-${stamp}.${format}"`);
    // A CSV file cannot carry a note without breaking its format: the header carries it (the JSON envelope too).
    if (notes.lines.length) void reply.header(NOTICE_HEADER, headerText(notes.lines));
    const options = { tenantNames: notes.names, notices: notes.lines, ...(count === null ? {} : { count }) };
    return reply.send(textStream(recordChunks(AS[format], rows, options)));
  });
}
