import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_BARS, timelineBars } from './timeline.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

test('a bar per bucket, empty buckets drawn as zero, the first bar holding the start', () => {
  const start = Date.UTC(2026, 11, 1, 10, 30);
  const end = Date.UTC(2026, 11, 1, 14);
  const rows = [
    { key: Date.UTC(2026, 11, 1, 10), count: 3 },
    { key: Date.UTC(2026, 11, 1, 13), count: 5 },
  ];
  const { bars, per } = timelineBars(rows, 'hour', start, end);
  assert.equal(per, 1);
  assert.deepEqual(
    bars.map((b) => [b.start, b.count]),
    [
      [Date.UTC(2026, 11, 1, 10), 3],
      [Date.UTC(2026, 11, 1, 11), 0],
      [Date.UTC(2026, 11, 1, 12), 0],
      [Date.UTC(2026, 11, 1, 13), 5],
    ],
  );
  assert.equal(bars[3]!.end, end);
});

test('a period of more days than bars still reaches its end: each bar takes several days, every match counted', () => {
  // start=2015-01-01 to now: some 4,350 days. The bars stopped after 2,000 days, in 2020, and the records of the
  // last six years were on no bar while the axis said the chart ran to now.
  const start = Date.UTC(2015, 0, 1);
  const end = Date.UTC(2026, 11, 7, 0, 50);
  const rows = [
    { key: Date.UTC(2015, 0, 3), count: 1 },
    { key: Date.UTC(2026, 11, 5), count: 1_341 },
    { key: Date.UTC(2026, 11, 6), count: 1_403 },
  ];
  const { bars, per } = timelineBars(rows, 'day', start, end);
  assert.ok(bars.length <= MAX_BARS, `${bars.length} bars`);
  assert.equal(per, Math.ceil(Math.ceil((end - start) / DAY) / MAX_BARS));
  assert.equal(bars[0]!.start, start);
  assert.ok(bars[bars.length - 1]!.end >= end, 'the last bar reaches the end');
  assert.equal(
    bars.reduce((n, b) => n + b.count, 0),
    1 + 1_341 + 1_403,
    'every match is on a bar',
  );
  const last = bars[bars.length - 1]!;
  assert.equal(last.count, 1_341 + 1_403);
  for (let i = 1; i < bars.length; i++) assert.equal(bars[i]!.start, bars[i - 1]!.end, 'bars touch');
  assert.equal(bars[1]!.start - bars[0]!.start, per * DAY);
});

test('a period back to year 1 is a few bars of a year or so, the records on the last', () => {
  const year1 = new Date(0);
  year1.setUTCFullYear(1, 0, 1); // Date.UTC reads year 1 as 1901
  const { bars, per } = timelineBars(
    [{ key: Date.UTC(2026, 11, 6), count: 7 }],
    'day',
    year1.getTime(),
    Date.UTC(2026, 11, 7),
  );
  assert.ok(bars.length <= MAX_BARS);
  assert.ok(per > 365, `${per} days a bar`);
  assert.equal(bars.at(-1)!.count, 7);
  assert.equal(
    bars.reduce((n, b) => n + b.count, 0),
    7,
  );
});

test('an hour bucket over more hours than bars is grouped the same way', () => {
  const start = Date.UTC(2026, 8, 1);
  const end = start + 3_000 * HOUR;
  const { bars, per } = timelineBars([{ key: end - HOUR, count: 2 }], 'hour', start, end);
  assert.equal(per, 2);
  assert.equal(bars.length, 1_500);
  assert.equal(bars.at(-1)!.count, 2);
  assert.equal(bars.at(-1)!.end, end);
});
