import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, spFile } from '../testing/builders.js';
import { runOver } from '../testing/harness.js';
import { massFileActivity } from './report.js';

const many = (n: number, op: string, hour: string, user = `adele@${DOMAIN}`) =>
  Array.from({ length: n }, (_, i) =>
    spFile(op, { UserId: user, CreationTime: `2026-03-10T${hour}:${String(i % 60).padStart(2, '0')}:00` }),
  );

test('downloads and deletions at the threshold within 60 minutes are findings; below it, or spread over hours, are not', async () => {
  const burst = many(5, 'FileDownloaded', '10');
  const deletes = many(5, 'FileRecycled', '11');
  const below = many(4, 'FileDownloaded', '12', `megan@${DOMAIN}`);
  const spread = [
    ...many(3, 'FileDownloaded', '13', `lee@${DOMAIN}`),
    ...many(3, 'FileDownloaded', '14', `lee@${DOMAIN}`),
  ];
  const result = await runOver(massFileActivity, [...burst, ...deletes, ...below, ...spread], {
    downloadThreshold: '5',
    deleteThreshold: 5,
  });
  assert.deepEqual(
    result.rows.map((r) => [r.user, r.kind, r.files, r.start, r.end]),
    [
      [`adele@${DOMAIN}`, 'delete', 5, '2026-03-10T11:00:00Z', '2026-03-10T11:04:00Z'],
      [`adele@${DOMAIN}`, 'download', 5, '2026-03-10T10:00:00Z', '2026-03-10T10:04:00Z'],
    ],
  );
  assert.equal(result.summary.records, 10);
  assert.equal(result.rows[0]?.sites, 'https://contoso.sharepoint.com/sites/Finance');
});

test('the default threshold (100) ignores a normal day', async () => {
  assert.equal((await runOver(massFileActivity, many(60, 'FileDownloaded', '10'))).rows.length, 0);
});

test('an hour busy only across users is read but gives no finding; each kind has its own threshold', async () => {
  const two = [...many(3, 'FileDownloaded', '10', `a@${DOMAIN}`), ...many(3, 'FileDownloaded', '10', `b@${DOMAIN}`)];
  const deletes = many(3, 'FileDeleted', '11');
  const result = await runOver(massFileActivity, [...two, ...deletes], { downloadThreshold: 5, deleteThreshold: 3 });
  assert.deepEqual(
    result.rows.map((r) => [r.user, r.kind, r.files]),
    [[`adele@${DOMAIN}`, 'delete', 3]],
  );
});

const at = (iso: string, op = 'FileDownloaded', user = `adele@${DOMAIN}`) =>
  spFile(op, { UserId: user, CreationTime: iso });

test('a burst across a clock hour is one finding: 106 downloads from 14:18 to 15:17 (76 + 30 by clock hours)', async () => {
  const base = Date.UTC(2026, 2, 10, 14, 18);
  const downloads = Array.from({ length: 106 }, (_, i) =>
    at(new Date(base + Math.floor((i * 59 * 60_000) / 105)).toISOString().slice(0, 19)),
  );
  const perClockHour = downloads.filter((r) => r.creationTime < Date.UTC(2026, 2, 10, 15)).length;
  assert.ok(perClockHour < 100 && 106 - perClockHour < 100, 'neither clock hour alone reaches 100');
  const result = await runOver(massFileActivity, downloads);
  assert.deepEqual(
    result.rows.map((r) => [r.kind, r.files, r.peakPerHour, r.start, r.end]),
    [['download', 106, 106, '2026-03-10T14:18:00Z', '2026-03-10T15:17:00Z']],
  );
  assert.equal(result.summary.records, 106);
});

test('two bursts an hour apart stay two rows; windows that overlap merge into one', async () => {
  const first = Array.from({ length: 4 }, (_, i) => at(`2026-03-10T08:0${i}:00`));
  const second = Array.from({ length: 4 }, (_, i) => at(`2026-03-10T10:0${i}:00`));
  const chained = [
    at('2026-03-10T12:00:00'),
    at('2026-03-10T12:40:00'),
    at('2026-03-10T12:50:00'),
    at('2026-03-10T13:30:00'),
  ];
  const result = await runOver(massFileActivity, [...first, ...second, ...chained], { downloadThreshold: 3 });
  assert.deepEqual(
    result.rows.map((r) => [r.files, r.start, r.end]),
    [
      [4, '2026-03-10T12:00:00Z', '2026-03-10T13:30:00Z'],
      [4, '2026-03-10T10:00:00Z', '2026-03-10T10:03:00Z'],
      [4, '2026-03-10T08:00:00Z', '2026-03-10T08:03:00Z'],
    ],
  );
});
