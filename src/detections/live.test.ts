import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger } from '../core/log.js';
import type { AuditRecord, StoredRecord } from '../core/record.js';
import { DAY } from '../core/time.js';
import { exchangeAdmin, signIn, TENANT } from '../reports/testing/builders.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { record } from '../store/testing/fixtures.js';
import type { Hit, PushOptions } from './contract.js';
import { createEvaluator, ruleFaultLogger, type RecordFault } from './evaluator.js';
import { DomainBook } from './domains.js';
import type { RecordView } from './record-view.js';
import { auditRule, rulesFrom, stored as storedAs } from './testing/rules.js';
import { LIVE_CONSUMER, runLiveOnce } from './live.js';
import { runRetro } from './retro.js';
import { PACK } from './testing/pack.js';
import { POSTURE_DRIFT_RULE } from './posture-drift.js';
import { fakeEvaluator } from './testing/hits.js';
import { fakeTail } from './testing/tail.js';
import { SHARED_STORES, type Cleanups } from './testing/claims.js';

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

/**
 * A Purview export lists records newest first, and an import stores them in that order. The live runner
 * must then call an address new only if no record of the whole import precedes it — as a retro run over
 * the same records does — not only the records it happened to read before (issue 19 session note:
 * 5,643 live against 4,795 retro "new address" alerts on a shuffled million).
 */
describe('first-seen rules on records stored out of time order', () => {
  const T0 = Date.UTC(2026, 8, 1);
  const at = (t: number): string => new Date(t).toISOString().slice(0, 19);
  const signIns = (): AuditRecord[] => {
    const out: AuditRecord[] = [];
    for (let user = 0; user < 4; user++)
      for (let day = 0; day < 40; day++) {
        const UserId = `user${user}@contoso.com`;
        out.push(
          signIn(false, { CreationTime: at(T0 + day * DAY + user * 60_000), UserId, ClientIP: `198.51.100.${user}` }),
        );
        // Now and then an address seen once, and one that comes back after 35 days (new again).
        if (day % 9 === 4)
          out.push(
            signIn(false, { CreationTime: at(T0 + day * DAY + 3_600_000), UserId, ClientIP: `203.0.113.${day}` }),
          );
        if (day === 1 || day === 37)
          out.push(signIn(false, { CreationTime: at(T0 + day * DAY + 7_200_000), UserId, ClientIP: '192.0.2.77' }));
      }
    return out;
  };
  const firstSeenKeys = (hits: readonly Hit[]): string[] =>
    hits
      .filter((h) => h.title === 'Sign-in from an address new for the user')
      .map((h) => `${h.groupKey} ${h.recordIds.join(',')}`)
      .sort();

  async function liveOverNewestFirst(holdRecords?: number): Promise<{ live: string[]; retro: string[] }> {
    const records = signIns().sort((a, b) => b.creationTime - a.creationTime);
    const s = await openStore('sqlite::memory:');
    try {
      for (let i = 0; i < records.length; i += 30) await s.records.insert(records.slice(i, i + 30));
      const evaluator = createEvaluator(PACK);
      const hits: Hit[] = [];
      const spy = {
        ...evaluator,
        wants: () => evaluator.wants(),
        advance: (n: Readonly<Record<string, number>>) => evaluator.advance(n),
        history: (o: ReadonlyMap<string, number>) => evaluator.history(o),
        push: (batch: readonly StoredRecord[], o?: PushOptions) => {
          const h = evaluator.push(batch, o);
          hits.push(...h);
          return h;
        },
        flush: () => evaluator.flush(),
      };
      await runLiveOnce(s, spy, {
        clock,
        logger: silentLogger,
        batchSize: 25,
        posture: false,
        ...(holdRecords ? { holdRecords } : {}),
      });
      hits.push(...evaluator.flush());
      const retro = await runRetro(s, PACK, { start: T0, end: T0 + 41 * DAY });
      return { live: firstSeenKeys(hits), retro: firstSeenKeys(retro) };
    } finally {
      await s.close();
    }
  }

  test('an import stored newest first raises the first-seen hits a retro run raises, no more', async () => {
    const { live, retro } = await liveOverNewestFirst();
    // Each user: the usual address on day 0, four addresses seen once (days 4, 13, 22, 31), 192.0.2.77 on
    // day 1 and again on day 37 (36 days later: new again). Only from day 30 on do the records reach the
    // whole 30-day look-back: the address of day 31 and 192.0.2.77 again.
    assert.equal(retro.length, 4 * 2);
    assert.deepEqual(live, retro);
  });

  test('deciding after every batch instead (the old behaviour) calls addresses new that the import precedes', async () => {
    const { live, retro } = await liveOverNewestFirst(25);
    assert.ok(live.length > retro.length, `live ${live.length}, retro ${retro.length}`);
  });
});

