/**
 * Tail positions as the adapters write them (contract: TailPosition). A position is opaque to its
 * consumers; each adapter parses only its own form and refuses anything else, so a cursor saved
 * against one store is never silently misread by another.
 */
import { AppError } from '../core/errors.js';
import type { TailFilter } from './contract.js';

/** The error for a position this store did not make (a cursor copied from another database, or edited). */
export function foreignPosition(position: string, kind: 'sqlite' | 'postgres'): AppError {
  return new AppError('STORE_SCHEMA', `The tail position "${position}" was not made by this ${kind} store`, {
    hint: 'Remove the consumer cursor so it starts again from the end (or from the first record)',
  });
}

/** SQLite: the record seq, in decimal; null is 0 (before the first record). */
export function parseSeqPosition(position: string | null): number {
  if (position === null) return 0;
  if (!/^\d{1,15}$/.test(position)) throw foreignPosition(position, 'sqlite');
  return Number(position);
}

/** PostgreSQL: `xid:seq`, both decimal (xid8 and bigint as text); null is 0:0 (before every row). */
export function parseXidPosition(position: string | null): { xid: string; seq: string } {
  if (position === null) return { xid: '0', seq: '0' };
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(position);
  if (!match) throw foreignPosition(position, 'postgres');
  return { xid: match[1]!, seq: match[2]! };
}

/**
 * The SQL condition of a tail filter (contract: TailOptions.only) over the derived key columns, with its
 * parameters in order; `param(i)` writes the i-th (0-based) placeholder and `column` a column's name in
 * the condition. Null when the filter keeps nothing out (absent, or empty).
 */
export function tailFilterSql(
  only: TailFilter | undefined,
  param: (i: number) => string,
  column: (name: string) => string = (name) => name,
): { sql: string; values: (string | number)[] } | null {
  if (!only) return null;
  const values: (string | number)[] = [];
  const parts: string[] = [];
  const inList = (name: string, items: readonly (string | number)[] | undefined): void => {
    if (!items?.length) return;
    parts.push(`${column(name)} IN (${items.map((v) => param(values.push(v) - 1)).join(', ')})`);
  };
  inList('operation_key', only.operations);
  inList('record_type', only.recordTypes);
  inList('workload_key', only.workloads);
  return parts.length ? { sql: `(${parts.join(' OR ')})`, values } : null;
}
