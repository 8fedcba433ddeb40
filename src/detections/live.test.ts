import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger } from '../core/log.js';
import type { StoredRecord } from '../core/record.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { record } from '../store/testing/fixtures.js';
import { LIVE_CONSUMER, runLiveOnce } from './live.js';
import { POSTURE_DRIFT_RULE } from './posture-drift.js';
import { fakeEvaluator } from './testing/hits.js';
import { fakeTail } from './testing/tail.js';

const NOW = Date.UTC(2026, 9, 2);
let store: Store;
let clock: ManualClock;
beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock(NOW);
});
afterEach(() => store.close());

const stored = (over: Parameters<typeof record>[0]): StoredRecord => ({ ...record(over), ingestedAt: NOW });

describe('the live runner', () => {
  test('reads the tail after its cursor in batches, raises alerts, and moves the cursor after them', async () => {
    const tail = fakeTail(store);
    const ev = fakeEvaluator(['New-InboxRule']);
    for (let i = 0; i < 5; i++)
      tail.arrived.push(stored({ tenant: 't1', operation: i % 2 ? 'New-InboxRule' : 'FileAccessed' }));
    const first = await runLiveOnce(tail, ev, { clock, logger: silentLogger, batchSize: 2, posture: false });
    assert.deepEqual(
      [first.records, first.batches, first.hits, first.alerts.raised, first.alerts.counted],
      [5, 3, 2, 1, 1],
    );
    assert.equal(tail.cursorTable.get(LIVE_CONSUMER), '5');
    const idle = await runLiveOnce(tail, ev, { clock, logger: silentLogger, batchSize: 2, posture: false });
    assert.equal(idle.records, 0, 'nothing new: nothing read');
    tail.arrived.push(stored({ tenant: 't1', operation: 'New-InboxRule' }));
    await runLiveOnce(tail, ev, { clock, logger: silentLogger, posture: false });
    assert.equal(ev.seen.length, 6, 'each record went to the evaluator once');
    const [alert] = await store.alerts.list();
    assert.equal(alert?.hits, 3);
  });

  test('a crash after the alerts were stored and before the cursor moved replays the batch without double counting', async () => {
    const tail = fakeTail(store);
    const ev = fakeEvaluator(['Set-Mailbox']);
    tail.arrived.push(
      stored({ tenant: 't1', operation: 'Set-Mailbox' }),
      stored({ tenant: 't1', operation: 'Set-Mailbox' }),
    );
    tail.failNextSet = true;
    await assert.rejects(runLiveOnce(tail, ev, { clock, logger: silentLogger, posture: false }), /crash/);
    assert.equal(tail.cursorTable.get(LIVE_CONSUMER), undefined, 'the cursor did not move');
    assert.equal((await store.alerts.list())[0]?.hits, 2, 'the alerts were committed first');
    const replay = await runLiveOnce(tail, ev, { clock, logger: silentLogger, posture: false });
    assert.deepEqual([replay.records, replay.alerts.duplicates, replay.alerts.raised], [2, 2, 0]);
    assert.equal((await store.alerts.list())[0]?.hits, 2, 'still two hits after the replay');
    assert.equal(tail.cursorTable.get(LIVE_CONSUMER), '2');
  });

  test('auditing switched off between two posture checks raises a drift alert through the same path, once', async () => {
    const check = (at: number, ualEnabled: boolean, ageLow: string[]) => ({
      tenant: 't1',
      takenAt: at,
      verdict: 'ok' as const,
      body: {
        checkedAt: new Date(at).toISOString(),
        ualEnabled,
        orgAuditDisabled: false,
        adminAuditLogEnabled: true,
        mailboxes: { total: 2, auditEnabled: 2, auditDisabled: [], ageLimitBelow90: ageLow, missingActions: [] },
      },
    });
    await store.posture.save(check(NOW - 7200_000, true, []));
    await store.posture.save(check(NOW - 3600_000, true, []));
    await store.posture.save(check(NOW - 60_000, false, ['adele@contoso.com']));
    await store.posture.save({ tenant: 't2', takenAt: NOW, verdict: 'unknown', body: { something: 'else' } });
    const logger = recordingLogger();
    const tail = fakeTail(store);
    const run = await runLiveOnce(tail, fakeEvaluator([]), { clock, logger });
    assert.equal(run.alerts.raised, 2);
    const alerts = await store.alerts.list({ ruleIds: [POSTURE_DRIFT_RULE.id] });
    assert.deepEqual(alerts.map((a) => [a.groupKey, a.severity, a.tenant]).sort(), [
      ['CHANGED_AGE_LIMIT_LOWERED', 'medium', 't1'],
      ['CHANGED_UAL_TURNED_OFF', 'critical', 't1'],
    ]);
    assert.ok(logger.entries.some((e) => (e.obj as { event?: string }).event === 'detections.posture.drift'));
    const again = await runLiveOnce(tail, fakeEvaluator([]), { clock, logger: silentLogger });
    assert.deepEqual([again.alerts.raised, again.alerts.duplicates], [0, 2], 'the same checks: the same hits');
  });

  test('over a real store: its tail and its cursor, records stored by anyone (insert, bulk import)', async () => {
    const ev = fakeEvaluator(['Add-MailboxPermission']);
    await store.records.insert([
      record({ tenant: 't1', operation: 'Add-MailboxPermission' }),
      record({ tenant: 't1' }),
    ]);
    const first = await runLiveOnce(store, ev, { clock, logger: silentLogger, posture: false });
    assert.deepEqual([first.records, first.alerts.raised], [2, 1]);
    assert.ok(await store.cursors.get(LIVE_CONSUMER), 'the cursor is stored in the store');
    await store.records.insert([record({ tenant: 't1', operation: 'Add-MailboxPermission' })]);
    const second = await runLiveOnce(store, ev, { clock, logger: silentLogger, posture: false });
    assert.deepEqual([second.records, second.alerts.counted], [1, 1], 'only what arrived since');
    assert.equal(ev.seen.length, 3);
  });

  test('over a real store, records no rule can match are passed over unread, across batches, and counted', async () => {
    const base = fakeEvaluator(['Set-Mailbox']);
    const ev = { ...base, wants: () => ({ operations: ['set-mailbox'], recordTypes: [], workloads: [] }) };
    const mixed = Array.from({ length: 23 }, (_, i) =>
      record({ tenant: 't1', operation: i % 4 === 0 ? 'Set-Mailbox' : 'FileAccessed' }),
    );
    await store.records.insert(mixed);
    const run = await runLiveOnce(store, ev, { clock, logger: silentLogger, batchSize: 5, posture: false });
    const wanted = mixed.filter((r) => r.operation === 'Set-Mailbox').map((r) => r.id);
    assert.deepEqual(base.seen, wanted, 'only the records a rule can match were read, in arrival order');
    assert.deepEqual([run.records, run.batches, run.alerts.raised, run.alerts.counted], [23, 5, 1, 5]);
    assert.equal((await store.records.tailLag(await store.cursors.get(LIVE_CONSUMER))).records, 0, 'caught up');
    await store.records.insert([record({ tenant: 't1' }), record({ tenant: 't1', operation: 'Set-Mailbox' })]);
    const next = await runLiveOnce(store, ev, { clock, logger: silentLogger, batchSize: 5, posture: false });
    assert.deepEqual([next.records, base.seen.length], [2, wanted.length + 1], 'only what arrived since');
  });
});
