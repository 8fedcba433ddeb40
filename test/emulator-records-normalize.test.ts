import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONTENT_TYPES, type ContentType } from '../src/core/record.js';
import { normalizeRecord, type NormalizeContext } from '../src/ingest/normalize.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';

// Issue 3 acceptance: "Simulated records pass tenantwatch's own normalizer with no reject", taken as a client
// receives them over HTTPS: Management Activity API blob contents, Graph auditLogRecords, and the AuditData
// of Search-UnifiedAuditLog results, for a day of two tenants with unified audit logging on.
const HOUR = 3_600_000;
let t: TestEmulator;
let tenants: string[];
before(async () => {
  // 30-minute slots: the same records in fewer blobs, so the crawl stays around a thousand requests.
  t = await startTestEmulator({
    tenants: 3,
    users: 20,
    days: 1,
    // Content at once after a start (the default waits 12 h, as documented).
    tuning: { slotMs: 30 * 60_000, graphQueryStartMs: 0, graphQueryRunMs: 1_000, firstDataDelayMs: 0 },
  });
  tenants = t.emu.tenants
    .filter((x) => x.ualEnabled)
    .slice(0, 2)
    .map((x) => x.tenantId);
  assert.equal(tenants.length, 2);
});
after(() => t.close());

interface Checked {
  count: number;
  operations: Set<string>;
}

/** Normalizes one record as received; a reject fails the test with the operation and the reason. */
function check(input: string | object, ctx: NormalizeContext, tenantId: string, id: string, into: Checked): void {
  const n = normalizeRecord(input, ctx);
  assert.ok(n.ok, `${ctx.source} ${id}: ${n.ok ? '' : n.reason}`);
  assert.equal(n.record.tenant, tenantId);
  assert.equal(n.record.id, id);
  assert.equal(n.record.source, ctx.source);
  into.count++;
  into.operations.add(n.record.operation);
}

async function blobRecords(tenantId: string): Promise<{ ct: ContentType; records: Record<string, unknown>[] }[]> {
  const H = { Authorization: `Bearer ${await t.client.token(tenantId, 'https://manage.office.com')}` };
  const feed = `/api/v1.0/${tenantId}/activity/feed`;
  const now = t.emu.clock.now();
  const out: { ct: ContentType; records: Record<string, unknown>[] }[] = [];
  for (const ct of CONTENT_TYPES) {
    assert.equal(
      (await t.client.request('POST', `${feed}/subscriptions/start?contentType=${ct}`, { headers: H })).status,
      200,
    );
    let url: string | undefined =
      `${feed}/subscriptions/content?contentType=${ct}&startTime=${new Date(now - 24 * HOUR).toISOString()}&endTime=${new Date(now).toISOString()}`;
    while (url) {
      const page = await t.client.request('GET', url, { headers: H });
      for (const item of page.json<{ contentUri: string }[]>())
        out.push({ ct, records: (await t.client.request('GET', item.contentUri, { headers: H })).json() });
      url = page.headers.nextpageuri;
    }
  }
  return out;
}

test('every record in a day of Management Activity API blobs normalizes, filed under its tenant and feed', async () => {
  const seen: Checked = { count: 0, operations: new Set() };
  for (const tenantId of tenants) {
    for (const { ct, records } of await blobRecords(tenantId)) {
      for (const r of records) {
        const text = JSON.stringify(r);
        const n = normalizeRecord(text, { source: 'management-api', contentType: ct });
        assert.ok(
          n.ok && n.record.contentType === ct && n.record.raw === text,
          `${String(r.Operation)}: ${n.ok ? 'changed on the way' : n.reason}`,
        );
        check(text, { source: 'management-api', contentType: ct }, tenantId, String(r.Id), seen);
      }
    }
  }
  assert.ok(seen.count > 500, `${seen.count} records`);
  assert.ok(seen.operations.size > 15, `only ${[...seen.operations].join(', ')}`);
});

test('Graph auditLogRecords of a day normalize (source graph), ids and times as Graph gave them', async () => {
  const seen: Checked = { count: 0, operations: new Set() };
  for (const tenantId of tenants) {
    const H = { Authorization: `Bearer ${await t.client.token(tenantId, 'https://graph.microsoft.com')}` };
    const now = t.emu.clock.now();
    const created = await t.client.request('POST', '/v1.0/security/auditLog/queries', {
      headers: H,
      body: {
        displayName: 'day',
        filterStartDateTime: new Date(now - 24 * HOUR).toISOString(),
        filterEndDateTime: new Date(now).toISOString(),
      },
    });
    assert.equal(created.status, 201, created.text);
    await t.emu.clock.advance(1_000);
    let url: string | undefined = `/v1.0/security/auditLog/queries/${created.json<{ id: string }>().id}/records`;
    while (url) {
      const page = await t.client.request('GET', url, { headers: H });
      assert.equal(page.status, 200, page.text);
      const body = page.json<{ value: { id: string; createdDateTime: string }[]; '@odata.nextLink'?: string }>();
      for (const r of body.value) {
        check(r, { source: 'graph' }, tenantId, r.id, seen);
        assert.equal(
          normalizeRecord(r, { source: 'graph' }).ok && Date.parse(r.createdDateTime),
          Date.parse(r.createdDateTime),
        );
      }
      url = body['@odata.nextLink'];
    }
  }
  assert.ok(seen.count > 500, `${seen.count} records`);
});

test('Search-UnifiedAuditLog results of a day normalize from their AuditData (source search-unified-audit-log)', async () => {
  const seen: Checked = { count: 0, operations: new Set() };
  for (const tenantId of tenants) {
    const H = {
      Authorization: `Bearer ${await t.client.token(tenantId, 'https://outlook.office365.com')}`,
      'X-AnchorMailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`,
    };
    const now = t.emu.clock.now();
    const Parameters = {
      StartDate: new Date(now - 24 * HOUR).toISOString(),
      EndDate: new Date(now).toISOString(),
      SessionId: `day-${tenantId}`,
      SessionCommand: 'ReturnLargeSet',
      ResultSize: 5000,
    };
    for (;;) {
      const res = await t.client.request('POST', `/adminapi/beta/${tenantId}/InvokeCommand`, {
        headers: H,
        body: { CmdletInput: { CmdletName: 'Search-UnifiedAuditLog', Parameters } },
      });
      assert.equal(res.status, 200, res.text);
      const value = res.json<{ value: { AuditData: string; Identity: string; CreationDate: string }[] }>().value;
      if (value.length === 0) break;
      for (const r of value) {
        check(r.AuditData, { source: 'search-unified-audit-log' }, tenantId, r.Identity, seen);
        const n = normalizeRecord(r.AuditData, { source: 'search-unified-audit-log' });
        assert.equal(n.ok && n.record.creationTime, Date.parse(`${r.CreationDate}Z`));
      }
    }
  }
  assert.ok(seen.count > 500, `${seen.count} records`);
});
