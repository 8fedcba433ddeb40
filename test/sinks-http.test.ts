/**
 * The Splunk HEC and Elastic bulk drivers against the faithful receivers of emulator/siem, through the
 * forwarder: every record arrives, faults are survived, a refused record is one dead letter, Elastic
 * never doubles, and the health check names what failed.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import type { SinkRow } from '../src/core/sink.js';
import { NO_FAULTS } from '../emulator/siem/faults.js';
import { elasticDriver } from '../src/sinks/elastic/sender.js';
import { documentId } from '../src/sinks/elastic/encoder.js';
import type { SinkFailure } from '../src/sinks/failure.js';
import { runSink } from '../src/sinks/forwarder.js';
import { backoffPolicy } from '../src/sinks/retry.js';
import { splunkHecDriver } from '../src/sinks/splunk-hec/sender.js';
import { sentinelDriver } from '../src/sinks/sentinel/sender.js';
import { MemoryForwardStore } from '../src/sinks/testing/memory-store.js';
import { records, sinkRow, T0 } from '../src/sinks/testing/records.js';
import { driverContext, useReceivers } from './support/siem.js';

const rx = useReceivers();

interface Doc {
  '@timestamp': string;
  event: { id: string; code: string; category: string[] };
  user: { email: string };
  o365: { audit: Record<string, unknown> };
}

function hecRow(over: Partial<SinkRow> = {}): SinkRow {
  return sinkRow({ name: 'hec', kind: 'splunk', url: rx.current.url, options: { index: 'o365', batch: 50 }, ...over });
}
function elasticRow(over: Partial<SinkRow> = {}): SinkRow {
  return sinkRow({
    name: 'es',
    kind: 'elastic',
    url: rx.current.url,
    options: { namespace: 'prod', batch: 50 },
    ...over,
  });
}

async function forward(store: MemoryForwardStore, row: SinkRow, secret: string) {
  const ctx = driverContext(row, rx.current, secret);
  const driver = row.kind === 'splunk' ? splunkHecDriver(ctx) : elasticDriver(ctx);
  // Stored, as the sinks forwarded to are: the store keeps the cursor, statistics and dead letters only of a stored sink.
  await store.sinks.upsert(row);
  try {
    return await runSink(
      {
        store,
        clock: new ManualClock(T0, true),
        logger: silentLogger,
        policy: backoffPolicy({ maxAttempts: 200, maxAttemptsPermanent: 200, baseMs: 1, capMs: 5 }),
        owner: 'h:1:aaaaaaaa',
        signal: new AbortController().signal,
        once: true,
        readLimit: 120,
      },
      row,
      driver,
    );
  } finally {
    await driver.close();
  }
}

describe('Splunk HEC', () => {
  beforeEach(() => {
    rx.current.setFaults(NO_FAULTS);
    rx.current.hec.events.length = 0;
    rx.current.hec.ack = false;
  });

  test('every record arrives as an o365:management:activity event timed by CreationTime, gzip and ack on', async () => {
    rx.current.hec.ack = true;
    const store = new MemoryForwardStore();
    store.add(records(300));
    const result = await forward(
      store,
      hecRow({ options: { index: 'o365', batch: 50, ack: true, ackPollMs: 10 } }),
      'hec-token',
    );
    assert.equal(result.state, 'caught-up');
    const events = rx.current.hec.events;
    // Two batches are in flight (HEC's inFlight default), so batches may land in either order; each whole.
    assert.deepEqual(events.map((e) => e.fields?.record_id as string).sort(), store.rows.map((r) => r.id).sort());
    const first = events.find((e) => e.fields?.record_id === store.rows[0]!.id)!;
    assert.equal(first.sourcetype, 'o365:management:activity');
    assert.equal(first.source, 'o365');
    assert.equal(first.index, 'o365');
    assert.equal(first.time, store.rows[0]!.creationTime / 1000);
    assert.deepEqual(first.event, JSON.parse(store.rows[0]!.raw));
  });

  test('under 5xx, 429 with Retry-After, resets and slow answers nothing is missing; a refused record is one dead letter', async () => {
    const store = new MemoryForwardStore();
    store.add(records(400));
    const bad = store.rows[123]!.id;
    rx.current.setFaults({
      error5xx: 0.15,
      throttle: 0.15,
      retryAfterSeconds: 0,
      reset: 0.1,
      slow: 0.1,
      slowMs: 20,
      rejectIds: [bad],
    });
    const result = await forward(store, hecRow(), 'hec-token');
    assert.deepEqual(result, { sink: 'hec', state: 'caught-up', delivered: 399, dead: 1 });
    const got = new Set(rx.current.hec.events.map((e) => e.fields?.record_id));
    for (const r of store.rows) if (r.id !== bad) assert.ok(got.has(r.id), r.id);
    assert.equal(got.has(bad), false);
    assert.equal(store.dead.length, 1);
    assert.match(store.dead[0]!.reason, /400 Invalid data format \(code 6\)/);
  });

  test('a wrong token fails as authentication, and the health check says so', async () => {
    const driver = splunkHecDriver(driverContext(hecRow(), rx.current, 'wrong'));
    await assert.rejects(
      driver.test(new AbortController().signal),
      (e: SinkFailure) => e.stage === 'auth' && /Invalid token/.test(e.message),
    );
    await driver.close();
  });

  test('an untrusted certificate fails as TLS', async () => {
    rx.current.setBadCertificate(true);
    const driver = splunkHecDriver(driverContext(hecRow(), rx.current, 'hec-token'));
    try {
      await assert.rejects(driver.test(new AbortController().signal), (e: SinkFailure) => e.stage === 'tls');
    } finally {
      rx.current.setBadCertificate(false);
      await driver.close();
    }
  });
});

describe('Elastic bulk', () => {
  beforeEach(() => {
    rx.current.setFaults(NO_FAULTS);
    rx.current.elastic.indices.clear();
    rx.current.elastic.creates.clear();
  });

  test('ECS documents in logs-o365.audit-<namespace>, _id from tenant + Id; a resend never doubles', async () => {
    const store = new MemoryForwardStore();
    store.add(records(200));
    await forward(store, elasticRow(), 'elastic-key');
    await store.cursors.remove('sink:es');
    await forward(store, elasticRow(), 'elastic-key');
    const docs = rx.current.elastic.indices.get('logs-o365.audit-prod')!;
    assert.equal(docs.size, 200);
    assert.ok([...rx.current.elastic.creates.values()].every((n) => n === 1));
    const r = store.rows[0]!;
    const doc = docs.get(documentId(r.tenant, r.id)) as Doc;
    assert.equal(doc['@timestamp'], new Date(r.creationTime).toISOString());
    assert.equal(doc.event.id, r.id);
    assert.equal(doc.event.code, 'SharePointFileOperation');
    assert.deepEqual(doc.event.category, ['file']);
    assert.equal(doc.user.email, 'Alice@Contoso.com');
    assert.equal(doc.o365.audit.SourceFileName, 'Budget.xlsx');
  });

  test('partial bulk failures are retried item by item; a mapping error is one dead letter; faults survived', async () => {
    const store = new MemoryForwardStore();
    store.add(records(400));
    const bad = store.rows[77]!.id;
    rx.current.setFaults({
      partialBulk: 0.2,
      error5xx: 0.1,
      throttle: 0.1,
      retryAfterSeconds: 0,
      reset: 0.1,
      rejectIds: [bad],
    });
    const result = await forward(store, elasticRow(), 'elastic-key');
    assert.deepEqual(result, { sink: 'es', state: 'caught-up', delivered: 399, dead: 1 });
    assert.equal(rx.current.elastic.indices.get('logs-o365.audit-prod')!.size, 399);
    assert.ok(
      [...rx.current.elastic.creates.values()].every((n) => n === 1),
      'nothing doubled',
    );
    assert.match(store.dead[0]!.reason, /400 mapper_parsing_exception/);
  });
});

describe('Sentinel (Logs Ingestion API)', () => {
  const row = (over: Partial<SinkRow> = {}): SinkRow =>
    sinkRow({
      name: 'sentinel',
      kind: 'sentinel',
      url: rx.current.url,
      options: {
        dcr: rx.current.logs.dcrImmutableId,
        stream: rx.current.logs.stream,
        tenantId: rx.current.logs.tenantId,
        clientId: rx.current.logs.clientId,
        login: rx.current.url,
        maxBytes: 20_000,
      },
      ...over,
    });
  beforeEach(() => {
    rx.current.setFaults(NO_FAULTS);
    rx.current.logs.rows.length = 0;
  });

  test('an msal token for monitor.azure.com, calls under the size limit, 429/5xx survived, every row stored', async () => {
    const store = new MemoryForwardStore();
    store.add(records(150));
    await store.sinks.upsert(row()); // stored, as the sinks forwarded to are: its cursor is kept only then
    rx.current.setFaults({ throttle: 0.2, error5xx: 0.1, retryAfterSeconds: 0 });
    const ctx = driverContext(row(), rx.current, rx.current.logs.clientSecret);
    const driver = sentinelDriver(ctx);
    const result = await runSink(
      {
        store,
        clock: new ManualClock(T0, true),
        logger: silentLogger,
        policy: backoffPolicy({ maxAttempts: 100, baseMs: 1, capMs: 5 }),
        owner: 'h:1:aaaaaaaa',
        signal: new AbortController().signal,
        once: true,
      },
      row(),
      driver,
    );
    await driver.close();
    assert.equal(result.state, 'caught-up');
    assert.deepEqual(
      rx.current.logs.rows.map((r) => r.OfficeId),
      store.rows.map((r) => r.id),
    );
    assert.ok(rx.current.logs.requests >= 5, 'the rows went in several calls of at most maxBytes');
    assert.equal(rx.current.logs.rows[0]!.RecordType, 'SharePointFileOperation');
  });

  test('a wrong client secret fails as authentication', async () => {
    const driver = sentinelDriver(driverContext(row(), rx.current, 'wrong-secret'));
    await assert.rejects(driver.test(new AbortController().signal), (e: SinkFailure) => e.stage === 'auth');
    await driver.close();
  });
});
