/**
 * Records as normalization hands them to a store (ingest/normalize.ts), for every adapter: text UTF-8 cannot
 * carry as it is (a lone UTF-16 surrogate) must reach each store in the form normalization decided, so the same
 * record collected into SQLite and into PostgreSQL gets the same identity and the same answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRecord } from '../../ingest/normalize.js';
import type { AuditRecord } from '../../core/record.js';
import type { RecordStore } from '../contract.js';
import { T0, TENANT_A } from './fixtures.js';

function auditData(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    CreationTime: new Date(T0).toISOString().slice(0, 19),
    RecordType: 6,
    Workload: 'SharePoint',
    OrganizationId: TENANT_A,
    ...fields,
  };
}

/** A Management API record as a blob's text carries it: JSON.stringify writes a lone surrogate as its escape. */
function normalized(fields: Record<string, unknown>, tenant?: string): AuditRecord {
  return normalizedText(JSON.stringify(auditData(fields)), tenant);
}

function normalizedText(text: string, tenant?: string): AuditRecord {
  const result = normalizeRecord(text, { source: 'management-api', ...(tenant === undefined ? {} : { tenant }) });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.record;
}

export function runNormalizedConformance(ctx: { readonly store: { readonly records: RecordStore } }): void {
  test('a lone surrogate in Id, tenant, Operation, UserId, ObjectId or UserAgent is kept as U+FFFD: one Id in every store, a duplicate when it comes again', async () => {
    const fields = {
      Id: 'a\ud800b',
      Operation: 'File\udc00Accessed',
      UserId: 'Al\ud83dce@contoso.com',
      ObjectId: 'https://contoso.sharepoint.com/\ude00.docx',
      UserAgent: 'Mozilla/5.0 \udfff',
    };
    const r = normalized(fields, 'label \ud800');
    assert.deepEqual(
      [r.tenant, r.id, r.operation, r.userId, r.userKey, r.objectId, r.userAgent],
      [
        'label \ufffd',
        'a\ufffdb',
        'File\ufffdAccessed',
        'Al\ufffdce@contoso.com',
        'al\ufffdce@contoso.com',
        'https://contoso.sharepoint.com/\ufffd.docx',
        'Mozilla/5.0 \ufffd',
      ],
    );
    const fromOrganization = normalized({ ...fields, Id: 'other', OrganizationId: '0e8108b1\udbff' });
    assert.equal(fromOrganization.tenant, '0e8108b1\ufffd');
    assert.deepEqual(await ctx.store.records.insert([r, fromOrganization]), { inserted: 2, duplicates: 0 });
    for (const want of [r, fromOrganization]) {
      const got = await ctx.store.records.get(want.tenant, want.id);
      assert.ok(got, 'found under the Id normalization gave it');
      assert.deepEqual(
        [got.tenant, got.id, got.operation, got.userId, got.userKey, got.objectId, got.userAgent, got.raw],
        [want.tenant, want.id, want.operation, want.userId, want.userKey, want.objectId, want.userAgent, want.raw],
        'stored as normalized',
      );
    }
    const again = normalized(fields, 'label \ud800');
    assert.deepEqual(await ctx.store.records.insert([again]), { inserted: 0, duplicates: 1 }, 'a duplicate');
    const search = { range: { start: T0, end: T0 + 1 }, tenants: [r.tenant], users: ['al\ufffdce@contoso.com'] };
    assert.equal(await ctx.store.records.count(search), 1, 'found by the user it was stored under');
  });

  test('a lone surrogate inside raw is kept as its JSON escape: the same raw in every store, a duplicate (not a conflict) when it comes again', async () => {
    // A Graph record whose auditData is a string: the envelope's escape decodes to a lone surrogate inside it.
    const inner = JSON.stringify(auditData({ Id: 'graph-1', ObjectId: 'x' })).replace('"x"', '"x\ud800y\udc00"');
    const graph = normalizedText(JSON.stringify({ createdDateTime: '2026-10-01T00:00:00Z', auditData: inner }));
    // A line of a UTF-16 file whose text holds one as it is.
    const line = normalizedText(JSON.stringify(auditData({ Id: 'utf16-1' })).replace('SharePoint', 'Share\udbffPoint'));
    assert.equal(graph.raw, inner.replace('\ud800', '\\ud800').replace('\udc00', '\\udc00'));
    assert.deepEqual(JSON.parse(graph.raw), JSON.parse(inner), 'the same JSON value');
    assert.equal(JSON.parse(line.raw).Workload, 'Share\udbffPoint');
    assert.deepEqual(await ctx.store.records.insert([graph, line]), { inserted: 2, duplicates: 0 });
    for (const want of [graph, line])
      assert.equal((await ctx.store.records.get(want.tenant, want.id))?.raw, want.raw, 'raw as normalized');
    const again = normalizedText(JSON.stringify({ createdDateTime: '2026-10-01T00:00:00Z', auditData: inner }));
    assert.deepEqual(await ctx.store.records.insert([again, line]), { inserted: 0, duplicates: 2 }, 'no conflict');
  });
}
