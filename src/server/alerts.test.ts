import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import type { StoredRecord } from '../core/record.js';
import { raiseHits } from '../detections/alerts/raise.js';
import { fakeEvaluator } from '../detections/testing/hits.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';
import { accountsOf, addUser, TEST_ACTOR } from './auth/testing.js';
import { buildServer } from './index.js';
import { CONTOSO, FABRIKAM, NOW, seedStore } from './testing/fixtures.js';

let store: Store;
let app: FastifyInstance;
const clock = new ManualClock(NOW);

before(async () => {
  store = await openStore('sqlite::memory:');
  await seedStore(store);
  const records: StoredRecord[] = [];
  for await (const r of store.records.search({ range: { start: 0, end: NOW } })) records.push(r);
  const hits = fakeEvaluator(['New-InboxRule']).push(records.reverse());
  await raiseHits({ store, clock, logger: silentLogger }, [
    ...hits,
    ...hits.map((h) => ({ ...h, ruleId: 'r2', severity: 'high' as const })),
  ]);
  app = await buildServer({
    store,
    clock,
    logger: silentLogger,
    rules: (id) =>
      id === 'r1'
        ? {
            id,
            title: 'Inbox rule',
            description: 'd',
            severity: 'medium',
            tags: [],
            references: [],
            runbook: 'Check the rule.',
            file: 'x.yml',
            kind: 'record',
          }
        : null,
  });
});
after(async () => {
  await app.close();
  await store.close();
});

type Listing = Record<string, unknown> & {
  alerts: {
    id: string;
    tenant: string;
    ruleId: string;
    severity: string;
    status: string;
    recordIds: string[];
    tenantName: string;
  }[];
};

const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url });
  return {
    status: res.statusCode,
    body: res.json<Listing>(),
  };
};

