import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN, spFile } from '../testing/builders.js';
import { runOver } from '../testing/harness.js';
import { massFileActivity } from './report.js';

const many = (n: number, op: string, hour: string, user = `adele@${DOMAIN}`) =>
  Array.from({ length: n }, (_, i) =>
    spFile(op, { UserId: user, CreationTime: `2026-03-10T${hour}:${String(i % 60).padStart(2, '0')}:00` }),
  );

test('downloads and deletions at the threshold in one hour are findings; below it, or spread over hours, are not', async () => {
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
    result.rows.map((r) => [r.user, r.kind, r.files, r.hour]),
    [
      [`adele@${DOMAIN}`, 'delete', 5, '2026-03-10T11:00:00Z'],
      [`adele@${DOMAIN}`, 'download', 5, '2026-03-10T10:00:00Z'],
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
