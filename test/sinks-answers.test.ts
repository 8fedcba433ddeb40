/**
 * Only a receiver's own success answer counts as delivered: a 200 from something else in the way (a proxy's
 * or captive portal's page, a body that is not the protocol's) is a failure that says briefly what came back,
 * and a failed answer that is not the protocol's JSON shows an excerpt of its body. The real drivers talk to
 * the receivers of emulator/siem; the one answer under test is replaced on the wire by `answering`.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import type { SinkRow } from '../src/core/sink.js';
import { NO_FAULTS } from '../emulator/siem/faults.js';
import type { DriverContext, SinkDriver } from '../src/sinks/driver.js';
import { elasticDriver } from '../src/sinks/elastic/sender.js';
import type { SinkFailure } from '../src/sinks/failure.js';
import { runSink } from '../src/sinks/forwarder.js';
import { testSink } from '../src/sinks/health.js';
import type { HttpResponse, HttpSender } from '../src/sinks/http.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { sentinelDriver } from '../src/sinks/sentinel/sender.js';
import { splunkHecDriver } from '../src/sinks/splunk-hec/sender.js';
import { MemoryForwardStore } from '../src/sinks/testing/memory-store.js';
import { records, sinkRow, T0 } from '../src/sinks/testing/records.js';
import { driverContext, useReceivers } from './support/siem.js';

const rx = useReceivers();

/** The receivers as they are, except that a request whose path ends with `path` gets `answer` instead. */
function answering(ctx: DriverContext, path: string, answer: HttpResponse): DriverContext {
  return {
    ...ctx,
    http: (o): HttpSender => {
      const real = ctx.http(o);
      return {
        send: async (req) => (new URL(req.url).pathname.endsWith(path) ? answer : real.send(req)),
        close: () => real.close(),
      };
    },
  };
}

const page = (status: number, text: string): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/html' },
  body: Buffer.from(text, 'latin1'),
});

const HTML = '\x00<html>not json\n\n<body>Sign in to the guest network</body></html>';

async function forwardOnce(store: MemoryForwardStore, row: SinkRow, driver: SinkDriver) {
  try {
    return await runSink(
      {
        store,
        clock: new ManualClock(T0, true),
        logger: silentLogger,
        policy: backoffPolicy({ maxAttempts: 3, maxAttemptsPermanent: 1, baseMs: 1, capMs: 5 }),
        owner: 'h:1:aaaaaaaa',
        signal: new AbortController().signal,
        once: true,
      },
      row,
      driver,
    );
  } finally {
    await driver.close();
  }
}

describe('Splunk HEC answers', () => {
  const row = (): SinkRow => sinkRow({ name: 'hec', kind: 'splunk', url: rx.current.url, options: { batch: 50 } });
  beforeEach(() => rx.current.setFaults(NO_FAULTS));

  test('a 200 that is not JSON is not delivered: forward keeps its cursor and says what came back', async () => {
    const store = new MemoryForwardStore();
    store.add(records(5));
    const ctx = answering(driverContext(row(), rx.current, 'hec-token'), '/services/collector/event', page(200, HTML));
    const result = await forwardOnce(store, row(), splunkHecDriver(ctx));
    assert.equal(result.state, 'failed');
    assert.match(
      (result as { reason: string }).reason,
      /the answer is not the receiver's protocol: 200 not an HEC answer: <html>not json <body>Sign in/,
    );
    assert.equal(await store.cursors.get('sink:hec'), null, 'the cursor did not move');
  });

  test('sink test fails on a 200 that is JSON but not HEC success, and on a page', async () => {
    for (const body of ['{"status":"ok"}', HTML, '']) {
      const ctx = answering(
        driverContext(row(), rx.current, 'hec-token'),
        '/services/collector/event',
        page(200, body),
      );
      const driver = splunkHecDriver(ctx);
      const outcome = await testSink(driver, new AbortController().signal);
      await driver.close();
      assert.equal(outcome.ok, false, body);
      assert.match(outcome.ok ? '' : outcome.detail, /^200 not an HEC answer: /);
      assert.doesNotMatch(outcome.ok ? '' : outcome.detail, /\x00/);
    }
  });

  test('a 500 with a plain-text body shows the body, not "no text (code ?)"', async () => {
    const ctx = answering(
      driverContext(row(), rx.current, 'hec-token'),
      '/services/collector/event',
      page(500, 'internal boom'),
    );
    const driver = splunkHecDriver(ctx);
    await assert.rejects(
      driver.test(new AbortController().signal),
      (e: SinkFailure) => e.stage === 'server' && e.message === '500 not an HEC answer: internal boom',
    );
    await driver.close();
  });

  test('the real HEC success still counts', async () => {
    const driver = splunkHecDriver(driverContext(row(), rx.current, 'hec-token'));
    const outcome = await testSink(driver, new AbortController().signal);
    await driver.close();
    assert.equal(outcome.ok, true);
  });
});

