import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { readPage, type SearchPage, type SearchRange } from '../microsoft/unified-audit-search.js';
import { openStore } from '../store/open.js';
import type { CollectTenant } from './collect.js';
import { collectSearchHistory } from './history-search.js';

/**
 * The cmdlet's quirks, fed as canned pages (no network): the -1/0 answer and a page that breaks the
 * ResultIndex sequence discard the session; a session that ends short of ResultCount (the real cap:
 * ResultCount above 50,000, rows stop at 50,000) splits the window; moreRecordsAvailable is honoured.
 */
const T0 = Date.UTC(2026, 5, 1);
const tenant: CollectTenant = {
  tenantId: '11111111-1111-1111-1111-111111111111',
  name: 't',
  connect: () => {
    throw new Error('not used');
  },
};

function record(i: number): Record<string, unknown> {
  return {
    Id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    RecordType: 1,
    CreationTime: new Date(T0 + i * 60_000).toISOString().slice(0, 19),
    Operation: 'Set-Mailbox',
    OrganizationId: tenant.tenantId,
    UserType: 2,
    UserKey: 'k',
    Workload: 'Exchange',
    UserId: 'a@x.onmicrosoft.com',
  };
}

/** A fake service over `n` records one minute apart, capped at `cap` per session, reporting the true count. */
function service(n: number, cap: number, quirks: { bogusFirst?: number; skipIndexOnce?: boolean } = {}) {
  const all = Array.from({ length: n }, (_, i) => record(i));
  const sessions = new Map<string, number>();
  let bogus = quirks.bogusFirst ?? 0;
  let skip = quirks.skipIndexOnce ?? false;
  const calls: SearchRange[] = [];
  const search = async (r: SearchRange, id: string): Promise<SearchPage> => {
    calls.push(r);
    const hits = all.filter((x) => {
      const at = Date.parse(`${x.CreationTime as string}Z`);
      return at >= r.start && at < r.end;
    });
    const served = sessions.get(id) ?? 0;
    const rows = hits.slice(served, Math.min(cap, served + 5)).map((x, i) => ({
      AuditData: JSON.stringify(x),
      ResultIndex: bogus > 0 ? -1 : served + i + 1 + (skip && served > 0 ? 1 : 0),
      ResultCount: bogus > 0 ? 0 : hits.length,
    }));
    if (rows.length && bogus > 0) bogus--;
    if (rows.length && skip && served > 0) skip = false;
    sessions.set(id, served + rows.length);
    return readPage(rows.reverse()); // unsorted within the page
  };
  return { search, calls, all };
}

async function run(n: number, cap: number, quirks = {}) {
  const store = await openStore('sqlite::memory:');
  const clock = new ManualClock(T0 + 2 * 86_400_000, true);
  const s = service(n, cap, quirks);
  const result = await collectSearchHistory(
    { store, clock, logger: silentLogger, signal: new AbortController().signal, search: s.search, largeSetCap: 1000 },
    tenant,
    { start: T0, end: T0 + 86_400_000 },
  );
  const windows = await store.ledger.listWindows({ tenant: tenant.tenantId });
  await store.close();
  return { result, windows, calls: s.calls };
}

test('a session that ends short of its ResultCount is halved until every record is read', async () => {
  const { result, windows } = await run(40, 12);
  assert.equal(result.error, null);
  assert.equal(result.newRecords, 40);
  assert.ok(result.splits >= 2);
  assert.ok(windows.every((w) => w.state === 'fetched' && w.records <= 12));
});

test('the -1/0 answer and a broken ResultIndex sequence discard the session and ask again', async () => {
  const bogus = await run(20, 1000, { bogusFirst: 2 });
  assert.equal(bogus.result.error, null);
  assert.equal(bogus.result.newRecords, 20);
  const broken = await run(20, 1000, { skipIndexOnce: true });
  assert.equal(broken.result.error, null);
  assert.equal(broken.result.newRecords, 20);
  assert.equal(broken.windows[0]!.records, 20);
});

test('the range older than the retention is one expired window of cause beyond-retention, its words without a marker', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    const now = T0 + 2 * 86_400_000;
    const s = service(3, 1000);
    const result = await collectSearchHistory(
      {
        store,
        clock: new ManualClock(now, true),
        logger: silentLogger,
        signal: new AbortController().signal,
        search: s.search,
        retentionMs: 2 * 86_400_000,
      },
      tenant,
      { start: T0 - 86_400_000, end: now },
    );
    assert.equal(result.error, null);
    assert.equal(result.unavailableBefore, T0);
    const beyond = (await store.ledger.listWindows({ tenant: tenant.tenantId })).filter((w) => w.state !== 'fetched');
    assert.deepEqual(
      beyond.map((w) => [w.start, w.end, w.state, w.cause, w.lastError]),
      [
        [
          T0 - 86_400_000,
          T0,
          'expired',
          'beyond-retention',
          "older than the tenant's retention (2 days); Microsoft no longer keeps these records",
        ],
      ],
    );
    assert.ok(
      s.calls.every((r) => r.start >= T0),
      'nothing beyond the retention is asked for',
    );
    assert.equal(result.newRecords, 3);
  } finally {
    await store.close();
  }
});

test('readPage: AuditData as a string, moreRecordsAvailable from the metadata, bogus rows flagged', () => {
  const page = readPage([
    {
      AuditData: '{"Id":"a"}',
      ResultIndex: 2,
      ResultCount: 3,
      AuditSearchRequestMetadata: '{"moreRecordsAvailable":true}',
    },
    { AuditData: 'not json', ResultIndex: 1, ResultCount: 3 },
  ]);
  assert.deepEqual([page.firstIndex, page.lastIndex, page.resultCount, page.unreadable], [1, 2, 3, 1]);
  assert.equal(page.moreRecordsAvailable, true);
  assert.equal(readPage([{ AuditData: '{}', ResultIndex: -1, ResultCount: 0 }]).bogus, true);
});
