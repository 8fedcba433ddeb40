import { AppError } from '../core/errors.js';
import type { SearchCursor } from '../core/search-query.js';
import { quoted } from '../core/quote.js';

/** A query string as fastify parses it: repeated keys become arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

export function values(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/**
 * Refuses a query parameter the route does not take: a misspelt filter (`tenants=`, `severty=`) answered as if
 * no filter were given — every tenant's alerts, every stream — which reads as an answer about what was asked.
 */
export function onlyParams(
  raw: RawQuery,
  accepted: readonly string[],
  said: { where?: string; hint?: string } = {},
): void {
  const other = Object.keys(raw).find((k) => !accepted.includes(k));
  if (other === undefined) return;
  throw new AppError('BAD_INPUT', `Unknown parameter ${quoted(other, 60)}${said.where ? ` ${said.where}` : ''}`, {
    hint:
      said.hint ?? (accepted.length ? `Accepted parameters: ${accepted.join(', ')}` : 'This route takes no parameters'),
  });
}

/** A positive integer page size, at most `max` (LIMIT_TOO_LARGE names the maximum). */
export function parseLimit(raw: string | string[] | undefined, fallback: number, max: number): number {
  const list = values(raw);
  if (list.length === 0) return fallback;
  const text = list[list.length - 1]!.trim();
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new AppError('BAD_INPUT', `The limit ${quoted(text, 40)} is not a positive whole number`, {
      hint: `Use a number from 1 to ${max}`,
    });
  }
  const n = Number(text);
  if (n > max) {
    throw new AppError('LIMIT_TOO_LARGE', `The limit ${n} is above the maximum page size of ${max}`, {
      hint: `Ask for at most ${max} rows per page and follow "next", or use /api/export to get every row`,
    });
  }
  return n;
}

/** Cursors are opaque to clients: base64url of the last row's (creationTime, tenant, id). */
export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([c.creationTime, c.tenant, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string | string[] | undefined): SearchCursor | undefined {
  const list = values(raw);
  if (list.length === 0 || list[0] === '') return undefined;
  const text = list[0]!;
  const bad = new AppError('BAD_INPUT', 'The cursor is not one this server issued', {
    hint: 'Pass back the "next" value of the previous page unchanged, or start again without a cursor',
  });
  if (text.length > 2_000 || !/^[A-Za-z0-9_-]+$/.test(text)) throw bad;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad;
  const [creationTime, tenant, id] = parsed as unknown[];
  // What a row holds: a whole epoch-ms time (PostgreSQL's bigint refused a fraction or 1e300 with a 500), and a
  // tenant and id without NUL (no stored text has one; PostgreSQL refuses it).
  const storedText = (v: unknown): v is string => typeof v === 'string' && v.length <= 1_000 && !v.includes('\u0000');
  if (typeof creationTime !== 'number' || !Number.isSafeInteger(creationTime) || !storedText(tenant) || !storedText(id))
    throw bad;
  return { creationTime, tenant, id };
}

/** One value of an enumerated parameter, or BAD_INPUT naming the accepted values. */
export function pickOne<T extends string>(
  raw: string | string[] | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const list = values(raw);
  if (list.length === 0) return fallback;
  const v = list[list.length - 1]!;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new AppError('BAD_INPUT', `The ${name} ${quoted(v, 40)} is not one of ${allowed.join(', ')}`, {
    hint: `Use ${name}=${allowed[0]}`,
  });
}
