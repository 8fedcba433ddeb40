import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { recordingLogger } from '../core/log.js';
import type { Store } from '../store/contract.js';
import { alertSinkRow } from '../store/testing/fixtures.js';
import { parseAlertingConfig } from './alerting-config.js';
import { raiseHits } from './alerts/raise.js';
import type { AlertView } from './alerts/view.js';
import { DETECTION_EVENTS } from './events.js';
import { deliverDue, type AlertChannel, type DeliverSummary } from './routing.js';
import { events, NOW, ROUTING, SHARED_STORES, twoProcesses, type Cleanups } from './testing/claims.js';
import { hit } from './testing/hits.js';

/**
 * What changes while a routing pass sends an alert: the alert (a hit, a status, a snooze) or its channel's sink (removed).
 * The pass reads the due alerts, sends each, then records the send; the change comes in between, made through
 * another connection to the store as `alerts resolve`, `sink remove` or a collect beside `serve` would make it.
 */
const cleanups: Cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const NONE: DeliverSummary = { delivered: 0, unrouted: 0, failed: 0, claimedElsewhere: 0 };

/** The receiver `soc`: keeps what it is sent; `during` runs while its first send is out. */
function soc(during: () => Promise<void> = async () => {}): AlertChannel & { got: AlertView[] } {
  const got: AlertView[] = [];
  return {
    name: 'soc',
    sinkId: 'sink-soc',
    got,
    longestAttemptMs: 60_000,
    longestWaitMs: 0,
    async send(alert, { beforeAttempt } = {}) {
      await beforeAttempt?.();
      got.push(alert);
      if (got.length === 1) await during();
    },
  };
}

