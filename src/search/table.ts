import { terminalText } from '../core/terminal.js';
import { cellText } from './csv.js';

/**
 * Aligned text tables for a terminal, streamed: column widths are measured on the first rows (at most
 * `sample`), later rows reuse them, and a cell wider than its column is cut with "…". Memory stays flat
 * whatever the number of rows. Control characters (newlines, tabs, ESC) in audit data are shown as
 * spaces: they would break the alignment, and an escape sequence from a record must never reach the
 * terminal as one.
 */
export interface TableColumn {
  key: string;
  title: string;
  /** The widest the column may grow (default 40). */
  max?: number;
  /** Right-align (numbers). */
  right?: boolean;
}

export interface TableOptions {
  /** Rows used to measure widths before the first line is printed. */
  sample?: number;
  /** The footer line, given the number of rows printed; the default says "N rows". */
  footer?: (printed: number) => string;
}

export function tableCell(value: unknown): string {
  return terminalText(cellText(value));
}

export async function* tableChunks(
  columns: readonly TableColumn[],
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  options: TableOptions = {},
): AsyncGenerator<string, number> {
  const sampleSize = options.sample ?? 200;
  const sample: string[][] = [];
  let widths: number[] | null = null;
  let printed = 0;
  for await (const row of rows) {
    const cells = columns.map((c) => tableCell(row[c.key]));
    if (!widths) {
      sample.push(cells);
      if (sample.length < sampleSize) continue;
      widths = measure(columns, sample);
      yield (
        line(
          columns,
          widths,
          columns.map((c) => c.title),
        ) + rule(widths)
      );
      yield sample.map((s) => line(columns, widths!, s)).join('');
      printed += sample.length;
      continue;
    }
    yield line(columns, widths, cells);
    printed++;
  }
  if (!widths) {
    widths = measure(columns, sample);
    yield (
      line(
        columns,
        widths,
        columns.map((c) => c.title),
      ) +
      rule(widths) +
      sample.map((s) => line(columns, widths!, s)).join('')
    );
    printed += sample.length;
  }
  yield (options.footer ?? ((n: number) => `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`))(printed) + '\n';
  return printed;
}

function measure(columns: readonly TableColumn[], sample: string[][]): number[] {
  return columns.map((c, i) => {
    const widest = sample.reduce((w, cells) => Math.max(w, [...cells[i]!].length), [...c.title].length);
    return Math.min(widest, Math.max(c.max ?? 40, [...c.title].length));
  });
}

function line(columns: readonly TableColumn[], widths: number[], cells: string[]): string {
  const parts = cells.map((cell, i) => fit(cell, widths[i]!, columns[i]!.right ?? false));
  return parts.join('  ').trimEnd() + '\n';
}

function rule(widths: number[]): string {
  return widths.map((w) => '-'.repeat(w)).join('  ') + '\n';
}

/** Pads or cuts a cell to exactly `width` characters (code points, so emoji are not split in half). */
function fit(cell: string, width: number, right: boolean): string {
  const chars = [...cell];
  if (chars.length > width) return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
  const pad = ' '.repeat(width - chars.length);
  return right ? pad + cell : cell + pad;
}
