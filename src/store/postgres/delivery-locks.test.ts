import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgSkip, pgUrl } from '../../../test/support/paths.js';
import { schemaFamily } from '../../../test/support/pg.js';
import type { AlertRow, Store } from '../contract.js';
import { alertHit } from '../testing/alert-conformance.js';
import { alertSinkRow, T0 } from '../testing/fixtures.js';
import { openPostgresStore } from './index.js';

/**
 * Writing an alert or its delivery (AlertStore.markChannelDelivered, markNotified, setStatus, snooze) while another
 * transaction is half way through a change that clears delivery rows or rewrites the alert: a sink's removal, or a
 * reopen or a counted hit by applyHits. The other transaction is played here on a connection of its own, held open at
 * the point where a write checked against the rows as last committed would come back, or be written over, after it
 * commits. The conformance suites cover the same changes one after the other, in both stores.
 */

/** The sink `soc` the alert is delivered to, as a routing pass names it (alertSinkRow). */
const SOC = { name: 'soc', id: 'sink-soc' };

describe('PostgreSQL: an alert written while a change to it is half way', { skip: pgSkip }, () => {
  const schemas = pgUrl ? schemaFamily('delivery_locks') : null;
  after(async () => schemas?.dropAll());

  async function setUp(): Promise<{ store: Store; other: pg.Client; read: AlertRow }> {
    const schema = schemas!.next();
    const store = await openPostgresStore(pgUrl!, { schema });
    await store.migrate();
    await store.sinks.upsert(alertSinkRow('soc'));
    const { alert } = await store.alerts.applyHit(alertHit(), T0);
    const other = new pg.Client({ connectionString: pgUrl!, options: `-c search_path=${schema}` });
    await other.connect();
    return { store, other, read: alert };
  }

  /**
   * Starts `record` and answers once it waits for a lock the other transaction holds (`waiting`: with the ones started
   * before it), or has finished without waiting.
   * Asked of the server, not timed: each look is one round trip, and a few hundred are far more than it needs. Only
   * the recording's statements count: the store's own index builds wait for every open transaction too.
   */
  async function startWaiting<T>(
    other: pg.Client,
    record: () => Promise<T>,
    waiting = 1,
  ): Promise<{ recording: Promise<T> }> {
    let settled = false;
    const recording = record().finally(() => (settled = true));
    for (let look = 0; look < 500 && !settled; look++) {
      const { rows } = await other.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))
           AND (query LIKE '%FOR SHARE%' OR query LIKE 'SELECT pg_advisory_xact_lock%')`,
      );
      if (Number(rows[0]!.n) >= waiting) break;
    }
    return { recording };
  }

  test('a sink removal in flight: the delivery waits for it and is not recorded, no row comes back', async () => {
    const { store, other, read } = await setUp();
    try {
      await other.query('BEGIN');
      // What SinkStore.remove does, up to its commit.
      await other.query("DELETE FROM sinks WHERE name = 'soc'");
      await other.query("DELETE FROM alert_deliveries WHERE channel = 'soc'");
      const { recording } = await startWaiting(other, () => store.alerts.markChannelDelivered(read, SOC, T0 + 1));
      await other.query('COMMIT');
      assert.equal(await recording, 'sink-removed');
      assert.deepEqual(await store.alerts.channelDeliveries([read.id]), []);
    } finally {
      await other.end();
      await store.close();
    }
  });

  test('a sink removal in flight, past deleting the rows of an alert it took: marking the alert delivered waits and does not', async () => {
    const { store, other, read } = await setUp();
    try {
      assert.equal(await store.alerts.markChannelDelivered(read, SOC, T0 + 1), 'recorded');
      await other.query('BEGIN');
      await other.query("DELETE FROM sinks WHERE name = 'soc'");
      await other.query("DELETE FROM alert_deliveries WHERE channel = 'soc'");
      const { recording } = await startWaiting(other, () => store.alerts.markNotified(read, T0 + 2, ['soc']));
      // `sink add soc` again at once: a new receiver, which has not taken the alert.
      await other.query('COMMIT');
      assert.equal(await recording, 'channel-missing');
      assert.equal((await store.alerts.get(read.id))?.notifiedAt, null, 'still due, for a sink added again');
    } finally {
      await other.end();
      await store.close();
    }
  });

  test('a sink removal in flight: statistics and dead letters of a send through it wait for it and are not kept', async () => {
    const { store, other } = await setUp();
    try {
      await other.query('BEGIN');
      await other.query("DELETE FROM sinks WHERE name = 'soc'");
      await other.query("DELETE FROM dead_letters WHERE sink = 'soc'");
      await other.query("DELETE FROM sink_stats WHERE sink = 'soc'");
      const letter = { sink: 'soc', kind: 'alert' as const, tenant: 't1', itemId: 'al-1', reason: '400', failedAt: T0 };
      const writes = [
        await startWaiting(other, () => store.sinks.addStats(SOC, { at: T0 + 1, delivered: 1 })),
        await startWaiting(other, () => store.sinks.addDeadLetters(SOC, [letter]), 2),
      ];
      await other.query('COMMIT');
      for (const w of writes) await w.recording;
      assert.equal(await store.sinks.stats('soc'), null);
      assert.equal(await store.sinks.countDeadLetters('soc'), 0);
    } finally {
      await other.end();
      await store.close();
    }
  });

  test("a sink removal in flight: a forwarder's cursor write waits for it and stores nothing", async () => {
    const { store, other } = await setUp();
    try {
      const sink = alertSinkRow('soc');
      assert.equal(await store.sinks.moveCursor(sink, '000010', T0), true);
      await other.query('BEGIN');
      // What SinkStore.remove does, up to its commit.
      await other.query("DELETE FROM sinks WHERE name = 'soc'");
      await other.query("DELETE FROM cursors WHERE consumer = 'sink:soc'");
      const { recording } = await startWaiting(other, () => store.sinks.moveCursor(sink, '000020', T0 + 1));
      await other.query('COMMIT');
      assert.equal(await recording, false);
      assert.equal(await store.cursors.get('sink:soc'), null, 'no cursor for a sink added again under the name');
    } finally {
      await other.end();
      await store.close();
    }
  });

  test("a reopen in flight, past deleting the alert's rows: the delivery waits for it and is not recorded", async () => {
    const { store, other, read } = await setUp();
    try {
      await other.query('BEGIN');
      // What applyHits does for a reopening hit, up to writing the alert: its lock, then the channels' rows.
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [read.id]);
      await other.query('DELETE FROM alert_deliveries WHERE alert_id = $1', [read.id]);
      const { recording } = await startWaiting(other, () => store.alerts.markChannelDelivered(read, SOC, T0 + 1));
      await other.query("UPDATE alerts SET hits = hits + 1, status = 'new', updated_at = $2 WHERE id = $1", [
        read.id,
        T0 + 1,
      ]);
      await other.query('COMMIT');
      assert.equal(await recording, 'alert-changed');
      assert.deepEqual(await store.alerts.channelDeliveries([read.id]), [], 'the reopened alert is due to soc again');
    } finally {
      await other.end();
      await store.close();
    }
  });

  test('a hit being counted, past reading the alert: marking it delivered waits for it and finds it changed', async () => {
    const { store, other, read } = await setUp();
    try {
      await other.query('BEGIN');
      // What applyHits does for a counted hit: its lock, the alert read, then the alert written whole from that read
      // (notified_at as read: null). A mark between the read and the write was overwritten: said done, still due.
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [read.id]);
      await other.query('SELECT * FROM alerts WHERE id = $1', [read.id]);
      const { recording } = await startWaiting(other, () => store.alerts.markNotified(read, T0 + 1));
      await other.query('UPDATE alerts SET hits = hits + 1, notified_at = NULL, updated_at = $2 WHERE id = $1', [
        read.id,
        T0 + 1,
      ]);
      await other.query('COMMIT');
      assert.equal(await recording, 'alert-changed', 'not marked: the alert changed while it was sent');
      assert.equal((await store.alerts.get(read.id))?.notifiedAt, null, 'still due, with its new hit');
    } finally {
      await other.end();
      await store.close();
    }
  });

  for (const [what, change] of [
    ['resolved', (store: Store, id: string) => store.alerts.setStatus(id, RESOLVE)],
    ['snoozed', (store: Store, id: string) => store.alerts.snooze(id, T0 + 3_600_000, 'ann', T0 + 1)],
  ] as const)
    test(`a hit being counted, past reading the alert: an alert ${what} meanwhile stays ${what}`, async () => {
      const { store, other, read } = await setUp();
      try {
        await other.query('BEGIN');
        // What applyHits does for a counted hit: its lock, the alert read, then the alert written whole from that read.
        await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [read.id]);
        await other.query('SELECT * FROM alerts WHERE id = $1', [read.id]);
        const { recording } = await startWaiting(other, () => change(store, read.id));
        await other.query(
          `UPDATE alerts SET hits = hits + 1, status = 'new', snoozed_until = NULL, updated_at = $2 WHERE id = $1`,
          [read.id, T0 + 1],
        );
        await other.query('COMMIT');
        assert.equal(await recording, true);
        const now = await store.alerts.get(read.id);
        assert.deepEqual(
          [now?.status, now?.snoozedUntil !== null],
          what === 'resolved' ? ['resolved', false] : ['new', true],
          'the change made after the hit is not written over by it',
        );
      } finally {
        await other.end();
        await store.close();
      }
    });
});

const RESOLVE = { from: 'new', to: 'resolved', actor: 'ann', at: T0 + 1 } as const;