describe('Elastic bulk and Logs Ingestion answers', () => {
  beforeEach(() => rx.current.setFaults(NO_FAULTS));

  test('Elastic: a 200 that is not a bulk answer is not delivered, and a failed answer shows its body', async () => {
    const row = sinkRow({ name: 'es', kind: 'elastic', url: rx.current.url, options: { namespace: 'prod' } });
    const store = new MemoryForwardStore();
    store.add(records(3));
    const lying = answering(driverContext(row, rx.current, 'elastic-key'), '/_bulk', page(200, HTML));
    const result = await forwardOnce(store, row, elasticDriver(lying));
    assert.equal(result.state, 'failed');
    assert.match((result as { reason: string }).reason, /200 not a bulk answer: <html>not json/);
    assert.equal(await store.cursors.get('sink:es'), null);

    const failing = answering(
      driverContext(row, rx.current, 'elastic-key'),
      '/_bulk',
      page(502, '<h1>Bad\tgateway</h1>'),
    );
    const driver = elasticDriver(failing);
    await assert.rejects(
      driver.test(new AbortController().signal),
      (e: SinkFailure) => e.stage === 'server' && e.message === '502 <h1>Bad gateway</h1>',
    );
    await driver.close();
  });

  test('Logs Ingestion: a sign-in service that cannot be reached is a connection failure, retried, not a refused token', async () => {
    const logs = rx.current.logs;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const login = `https://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const row = sinkRow({
      name: 'sentinel',
      kind: 'sentinel',
      url: rx.current.url,
      options: {
        dcr: logs.dcrImmutableId,
        stream: logs.stream,
        tenantId: logs.tenantId,
        clientId: logs.clientId,
        login,
      },
    });
    const driver = sentinelDriver(driverContext(row, rx.current, logs.clientSecret));
    await assert.rejects(
      driver.test(new AbortController().signal),
      (e: SinkFailure) =>
        e.stage === 'connect' &&
        e.retryable &&
        e.message ===
          `the sign-in service ${login} could not be reached: Nothing accepts connections at ${login.slice(8)}`,
    );
    const outcome = await testSink(driver, new AbortController().signal);
    assert.equal(outcome.ok ? '' : outcome.stage, 'connection refused or cut');
    await driver.close();
  });

  /** A Sentinel sink on the Logs Ingestion receiver, signing in at the receiver's own sign-in service. */
  const sentinelRow = (): SinkRow => {
    const logs = rx.current.logs;
    return sinkRow({
      name: 'sentinel',
      kind: 'sentinel',
      url: rx.current.url,
      options: {
        dcr: logs.dcrImmutableId,
        stream: logs.stream,
        tenantId: logs.tenantId,
        clientId: logs.clientId,
        login: rx.current.url,
      },
    });
  };

  test('Logs Ingestion: only 204 is stored; a 200 page is a failure', async () => {
    const logs = rx.current.logs;
    const row = sentinelRow();
    const ctx = answering(
      driverContext(row, rx.current, logs.clientSecret),
      `/streams/${logs.stream}`,
      page(200, HTML),
    );
    const driver = sentinelDriver(ctx);
    const outcome = await testSink(driver, new AbortController().signal);
    await driver.close();
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.detail, /^200 not the Logs Ingestion answer \(204\): <html>not json/);
    const real = sentinelDriver(driverContext(row, rx.current, logs.clientSecret));
    assert.equal((await testSink(real, new AbortController().signal)).ok, true);
    await real.close();
  });

  test("Logs Ingestion: a sign-in service whose metadata names another host's token endpoint gets no secret sent there", async () => {
    const logs = rx.current.logs;
    const row = sentinelRow();
    const ctx = driverContext(row, rx.current, logs.clientSecret);
    const elsewhere: string[] = [];
    const hostile: DriverContext = {
      ...ctx,
      http: (o): HttpSender => {
        const real = ctx.http(o);
        return {
          send: async (req) => {
            // Anything sent to another origin is written down (and answered as a token service would).
            if (new URL(req.url).origin !== new URL(rx.current.url).origin) {
              elsewhere.push(`${req.url} ${String(req.body)}`);
              const token = { token_type: 'Bearer', expires_in: 3600, access_token: 'x' };
              return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(token)) };
            }
            const res = await real.send(req);
            if (!new URL(req.url).pathname.endsWith('/openid-configuration')) return res;
            const metadata = JSON.parse(res.body.toString('utf8')) as { token_endpoint: string };
            metadata.token_endpoint = `https://elsewhere.example/${logs.tenantId}/oauth2/v2.0/token`;
            return { ...res, body: Buffer.from(JSON.stringify(metadata)) };
          },
          close: () => real.close(),
        };
      },
    };
    const driver = sentinelDriver(hostile);
    await assert.rejects(
      driver.test(new AbortController().signal),
      (e: SinkFailure) =>
        e.stage === 'config' &&
        !e.retryable &&
        e.message.startsWith('refused to send the client secret to https://elsewhere.example') &&
        !e.message.includes(logs.clientSecret),
    );
    await driver.close();
    assert.deepEqual(elsewhere, []);
  });
});

