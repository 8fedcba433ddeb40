import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger, silentLogger, type Logger } from '../core/log.js';
import { allDelivered, type SinkDriver } from '../sinks/driver.js';
import { SinkFailure } from '../sinks/failure.js';
import { backoffPolicy } from '../sinks/retry.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { alertSinkRow } from '../store/testing/fixtures.js';
import { raiseHits } from './alerts/raise.js';
import { CLAIM_MARGIN_MS, claimKey } from './delivery-claim.js';
import { DETECTION_EVENTS } from './events.js';
import { deliverDue, type AlertChannel, type DeliverDeps, type DeliverSummary } from './routing.js';
import { sinkChannel } from './sink-channel.js';
import { events, gate, NOW, ROUTING, SHARED_STORES, twoProcesses, type Cleanups } from './testing/claims.js';
import { hit } from './testing/hits.js';

/**
 * An alert's claim is renewed before each attempt, for one attempt and the wait after it (ADR 0026): a sender that
 * died on another machine frees the alert within about one attempt, not its channel's whole retry run, and one whose
 * claim was taken over stops before its next attempt. The channel here is a sink's (sinkChannel) with alert
 * routing's policy over a driver as slow as an email sink's; each "process" is its own connection to one store.
 */
const ATTEMPT_MS = 30_000 + 10 * 60_000; // an email to one recipient: connecting, then ten SMTP answers
/** As alert routing's (cli/alert-routing.ts): a Retry-After honoured up to 15 s is the longest wait. */
const POLICY = { baseMs: 500, capMs: 4_000, retryAfterCapMs: 15_000, maxAttempts: 4, maxAttemptsPermanent: 1 };
const TERM_MS = ATTEMPT_MS + 15_000 + CLAIM_MARGIN_MS;
/** The holder of a claim on another machine: never taken for a dead process of this one. */
const ELSEWHERE = 'build-7:4242:0badc0de';

const cleanups: Cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A driver whose every attempt is `attempt` (a throw is a failed attempt). */
function mailDriver(attempt: (signal: AbortSignal) => Promise<void>): SinkDriver {
  return {
    maxBatch: 1,
    idempotent: false,
    longestAttemptMs: ATTEMPT_MS,
    async send(_items, signal) {
      await attempt(signal);
      return allDelivered();
    },
    test: async () => 'ok',
    close: async () => undefined,
  };
}

function channel(driver: SinkDriver, clock: ManualClock): AlertChannel {
  const policy = backoffPolicy({ ...POLICY, random: () => 0.5 });
  return sinkChannel({
    sink: { name: 'soc', id: 'sink-soc' },
    driver,
    policy,
    clock,
    logger: silentLogger,
    deadLetters: async () => {},
  });
}

function deps(store: Store, clock: ManualClock, soc: AlertChannel, logger: Logger = silentLogger): DeliverDeps {
  return { store, clock, logger, routing: ROUTING, channels: new Map([['soc', soc]]) };
}

const unavailable = () =>
  new SinkFailure('server', '421 4.3.2 Service not available, try again later', { retryable: true });

const NONE: DeliverSummary = { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 0 };

