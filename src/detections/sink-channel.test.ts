import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { exchangeAdmin } from '../reports/testing/builders.js';
import { nodeHttpSender } from '../sinks/http.js';
import { backoffPolicy } from '../sinks/retry.js';
import { sinkRow } from '../sinks/testing/records.js';
import { webhookDriver } from '../sinks/webhook/sender.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { parseAlertingConfig } from './alerting-config.js';
import { openLiveDetections } from './live-session.js';
import { loadRuleSet } from './loader.js';
import { deliverDue, type AlertChannel } from './routing.js';
import { sinkChannel } from './sink-channel.js';

/**
 * Routing end to end: a record stored, the live runner raising the pack's alert, the route sending it
 * through a real webhook sink (signed, Standard Webhooks) to a receiver on 127.0.0.1. A receiver that is
 * down keeps the alert due and the next pass delivers it (at least once); one that refuses it for good
 * leaves a dead letter and is not asked again.
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const UAL_OFF = '5d0d1a3e-6f0b-4c55-9a8e-1b7c2e4f6a08';
let answer = 204;
const got: { headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    if (answer < 300) got.push({ headers: req.headers, body });
    res.writeHead(answer, { 'content-type': 'application/json' }).end(answer < 300 ? '' : '{"error":"no"}');
  });
});
let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => server.close());

describe('alerts routed to a sink', () => {
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    // The sinks behind the channels: the store records a delivery only to a sink it has.
    await store.sinks.upsert(sinkRow({ name: 'soc-hook', kind: 'webhook', url, takes: 'alerts' }));
    await store.sinks.upsert(sinkRow({ name: 'soc-mail', kind: 'email', url: 'smtp://127.0.0.1:1', takes: 'alerts' }));
    // Now, not a fixed date: the receiver checks the signature's timestamp against its own clock.
    clock = new ManualClock(Date.now(), true);
    got.length = 0;
    answer = 204;
  });
  afterEach(async () => store.close());

  function live(routes: string, extra: AlertChannel[] = []) {
    const alerting = parseAlertingConfig(routes, 'alerting.yaml');
    const row = sinkRow({ name: 'soc-hook', kind: 'webhook', url, takes: 'alerts' });
    const driver = webhookDriver({
      row,
      secret: SECRET,
      caPem: null,
      clock,
      logger: silentLogger,
      http: nodeHttpSender,
    });
    const channel = sinkChannel({
      sink: row,
      driver,
      policy: backoffPolicy({ maxAttempts: 2, maxAttemptsPermanent: 1, random: () => 0.5 }),
      clock,
      logger: silentLogger,
      deadLetters: (letters) => store.sinks.addDeadLetters(row, letters),
      describe: () => 'Switch it back on.',
      consoleUrl: 'https://tw.example',
    });
    const channels = new Map<string, AlertChannel>([['soc-hook', channel], ...extra.map((c) => [c.name, c] as const)]);
    const routing = { config: alerting.routing, channels };
    return { session: openLiveDetections(store, loadRuleSet(), { clock, logger: silentLogger, routing }), driver };
  }

  test('a live alert goes to the routed sink once; a receiver that was down gets it on the next pass', async () => {
    const { session, driver } = live('routes: [{ channel: soc-hook, minSeverity: high }]');
    await store.records.insert([
      exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
      exchangeAdmin('Set-Mailbox', { Identity: 'adele', AuditLogAgeLimit: '30.00:00:00' }),
    ]);
    answer = 503;
    const first = await session.pass();
    assert.equal(first.alerts.raised, 2);
    assert.deepEqual(
      first.delivery,
      { delivered: 0, unrouted: 1, failed: 1, claimedElsewhere: 0 },
      'the medium one has no route',
    );
    assert.equal(got.length, 0);
    answer = 204;
    const second = await session.pass();
    assert.deepEqual([second.records, second.delivery?.delivered], [0, 1], 'no new record; the due alert is sent');
    assert.equal(got.length, 1);
    const body = new Webhook(SECRET).verify(got[0]!.body, got[0]!.headers as Record<string, string>) as {
      data: { alert: { ruleId: string; severity: string; description: string; link: string; recordIds: string[] } }[];
    };
    const sent = body.data[0]!.alert;
    assert.equal(sent.ruleId, UAL_OFF);
    assert.equal(sent.severity, 'critical');
    assert.equal(sent.description, 'Switch it back on.');
    assert.match(sent.link, /^https:\/\/tw\.example\/#\/alerts\?id=al_/);
    assert.equal(sent.recordIds.length, 1);
    assert.equal((await session.pass()).delivery?.delivered, 0, 'delivered once');
    assert.equal(got.length, 1);
    await driver.close();
  });

  test('a second channel that is down does not make the healthy sink receive the alert again on every pass', async () => {
    let up = false;
    const mail: AlertChannel = {
      name: 'soc-mail',
      sinkId: 'sink-soc-mail',
      longestAttemptMs: 60_000,
      longestWaitMs: 0,
      send: async () => {
        if (!up) throw new Error('the mail server is down');
      },
    };
    const { session, driver } = live('routes: [{ channel: soc-hook }, { channel: soc-mail }]', [mail]);
    await store.records.insert([
      exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
    ]);
    for (let pass = 0; pass < 3; pass++)
      assert.deepEqual(
        (await session.pass()).delivery,
        { delivered: 0, unrouted: 0, failed: 1, claimedElsewhere: 0 },
        'still due',
      );
    assert.equal(got.length, 1, 'the webhook got the alert once, not once per pass');
    up = true;
    assert.deepEqual((await session.pass()).delivery, { delivered: 1, unrouted: 0, failed: 0, claimedElsewhere: 0 });
    assert.equal(got.length, 1);
    await driver.close();
  });

  test('a receiver that refuses the alert for good leaves a dead letter and is not asked again', async () => {
    const { session, driver } = live('routes: [{ channel: soc-hook }]');
    await store.records.insert([
      exchangeAdmin('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
    ]);
    answer = 400;
    const first = await session.pass();
    assert.equal(first.delivery?.delivered, 1, 'handled: refused for good');
    const dead = await store.sinks.deadLetters('soc-hook');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.kind, 'alert');
    answer = 204;
    assert.equal(
      (
        await deliverDue({
          store,
          clock,
          logger: silentLogger,
          routing: { routes: [], tenantGroups: {} },
          channels: new Map(),
        })
      ).delivered,
      0,
    );
    assert.equal(got.length, 0);
    await driver.close();
  });
});
