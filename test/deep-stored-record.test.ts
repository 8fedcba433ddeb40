import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/core/clock.js';
import { normalizeRecord } from '../src/ingest/normalize.js';
import { listReports, runReport } from '../src/reports/registry.js';
import { RECORD_FORMATS, recordChunks } from '../src/search/formats.js';
import { buildServer } from '../src/server/index.js';
import { CONTOSO, DAY, NOW, testDeps } from '../src/server/testing/fixtures.js';
import { ecsDocument } from '../src/sinks/elastic/ecs.js';
import { standardPayload } from '../src/sinks/webhook/encoder.js';
import { RecordView } from '../src/detections/record-view.js';
import type { StoredRecord } from '../src/core/record.js';

/**
 * Issue 18.9, its second half: a record nested 100,000 levels deep that was stored before the depth
 * bound existed (written here straight into the store, as an old version did) must not crash any
 * reader: search output in every format, the console's API (page, detail, export in every format), every
 * report, the sinks' encoders and the rules' view of a record. Before, each printed it through
 * JSON.stringify or walked it recursively and died with "Maximum call stack size exceeded".
 */
const DEPTH = 100_000;

async function depsWithDeepRecord() {
  const deps = await testDeps();
  const shallow = normalizeRecord(
    JSON.stringify({
      Id: 'deep-record',
      CreationTime: new Date(NOW - DAY).toISOString().slice(0, 19),
      Operation: 'FileAccessed',
      OrganizationId: CONTOSO,
      RecordType: 6,
      UserId: 'Adele@contoso.onmicrosoft.com',
      Workload: 'SharePoint',
      ObjectId: 'https://contoso.sharepoint.com/deep.docx',
    }),
    { source: 'management-api' },
  );
  assert.ok(shallow.ok);
  const raw = `{"Id":"deep-record","X":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`;
  await deps.store.records.insert([{ ...shallow.record, raw }]);
  return { deps, raw };
}

const range = `start=${new Date(NOW - 7 * DAY).toISOString()}&end=${new Date(NOW).toISOString()}`;

test('search output in every format prints a deep stored record (its raw text as AuditData)', async () => {
  const { deps, raw } = await depsWithDeepRecord();
  for (const format of RECORD_FORMATS) {
    const rows = deps.store.records.search({
      range: { start: NOW - 7 * DAY, end: NOW },
      users: ['adele@contoso.onmicrosoft.com'],
    });
    let text = '';
    for await (const chunk of recordChunks(format, rows, { count: 1 })) text += chunk;
    assert.ok(text.includes(format === 'table' ? 'deep.docx' : 'deep-record'), format);
    if (format === 'json' || format === 'jsonl') assert.ok(text.includes(JSON.stringify(raw).slice(0, 40)), format);
  }
  await deps.store.close();
});

test('the console API: result page, record detail and every export format answer 200', async () => {
  const { deps, raw } = await depsWithDeepRecord();
  const app = await buildServer(deps);
  try {
    const page = await app.inject({ url: `/api/search?${range}&object=deep.docx` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /deep-record/);
    const detail = await app.inject({ url: `/api/records/${CONTOSO}/deep-record` });
    assert.equal(detail.statusCode, 200, detail.body.slice(0, 200));
    assert.equal(detail.json<{ auditData: unknown }>().auditData, raw, 'the raw text, not a crash');
    for (const format of ['csv', 'json', 'ndjson']) {
      const res = await app.inject({ url: `/api/export?${range}&object=deep.docx&format=${format}` });
      assert.equal(res.statusCode, 200, `${format}: ${res.body.slice(0, 200)}`);
      assert.match(res.body, /deep-record/, format);
    }
  } finally {
    await app.close();
  }
});

test('every report runs over a store holding the deep record', async () => {
  const { deps } = await depsWithDeepRecord();
  let ran = 0;
  for (const report of listReports()) {
    try {
      await runReport(report.id, { start: '30d', end: 'now' }, { store: deps.store, clock: new ManualClock(NOW) });
      ran++;
    } catch (e) {
      // A report may refuse parameters it needs (that is not what this test is about); never the stack.
      assert.doesNotMatch(String((e as Error).message), /call stack/i, report.id);
      assert.equal((e as { code?: string }).code !== undefined, true, `${report.id}: ${String(e)}`);
    }
  }
  assert.ok(ran >= listReports().length - 2, `${ran} of ${listReports().length} reports ran`);
  await deps.store.close();
});

test('the sinks encode it and the rules read it as an empty record', async () => {
  const { deps, raw } = await depsWithDeepRecord();
  const record = (await deps.store.records.get(CONTOSO, 'deep-record')) as StoredRecord;
  assert.match(standardPayload([{ kind: 'record', record }]), /deep-record/);
  assert.equal((ecsDocument(record, 'default').o365 as { audit: { raw: string } }).audit.raw, raw);
  assert.deepEqual(new RecordView(record).data, {});
  await deps.store.close();
});
