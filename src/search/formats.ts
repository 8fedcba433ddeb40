import { parseBoundedJson } from '../core/json.js';
import { recordTypeName } from '../core/catalog/index.js';
import type { Outcome, RecordSource, StoredRecord, StoredSummary } from '../core/record.js';
import { toIso, toIsoSeconds } from '../core/time.js';
import { csvLine, UTF8_BOM } from './csv.js';
import { tableChunks, type TableColumn } from './table.js';

/**
 * How a search result leaves tenantwatch, the same bytes whoever asks: `tenantwatch search --format`,
 * the HTTP API's pages and the console's export (issue 2 §6).
 */
export const RECORD_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Tenant id → the name it was added under (store.tenants): every export names tenants, not only GUIDs. */
export type TenantNames = ReadonlyMap<string, string>;
const NO_NAMES: TenantNames = new Map();

/** One record as people and programs read it: derived fields plus the raw AuditData, parsed. */
export interface RecordView {
  id: string;
  tenant: string;
  /** ISO 8601 UTC with milliseconds, so that text order is time order. */
  creationTime: string;
  recordType: number;
  recordTypeName: string;
  operation: string;
  workload: string | null;
  userId: string | null;
  userType: number | null;
  clientIp: string | null;
  clientPort: number | null;
  objectId: string | null;
  resultStatus: string | null;
  outcome: Outcome;
  source: RecordSource;
  /** The raw record parsed; the raw text itself when it is not JSON (it is kept untouched as evidence). */
  auditData: unknown;
}

export function toRecordView(r: StoredRecord): RecordView {
  return { ...toRecordSummary(r), auditData: parseRaw(r.raw) };
}

/** The view without its AuditData: what a result list shows (nothing of the raw text is parsed for it). */
export function toRecordSummary(r: StoredSummary): Omit<RecordView, 'auditData'> {
  return {
    id: r.id,
    tenant: r.tenant,
    creationTime: toIso(r.creationTime),
    recordType: r.recordType,
    recordTypeName: recordTypeName(r.recordType),
    operation: r.operation,
    workload: r.workload,
    userId: r.userId,
    userType: r.userType,
    clientIp: r.clientIp,
    clientPort: r.clientPort,
    objectId: r.objectId,
    resultStatus: r.resultStatus,
    outcome: r.outcome,
    source: r.source,
  };
}

/** A record as the json and jsonl exports write it: the view, with the tenant's name when known. */
function exportView(r: StoredRecord, names: TenantNames): RecordView & { tenantName?: string } {
  const { id, tenant, ...rest } = toRecordView(r);
  const tenantName = names.get(tenant);
  return tenantName === undefined ? { id, tenant, ...rest } : { id, tenant, tenantName, ...rest };
}

/** The raw text parsed; the text itself when it is not JSON or nests too deep to print (core/json.ts). */
function parseRaw(raw: string): unknown {
  return parseBoundedJson(raw) ?? raw;
}

/**
 * CSV columns. AuditData is the raw text whole, in one cell (quoted: it holds commas and quotes), so
 * nothing of the evidence is lost; the other columns are what a person filters on in a spreadsheet.
 */

const CSV_COLUMNS: [string, (r: StoredRecord, names: TenantNames) => unknown][] = [
  ['CreationTime', (r) => toIso(r.creationTime)],
  ['Tenant', (r) => r.tenant],
  ['TenantName', (r, names) => names.get(r.tenant) ?? ''],
  ['Id', (r) => r.id],
  ['RecordType', (r) => r.recordType],
  ['RecordTypeName', (r) => recordTypeName(r.recordType)],
  ['Operation', (r) => r.operation],
  ['Workload', (r) => r.workload],
  ['UserId', (r) => r.userId],
  ['UserType', (r) => r.userType],
  ['ClientIP', (r) => r.clientIp],
  ['ClientPort', (r) => r.clientPort],
  ['ObjectId', (r) => r.objectId],
  ['ResultStatus', (r) => r.resultStatus],
  ['Outcome', (r) => r.outcome],
  ['Source', (r) => r.source],
  ['AuditData', (r) => r.raw],
];

export const RECORD_CSV_HEADER = CSV_COLUMNS.map(([name]) => name);

export function recordCsvLine(r: StoredRecord, names: TenantNames = NO_NAMES): string {
  return csvLine(CSV_COLUMNS.map(([, get]) => get(r, names)));
}