/**
 * A receiver that says the URL is wrong (404 for a path, rule or stream it does not have; a redirect, never
 * followed) speaks of the sink, not of any record: forwarding stops with the cursor where it was and no
 * record becomes a dead letter. Before, such answers read as "payload rejected", the batch was bisected
 * and every record dead-lettered, and the cursor moved past them all.
 */
describe('Answers about the endpoint, not the records', () => {
  beforeEach(() => rx.current.setFaults(NO_FAULTS));

  async function assertStopped(store: MemoryForwardStore, row: SinkRow, driver: SinkDriver, reason: RegExp) {
    const result = await forwardOnce(store, row, driver);
    assert.equal(result.state, 'failed');
    assert.match((result as { reason: string }).reason, reason);
    assert.match((result as { reason: string }).reason, /^sink configuration: /);
    assert.deepEqual(store.dead, [], 'no record is a dead letter');
    assert.equal(await store.cursors.get(`sink:${row.name}`), null, 'the cursor did not move');
  }

  test('Logs Ingestion: a rule id the endpoint does not have stops forwarding', async () => {
    const logs = rx.current.logs;
    const row = sinkRow({
      name: 'sentinel',
      kind: 'sentinel',
      url: rx.current.url,
      options: {
        dcr: 'dcr-typo',
        stream: logs.stream,
        tenantId: logs.tenantId,
        clientId: logs.clientId,
        login: rx.current.url,
      },
    });
    const store = new MemoryForwardStore();
    store.add(records(5));
    await assertStopped(
      store,
      row,
      sentinelDriver(driverContext(row, rx.current, logs.clientSecret)),
      /404 .*DataCollectionRuleNotFound.*: the receiver has no such endpoint; check the sink's URL and its options/,
    );
  });

  test('HEC and Elastic under a path the receiver does not serve stop forwarding', async () => {
    const hec = sinkRow({ name: 'hec', kind: 'splunk', url: `${rx.current.url}/splunk` });
    const es = sinkRow({ name: 'es', kind: 'elastic', url: `${rx.current.url}/es`, options: { namespace: 'prod' } });
    for (const [row, driver] of [
      [hec, splunkHecDriver(driverContext(hec, rx.current, 'hec-token'))],
      [es, elasticDriver(driverContext(es, rx.current, 'elastic-key'))],
    ] as const) {
      const store = new MemoryForwardStore();
      store.add(records(5));
      await assertStopped(store, row, driver, /^sink configuration: 404 .*is not served here.*no such endpoint/);
    }
  });

  test('a redirect to another host is not followed, names only that host, and dead-letters nothing', async () => {
    const row = sinkRow({ name: 'es', kind: 'elastic', url: rx.current.url, options: { namespace: 'prod' } });
    const store = new MemoryForwardStore();
    store.add(records(5));
    const moved: HttpResponse = {
      status: 301,
      headers: { location: 'https://elsewhere.example:9200/_bulk?key=s3cr3t-in-path' },
      body: Buffer.from(''),
    };
    const ctx = answering(driverContext(row, rx.current, 'elastic-key'), '/_bulk', moved);
    await assertStopped(
      store,
      row,
      elasticDriver(ctx),
      /301 empty body: the receiver redirects to https:\/\/elsewhere\.example:9200, and a sink does not follow redirects/,
    );
    const reason = (await forwardOnce(store, row, elasticDriver(ctx))) as { reason: string };
    assert.doesNotMatch(reason.reason, /s3cr3t/);
  });
});
