import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoUtc, parseTimeInput, parseDuration, toIso, toIsoSeconds, DAY } from './time.js';
import { AppError } from './errors.js';

test('CreationTime without an offset is UTC; an offset is honoured; long fractions are truncated', () => {
  assert.equal(parseIsoUtc('2015-06-29T20:03:19'), Date.UTC(2015, 5, 29, 20, 3, 19));
  assert.equal(parseIsoUtc('2015-06-29T20:03:19Z'), Date.UTC(2015, 5, 29, 20, 3, 19));
  assert.equal(parseIsoUtc('2015-06-29T22:03:19+02:00'), Date.UTC(2015, 5, 29, 20, 3, 19));
  assert.equal(parseIsoUtc('2015-06-29T15:03:19-0500'), Date.UTC(2015, 5, 29, 20, 3, 19));
  assert.equal(parseIsoUtc('2023-09-20T04:05:03.1234567'), Date.UTC(2023, 8, 20, 4, 5, 3, 123));
  assert.equal(parseIsoUtc('2023-09-20'), Date.UTC(2023, 8, 20));
  assert.equal(parseIsoUtc('2023-02-31'), null);
  assert.equal(parseIsoUtc('9/20/2023 4:05:03 AM'), null);
});

test('a time of day or an offset that no clock shows is no time: 24:30, +14:01', () => {
  assert.equal(parseIsoUtc('2026-11-01T24:00:00Z'), Date.UTC(2026, 10, 2), "24:00 is the day's end");
  assert.equal(parseIsoUtc('2026-11-01T24:30:00Z'), null);
  assert.equal(parseIsoUtc('2026-11-01T24:00:01Z'), null);
  assert.equal(parseIsoUtc('2026-11-01T14:00:00+14:00'), Date.UTC(2026, 10, 1));
  assert.equal(parseIsoUtc('2026-11-01T14:00:00+14:01'), null);
  assert.equal(parseIsoUtc('2026-11-01T14:00:00-14:30'), null);
});

test('a person may type dates, date-times, now, or spans back from now', () => {
  const now = Date.UTC(2026, 10, 25, 12);
  assert.equal(parseTimeInput('7d', now), now - 7 * DAY);
  assert.equal(parseTimeInput('24h', now), now - DAY);
  assert.equal(parseTimeInput('now', now), now);
  assert.equal(parseTimeInput('2026-11-01', now), Date.UTC(2026, 10, 1));
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('1y'), 365 * DAY, 'a year is 365 days, as retention is counted');
  assert.equal(parseTimeInput('2Y', now), now - 730 * DAY);
  assert.throws(
    () => parseTimeInput('last tuesday', now, 'start'),
    (e: unknown) =>
      e instanceof AppError && e.code === 'BAD_TIME' && /start "last tuesday"/.test(e.message) && !!e.hint,
  );
});

test('times print as ISO 8601 UTC', () => {
  assert.equal(toIsoSeconds(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02T03:04:05Z');
  assert.equal(toIsoSeconds(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '2026-01-02T03:04:05.006Z');
});

test('toIsoSeconds prints what Date.toISOString prints, without a zero fraction, over any instant', () => {
  const reference = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const instants = [
    0,
    -1000,
    -1,
    Date.UTC(1969, 11, 31, 23, 59, 59),
    Date.UTC(2026, 1, 28, 23, 59, 59),
    Date.UTC(2028, 1, 29, 12, 0, 0),
    253402300799000,
    253402300800000,
    -62198755200000,
  ];
  for (let i = 0; i < 2000; i++)
    instants.push(Math.floor(Math.sin(i + 1) * 4e12) - (i % 3 === 0 ? Math.floor(Math.sin(i + 1) * 4e12) % 1000 : 0));
  for (const ms of instants) assert.equal(toIsoSeconds(ms), reference(ms), String(ms));
  assert.throws(() => toIsoSeconds(Number.NaN), RangeError);
});

test('toIso prints what Date.toISOString prints, for every instant Date holds, and throws where it throws', () => {
  const edges = [0, -1, 1, 999, 8.64e15, -8.64e15, Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(-1, 0, 1)];
  edges.push(Date.UTC(10000, 0, 1) - 1, Date.UTC(10000, 0, 1), Date.UTC(2026, 10, 1, 8, 30, 0, 7));
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (let i = 0; i < 20_000; i++) edges.push(Math.trunc(random() * 8.64e15), Math.trunc(4e12 + random() * 2e12));
  for (const ms of edges) assert.equal(toIso(ms), new Date(ms).toISOString(), String(ms));
  assert.equal(toIso(1.5e12 + 0.5), new Date(1.5e12 + 0.5).toISOString(), 'a fraction of a millisecond');
  assert.throws(() => toIso(NaN), RangeError);
  assert.throws(() => toIso(8.64e15 + 1), RangeError);
});

test('a span longer than 100 years is refused as BAD_TIME with the maximum, wherever a span or a time is read', () => {
  const now = Date.UTC(2026, 10, 1);
  assert.equal(parseDuration('36500d'), 36_500 * DAY);
  assert.equal(parseTimeInput('36500d', now), now - 36_500 * DAY);
  for (const text of ['999999999d', '9999999999999d', '36501d', '99999999999999999999w']) {
    const tooLong = (e: AppError) =>
      e.code === 'BAD_TIME' && /is longer than tenantwatch accepts: the most is 36500d/.test(e.message) && !!e.hint;
    assert.throws(() => parseDuration(text), tooLong, text);
    assert.throws(() => parseTimeInput(text, now, 'end time'), tooLong, text);
  }
  // The message names where the span came from when the caller says.
  assert.throws(
    () => parseDuration('101y', '--keep'),
    (e: AppError) => /^The --keep span 101y is longer/.test(e.message),
  );
  assert.throws(
    () => parseTimeInput('999999d', now, '--start'),
    (e: AppError) => /^The --start span 999999d is longer/.test(e.message),
  );
});
