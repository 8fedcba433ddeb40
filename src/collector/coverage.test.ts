import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../store/open.js';
import { buildCoverage } from './coverage.js';
import { emptyWindow } from './windows.js';

test('coverage counts windows and blobs per stream and lists every gap: unfinished, expired, behind the horizon, blobs not fetched', async () => {
  const store = await openStore('sqlite::memory:');
  const T = 'tenant-1';
  const H = 3_600_000;
  await store.ledger.upsertWindow({ ...emptyWindow(T, 'Audit.Exchange', 0, 24 * H, 1), state: 'expired' });
  await store.ledger.upsertWindow({
    ...emptyWindow(T, 'Audit.Exchange', 24 * H, 48 * H, 1),
    state: 'fetched',
    queriedStart: 30 * H,
  });
  await store.ledger.upsertWindow({
    ...emptyWindow(T, 'Audit.Exchange', 48 * H, 72 * H, 1),
    state: 'partial',
    lastError: '1 blob(s) could not be fetched',
  });
  await store.ledger.commitBlob(
    {
      tenant: T,
      contentType: 'Audit.Exchange',
      contentId: 'ok',
      contentUri: 'https://m/ok',
      contentCreated: 31 * H,
      contentExpiration: null,
      fetchedAt: 1,
      sha256: 'a'.repeat(64),
      status: 'fetched',
      reason: null,
      windowStart: 24 * H,
    },
    [],
  );
  await store.ledger.recordBlobIssue({
    tenant: T,
    contentType: 'Audit.Exchange',
    contentId: 'bad',
    contentUri: 'https://evil/bad',
    contentCreated: 50 * H,
    contentExpiration: null,
    fetchedAt: 1,
    status: 'refused',
    reason: 'contentUri host is not the Management API base',
    windowStart: 48 * H,
  });
  const report = await buildCoverage(store, [{ tenantId: T, name: 'one' }], { blobs: true });
  assert.equal(report.rows.length, 1);
  assert.deepEqual(
    {
      windows: report.rows[0]!.windows,
      fetched: report.rows[0]!.fetched,
      failed: report.rows[0]!.failed,
      expired: report.rows[0]!.expired,
      blobs: report.rows[0]!.blobs,
      issues: report.rows[0]!.blobIssues,
    },
    { windows: 3, fetched: 1, failed: 1, expired: 1, blobs: 1, issues: 1 },
  );
  assert.deepEqual(
    report.gaps.map((g) => g.state),
    ['expired', 'expired', 'partial', 'blob refused'],
  );
  assert.equal(report.gaps[1]!.end, 30 * H);
  assert.match(report.gaps[3]!.reason, /bad: contentUri host/);
  assert.equal(report.blobs?.length, 2);
  await store.close();
});
