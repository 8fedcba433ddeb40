import type { SearchQuery } from '../../src/core/search-query.js';
import { DAY } from '../../src/core/time.js';
import { parseSearchFilters } from '../../src/search/filters.js';
import { RARE_WORD } from '../../src/search/testing/generate.js';

/**
 * The typical investigation searches of issue 2, each as tenantwatch runs it (filters through the
 * same parser as the CLI) and as an analyst would write it in DuckDB SQL over the same records.
 * DuckDB gets the same semantics: case-insensitive users and operations, the IP in its plain, with-port
 * and ::ffff: spellings (tenantwatch folds those at import), substrings ignoring case.
 */
export interface SearchCase {
  id: string;
  title: string;
  /** 'rows': a result list (first 100, every row, count); 'countBy': counts per operation. */
  kind: 'rows' | 'countBy';
  /** What a countBy counts by (default: operation); 'day' is the timeline. */
  dimension?: 'operation' | 'day';
  query: SearchQuery;
  /** The same filters as the console sends them to the HTTP API (query-string parameters). */
  filters: Record<string, string>;
  duckWhere: string;
  duckParams: Record<string, string | number>;
  /** Free text and objects: run without and with the substring index (ADR 0033). */
  substring?: boolean;
}

export function searchCases(end: number): SearchCase[] {
  type Input = Record<string, string | string[]>;
  /** The parsed query and its query-string form (lists joined as the API takes them: one value each here). */
  const q = (input: Input): { query: SearchQuery; filters: Record<string, string> } => ({
    query: parseSearchFilters(input, end),
    filters: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])),
  });
  const iso = (t: number): string => new Date(t).toISOString();
  const last = (days: number) => ({ start: iso(end - days * DAY), end: iso(end) });
  const range = (days: number): [string, Record<string, number>] => [
    'creation_time >= $start AND creation_time < $end',
    { start: end - days * DAY, end },
  ];
  const [r7, p7] = range(7);
  const [r30, p30] = range(30);
  const [r60, p60] = range(60);
  return [
    {
      id: 'user-7d',
      title: 'one user, 7 days',
      kind: 'rows',
      ...q({ ...last(7), user: ['Alice.Smith@contoso.com'] }),
      duckWhere: `${r7} AND lower(user_id) = $user`,
      duckParams: { ...p7, user: 'alice.smith@contoso.com' },
    },
    {
      id: 'ops-30d',
      title: 'count by operation, 30 days',
      kind: 'countBy',
      ...q(last(30)),
      duckWhere: r30,
      duckParams: p30,
    },
    {
      id: 'timeline-30d',
      title: 'timeline by day, 30 days',
      kind: 'countBy',
      dimension: 'day',
      ...q(last(30)),
      duckWhere: r30,
      duckParams: p30,
    },
    {
      id: 'rare-word',
      title: `free text, a rare word ("${RARE_WORD}"), 60 days`,
      kind: 'rows',
      ...q({ ...last(60), freeText: [RARE_WORD] }),
      substring: true,
      duckWhere: `${r60} AND contains(lower(raw), $word)`,
      duckParams: { ...p60, word: RARE_WORD },
    },
    {
      id: 'ip-30d',
      title: 'one IP (203.0.115.77), 30 days',
      kind: 'rows',
      ...q({ ...last(30), ip: ['203.0.115.77'] }),
      duckWhere: `${r30} AND (client_ip = $ip OR client_ip = '::ffff:' || $ip OR starts_with(client_ip, $ip || ':'))`,
      duckParams: { ...p30, ip: '203.0.115.77' },
    },
    {
      id: 'object-30d',
      title: 'object substring ("team7/shared documents/board"), 30 days',
      kind: 'rows',
      ...q({ ...last(30), object: ['team7/shared documents/board'] }),
      substring: true,
      duckWhere: `${r30} AND contains(lower(object_id), $object)`,
      duckParams: { ...p30, object: 'team7/shared documents/board' },
    },
    {
      id: 'type-op-30d',
      title: 'record type ExchangeAdmin + operation Set-Mailbox, 30 days',
      kind: 'rows',
      ...q({ ...last(30), recordType: ['ExchangeAdmin'], operation: ['set-mailbox'] }),
      duckWhere: `${r30} AND record_type = 1 AND lower(operation) = 'set-mailbox'`,
      duckParams: p30,
    },
  ];
}