for (const shared of SHARED_STORES)
  describe(`alert claims renewed before each attempt: ${shared.name}`, { skip: shared.skip }, () => {
    test('each attempt is made under the claim renewed for one attempt and the wait after it', async () => {
      const clock = new ManualClock(NOW, true);
      const { stores, alertId } = await twoProcesses(await shared.url(cleanups), clock, cleanups);
      const key = claimKey(alertId, 'soc');
      const attempts: { at: number; until: number | undefined }[] = [];
      // A mail server that answers slowly and is unavailable twice: three attempts, minutes each, with waits.
      const slow = mailDriver(async () => {
        attempts.push({ at: clock.now(), until: (await stores[0].ledger.leaseHolder(key))?.until });
        clock.advance(5 * 60_000);
        if (attempts.length < 3) throw unavailable();
      });
      assert.deepEqual(await deliverDue(deps(stores[0], clock, channel(slow, clock))), { ...NONE, delivered: 1 });
      assert.equal(attempts.length, 3);
      for (const [i, a] of attempts.entries())
        assert.equal(a.until, a.at + TERM_MS, `attempt ${i + 1}: claimed until ${a.until}, not ${a.at + TERM_MS}`);
      assert.equal(await stores[0].ledger.leaseHolder(key), null, 'let go after the delivery');
    });

    test('a sender whose claim was taken over stops before its next attempt: the alert is not sent twice', async () => {
      for (const successor of ['is still sending', 'sent it and let the claim go'] as const) {
        const clock = new ManualClock(NOW, true);
        const { stores, alertId } = await twoProcesses(await shared.url(cleanups), clock, cleanups);
        const sends: string[] = [];
        const bSending = gate();
        const bHold = gate();
        const bDriver = mailDriver(async () => {
          sends.push('b');
          bSending.open();
          if (successor === 'is still sending') await bHold.promise;
        });
        let b: Promise<DeliverSummary> | undefined;
        // Process a's first attempt stalls (a paused process) past its claim's term, b takes the claim over and
        // sends; then a's attempt fails, and a would try again after its wait.
        const aDriver = mailDriver(async () => {
          sends.push('a');
          if (b) return;
          clock.set((await stores[0].ledger.leaseHolder(claimKey(alertId, 'soc')))!.until);
          b = deliverDue(deps(stores[1], clock, channel(bDriver, clock)));
          await (successor === 'is still sending' ? bSending.promise : b);
          throw unavailable();
        });
        const logger = recordingLogger();
        const a = await deliverDue(deps(stores[0], clock, channel(aDriver, clock), logger));
        bHold.open();
        assert.deepEqual(sends, ['a', 'b'], `${successor}: a made no attempt after b took the claim over`);
        assert.deepEqual(a, { ...NONE, claimedElsewhere: 1 }, `${successor}: left to b, not failed`);
        assert.deepEqual(await b, { ...NONE, delivered: 1 }, successor);
        const lost = events(logger.entries, DETECTION_EVENTS.alertClaimLost);
        assert.deepEqual(
          lost.map((e) => [e.level, (e.obj as { alert?: string }).alert]),
          [['warn', alertId]],
        );
        assert.deepEqual(await stores[0].alerts.due(clock.now(), 10), [], `${successor}: delivered`);
      }
    });

    test('a holder on another machine that stops renewing is taken over after one attempt, a wait and the margin', async () => {
      const clock = new ManualClock(NOW);
      const { stores, alertId } = await twoProcesses(await shared.url(cleanups), clock, cleanups);
      // Process a, on another machine, connects to the mail server and hears nothing more: it dies meanwhile (here
      // it stays in that attempt, never renewing, until the test stops it).
      const connected = gate();
      const silent = mailDriver(
        (signal) =>
          new Promise((_resolve, reject) => {
            connected.open();
            signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          }),
      );
      const stop = new AbortController();
      const a = deliverDue({ ...deps(stores[0], clock, channel(silent, clock)), owner: ELSEWHERE }, stop);
      await connected.promise;
      const sends: string[] = [];
      const b = () =>
        deliverDue(
          deps(
            stores[1],
            clock,
            channel(
              mailDriver(async () => void sends.push('b')),
              clock,
            ),
          ),
        );
      clock.advance(TERM_MS - 1);
      assert.deepEqual(await b(), { ...NONE, claimedElsewhere: 1 }, 'within its term: left to it');
      assert.deepEqual(sends, []);
      clock.advance(1);
      assert.deepEqual(await b(), { ...NONE, delivered: 1 }, 'taken over: minutes after, not its whole retry run');
      assert.deepEqual(sends, ['b']);
      stop.abort();
      await a;
      assert.equal(await stores[0].ledger.leaseHolder(claimKey(alertId, 'soc')), null);
    });
  });

test('a renewal the store cannot answer stops the send too: not knowing who holds the claim, it could double', async () => {
  const store = await openStore('sqlite::memory:');
  cleanups.push(() => store.close());
  const clock = new ManualClock(NOW, true);
  await store.sinks.upsert(alertSinkRow('soc'));
  await raiseHits({ store, clock, logger: silentLogger }, [hit({ severity: 'high' })]);
  let renewals = 0;
  const ledger = Object.assign(Object.create(store.ledger) as Store['ledger'], {
    renewLease: async (...args: Parameters<Store['ledger']['renewLease']>) => {
      if (++renewals > 1) throw new Error('database is locked');
      return store.ledger.renewLease(...args);
    },
  });
  const flaky = Object.assign(Object.create(store) as Store, { ledger });
  const sends: string[] = [];
  const down = mailDriver(async () => {
    sends.push('a');
    throw unavailable();
  });
  const logger = recordingLogger();
  assert.deepEqual(await deliverDue(deps(flaky, clock, channel(down, clock), logger)), { ...NONE, failed: 1 });
  assert.deepEqual(sends, ['a'], 'no attempt after the renewal failed');
  const failed = events(logger.entries, DETECTION_EVENTS.channelFailed);
  assert.match((failed[0]?.obj as { error?: string }).error ?? '', /database is locked/);
  assert.equal((await store.alerts.due(clock.now(), 10)).length, 1, 'still due: the next pass sends it');
});
