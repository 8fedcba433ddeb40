import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchQuery } from '../core/search-query.js';
import { HOUR } from '../core/time.js';
import type { SelectedRow } from './columns.js';
import { headSlices, nextSliceWidth } from './search-sql.js';

/** A head row (HEAD_COLUMNS order) at instant t. */
const row = (t: number, i: number): SelectedRow => [
  'tenant',
  `id-${i}`,
  t,
  15,
  'UserLoggedIn',
  'AzureActiveDirectory',
  'u',
  null,
  'success',
  null,
  null,
  null,
];

/** headSlices over an in-memory table: what each query asked for, and what came out. */
async function read(times: number[], query: SearchQuery, sizes: { target: number; cap: number }) {
  const table = times.map(row);
  const asked: { start: number; end: number; limit: number | null }[] = [];
  const fetch = (slice: SearchQuery, limit: number | null): SelectedRow[] => {
    asked.push({ ...slice.range, limit });
    const hits = table.filter((r) => (r[2] as number) >= slice.range.start && (r[2] as number) < slice.range.end);
    return limit === null ? hits : hits.slice(0, limit);
  };
  const batches: string[][] = [];
  for await (const batch of headSlices(query, {}, fetch, sizes)) batches.push(batch.map((h) => h.id));
  return { asked, batches, ids: batches.flat().sort() };
}

const END = Date.UTC(2026, 10, 1);

test('headSlices: every row once, slices edge to edge from the end back, none past the start', async () => {
  const times = Array.from({ length: 500 }, (_, i) => END - 1 - i * 7_919_000);
  const { asked, ids, batches } = await read(
    times,
    { range: { start: END - 2_000 * 7_919_000, end: END } },
    { target: 40, cap: 1_000 },
  );
  assert.deepEqual(ids, times.map((_, i) => `id-${i}`).sort());
  assert.ok(
    batches.every((b) => b.length > 0),
    'empty slices yield nothing',
  );
  for (let i = 1; i < asked.length; i++)
    assert.equal(asked[i]!.end, asked[i - 1]!.start, 'each slice ends where the last began');
  assert.equal(asked.at(-1)!.start, END - 2_000 * 7_919_000);
  const sizes = batches.slice(3).map((b) => b.length);
  assert.ok(Math.max(...sizes) <= 80, `slices settle near the target (${sizes.join(',')})`);
});

test('headSlices: a slice that reaches the cap is read again narrower, and nothing of it is handed on twice', async () => {
  // A year of nothing, then 5,000 rows in one hour: the slice that grew over the empty stretch hits the cap.
  const times = Array.from({ length: 5_000 }, (_, i) => END - 400 * 24 * HOUR + (i % 3_600) * 1000);
  const { asked, ids } = await read(times, { range: { start: 0, end: END } }, { target: 100, cap: 500 });
  assert.deepEqual(ids, times.map((_, i) => `id-${i}`).sort());
  assert.ok(
    asked.some((a, i) => i > 0 && a.end === asked[i - 1]!.end),
    'a capped slice is asked again from the same end',
  );
});

test('headSlices: one millisecond holding more than the cap is read whole', async () => {
  const times = Array.from({ length: 30 }, () => END - 5);
  const { ids, asked } = await read(times, { range: { start: END - HOUR, end: END } }, { target: 2, cap: 10 });
  assert.equal(ids.length, 30);
  assert.ok(asked.some((a) => a.limit === null && a.end - a.start === 1));
});

test('whole-period slices: halve after a slice that needed a second page, double after one under half a page, within a minute and 30 days', () => {
  assert.equal(nextSliceWidth(HOUR, 500), HOUR / 2);
  assert.equal(nextSliceWidth(HOUR, 200), HOUR / 2);
  assert.equal(nextSliceWidth(HOUR, 10), 2 * HOUR);
  assert.equal(nextSliceWidth(HOUR, 100), HOUR);
  assert.equal(nextSliceWidth(HOUR, 199), HOUR);
  assert.equal(nextSliceWidth(60_000, 5000), 60_000);
  assert.equal(nextSliceWidth(30 * 86_400_000, 0), 30 * 86_400_000);
});