describe('alert routes', () => {
  test('the list filters by tenant (name or id), rule, severity and status', async () => {
    const all = await get('/api/alerts');
    assert.equal(all.status, 200);
    assert.ok(all.body.alerts.length >= 4);
    const contoso = await get('/api/alerts?tenant=contoso');
    assert.ok(contoso.body.alerts.length > 0);
    assert.ok(contoso.body.alerts.every((a) => a.tenant === CONTOSO && a.tenantName === 'contoso'));
    const high = await get(`/api/alerts?tenant=${FABRIKAM}&severity=high&rule=r2`);
    assert.ok(high.body.alerts.every((a) => a.tenant === FABRIKAM && a.severity === 'high' && a.ruleId === 'r2'));
    // A mistyped tenant is said, as search and `alerts list --tenant` say it: "0 alerts" would read as "all quiet".
    for (const url of [
      '/api/alerts?tenant=contosso',
      '/api/rule-history?tenant=contosso',
      '/api/alert-exclusions?tenant=contosso',
    ]) {
      const typo = await get(url);
      assert.equal(typo.status, 404, url);
      assert.equal((typo.body as unknown as { error: { code: string } }).error.code, 'UNKNOWN_TENANT', url);
    }
    // A list cut at its limit says so: the page said "500 alerts" of a list that stopped there.
    const cut = await get('/api/alerts?limit=1');
    assert.deepEqual([cut.body.count, cut.body.more, cut.body.alerts.length], [1, true, 1]);
    assert.equal(all.body.more, false);
    assert.equal((await get('/api/alerts?status=open')).status, 400);
    assert.equal((await get('/api/alerts?severity=huge')).status, 400);
  });

  test('one alert with its records and runbook; an alert of a tenant not asked about is not found', async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r1')).body.alerts;
    assert.ok(a);
    const detail = await get(`/api/alerts/${a.id}?tenant=contoso`);
    assert.equal(detail.status, 200);
    const body = detail.body as unknown as {
      records: { id: string; operation: string; userId: string }[];
      rule: { runbook: string };
      exclusionValues: Record<string, string>;
    };
    assert.deepEqual(
      body.records.map((r) => r.id),
      a.recordIds.slice(0, 50),
    );
    assert.ok(body.records.every((r) => r.operation === 'New-InboxRule'));
    assert.equal(body.rule.runbook, 'Check the rule.');
    // The Exclude field's example comes from here: the console does not restate how exclusions read the facts.
    assert.deepEqual(body.exclusionValues, { user: body.records[0]?.userId });
    assert.equal((await get(`/api/alerts/${a.id}?tenant=fabrikam`)).status, 404);
    assert.equal((await get('/api/alerts/al_nope')).status, 404);
  });

  test('opening an alert reads the records behind it: recorded in the console audit trail, as a record view is', async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r1')).body.alerts;
    assert.ok(a);
    const before = (await store.consoleAudit.list({ limit: 1_000 })).at(-1)?.seq ?? 0;
    assert.equal((await get(`/api/alerts/${a.id}`)).status, 200);
    assert.equal((await get('/api/alerts?tenant=contoso')).status, 200);
    const entries = (await store.consoleAudit.list({ limit: 1_000 })).filter((e) => e.seq > before);
    assert.deepEqual(
      entries.map((e) => `${e.actor} ${e.action} ${e.outcome} ${e.target}`),
      [`local alert.view ok ${a.id}`],
    );
  });

  test('actions: status, snooze and exclude, with clear errors for bad input', async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r2')).body.alerts;
    assert.ok(a);
    const post = (path: string, payload: unknown, tenant = 'contoso') =>
      app.inject({ method: 'POST', url: `/api/alerts/${a.id}/${path}?tenant=${tenant}`, payload: payload as object });
    assert.equal(
      (await post('status', { status: 'acknowledged' }, 'fabrikam')).statusCode,
      404,
      'scoped to the tenants asked about',
    );
    const ack = await post('status', { status: 'acknowledged', by: 'ann' });
    assert.deepEqual([ack.statusCode, ack.json().status, ack.json().statusBy], [200, 'acknowledged', 'ann']);
    assert.equal((await post('status', { status: 'new' })).statusCode, 400);
    assert.equal((await post('status', { status: 'whatever' })).statusCode, 400);
    const snooze = await post('snooze', { until: '4h', reason: 'maintenance' });
    assert.equal(snooze.json().snoozedUntil, new Date(NOW + 4 * 3_600_000).toISOString());
    assert.equal((await post('snooze', { until: 'later' })).statusCode, 400);
    assert.equal((await post('exclude', { kind: 'address', value: 'nope', reason: 'x' })).statusCode, 400);
    // The console's Exclude with an empty value was told "a value of at most 512 characters".
    const blank = await post('exclude', { kind: 'user', value: ' ', reason: 'x' });
    assert.deepEqual([blank.statusCode, blank.json().error.message], [400, 'An exclusion needs a value']);
    // A field that is not text is named: a number as the snooze's until was told '"" is not a span', and an object
    // as the note was dropped without a word (the status changed with no note).
    for (const [path, payload, field] of [
      ['snooze', { until: 4 }, 'until'],
      ['status', { status: 'resolved', note: { text: 'why' } }, 'note'],
      ['status', { status: ['resolved'] }, 'status'],
      ['exclude', { kind: 'user', value: 7, reason: 'x' }, 'value'],
    ] as const) {
      const refused = await post(path, payload);
      assert.deepEqual(
        [refused.statusCode, refused.json().error.message],
        [400, `The field ${field} must be text`],
        `${path} ${JSON.stringify(payload)}`,
      );
    }
    // A note (or reason, or exclusion value) longer than is kept was cut without a word: the stored note ended
    // mid-sentence, and an exclusion matched a shorter value than the one given.
    for (const [path, payload, field, max] of [
      ['status', { status: 'resolved', note: 'n'.repeat(1_001) }, 'note', '1,000'],
      ['snooze', { until: '4h', reason: 'r'.repeat(1_001) }, 'reason', '1,000'],
      ['exclude', { kind: 'object', value: 'v'.repeat(601), reason: 'x' }, 'value', '600'],
    ] as const) {
      const refused = await post(path, payload);
      assert.deepEqual(
        [refused.statusCode, refused.json().error.message],
        [400, `The field ${field} is longer than ${max} characters`],
        `${path} ${field}`,
      );
    }
    for (const json of ['[]', '"resolved"']) {
      const url = `/api/alerts/${a.id}/status`;
      const headers = { 'content-type': 'application/json' };
      const refused: LightMyRequestResponse = await app.inject({ method: 'POST', url, headers, payload: json });
      assert.deepEqual(
        [refused.statusCode, refused.json().error.message],
        [400, 'The request body must be a JSON object'],
      );
    }
    const ex = await post('exclude', { kind: 'user', value: 'adele@contoso.onmicrosoft.com', reason: 'VIP travel' });
    assert.equal(ex.statusCode, 200);
    const list = await app.inject({ method: 'GET', url: '/api/alert-exclusions?tenant=fabrikam' });
    assert.deepEqual(list.json().exclusions, [], 'an exclusion of contoso is not shown for fabrikam');
  });

  test('a triage whose body carries a deeply nested extra field is still recorded', async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r2')).body.alerts;
    assert.ok(a);
    const before = (await store.consoleAudit.list({ limit: 1_000 })).at(-1)?.seq ?? 0;
    // The route reads only its own fields: the extra one overflowed the stack of the trail's writer, and the
    // status changed with no entry.
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const res = await app.inject({
      method: 'POST',
      url: `/api/alerts/${a.id}/status`,
      headers: { 'content-type': 'application/json' },
      payload: `{"status":"resolved","note":"done","extra":${deep}}`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const entries = (await store.consoleAudit.list({ limit: 1_000 })).filter((e) => e.seq > before);
    assert.deepEqual(
      entries.map((e) => `${e.action} ${e.outcome} ${e.target}`),
      [`alert.status ok ${a.id}`],
    );
    assert.deepEqual(entries[0]!.details.body, { status: 'resolved', note: 'done', extra: [['…']] });
  });

  test("an entry's target is what the route acts on, never a name the body adds", async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r2')).body.alerts;
    assert.ok(a);
    const before = (await store.consoleAudit.list({ limit: 1_000 })).at(-1)?.seq ?? 0;
    // The route reads no name: the body's was added to the target ("al_…/root"), as if the snooze were of root.
    const res = await app.inject({
      method: 'POST',
      url: `/api/alerts/${a.id}/snooze`,
      payload: { until: '1h', name: 'root' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const entries = (await store.consoleAudit.list({ limit: 1_000 })).filter((e) => e.seq > before);
    assert.deepEqual(
      entries.map((e) => `${e.action} ${e.target}`),
      [`alert.snooze ${a.id}`],
    );
  });

  // Last: the accounts it adds turn sign-in on for the rest of this server.
  test('a viewer reads the alert without the records behind it: it may neither search nor export them', async () => {
    const [a] = (await get('/api/alerts?tenant=contoso&rule=r1')).body.alerts;
    assert.ok(a);
    const accounts = accountsOf(store, clock);
    await addUser(store, clock, { name: 'alice', role: 'admin' });
    const viewer = await accounts.addToken(TEST_ACTOR, { name: 'ro', user: 'alice', role: 'viewer' });
    const investigator = await accounts.addToken(TEST_ACTOR, { name: 'inv', user: 'alice', role: 'investigator' });
    const detail = async (token: string) =>
      (
        await app.inject({ url: `/api/alerts/${a.id}?tenant=contoso`, headers: { authorization: `Bearer ${token}` } })
      ).json<{ records: unknown[]; missing: unknown[]; recordsWithheld: boolean; alert: { id: string } }>();
    const seen = await detail(viewer.token);
    assert.equal(seen.alert.id, a.id, 'the alert itself is shown');
    assert.deepEqual([seen.records, seen.missing, seen.recordsWithheld], [[], [], true]);
    const full = await detail(investigator.token);
    assert.equal(full.recordsWithheld, false);
    assert.equal(full.records.length, Math.min(a.recordIds.length, 50));
  });
});
