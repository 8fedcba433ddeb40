import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/server/index.js';
import { CONTOSO, DAY, NOW, fixtureRecords, testDeps } from '../src/server/testing/fixtures.js';

/** Search, count, timeline, detail and export through the HTTP API, in process (inject, no port). */
let app: FastifyInstance;
const all = fixtureRecords();
const range = `start=${new Date(NOW - 4 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;

before(async () => {
  app = await buildServer(await testDeps());
});
after(async () => {
  await app.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of many shapes, read field by field
type Json = any;

async function get(
  url: string,
): Promise<{ status: number; body: Json; text: string; headers: Record<string, unknown> }> {
  const res = await app.inject({ method: 'GET', url });
  let body: unknown = null;
  try {
    body = res.json();
  } catch {
    /* not JSON (csv, ndjson) */
  }
  return { status: res.statusCode, body, text: res.body, headers: res.headers };
}

function expectedIds(pred: (r: (typeof all)[number]) => boolean): string[] {
  return all
    .filter(pred)
    .sort(
      (a, b) =>
        b.creationTime - a.creationTime ||
        (a.tenant < b.tenant ? 1 : a.tenant > b.tenant ? -1 : 0) ||
        (a.id < b.id ? 1 : -1),
    )
    .map((r) => r.id);
}

describe('GET /api/search', () => {
  test('pages newest first with a cursor until every match is returned exactly once', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const res = await get(`/api/search?${range}&limit=37${cursor ? '&cursor=' + cursor : ''}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.records.length <= 37);
      seen.push(...res.body.records.map((r: { id: string }) => r.id));
      if (!res.body.next) break;
      cursor = res.body.next;
    }
    assert.deepEqual(
      seen,
      expectedIds(() => true),
    );
  });

  test('an end left out means now, as the CLI defaults --end', async () => {
    const start = `start=${new Date(NOW - 4 * DAY).toISOString()}`;
    for (const route of ['search?limit=1000&', 'search/count?', 'search/timeline?', 'export?format=ndjson&']) {
      const open = await get(`/api/${route}${start}`);
      const closed = await get(`/api/${route}${range}`);
      assert.equal(open.status, 200, `${route}: ${open.text}`);
      assert.equal(open.text, closed.text, route);
    }
    const total = await get(`/api/search/count?${start}`);
    assert.equal(total.body.count, all.length);
  });

  test('filters as Purview does: user any case, friendly activity name, workload, tenant by name', async () => {
    const res = await get(
      `/api/search?${range}&user=ADELE@contoso.onmicrosoft.com&operation=Accessed%20file&operation=new-inboxrule&tenant=contoso&limit=1000`,
    );
    assert.equal(res.status, 200, res.text);
    const want = expectedIds(
      (r) =>
        r.userKey === 'adele@contoso.onmicrosoft.com' &&
        ['FileAccessed', 'New-InboxRule'].includes(r.operation) &&
        r.tenant === CONTOSO,
    );
    assert.ok(want.length > 0);
    assert.deepEqual(
      res.body.records.map((r: { id: string }) => r.id),
      want,
    );
    assert.equal(res.body.next, null);
    assert.equal(res.body.records[0].auditData, undefined, 'result rows leave the parsed record to the detail route');
  });

  test('count is exact and matches the rows', async () => {
    const res = await get(`/api/search/count?${range}&workload=SharePoint`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.count, all.filter((r) => r.workload === 'SharePoint').length);
    // SharePoint without OneDrive says that OneDrive is separate (the user-activity report includes it).
    assert.equal(res.body.notices.length, 1);
    assert.match(res.body.notices[0].message, /^OneDrive activity is recorded under its own workload/);
  });

  test('count says when a filter names an operation or workload no record has, with what was meant', async () => {
    const res = await get(`/api/search/count?${range}&operation=FileAccesed&workload=Sharepont`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.count, 0);
    assert.deepEqual(
      res.body.notices.map((n: { filter: string; suggestions: string[] }) => [n.filter, n.suggestions[0]]),
      [
        ['operation', 'FileAccessed'],
        ['workload', 'SharePoint'],
      ],
    );
  });

  test('timeline buckets by hour for short ranges and adds up to the count', async () => {
    const res = await get(`/api/search/timeline?${range}&bucket=day`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.bucket, 'day');
    assert.equal(
      res.body.rows.reduce((n: number, r: { count: number }) => n + r.count, 0),
      all.length,
    );
    const hourly = await get(
      `/api/search/timeline?start=${new Date(NOW - DAY).toISOString()}&end=${new Date(NOW).toISOString()}`,
    );
    assert.equal(hourly.body.bucket, 'hour');
  });

  test('counts by a dimension', async () => {
    const res = await get(`/api/search/counts?${range}&by=operation`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.rows.length, 5);
  });
});

describe('GET /api/records/:tenant/:id', () => {
  test('returns the full record with AuditData parsed, by tenant name or GUID', async () => {
    const r = all.find((x) => x.operation === 'New-InboxRule' && x.tenant === CONTOSO)!;
    for (const t of ['contoso', CONTOSO]) {
      const res = await get(`/api/records/${t}/${r.id}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.id, r.id);
      assert.equal(res.body.auditData.Parameters[0].Name, 'Name');
    }
  });
  test('an unknown record is a 404 with a hint', async () => {
    const res = await get(`/api/records/contoso/not-a-record`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.ok(res.body.error.hint);
  });
});

describe('GET /api/export', () => {
  test('ndjson and json export every match, no cap', async () => {
    const nd = await get(`/api/export?${range}&format=ndjson`);
    assert.equal(nd.status, 200);
    const lines = nd.text.trim().split('\n');
    assert.equal(lines.length, all.length);
    const json = await get(`/api/export?${range}&format=json&workload=Exchange`);
    assert.equal(json.body.count, all.filter((r) => r.workload === 'Exchange').length);
    assert.equal(json.body.records.length, json.body.count);
    assert.ok(json.body.records[0].auditData, 'exports carry the whole record');
  });
  test('csv is Excel-safe: BOM, a header, formula cells neutralized', async () => {
    const res = await get(`/api/export?${range}&format=csv&operation=New-InboxRule`);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="tenantwatch-search-.*\.csv"/);
    assert.ok(res.text.startsWith('\ufeff'), 'UTF-8 BOM so Excel reads UTF-8');
    assert.ok(!/(^|,)=cmd/m.test(res.text), 'no cell starts with =');
  });
});
