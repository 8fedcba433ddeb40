import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger } from '../core/log.js';
import type { SinkDriver } from '../sinks/driver.js';
import { backoffPolicy, DAEMON_RETRY } from '../sinks/retry.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { alertSinkRow } from '../store/testing/fixtures.js';
import { raiseHits } from './alerts/raise.js';
import { CLAIM_MARGIN_MS, claimKey } from './delivery-claim.js';
import { DETECTION_EVENTS } from './events.js';
import { deliverDue, type AlertChannel, type DeliverDeps } from './routing.js';
import { sinkChannel } from './sink-channel.js';
import {
  events,
  gate,
  NOW,
  ROUTING,
  SHARED_STORES,
  twoProcesses as processesOn,
  type Cleanups,
  type Gate,
} from './testing/claims.js';
import { hit } from './testing/hits.js';

/**
 * Several processes route alerts from one store (`serve` beside `collect --follow`, servers on one PostgreSQL).
 * Each "process" here is its own store connection to the same SQLite file or PostgreSQL schema, with its own
 * channel object for the same receiver; `sends` is what the receiver got, from whichever process.
 */
const SEND_MS = 60_000;
const TERM_MS = SEND_MS + CLAIM_MARGIN_MS;

const cleanups: Cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The receiver `soc`, reached by `process`: records each alert it is sent, then waits for `hold` (open: at once). */
function soc(process: string, sends: string[], options: { hold?: Gate; started?: () => void } = {}): AlertChannel {
  return {
    name: 'soc',
    sinkId: 'sink-soc',
    longestAttemptMs: SEND_MS,
    longestWaitMs: 0,
    async send(alert, { beforeAttempt } = {}) {
      await beforeAttempt?.();
      sends.push(`${process}:${alert.id}`);
      options.started?.();
      await options.hold?.promise;
    },
  };
}

async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

