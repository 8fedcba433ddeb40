import { AppError } from '../core/errors.js';
import type { SearchQuery } from '../core/search-query.js';
import type { Store } from '../store/contract.js';
import { parseSearchFilters, type SearchFilterInput } from '../search/filters.js';
import type { SearchFilters } from './api-types.js';
import type { TenantScope } from './auth/scope.js';
import { values, type RawQuery } from './params.js';
import { quoted } from '../core/quote.js';

export type { RawQuery } from './params.js';

/** HTTP name → SearchFilterInput key: exactly the API contract's SearchFilters, the CLI's flags in camelCase. */
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
} as const satisfies Record<keyof SearchFilters, keyof SearchFilterInput>;

const MAX_VALUE_CHARS = 4_000;

/**
 * Turns the query string into a validated SearchQuery through the one filter parser the CLI and
 * reports use (search/filters.ts). Unknown parameters are refused, so a typo ("usr=") never widens a
 * search silently. `extra` names the route's own parameters (limit, cursor, format, bucket …).
 * The caller's tenant scope (request.scope) is applied here: a tenant outside it is refused, and a
 * search naming no tenant reads only the caller's tenants. A missing end means now.
 */
export async function searchQueryFrom(
  raw: RawQuery,
  now: number,
  store: Store,
  scope: TenantScope,
  extra: readonly string[] = [],
): Promise<SearchQuery> {
  const input: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (extra.includes(key)) continue;
    // Own keys only: "constructor" or "__proto__" found Object.prototype's and passed as a filter, then vanished.
    const target = Object.hasOwn(FILTER_PARAMS, key) ? (FILTER_PARAMS as Record<string, string>)[key] : undefined;
    if (!target) {
      throw new AppError('BAD_FILTER', `Unknown search parameter ${quoted(key, 60)}`, {
        hint: `Accepted parameters: ${[...Object.keys(FILTER_PARAMS), ...extra].join(', ')}`,
      });
    }
    const list = values(value);
    for (const v of list) {
      if (v.length > MAX_VALUE_CHARS) {
        throw new AppError(
          'BAD_FILTER',
          `The ${key} value is ${v.length} characters long; the most accepted is ${MAX_VALUE_CHARS}`,
          {
            hint: 'Search for a shorter, distinctive part of the value',
          },
        );
      }
    }
    input[target] = key === 'start' || key === 'end' ? single(key, list) : list;
  }
  // The end defaults to now, as the CLI's --end does: "the last 7 days" is start=7d alone.
  if (input.end === undefined) input.end = 'now';
  const query = parseSearchFilters(input, now);
  const tenants = await scope.searchTenants(store, query.tenants);
  if (tenants === undefined) delete query.tenants;
  else query.tenants = tenants;
  return query;
}

function single(key: string, list: string[]): string {
  if (list.length !== 1) {
    throw new AppError('BAD_TIME', `Give ${key} once, not ${list.length} times`, {
      hint: `Use one ${key}=… parameter`,
    });
  }
  return list[0]!;
}
