import { CsvRecordSplitter, splitCells, type CsvRecord } from './csv-records.js';
import { TOO_LARGE } from './record-size.js';
import type { RawItem } from './types.js';

/**
 * Purview and PowerShell CSV exports (schema.md "CSV exports"): the classic
 * `CreationDate,UserIds,Operations,AuditData`, the new
 * `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,…`, and
 * `Search-UnifiedAuditLog | Export-Csv` output (a `#TYPE` line, extra columns). Only the AuditData cell
 * is used: CreationDate is locale-formatted (`9/20/2023 4:05:03 AM`), the time comes from AuditData.
 * Records come from `csv-records.ts` (RFC 4180, quoted cells with doubled quotes and line breaks,
 * CRLF); a row whose quoting is broken is reported with its line and reading goes on with the next.
 */
const BATCH = 1000;

export async function* readCsv(chunks: AsyncIterable<string>, skipLines: number): AsyncGenerator<RawItem[]> {
  let splitter: CsvRecordSplitter | null = null;
  let auditData = -1;
  let batch: RawItem[] = [];
  let stopped = false;
  const take = (records: CsvRecord[]): boolean => {
    for (const record of records) {
      if (auditData < 0) {
        auditData = headerColumn(record);
        if (auditData < 0) {
          batch.push({ line: record.line, text: record.text, reject: 'the CSV header has no AuditData column' });
          return false;
        }
        continue;
      }
      // Exports joined into one file (Purview gives at most 50,000 rows an export): the next one's header, whose
      // AuditData column may be another (the classic and the new layout), and Export-Csv's #TYPE line before it.
      const header = headerColumn(record, 16);
      if (header >= 0 || record.text.startsWith('#TYPE ')) {
        if (header >= 0) auditData = header;
        continue;
      }
      // A row of separators only (`;;;;`: Excel writes one for every formatted row below the data) holds nothing,
      // as an empty line holds nothing: skipped, not a rejected row.
      if (record.error === null && !record.tooLarge && record.cells?.every((cell) => cell.trim() === '')) continue;
      batch.push(item(record, auditData));
    }
    return true;
  };
  for await (const chunk of chunks) {
    splitter ??= new CsvRecordSplitter(delimiterOf(chunk, skipLines), skipLines);
    if (!take(splitter.push(chunk))) {
      stopped = true;
      break;
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (splitter && !stopped) take(splitter.end());
  if (batch.length) yield batch;
}

/** The AuditData column of a header row, or -1; `longest`: cells longer than this are no header's. */
function headerColumn(record: CsvRecord, longest = Infinity): number {
  if (!record.cells) return -1;
  return record.cells.findIndex((cell) => cell.length <= longest && cell.trim().toLowerCase() === 'auditdata');
}

function item(record: CsvRecord, auditData: number): RawItem {
  if (record.tooLarge) return { line: record.line, text: record.text, reject: TOO_LARGE };
  if (record.error !== null)
    return { line: record.line, text: record.text, reject: `broken CSV quoting: ${record.error}` };
  const cell = record.cells![auditData];
  if (cell === undefined)
    return {
      line: record.line,
      text: record.text,
      reject: `the row has ${record.cells!.length} cells and no AuditData cell (column ${auditData + 1})`,
    };
  if (cell === '' || (cell.charCodeAt(0) <= 32 && cell.trim() === ''))
    return { line: record.line, text: record.text, reject: 'the AuditData cell is empty' };
  if (cell.length === EXCEL_CELL_CHARS && !cell.trimEnd().endsWith('}'))
    return { line: record.line, text: cell, reject: EXCEL_CUT };
  return { line: record.line, text: cell };
}

/**
 * Excel keeps at most 32,767 characters of a cell and drops the rest without a word when it saves the CSV
 * again: a record was rejected as "not valid JSON (Unterminated string in JSON at position 32767)".
 */
const EXCEL_CELL_CHARS = 32_767;
const EXCEL_CUT =
  'the AuditData cell stops at 32,767 characters, part way through its JSON: Excel cuts cells at that length when it saves a CSV. Export the audit log again and import that file without opening and saving it in Excel';

/** Exports use commas; a header with no comma outside quotes but semicolons or tabs uses those. */
function delimiterOf(head: string, skipLines: number): string {
  let from = 0;
  for (let i = 0; i < skipLines && from >= 0; i++) from = head.indexOf('\n', from) + 1;
  const end = head.indexOf('\n', from);
  const header = head.slice(from, end < 0 ? undefined : end).replace(/\r$/, '');
  for (const candidate of [',', ';', '\t']) {
    const cells = splitCells(header, candidate);
    if (typeof cells !== 'string' && cells.length > 1) return candidate;
  }
  return ',';
}
