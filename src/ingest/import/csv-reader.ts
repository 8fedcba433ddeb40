import { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { RawItem } from './types.js';

/**
 * Purview and PowerShell CSV exports (schema.md "CSV exports"): the classic
 * `CreationDate,UserIds,Operations,AuditData`, the new
 * `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,…`, and
 * `Search-UnifiedAuditLog | Export-Csv` output (a `#TYPE` line, extra columns). Only the AuditData cell
 * is used: CreationDate is locale-formatted (`9/20/2023 4:05:03 AM`), the time comes from AuditData.
 * csv-parse reads RFC 4180 (quoted cells with doubled quotes and newlines, CRLF); a row whose quoting
 * is broken is skipped by the parser and reported here, and reading continues with the next row.
 */
export async function* readCsv(chunks: AsyncIterable<string>, skipLines: number): AsyncGenerator<RawItem[]> {
  const problems: RawItem[] = [];
  let lastProblemLine = -1;
  const parser = parse({
    from_line: skipLines + 1,
    relax_column_count: true,
    skip_records_with_error: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
  });
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string }) => {
    const endLine = error.lines ?? 0;
    if (endLine === lastProblemLine) return;
    lastProblemLine = endLine;
    // An unclosed quote runs into the next lines: name them all, so no row is lost without a mention.
    const raw = error.raw ?? '';
    const line = endLine - (raw.match(/\n/g)?.length ?? 0);
    const span = line < endLine ? `lines ${line}-${endLine}, every row on them` : `line ${line}`;
    problems.push({ line, text: raw, reject: `broken CSV quoting (${span} not imported): ${error.message}` });
  });
  Readable.from(chunks).pipe(parser);
  let auditData = -1;
  let batch: RawItem[] = [];
  for await (const row of parser as AsyncIterable<{ record: string[]; info: Info; raw: string }>) {
    if (problems.length) batch.push(...problems.splice(0));
    const line = startLine(row.info.lines, row.raw);
    if (auditData < 0) {
      auditData = row.record.findIndex((cell) => cell.trim().toLowerCase() === 'auditdata');
      if (auditData < 0) {
        batch.push({ line, text: row.raw, reject: 'the CSV header has no AuditData column' });
        break;
      }
      continue;
    }
    const cell = row.record[auditData];
    if (cell === undefined || cell.trim() === '') batch.push({ line, text: row.raw, reject: 'the AuditData cell is empty' });
    else batch.push({ line, text: cell });
    if (batch.length >= 1000) {
      yield batch;
      batch = [];
    }
  }
  batch.push(...problems.splice(0));
  if (batch.length) yield batch;
}

/** csv-parse reports the line a record ends on; a record with embedded newlines started earlier. */
function startLine(endLine: number, raw: string): number {
  let newlines = 0;
  for (let i = raw.indexOf('\n'); i >= 0 && i < raw.length - 1; i = raw.indexOf('\n', i + 1)) newlines++;
  return endLine - newlines;
}
