import { terminalText } from '../../core/terminal.js';
import type { Reject, RejectWriter } from '../../ingest/import/index.js';

/** Rejects whose reasons the import names on the terminal; the rest are counted and left to the rejects file. */
export const REASONS_SHOWN = 5;

/** Longest reason shown: a reason quoting a value (a CreationTime that is not a time) stays one readable line. */
const REASON_CHARS = 400;

export interface RejectReason {
  file: string;
  line: number;
  reason: string;
}

/**
 * A rejects writer that also keeps the file, line and reason of the first REASONS_SHOWN rejects (never the raw text:
 * it holds whole records, which the rejects file keeps readable by its owner only). Without them a person saw only
 * "3 rejected rows written to …" and had to open an NDJSON file to learn that a line was cut short.
 */
export function keepingReasons(writer: RejectWriter & { readonly count: number }): RejectWriter & {
  readonly count: number;
  readonly first: readonly RejectReason[];
} {
  const first: RejectReason[] = [];
  return {
    get count() {
      return writer.count;
    },
    first,
    async write(reject: Reject) {
      if (first.length < REASONS_SHOWN) first.push({ file: reject.file, line: reject.line, reason: reject.reason });
      await writer.write(reject);
    },
    close: () => writer.close(),
  };
}

/**
 * The lines that say why rows were rejected: "FILE, line N: REASON" for the first few, then how many more and where
 * they are. Made safe for a terminal (a file name or a reason's quoted text may hold escape sequences).
 */
export function reasonLines(first: readonly RejectReason[], total: number, rejectsPath: string | null): string {
  if (!first.length) return '';
  const lines = [
    total > first.length
      ? `Why rows were not imported (the first ${first.length} of ${total.toLocaleString('en-US')}):`
      : `Why ${total === 1 ? 'a row was' : 'rows were'} not imported:`,
  ];
  for (const r of first) {
    const reason = r.reason.length > REASON_CHARS ? `${r.reason.slice(0, REASON_CHARS)}…` : r.reason;
    lines.push(`  ${terminalText(`${r.file}, line ${r.line}: ${reason}`)}`);
  }
  const more = total - first.length;
  if (more > 0)
    lines.push(
      rejectsPath
        ? `  and ${more.toLocaleString('en-US')} more — see ${terminalText(rejectsPath)}`
        : `  and ${more.toLocaleString('en-US')} more (the rejects file could not be written: see below)`,
    );
  return lines.join('\n') + '\n';
}