for (const shared of SHARED_STORES)
  describe(`routing claims: ${shared.name}`, { skip: shared.skip }, () => {
    async function twoProcesses(): Promise<{ stores: [Store, Store]; clock: ManualClock; alertId: string }> {
      const clock = new ManualClock(NOW);
      return { clock, ...(await processesOn(await shared.url(cleanups), clock, cleanups)) };
    }

    const deps = (
      store: Store,
      clock: ManualClock,
      channel: AlertChannel,
      logger = recordingLogger(),
    ): DeliverDeps => ({
      store,
      clock,
      logger,
      routing: ROUTING,
      channels: new Map([[channel.name, channel]]),
    });

    test('two processes routing at the same moment: the receiver gets the alert once, the other says so', async () => {
      const { stores, clock, alertId } = await twoProcesses();
      const sends: string[] = [];
      const hold = gate();
      const sending = gate();
      const both = gate();
      const started = () => (sends.length === 1 ? sending.open() : both.open());
      const logs = [recordingLogger(), recordingLogger()];
      const runs = (['a', 'b'] as const).map((p, i) =>
        deliverDue(deps(stores[i]!, clock, soc(p, sends, { hold, started }), logs[i])),
      );
      await sending.promise;
      // The one not sending ends without sending; without a claim it would be sending too (and wait on the hold).
      await Promise.race([...runs, both.promise]);
      hold.open();
      const summaries = await Promise.all(runs);
      assert.equal(sends.length, 1, `sent once, not ${sends.join(', ')}`);
      const sender = sends[0]!.startsWith('a:') ? 0 : 1;
      assert.deepEqual(summaries[sender], { delivered: 1, unrouted: 0, failed: 0, claimedElsewhere: 0 });
      assert.deepEqual(summaries[1 - sender], { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 1 });
      const busy = events(logs[1 - sender]!.entries, DETECTION_EVENTS.alertClaimBusy);
      assert.equal(busy.length, 1);
      assert.equal(busy[0]!.level, 'debug');
      assert.equal((busy[0]!.obj as { alert?: string }).alert, alertId);
      assert.equal(await stores[0].ledger.leaseHolder(claimKey(alertId, 'soc')), null, 'let go after the send');
      assert.deepEqual(await stores[1 - sender]!.alerts.due(clock.now(), 10), [], 'delivered for both');
    });

    test('a process that read the alert as due before another sent it checks again under the claim', async () => {
      const { stores, clock, alertId } = await twoProcesses();
      const sends: string[] = [];
      // Process b has read the due alert and its deliveries, and is about to claim it, when a sends it whole.
      const claimAt = gate();
      const late = gate();
      const ledger = stores[1].ledger;
      const slow: Store = Object.create(stores[1]) as Store;
      Object.defineProperty(slow, 'ledger', {
        value: Object.assign(Object.create(ledger) as typeof ledger, {
          acquireLease: async (...args: Parameters<typeof ledger.acquireLease>) => {
            claimAt.open();
            await late.promise;
            return ledger.acquireLease(...args);
          },
        }),
      });
      const b = deliverDue(deps(slow, clock, soc('b', sends)));
      await claimAt.promise;
      assert.deepEqual(await deliverDue(deps(stores[0], clock, soc('a', sends))), {
        delivered: 1,
        unrouted: 0,
        failed: 0,
        claimedElsewhere: 0,
      });
      late.open();
      const summary = await b;
      assert.deepEqual(sends, [`a:${alertId}`], 'b found the delivery a recorded, and did not send it again');
      assert.deepEqual(summary, { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 0 }, 'counted by a');
    });

    test('a claim whose holder died elsewhere is taken over once its term ran out, and the alert delivered', async () => {
      const { stores, clock, alertId } = await twoProcesses();
      const key = claimKey(alertId, 'soc');
      // Claimed, never let go: a process on another machine died while sending.
      assert.equal(await stores[0].ledger.acquireLease(key, 'build-7:4242:0badc0de', NOW + TERM_MS, NOW), true);
      const sends: string[] = [];
      const logger = recordingLogger();
      assert.deepEqual(await deliverDue(deps(stores[1], clock, soc('b', sends), logger)), {
        delivered: 0,
        unrouted: 0,
        failed: 0,
        claimedElsewhere: 1,
      });
      assert.deepEqual(
        events(logger.entries, DETECTION_EVENTS.alertClaimBusy).map((e) => (e.obj as { holder?: string }).holder),
        ['build-7:4242:0badc0de'],
      );
      clock.advance(TERM_MS - 1);
      assert.equal((await deliverDue(deps(stores[1], clock, soc('b', sends)))).claimedElsewhere, 1, 'not yet');
      assert.deepEqual(sends, [], 'still due, never sent while claimed');
      clock.advance(1);
      assert.deepEqual(await deliverDue(deps(stores[1], clock, soc('b', sends))), {
        delivered: 1,
        unrouted: 0,
        failed: 0,
        claimedElsewhere: 0,
      });
      assert.deepEqual(sends, [`b:${alertId}`]);
      assert.equal(await stores[0].ledger.leaseHolder(key), null);
    });

    test('a claim whose holder died on this machine is taken over at once', async () => {
      const { stores, clock, alertId } = await twoProcesses();
      const dead = `${hostname()}:${await exitedPid()}:0badc0de`;
      await stores[0].ledger.acquireLease(claimKey(alertId, 'soc'), dead, NOW + TERM_MS, NOW);
      const sends: string[] = [];
      const logger = recordingLogger();
      assert.equal((await deliverDue(deps(stores[1], clock, soc('b', sends), logger))).delivered, 1);
      assert.deepEqual(sends, [`b:${alertId}`]);
      const reclaimed = events(logger.entries, DETECTION_EVENTS.alertClaimReclaimed);
      assert.deepEqual(
        reclaimed.map((e) => (e.obj as { from?: string }).from),
        [dead],
      );
    });
  });