for (const shared of SHARED_STORES)
  describe(`routing while the alert or its sink changes: ${shared.name}`, { skip: shared.skip }, () => {
    /** `routing` routes, `other` makes the change; the alert is due to the sink `soc`. */
    async function setUp(): Promise<{ routing: Store; other: Store; clock: ManualClock; alertId: string }> {
      const clock = new ManualClock(NOW);
      const { stores, alertId } = await twoProcesses(await shared.url(cleanups), clock, cleanups);
      return { routing: stores[0], other: stores[1], clock, alertId };
    }
    const pass = (store: Store, clock: ManualClock, channel: AlertChannel, logger = recordingLogger()) =>
      deliverDue({ store, clock, logger, routing: ROUTING, channels: new Map([['soc', channel]]) });
    const dueIds = async (store: Store, clock: ManualClock) =>
      (await store.alerts.due(clock.now(), 10)).map((a) => a.id);

    test('an alert resolved and reopened while it is sent stays due, and its reopened state is sent next pass', async () => {
      const { routing, other, clock, alertId } = await setUp();
      const logger = recordingLogger();
      const first = soc(async () => {
        clock.advance(1_000);
        await other.alerts.setStatus(alertId, { from: 'new', to: 'resolved', actor: 'ann', at: clock.now() });
        await raiseHits({ store: other, clock, logger }, [hit({ severity: 'high', recordIds: ['rec-2'] })]);
      });
      await pass(routing, clock, first, logger);
      assert.deepEqual(
        first.got.map((a) => [a.status, a.hits]),
        [['new', 1]],
      );
      assert.deepEqual(await dueIds(routing, clock), [alertId], 'the reopened alert is still due');
      assert.deepEqual(await routing.alerts.channelDeliveries([alertId]), [], 'no row says soc took the reopened one');
      assert.equal(events(logger.entries, DETECTION_EVENTS.alertChangedWhileSent).length, 1);
      const next = soc();
      assert.deepEqual(await pass(routing, clock, next), { ...NONE, delivered: 1 });
      assert.deepEqual(
        next.got.map((a) => [a.status, a.hits]),
        [['new', 2]],
        'the newer state is notified',
      );
      assert.deepEqual(await dueIds(routing, clock), []);
    });

    test('an alert a new hit counts on while it is sent stays due, and is sent again with the hit', async () => {
      const { routing, other, clock, alertId } = await setUp();
      const first = soc(async () => {
        await raiseHits({ store: other, clock, logger: recordingLogger() }, [
          hit({ severity: 'critical', recordIds: ['rec-2'] }),
        ]);
      });
      assert.deepEqual(await pass(routing, clock, first), NONE, 'sent, but not as it is now: not counted');
      assert.deepEqual(await dueIds(routing, clock), [alertId]);
      const next = soc();
      assert.deepEqual(await pass(routing, clock, next), { ...NONE, delivered: 1 });
      assert.deepEqual(
        next.got.map((a) => [a.hits, a.severity, a.recordIds]),
        [[2, 'critical', ['rec-1', 'rec-2']]],
      );
      assert.deepEqual(await pass(routing, clock, soc()), NONE, 'then delivered');
    });

    test('a sink removed while a pass sends through it: no delivery row comes back, and the pass ends cleanly', async () => {
      const { routing, other, clock, alertId } = await setUp();
      await raiseHits({ store: other, clock, logger: recordingLogger() }, [
        hit({ severity: 'high', groupKey: 'second' }),
      ]);
      const [, secondId] = await dueIds(routing, clock);
      const logger = recordingLogger();
      const gone = soc(async () => {
        assert.equal(await other.sinks.remove('soc'), true);
      });
      assert.deepEqual(await pass(routing, clock, gone, logger), NONE, 'no failure: the alerts stay due');
      assert.deepEqual(
        gone.got.map((a) => a.id),
        [alertId],
        'nothing more is sent through the removed sink in that pass',
      );
      assert.deepEqual(await routing.alerts.channelDeliveries([alertId, secondId!]), []);
      assert.equal(events(logger.entries, DETECTION_EVENTS.channelRemoved).length, 1);
      assert.deepEqual(events(logger.entries, DETECTION_EVENTS.channelFailed), []);
      assert.deepEqual((await dueIds(routing, clock)).sort(), [alertId, secondId!].sort());

      await other.sinks.upsert(alertSinkRow('soc', { addedAt: clock.now(), id: 'sink-soc-again' }));
      const again = { ...soc(), sinkId: 'sink-soc-again' };
      assert.deepEqual(await pass(routing, clock, again), { ...NONE, delivered: 2 });
      assert.deepEqual(
        again.got.map((a) => a.id).sort(),
        [alertId, secondId!].sort(),
        'the sink added again under the name is a new receiver: it takes both',
      );
    });

    test('a sink removed and added again within the same millisecond while a pass sends: the old send records nothing for the new sink', async () => {
      const { routing, other, clock, alertId } = await setUp();
      const logger = recordingLogger();
      // `sink remove soc` then `sink add soc` in another shell, both at the instant the send is out: the clock stands
      // still, so the new sink's addedAt and updatedAt are the removed one's.
      const replaced = soc(async () => {
        assert.equal(await other.sinks.remove('soc'), true);
        await other.sinks.upsert(alertSinkRow('soc', { url: 'https://127.0.0.1:9443/new-hook', id: 'sink-soc-again' }));
      });
      assert.deepEqual(await pass(routing, clock, replaced, logger), NONE, 'not delivered to the sink there is now');
      assert.deepEqual(await routing.alerts.channelDeliveries([alertId]), [], 'no row says the new sink took it');
      assert.deepEqual(await dueIds(routing, clock), [alertId], 'still due, for the new sink');
      assert.equal(events(logger.entries, DETECTION_EVENTS.channelRemoved).length, 1);
      const fresh = { ...soc(), sinkId: 'sink-soc-again' };
      assert.deepEqual(await pass(routing, clock, fresh), { ...NONE, delivered: 1 });
      assert.deepEqual(
        fresh.got.map((a) => a.id),
        [alertId],
        'the new sink gets it',
      );
    });

    /** The channel `mail` (sink `sink-mail`); `during` runs while its first send is out. */
    function mail(during: () => Promise<void> = async () => {}): AlertChannel & { got: AlertView[] } {
      return { ...soc(during), name: 'mail', sinkId: 'sink-mail' };
    }
    const BOTH = parseAlertingConfig('routes: [{ channel: soc }, { channel: mail }]', 'alerting.yaml').routing;
    const passBoth = (store: Store, clock: ManualClock, channels: AlertChannel[], logger = recordingLogger()) =>
      deliverDue({ store, clock, logger, routing: BOTH, channels: new Map(channels.map((c) => [c.name, c])) });
    /** `sink remove soc` then `sink add soc` in another shell (a new receiver, another id). */
    const replaceSoc = async (other: Store) => {
      assert.equal(await other.sinks.remove('soc'), true);
      await other.sinks.upsert(alertSinkRow('soc', { url: 'https://127.0.0.1:9443/new-hook', id: 'sink-soc-again' }));
    };

    for (const [when, tookBefore] of [
      ['had taken it on an earlier pass', true],
      ['took it earlier in this pass', false],
    ] as const)
      test(`a sink that ${when}, removed and added again while another channel sends: the alert reaches the new sink`, async () => {
        const { routing, other, clock, alertId } = await setUp();
        await other.sinks.upsert(alertSinkRow('mail'));
        if (tookBefore) {
          // soc took it on an earlier pass, mail failed then: the alert is due to mail only.
          const read = (await routing.alerts.get(alertId))!;
          assert.equal(
            await routing.alerts.markChannelDelivered(read, { name: 'soc', id: 'sink-soc' }, NOW),
            'recorded',
          );
        }
        const logger = recordingLogger();
        const first = soc();
        const slow = mail(() => replaceSoc(other));
        await passBoth(routing, clock, [first, slow], logger);
        assert.deepEqual(
          slow.got.map((a) => a.id),
          [alertId],
        );
        assert.equal(first.got.length, tookBefore ? 0 : 1, 'the removed sink took it (or had)');
        assert.deepEqual(await dueIds(routing, clock), [alertId], 'still due: the sink there is now has not taken it');
        assert.deepEqual(
          (await routing.alerts.channelDeliveries([alertId])).map((d) => d.channel),
          ['mail'],
        );
        assert.equal(events(logger.entries, DETECTION_EVENTS.alertChannelGone).length, 1);

        const fresh = { ...soc(), sinkId: 'sink-soc-again' };
        const mailAgain = mail();
        assert.deepEqual(await passBoth(routing, clock, [fresh, mailAgain]), { ...NONE, delivered: 1 });
        assert.deepEqual(
          fresh.got.map((a) => a.id),
          [alertId],
          'the sink added again gets it',
        );
        assert.deepEqual(mailAgain.got, [], 'mail, which took it, is not sent it again');
        assert.deepEqual(await dueIds(routing, clock), []);
      });

    test('an alert snoozed while the pass sends the alerts ahead of it is not sent until the snooze ends', async () => {
      const { routing, other, clock, alertId } = await setUp();
      await raiseHits({ store: other, clock, logger: recordingLogger() }, [
        hit({ severity: 'high', groupKey: 'second' }),
      ]);
      const [, secondId] = await dueIds(routing, clock);
      const until = clock.now() + 3_600_000;
      const first = soc(async () => {
        await other.alerts.snooze(secondId!, until, 'ann', clock.now(), 'change window');
      });
      assert.deepEqual(await pass(routing, clock, first), { ...NONE, delivered: 1 });
      assert.deepEqual(
        first.got.map((a) => a.id),
        [alertId],
        'the snoozed alert is not sent',
      );
      clock.set(until);
      const later = soc();
      assert.deepEqual(await pass(routing, clock, later), { ...NONE, delivered: 1 });
      assert.deepEqual(
        later.got.map((a) => a.id),
        [secondId],
        'sent once its snooze ended',
      );
    });
  });
