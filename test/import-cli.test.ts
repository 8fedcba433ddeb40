import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import {
  cell,
  classicCsv,
  exportCsvUtf16,
  graphPage,
  ids,
  json,
  ORG,
  purviewCsv,
  record,
} from '../src/ingest/import/testing/files.js';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

/**
 * `tenantwatch import` end to end with the real SQLite store, as a person runs it (issue 2 §4 and its
 * bad-input acceptance): every layout imports, a second run adds nothing, every bad input gets a clear
 * message and the documented exit status (1 only when a file cannot be read at all), the rejects file
 * names file, line, reason and raw text, and every good record is searchable afterwards.
 */
interface Summary {
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  failedFiles: number;
  tenant: string | null;
  rejectsFile: string | null;
  files: {
    file: string;
    format: string | null;
    encoding: string | null;
    imported: number;
    rejected: number;
    note: string | null;
    error: { code: string } | null;
  }[];
}
interface Found {
  count: number;
  records: {
    id: string;
    tenant: string;
    creationTime: string;
    clientIp: string | null;
    clientPort: number | null;
    objectId: string | null;
    userId: string;
    auditData: Record<string, unknown>;
  }[];
}
interface RejectLine {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

function write(dir: string, files: Record<string, string | Buffer>): string[] {
  return Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

async function importJson(dir: string, args: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  const res = await runCli(['import', ...args, '--format', 'json'], { dataDir: dir });
  return { code: res.code, summary: JSON.parse(res.stdout) as Summary, stderr: res.stderr };
}

async function searchAll(dir: string, extra: string[] = []): Promise<Found> {
  const res = await runCli(['search', '--start', '2024-05-01', '--end', '2024-06-01', '--format', 'json', ...extra], {
    dataDir: dir,
  });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Found;
}

function rejectsOf(summary: Summary): RejectLine[] {
  assert.ok(summary.rejectsFile, 'a rejects file is named');
  return readFileSync(summary.rejectsFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as RejectLine);
}

const tricky = record(2, { ObjectId: 'Rule "Forward, all"\r\nsecond line', ClientIP: '[2001:db8::7]:443' });

test('every layout imports into SQLite and is searchable; a second import adds nothing', async () => {
  const { dir, cleanup } = tempDir('tw-import-cli-');
  try {
    const ndjsonCrlf = [4, 5, 6].map((i) => json(record(i))).join('\r\n') + '\r\n';
    const paths = write(dir, {
      'classic-bom-crlf.csv': '\uFEFF' + classicCsv([record(1), tricky, record(3)]),
      'records.ndjson': ndjsonCrlf,
      'purview-new.csv': purviewCsv([7, 8, 9].map((i) => record(i))),
      'export-csv.csv': exportCsvUtf16([10, 11, 12].map((i) => record(i))),
      'saved-array.json': JSON.stringify(
        [13, 14, 15].map((i) => record(i)),
        null,
        2,
      ),
      'content-blob.json': JSON.stringify([16, 17, 18].map((i) => record(i, { ClientIP: '::ffff:198.51.100.4' }))),
      'utf16-no-bom.ndjson': iconv.encode([19, 20].map((i) => json(record(i))).join('\n'), 'utf-16le'),
      'graph-page.json': graphPage([21, 22].map((i) => record(i))),
    });
    const first = await importJson(dir, paths);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(
      first.summary.files.map((f) => [f.format, f.encoding, f.imported, f.rejected]),
      [
        ['csv', 'utf-8', 3, 0],
        ['ndjson', 'utf-8', 3, 0],
        ['csv', 'utf-8', 3, 0],
        ['csv', 'utf-16le', 3, 0],
        ['json', 'utf-8', 3, 0],
        ['json', 'utf-8', 3, 0],
        ['ndjson', 'utf-16le', 2, 0],
        ['ndjson', 'utf-8', 2, 0],
      ],
    );
    assert.equal(first.summary.tenant, null, 'records are filed under their OrganizationId');

    const found = await searchAll(dir);
    assert.equal(found.count, 22);
    assert.deepEqual(found.records.map((r) => r.id).sort(), ids(1, 22).sort());
    const byId = new Map(found.records.map((r) => [r.id, r]));
    const two = byId.get(tricky.Id as string)!;
    assert.deepEqual(two.auditData, tricky, 'the AuditData cell with quotes, a comma and CRLF comes back whole');
    assert.equal(two.objectId, tricky.ObjectId);
    assert.deepEqual([two.clientIp, two.clientPort], ['2001:db8::7', 443]);
    assert.equal(
      two.creationTime,
      '2024-05-23T15:00:02.000Z',
      'the time comes from AuditData, not the locale CreationDate',
    );
    assert.equal(two.tenant, ORG);
    assert.equal(byId.get(ids(16, 16)[0]!)!.clientIp, '198.51.100.4', 'IPv4-mapped addresses are stored as IPv4');
    assert.deepEqual(
      byId.get(ids(21, 21)[0]!)!.auditData,
      record(21),
      'a Graph record keeps its auditData as the raw record',
    );

    const again = await runCli(['import', ...paths], { dataDir: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^file\s+format\s+read\s+imported\s+duplicates\s+conflicts\s+rejected/);
    assert.match(
      again.stdout,
      /\ntotal\s+22\s+0\s+22\s+0\s+0\s*\n/,
      'the second run reports every record as a duplicate',
    );
    assert.equal((await searchAll(dir)).count, 22);
  } finally {
    cleanup();
  }
});

test('bad rows are rejected with file, line, reason and raw text; every good record is still imported (exit 0)', async () => {
  const { dir, cleanup } = tempDir('tw-import-cli-');
  try {
    const notJsonRow = `${cell('5/23/2024')},u,FileAccessed,${cell('{"CreationTime": "2024-05-23T15:00:00", "Id": ')}`;
    const csvLines = classicCsv([record(4), record(5)], '\n').split('\n');
    const [truncated, brokenQuote, badCell, empty] = write(dir, {
      'truncated.json': JSON.stringify([record(1), record(2), record(3)]).slice(0, -60),
      'broken-quote.csv':
        classicCsv([record(6)], '\n') +
        `x,u,FileAccessed,"${json(record(7))}\n` +
        classicCsv([record(8), record(9)], '\n')
          .split('\n')
          .slice(1)
          .join('\n'),
      'bad-auditdata.csv': [csvLines[0], csvLines[1], notJsonRow, csvLines[2], ''].join('\n'),
      'empty.ndjson': '',
    });
    const rejectsPath = join(dir, 'rejects.ndjson');
    const res = await importJson(dir, [truncated!, brokenQuote!, badCell!, empty!, '--rejects', rejectsPath]);
    assert.equal(res.code, 0, `rows that cannot be imported are not a failure of the run: ${res.stderr}`);
    assert.deepEqual(
      res.summary.files.map((f) => [f.imported, f.rejected]),
      [
        [2, 1],
        [3, 1],
        [2, 1],
        [0, 0],
      ],
    );
    assert.match(res.summary.files[3]!.note!, /empty/);
    assert.equal(res.summary.rejectsFile, rejectsPath);

    const rejects = rejectsOf(res.summary);
    assert.deepEqual(
      rejects.map((r) => [r.file, r.line]),
      [
        [truncated, 1],
        [brokenQuote, 3],
        [badCell, 3],
      ],
    );
    assert.match(rejects[0]!.reason, /ends inside this record/);
    assert.ok(
      json(record(3)).startsWith(rejects[0]!.raw.slice(0, 40)) &&
        rejects[0]!.raw.includes('"Id":"a0b1c2d3-0000-4000-8000-000000000003"'),
      'raw holds the cut record',
    );
    assert.match(rejects[1]!.reason, /quot/i);
    assert.ok(rejects[1]!.raw.startsWith('x,u,FileAccessed,"{"'), 'raw holds the broken row as written');
    assert.match(rejects[2]!.reason, /not valid JSON/);
    assert.equal(rejects[2]!.raw, '{"CreationTime": "2024-05-23T15:00:00", "Id": ');

    const found = await searchAll(dir);
    assert.deepEqual(found.records.map((r) => r.id).sort(), [...ids(1, 2), ...ids(4, 6), ...ids(8, 9)].sort());
  } finally {
    cleanup();
  }
});

test('a missing, binary or unrecognised file is named with a hint and makes the exit status 1; the good file is still imported', async () => {
  const { dir, cleanup } = tempDir('tw-import-cli-');
  try {
    const gzip = Buffer.from([
      0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x00, 0x00, 0x12, 0x34,
    ]);
    const [binary, notExport, good] = write(dir, {
      'audit.json.gz': gzip,
      'notes.txt': 'These are my notes about the incident.\n',
      'good.ndjson': [1, 2].map((i) => json(record(i))).join('\n'),
    });
    const missing = join(dir, 'missing.csv');
    const res = await importJson(dir, [missing, binary!, notExport!, good!]);
    assert.equal(res.code, 1);
    assert.deepEqual(
      res.summary.files.map((f) => f.error?.code ?? null),
      ['FILE_NOT_FOUND', 'FILE_FORMAT', 'FILE_FORMAT', null],
    );
    assert.equal(res.summary.failedFiles, 3);
    const lines = res.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('tenantwatch: '));
    assert.equal(lines.length, 3, res.stderr);
    assert.match(lines[0]!, /missing\.csv does not exist\. Check the path/);
    assert.match(lines[1]!, /audit\.json\.gz is gzip data that is damaged or cut short .*gzip -t FILE/);
    assert.match(lines[2]!, /notes\.txt is not an audit log export .*"These are my notes/);
    assert.equal(res.summary.imported, 2);
    assert.deepEqual((await searchAll(dir)).records.map((r) => r.id).sort(), ids(1, 2).sort());
  } finally {
    cleanup();
  }
});

test('--tenant NAME of a registered tenant files records under its GUID; an unregistered name is kept as a label', async () => {
  const { dir, cleanup } = tempDir('tw-import-cli-');
  try {
    const guid = '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f';
    const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
    await store.tenants.upsert({
      name: 'contoso',
      tenantId: guid,
      domain: 'contoso.com',
      clientId: 'c0ffee00-0000-4000-8000-000000000001',
      cloud: 'commercial',
      authKind: 'secret',
      credential: 'env:CONTOSO_SECRET',
      certificatePem: null,
      publisherId: null,
      baseUrl: null,
      caFile: null,
      addedAt: 0,
      updatedAt: 0,
    });
    await store.close();
    const [noOrg, labelled] = write(dir, {
      'no-org.ndjson': [1, 2].map((i) => json(record(i, { OrganizationId: undefined }))).join('\n'),
      'labelled.ndjson': json(record(3)),
    });
    const registered = await importJson(dir, [noOrg!, '--tenant', 'Contoso']);
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal(registered.summary.tenant, guid);
    const label = await importJson(dir, [labelled!, '--tenant', 'lab-box']);
    assert.equal(label.code, 0, label.stderr);
    const found = await searchAll(dir, ['--tenant', 'contoso']);
    assert.deepEqual(
      found.records.map((r) => [r.id, r.tenant]).sort(),
      ids(1, 2)
        .map((id) => [id, guid])
        .sort(),
    );
    assert.deepEqual(
      (await searchAll(dir, ['--tenant', 'lab-box'])).records.map((r) => r.tenant),
      ['lab-box'],
    );
  } finally {
    cleanup();
  }
});
