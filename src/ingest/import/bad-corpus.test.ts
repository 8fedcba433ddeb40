import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { tempDir } from '../../../test/support/paths.js';
import type { Store } from '../../store/contract.js';
import { openPostgresStore } from '../../store/postgres/index.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { pgUrl } from '../../../test/support/paths.js';
import { importFiles, memoryRejects } from './index.js';

/**
 * Issue 18's acceptance corpus, generated here into a temp folder (no binaries committed): every kind of
 * bad input sits between good records, and every good record is kept in a real (SQLite) store; what is
 * bad is counted as rejected with file, line and reason, or the file is refused with a message.
 */
const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';
const NOW = Date.UTC(2024, 5, 1);
let serial = 0;
const SAME_ID = '00000000-0000-4000-8000-feedfacecafe';

function rec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: '2024-05-23T15:10:00',
    Id: `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`,
    Operation: 'FileAccessed',
    OrganizationId: ORG,
    RecordType: 6,
    UserId: 'a@contoso.com',
    Workload: 'SharePoint',
    ...overrides,
  };
}
const line = (o: Record<string, unknown> = {}) => JSON.stringify(rec(o));
/** Two good records around a bad middle, as NDJSON. */
const around = (bad: string) => `${line()}\n${bad}\n${line()}\n`;
const csv = (cells: string[]) =>
  'CreationDate,UserIds,Operations,AuditData\n' +
  cells.map((c) => `2024-05-23T15:10:00,a@contoso.com,FileAccessed,${c}`).join('\n') +
  '\n';
const cell = (text: string) => `"${text.replace(/"/g, '""')}"`;
const time = (t: string) => around(line({ CreationTime: t }));

/** name → [content, good records expected]; a Buffer/string is a file, null a folder. */
function corpus(): Record<string, [string | Buffer | null, number]> {
  const deep = (id: boolean) =>
    `{${id ? '"Id":"deep",' : ''}"CreationTime":"2024-05-23T15:10:00","RecordType":6,"OrganizationId":"${ORG}","X":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
  const nulLate =
    Array.from({ length: 4_000 }, () => line()).join('\n') +
    '\n' +
    line({ Operation: 'a\u0000' }).replace('\\u0000', '\u0000') +
    '\n' +
    line() +
    '\n';
  const manyKeys = JSON.stringify(rec(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`K${i}`, i]))));
  const text = () => around(line());
  return {
    'truncated-array.json': [`[${line()},${line()},{"Id":"x","Crea`, 2],
    'truncated-line.ndjson': [`${line()}\n${line()}\n${line().slice(0, 40)}`, 2],
    'truncated-string.ndjson': [around('{"Id":"y","CreationTime":"2024-05-2'), 2],
    'gzip.ndjson.gz': [gzipSync(text()), 3], // inflated and read (it was refused as binary before)
    'gzip-cut.ndjson.gz': [gzipSync(text()).subarray(0, 20), 0],
    'zip.zip': [Buffer.from([0x50, 0x4b, 0x03, 0x04, 10, 0, 0, 0, 0, 0]), 0],
    'random.bin': [Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)), 0],
    'nul-early.ndjson': [around(line({ Operation: 'x' }).replace('"x"', '"x\u0000"')), 2],
    'nul-late.ndjson': [nulLate, 4_001],
    'deep-no-id.ndjson': [around(deep(false)), 2],
    'deep-with-id.ndjson': [around(deep(true)), 2],
    'invalid-utf8.ndjson': [
      Buffer.concat([
        Buffer.from(line() + '\n'),
        Buffer.from(line({ UserId: 'é' }).replace('é', '\u00ff'), 'latin1'),
        Buffer.from('\n' + line() + '\n'),
      ]),
      2,
    ],
    'overlong-utf8.ndjson': [
      Buffer.concat([
        Buffer.from(line() + '\n' + '{"UserId":"'),
        Buffer.from([0xc0, 0x80]),
        Buffer.from('"}\n' + line() + '\n'),
      ]),
      2,
    ],
    'utf16le-bom.ndjson': [Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text(), 'utf-16le')]), 3],
    'utf16le.ndjson': [iconv.encode(text(), 'utf-16le'), 3],
    'utf16be-bom.ndjson': [Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text(), 'utf-16be')]), 3],
    'utf16be.ndjson': [iconv.encode(text(), 'utf-16be'), 3],
    'csv-broken-quote.csv': [csv([cell(line()), `"{""Id"":""q"`, cell(line())]), 2],
    'csv-auditdata-not-json.csv': [csv([cell(line()), cell('not json at all'), cell(line())]), 2],
    'not-an-object.ndjson': [around('[1,2,3]\n42\n"text"\nnull'), 2],
    'no-creation-time.ndjson': [around('{}'), 2],
    'year-0099.ndjson': [time('0099-05-23T15:10:00'), 2],
    'year-0000.ndjson': [time('0000-01-01T00:00:00'), 2],
    'offset-99.ndjson': [time('2024-05-23T15:10:00+99:99'), 2],
    'far-future.ndjson': [time('9999-12-31T23:59:59'), 2],
    'feb-30.ndjson': [time('2024-02-30T10:00:00'), 2],
    'hour-25.ndjson': [time('2024-05-23T25:10:00'), 2],
    'many-keys.ndjson': [around(manyKeys), 3],
    'many-columns.csv': [
      `${Array.from({ length: 100_000 }, (_, i) => `C${i}`).join(',')},AuditData\n${','.repeat(100_000)}${cell(line())}\n`,
      1,
    ],
    'empty.ndjson': ['', 0],
    'whitespace.ndjson': ['  \n\t\n  \r\n', 0],
    'a-folder': [null, 0],
    'unknown-record-type.ndjson': [around(line({ RecordType: 'NoSuchType' })), 2],
    'crlf.ndjson': [`${line()}\r\n${line()}\r\n\r\n`, 2],
    'utf8-bom.ndjson': [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text())]), 3],
    'garbage-between.ndjson': [around(',,,}{'), 2],
    'nul-escape.ndjson': [around(line({ Operation: 'File\u0000Accessed' })), 3],
    'lone-surrogate.ndjson': [around(line({ UserId: '\ud800x' })), 3],
    // The same Id three times: first content, the same again (a duplicate), other content (a conflict).
    'duplicate-id.ndjson': [
      `${line({ Id: SAME_ID })}\n${line({ Id: SAME_ID })}\n${line({ Id: SAME_ID, Operation: 'FileDeleted' })}\n${line()}\n`,
      2,
    ],
  };
}

