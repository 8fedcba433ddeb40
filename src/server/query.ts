import { AppError } from '../core/errors.js';
import type { SearchCursor, SearchQuery } from '../core/search-query.js';
import type { Store } from '../store/contract.js';
import { parseSearchFilters, type SearchFilterInput } from '../search/filters.js';

/** A query string as fastify parses it: repeated keys become arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** HTTP name → SearchFilterInput key. The same names the CLI uses as flags, in camelCase. */
const FILTER_PARAMS = {
  start: 'start',
  end: 'end',
  user: 'user',
  operation: 'operation',
  recordType: 'recordType',
  workload: 'workload',
  ip: 'ip',
  object: 'object',
  freeText: 'freeText',
  tenant: 'tenant',
} as const satisfies Record<string, keyof SearchFilterInput>;

const MAX_VALUE_CHARS = 4_000;

function values(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/**
 * Turns the query string into a validated SearchQuery through the one filter parser the CLI and
 * reports use (search/filters.ts). Unknown parameters are refused, so a typo ("usr=") never widens a
 * search silently. `extra` names the route's own parameters (limit, cursor, format, bucket …).
 */
export async function searchQueryFrom(raw: RawQuery, now: number, store: Store, extra: readonly string[] = []): Promise<SearchQuery> {
  const input: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (extra.includes(key)) continue;
    const target = (FILTER_PARAMS as Record<string, string>)[key];
    if (!target) {
      throw new AppError('BAD_FILTER', `Unknown search parameter "${key.slice(0, 60)}"`, {
        hint: `Accepted parameters: ${[...Object.keys(FILTER_PARAMS), ...extra].join(', ')}`,
      });
    }
    const list = values(value);
    for (const v of list) {
      if (v.length > MAX_VALUE_CHARS) {
        throw new AppError('BAD_FILTER', `The ${key} value is ${v.length} characters long; the most accepted is ${MAX_VALUE_CHARS}`, {
          hint: 'Search for a shorter, distinctive part of the value',
        });
      }
    }
    input[target] = key === 'start' || key === 'end' ? single(key, list) : list;
  }
  const query = parseSearchFilters(input as SearchFilterInput, now);
  if (query.tenants?.length) query.tenants = await resolveTenants(store, query.tenants);
  return query;
}

function single(key: string, list: string[]): string {
  if (list.length !== 1) {
    throw new AppError('BAD_TIME', `Give ${key} once, not ${list.length} times`, { hint: `Use one ${key}=… parameter` });
  }
  return list[0]!;
}

/**
 * People type tenant names; records carry the tenant GUID. A registered tenant is found by name or
 * GUID; an unregistered key is accepted only when records exist under it (imports keep the name they
 * were imported under), so a mistyped tenant answers UNKNOWN_TENANT instead of an empty result.
 */
export async function resolveTenants(store: Store, inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const row = await store.tenants.get(input);
    if (row) {
      out.push(row.tenantId);
      continue;
    }
    const newest = await store.records.newest([input]);
    if (newest.size === 0) {
      throw new AppError('UNKNOWN_TENANT', `No tenant is named "${input.slice(0, 100)}" and no records are stored under that key`, {
        hint: 'GET /api/tenants lists the registered tenants (tenantwatch tenant list)',
      });
    }
    out.push(input);
  }
  return out;
}

/** A positive integer page size, at most `max` (LIMIT_TOO_LARGE names the maximum). */
export function parseLimit(raw: string | string[] | undefined, fallback: number, max: number): number {
  const list = values(raw);
  if (list.length === 0) return fallback;
  const text = list[list.length - 1]!.trim();
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new AppError('BAD_INPUT', `The limit "${text.slice(0, 40)}" is not a positive whole number`, { hint: `Use a number from 1 to ${max}` });
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
  if (typeof creationTime !== 'number' || !Number.isFinite(creationTime) || typeof tenant !== 'string' || typeof id !== 'string') throw bad;
  return { creationTime, tenant, id };
}

/** One value of an enumerated parameter, or BAD_INPUT naming the accepted values. */
export function pickOne<T extends string>(raw: string | string[] | undefined, name: string, allowed: readonly T[], fallback: T): T {
  const list = values(raw);
  if (list.length === 0) return fallback;
  const v = list[list.length - 1]!;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new AppError('BAD_INPUT', `The ${name} "${v.slice(0, 40)}" is not one of ${allowed.join(', ')}`, { hint: `Use ${name}=${allowed[0]}` });
}
