import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { AppError, ERROR_CATALOGUE } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { SWEEP_LEASE } from '../../retention/lease.js';
import type { Store } from '../../store/contract.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { DAY, MIN, record, TENANT_A, TENANT_B, tenantRow } from '../../store/testing/fixtures.js';
import type { CliContext } from '../context.js';
import { show, sweep, sweptLine } from './retention.js';

const NOW = Date.UTC(2026, 10, 20);
const ALL = { range: { start: 0, end: NOW + DAY } };
const OTHER = 'other-host:4242:abcdef01';

/** A store with one record past a 30-day policy and one within it. */
async function storeWithOldRecord(clock: ManualClock): Promise<Store> {
  const store = openSqliteStore(':memory:', { clock });
  await store.records.insert([record({ creationTime: NOW - 40 * DAY }), record({ creationTime: NOW - DAY })]);
  await store.retention.setPolicy({ tenant: null, keepMs: 30 * DAY, updatedAt: NOW });
  return store;
}

/** The store with some of its retention and ledger calls replaced (a failing batch, a failing release…). */
function withCalls(
  store: Store,
  calls: { retention?: Partial<Store['retention']>; ledger?: Partial<Store['ledger']> },
): Store {
  const retention = Object.assign(Object.create(store.retention) as Store['retention'], calls.retention);
  const ledger = Object.assign(Object.create(store.ledger) as Store['ledger'], calls.ledger);
  return Object.assign(Object.create(store) as Store, { retention, ledger });
}

const failingBatch = {
  removeBatch: async () => {
    throw new Error('disk I/O error');
  },
};

function context(store: Store, clock: ManualClock): CliContext & { output: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  err.on('data', (d: Buffer) => (text += d.toString()));
  return {
    clock,
    logger: silentLogger,
    out,
    err,
    store: async () => store,
    signal: new AbortController().signal,
    output: () => text,
  } as unknown as CliContext & { output: () => string };
}

test('retention sweep takes the sweep lease: held by another process it says who and since when, removes nothing and exits 1; a dry run needs none', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecord(clock);
  try {
    // Taken ten minutes ago for the usual 30: held until 20 minutes from now.
    assert.ok(await store.ledger.acquireLease(SWEEP_LEASE, OTHER, NOW + 20 * MIN, NOW - 10 * MIN));
    const ctx = context(store, clock);
    const refused = await sweep(ctx, {}).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof AppError, String(refused));
    assert.equal(ERROR_CATALOGUE[refused.code].exit, 1);
    assert.equal(
      refused.message,
      'Another retention sweep is running: process 4242 on other-host holds its lease (taken or renewed at 2026-11-19T23:50:00.000Z); nothing was removed',
    );
    assert.match(
      refused.hint ?? '',
      /^Try again later \(its lease runs to 2026-11-20T00:20:00.000Z, renewed while that sweep goes on\)/,
    );
    assert.equal(await store.records.count(ALL), 2, 'nothing removed');
    assert.equal((await store.ledger.leaseHolder(SWEEP_LEASE))?.owner, OTHER, "the holder's lease stays");

    assert.equal(await sweep(ctx, { dryRun: true }), 0, 'a dry run removes nothing and needs no lease');
    assert.match(ctx.output(), /Would remove 1 record \(nothing removed\)/);

    await store.ledger.releaseLease(SWEEP_LEASE, OTHER);
    assert.equal(await sweep(ctx, {}), 0);
    assert.equal(await store.records.count(ALL), 1);
    assert.equal(await store.ledger.leaseHolder(SWEEP_LEASE), null, 'released when the sweep ends');
  } finally {
    await store.close();
  }
});

test('retention sweep lets the lease go when the sweep fails', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecord(clock);
  try {
    const failing = withCalls(store, { retention: failingBatch });
    await assert.rejects(sweep(context(failing, clock), {}), /disk I\/O error/);
    assert.equal(await store.ledger.leaseHolder(SWEEP_LEASE), null);
    assert.equal(await sweep(context(store, clock), {}), 0, 'the next sweep is not kept out');
    assert.equal(await store.records.count(ALL), 1);
  } finally {
    await store.close();
  }
});

test("retention sweep reports the sweep's own error when letting the lease go fails too (the database went away)", async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecord(clock);
  try {
    const failing = withCalls(store, {
      retention: failingBatch,
      ledger: {
        releaseLease: async () => {
          throw new Error('the database connection is closed');
        },
      },
    });
    await assert.rejects(sweep(context(failing, clock), {}), /disk I\/O error/);
  } finally {
    await store.close();
  }
});

test('retention sweep that lost its lease to another process (it stalled past the term) stops there, says so and exits 1', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecord(clock);
  try {
    await store.records.insert([record({ tenant: TENANT_B, creationTime: NOW - 50 * DAY })]);
    const stalling = withCalls(store, {
      retention: {
        removeBatch: async (...args: Parameters<Store['retention']['removeBatch']>) => {
          const span = await store.retention.removeBatch(...args);
          // The batch stalled past the lease's term, and another process's sweep took the lease meanwhile.
          clock.advance(31 * MIN);
          assert.ok(await store.ledger.acquireLease(SWEEP_LEASE, OTHER, clock.now() + 30 * MIN, clock.now()));
          return span;
        },
      },
    });
    const ctx = context(stalling, clock);
    assert.equal(await sweep(ctx, {}), 1);
    assert.match(ctx.output(), /another process took over the sweep lease, so this sweep stopped/);
    assert.match(ctx.output(), /Removed 1 record\n/, 'the batch done before is accounted for');
    assert.equal(await store.records.count(ALL), 2, "the second tenant is left to the lease's new holder");
    assert.equal((await store.ledger.leaseHolder(SWEEP_LEASE))?.owner, OTHER, "the new holder's lease stays");
  } finally {
    await store.close();
  }
});

test('the sweep says its total in words that agree with the number ("Would remove 1 records" read wrong)', () => {
  assert.equal(sweptLine(1, true), 'Would remove 1 record (nothing removed)\n');
  assert.equal(sweptLine(1, false), 'Removed 1 record\n');
  assert.equal(sweptLine(0, true), 'Would remove 0 records (nothing removed)\n');
  assert.equal(sweptLine(12_345, false), 'Removed 12,345 records\n');
});

test('retention show and sweep --dry-run name a registered tenant beside its GUID, as retention set does', async () => {
  const clock = new ManualClock(NOW);
  const store = await storeWithOldRecord(clock);
  try {
    await store.tenants.upsert(tenantRow({ name: 'contoso', tenantId: TENANT_A }));
    await store.retention.setPolicy({ tenant: TENANT_A, keepMs: 30 * DAY, updatedAt: NOW });
    // Only GUIDs were shown, where retention set had said "contoso (0e8108b1-…)".
    const planned = context(store, clock);
    assert.equal(await sweep(planned, { dryRun: true, format: 'jsonl' }), 0);
    assert.deepEqual(
      planned
        .output()
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { tenant: string; tenantName: string | null }).tenantName),
      ['contoso'],
    );
    const shown = context(store, clock);
    assert.equal(await show(shown, { format: 'csv' }), 0);
    const lines = shown.output().split('\r\n');
    assert.match(lines[0]!, /^\ufefftenant,tenantName,keep,/);
    assert.ok(lines.includes(`${TENANT_A},contoso,30d,0,,,`), shown.output());
  } finally {
    await store.close();
  }
});