test('the bad-input corpus (39 kinds + a missing file) keeps every good record in SQLite and counts the rest', async () => {
  const { dir, cleanup } = tempDir();
  await importCorpus(dir, openSqliteStore(join(dir, 'store.sqlite')), cleanup);
});

test(
  'the same corpus keeps every good record in PostgreSQL',
  { skip: pgUrl ? false : 'TENANTWATCH_TEST_PG not set' },
  async () => {
    const { dir, cleanup } = tempDir();
    const schema = `tw_corpus_${process.pid}_${Date.now().toString(36)}`;
    const store = await openPostgresStore(pgUrl!, { schema });
    await importCorpus(dir, store, cleanup);
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: pgUrl! });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  },
);

async function importCorpus(dir: string, store: Store, cleanup: () => void | Promise<void>): Promise<void> {
  try {
    await store.migrate();
    const files = corpus();
    const paths = Object.entries(files).map(([name, [content]]) => {
      const path = join(dir, name);
      if (content === null) mkdirSync(path);
      else writeFileSync(path, content);
      return path;
    });
    paths.push(join(dir, 'missing.ndjson'));
    const rejects = memoryRejects();
    const summary = await importFiles(paths, { sink: (r) => store.records.insert(r), rejects, now: NOW });
    const got = Object.fromEntries(summary.files.map((f) => [f.file.slice(dir.length + 1), f.imported]));
    const want = Object.fromEntries([
      ...Object.entries(files).map(([n, [, good]]) => [n, good]),
      ['missing.ndjson', 0],
    ]);
    assert.deepEqual(got, want);
    assert.equal(await store.records.count({ range: { start: 0, end: 8e12 } }), summary.imported);
    const duplicated = summary.files.find((f) => f.file.endsWith('duplicate-id.ndjson'))!;
    assert.deepEqual([duplicated.duplicates, duplicated.conflicts, summary.conflicts], [1, 1, 1]);
    const conflict = rejects.rejects.find((r) => r.reason.startsWith('conflict:'));
    assert.deepEqual(
      [conflict?.file, conflict?.line],
      [duplicated.file, 3],
      'the conflict is listed with file and line',
    );
    assert.match(conflict!.raw, /FileDeleted/);
    assert.equal((await store.records.get(ORG, SAME_ID))?.operation, 'FileAccessed', 'the first content stays');
    assert.deepEqual(
      (await store.records.conflictsOf(ORG, SAME_ID)).map((c) => c.raw),
      [conflict!.raw],
      'the other content is recoverable from the store',
    );
    for (const r of rejects.rejects) {
      assert.ok(r.file && r.line > 0 && r.reason.length > 10, JSON.stringify(r).slice(0, 200));
    }
    for (const f of summary.files)
      assert.ok(f.imported + f.rejected + (f.error ? 1 : 0) + (f.note ? 1 : 0) > 0, f.file);
  } finally {
    await store.close();
    await cleanup();
  }
}