/** The BOM and header line, then one line per record. */
export async function* recordCsvChunks(
  rows: AsyncIterable<StoredRecord>,
  names: TenantNames = NO_NAMES,
): AsyncGenerator<string, number> {
  yield UTF8_BOM + csvLine(RECORD_CSV_HEADER);
  let n = 0;
  for await (const r of rows) {
    yield recordCsvLine(r, names);
    n++;
  }
  return n;
}

const TABLE_COLUMNS: TableColumn[] = [
  { key: 'time', title: 'TIME (UTC)', max: 20 },
  { key: 'user', title: 'USER', max: 32 },
  { key: 'operation', title: 'OPERATION', max: 28 },
  { key: 'workload', title: 'WORKLOAD', max: 20 },
  { key: 'ip', title: 'CLIENT IP', max: 39 },
  { key: 'object', title: 'OBJECT', max: 60 },
  { key: 'tenant', title: 'TENANT', max: 36 },
];

async function* tableRows(
  rows: AsyncIterable<StoredRecord>,
  names: TenantNames,
): AsyncGenerator<Record<string, unknown>> {
  for await (const r of rows) {
    yield {
      time: toIsoSeconds(r.creationTime),
      user: r.userId,
      operation: r.operation,
      workload: r.workload,
      ip: r.clientIp,
      object: r.objectId,
      tenant: names.get(r.tenant) ?? r.tenant,
    };
  }
}

export interface RecordChunkOptions {
  /**
   * The number of records the search matches (all of them, whatever a limit cut off). Required for
   * json, where it comes first; the table's footer says it; jsonl and csv leave it to the caller.
   */
  count?: number;
  /** Tenant names for the TenantName column (csv), tenantName (json, jsonl) and the table's TENANT. */
  tenantNames?: TenantNames;
  /**
   * What must travel with the result (tenants that record nothing or miss mailbox actions): json puts it
   * in its envelope; csv and jsonl cannot carry it, so callers say it beside the file (header, stderr).
   */
  notices?: string[];
}

/**
 * A search result as text chunks in one format, streamed: rows are never gathered, so a million
 * matches take as much memory as ten. Returns how many records were written.
 */
export function recordChunks(
  format: RecordFormat,
  rows: AsyncIterable<StoredRecord>,
  options: RecordChunkOptions = {},
): AsyncGenerator<string, number> {
  const names = options.tenantNames ?? NO_NAMES;
  switch (format) {
    case 'csv':
      return recordCsvChunks(rows, names);
    case 'jsonl':
      return jsonlChunks(rows, names);
    case 'json':
      return jsonChunks(rows, options.count, names, options.notices ?? []);
    case 'table':
      return tableChunks(TABLE_COLUMNS, tableRows(rows, names), { footer: (n) => footer(n, options.count) });
  }
}

async function* jsonlChunks(rows: AsyncIterable<StoredRecord>, names: TenantNames): AsyncGenerator<string, number> {
  let n = 0;
  for await (const r of rows) {
    yield JSON.stringify(exportView(r, names)) + '\n';
    n++;
  }
  return n;
}

/**
 * `{"count": N, "notices": [...]?, "records": [...]}`, one record per line so the output can be read as it
 * comes; notices only when there is something to say about the tenants covered.
 */
async function* jsonChunks(
  rows: AsyncIterable<StoredRecord>,
  count: number | undefined,
  names: TenantNames,
  notices: string[],
): AsyncGenerator<string, number> {
  if (count === undefined) throw new Error('json output needs the count of matches first');
  const said = notices.length ? `"notices":${JSON.stringify(notices)},` : '';
  yield `{"count":${count},${said}"records":[`;
  let n = 0;
  for await (const r of rows) {
    yield (n === 0 ? '\n' : ',\n') + JSON.stringify(exportView(r, names));
    n++;
  }
  yield n === 0 ? ']}\n' : '\n]}\n';
  return n;
}

function footer(shown: number, count: number | undefined): string {
  const total = count ?? shown;
  const noun = `matching record${total === 1 ? '' : 's'}`;
  if (shown === total) return `${total.toLocaleString('en-US')} ${noun}`;
  return `${shown.toLocaleString('en-US')} shown of ${total.toLocaleString('en-US')} ${noun}`;
}