describe('routing claims: their term and their rows', () => {
  async function oneAlert(): Promise<{ store: Store; clock: ManualClock; alertId: string }> {
    const store = await openStore('sqlite::memory:');
    cleanups.push(() => store.close());
    const clock = new ManualClock(NOW);
    await store.sinks.upsert(alertSinkRow('soc'));
    const raised = await raiseHits({ store, clock, logger: recordingLogger() }, [hit({ severity: 'high' })]);
    return { store, clock, alertId: raised.alerts[0]!.id };
  }

  test('a send that outlasts its claim is still recorded, and said at warn: another process may have sent it too', async () => {
    const { store, clock, alertId } = await oneAlert();
    const logger = recordingLogger();
    const slow: AlertChannel = {
      name: 'soc',
      sinkId: 'sink-soc',
      longestAttemptMs: SEND_MS,
      longestWaitMs: 0,
      send: async () => clock.advance(TERM_MS + 1),
    };
    const summary = await deliverDue({ store, clock, logger, routing: ROUTING, channels: new Map([['soc', slow]]) });
    assert.equal(summary.delivered, 1);
    const overrun = events(logger.entries, DETECTION_EVENTS.alertClaimOverrun);
    assert.deepEqual(
      overrun.map((e) => [e.level, (e.obj as { alert?: string }).alert]),
      [['warn', alertId]],
    );
  });

  test('claims are let go after a failed send too, and run-out ones of dead processes do not pile up', async () => {
    const { store, clock, alertId } = await oneAlert();
    // Left by processes on another machine: one that died long ago (its alert no longer due, so nobody takes the
    // claim over), one still sending another alert.
    await store.ledger.acquireLease(claimKey('al_gone', 'soc'), 'build-7:4242:0badc0de', NOW - 1, NOW - TERM_MS);
    await store.ledger.acquireLease(claimKey('al_other', 'soc'), 'build-7:4343:0badc0de', NOW + TERM_MS, NOW);
    const down: AlertChannel = {
      name: 'soc',
      sinkId: 'sink-soc',
      longestAttemptMs: SEND_MS,
      longestWaitMs: 0,
      send: async () => {
        throw new Error('503 from the webhook');
      },
    };
    const run = (channel: AlertChannel) =>
      deliverDue({ store, clock, logger: recordingLogger(), routing: ROUTING, channels: new Map([['soc', channel]]) });
    assert.equal((await run(down)).failed, 1);
    assert.equal(await store.ledger.leaseHolder(claimKey(alertId, 'soc')), null, 'let go: the next run sends it');
    assert.equal(await store.ledger.leaseHolder(claimKey('al_gone', 'soc')), null, 'run out: dropped');
    assert.notEqual(await store.ledger.leaseHolder(claimKey('al_other', 'soc')), null, 'held: kept');
    const sends: string[] = [];
    assert.equal((await run(soc('a', sends))).delivered, 1);
    assert.deepEqual(sends, [`a:${alertId}`]);
    assert.equal(await store.ledger.leaseHolder(claimKey(alertId, 'soc')), null);
  });

  test("a sink's channel is claimed for its driver's longest attempt and its policy's longest wait; never for ever", () => {
    const driver: SinkDriver = {
      maxBatch: 1,
      idempotent: false,
      longestAttemptMs: 30_000,
      send: async () => ({ rejected: [], retry: [] }),
      test: async () => 'ok',
      close: async () => undefined,
    };
    const options = {
      sink: { name: 'soc', id: 'sink-soc' },
      driver,
      clock: new ManualClock(NOW),
      logger: silentLogger,
      deadLetters: async () => {},
    };
    const policy = backoffPolicy({ maxAttempts: 4, maxAttemptsPermanent: 1, capMs: 4_000, retryAfterCapMs: 15_000 });
    const channel = sinkChannel({ ...options, policy });
    assert.deepEqual([channel.longestAttemptMs, channel.longestWaitMs], [30_000, 15_000]);
    assert.throws(
      () => sinkChannel({ ...options, policy: backoffPolicy(DAEMON_RETRY) }),
      (e: Error & { code?: string }) =>
        e.code === 'INTERNAL' && /soc has a retry policy without a bound/.test(e.message),
    );
  });
});