describe('a record of an odd shape', () => {
  const inboxRule = (id: string, parameters: unknown[]): AuditRecord => {
    const base = exchangeAdmin('New-InboxRule', { Identity: 'adele', Name: 'x', ForwardTo: 'drop@evil.example' });
    const raw = JSON.parse(base.raw) as Record<string, unknown>;
    return { ...base, id, raw: JSON.stringify({ ...raw, Id: id, Parameters: parameters }) };
  };
  const forward = { Name: 'ForwardTo', Value: 'drop@evil.example' };

  test('never stops the live runner: its rules still read it, the cursor moves past it, the next record is evaluated', async () => {
    // Parameters with a null and a string beside the Name/Value entries: walking them threw a TypeError, the pass
    // failed before its cursor moved, and every later pass failed on the same record (no alert ever again).
    await store.records.insert([
      inboxRule('odd-1', [forward, null, 'text', 7]),
      inboxRule('good-2', [{ Name: 'Identity', Value: 'megan' }, forward]),
    ]);
    const faults: unknown[] = [];
    const domains = new DomainBook().add(TENANT, 'contoso.onmicrosoft.com');
    const evaluator = createEvaluator(PACK, { domains, onFault: (f) => faults.push(f) });
    const summary = await runLiveOnce(store, evaluator, { clock, logger: silentLogger, posture: false });
    assert.equal(summary.records, 2);
    assert.equal(await store.cursors.get(LIVE_CONSUMER), await store.records.tailEnd());
    const alert = (await store.alerts.list()).find((a) => a.title.startsWith('Inbox rule forwards'));
    assert.deepEqual([...(alert?.recordIds ?? [])].sort(), ['good-2', 'odd-1'], 'both forward outside');
    assert.deepEqual(faults, []);
  });

  test('a rule that throws on a record passes that record over, is reported, and the others go on', async () => {
    const set = rulesFrom(auditRule('  selection:\n    Operation: New-InboxRule\n  condition: selection'));
    const rule = set.rules[0]! as { test: (v: RecordView) => boolean };
    const test = rule.test;
    rule.test = (v) => {
      if (v.record.id === 'odd-1') throw new TypeError('boom');
      return test(v);
    };
    const faults: RecordFault[] = [];
    const logged = recordingLogger();
    const evaluator = createEvaluator(set, { onFault: (f) => faults.push(f) });
    const hits = evaluator.push([storedAs(inboxRule('odd-1', [forward])), storedAs(inboxRule('good-2', [forward]))]);
    assert.deepEqual(
      hits.map((h) => h.recordIds),
      [['good-2']],
    );
    assert.deepEqual(
      faults.map((f) => [f.rule, f.recordId, f.tenant, f.error]),
      [['Test rule', 'odd-1', TENANT, 'boom']],
    );
    ruleFaultLogger(logged)(faults[0]!);
    assert.equal((logged.entries[0]?.obj as { event?: string }).event, 'detections.rule.failed');
    assert.equal(logged.entries[0]?.level, 'warn');
  });
});

describe('a NUL in a value a rule groups by', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const SESSION_RULES = `title: Sign-in
id: 10000000-0000-4000-8000-0000000000a1
name: nul-sign-in
level: low
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: UserLoggedIn}
  condition: sel
---
title: One session, two sign-ins
id: 10000000-0000-4000-8000-0000000000a2
level: high
correlation:
  type: event_count
  rules: [nul-sign-in]
  group-by: [DeviceProperties.SessionId]
  timespan: 1h
  condition: {gte: 2}
`;
  for (const shared of SHARED_STORES)
    test(`never stops the live runner, on ${shared.name}`, { skip: shared.skip }, async () => {
      const s = await openStore(await shared.url(cleanups));
      cleanups.push(() => s.close());
      const at = (n: number, session: string) =>
        signIn(false, {
          CreationTime: new Date(NOW - DAY + n * 60_000).toISOString().slice(0, 19),
          UserId: 'adele@contoso.com',
          DeviceProperties: [{ Name: 'SessionId', Value: session }],
        });
      // A session id with a NUL in it (odd shapes happen): its alert's group key failed the whole batch of hits on
      // PostgreSQL, so the pass failed before its cursor moved, and every pass after it on the same records.
      await s.records.insert([at(1, 'a\u0000b'), at(2, 'a\u0000b'), at(3, 'plain'), at(4, 'plain')]);
      const evaluator = createEvaluator(rulesFrom(SESSION_RULES));
      const summary = await runLiveOnce(s, evaluator, { clock, logger: silentLogger, posture: false });
      assert.equal(summary.alerts.raised, 2);
      const keys = (await s.alerts.list()).map((a) => a.groupKey).sort();
      assert.deepEqual(keys, ['a\\u0000b', 'plain'], 'the NUL is kept as its escape, as record columns keep it');
      const again = await runLiveOnce(s, evaluator, { clock, logger: silentLogger, posture: false });
      assert.equal(again.records, 0, 'the cursor moved past them');
    });
});
