import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { tempDir } from '../../../test/support/paths.js';
import { importFiles, memoryRejects } from './index.js';
import { memorySink } from './testing/memory-sink.js';

/** Issue 18 items 8, 9, 10 and 16 (far future): a bad record costs itself, never its neighbours. */
const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';
const NOW = Date.UTC(2024, 5, 1);

function line(i: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    CreationTime: '2024-05-23T15:10:00',
    Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    Operation: 'FileAccessed',
    OrganizationId: ORG,
    RecordType: 6,
    UserId: 'a@contoso.com',
    Workload: 'SharePoint',
    ...overrides,
  });
}

function good(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => line(from + i));
}

async function importOne(content: string | Buffer, name = 'in.ndjson', parallel = false) {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, name);
    writeFileSync(path, content);
    const sink = memorySink();
    const rejects = memoryRejects();
    const summary = await importFiles([path], { sink: sink.sink, rejects, now: NOW, parallel });
    return { summary, rejects: rejects.rejects };
  } finally {
    cleanup();
  }
}

test('18.8: a NUL byte early in a file costs only its record, not the 150 good ones', async () => {
  const lines = good(151);
  lines[2] = lines[2]!.replace('FileAccessed', 'File\u0000Accessed');
  const { summary, rejects } = await importOne(lines.join('\n') + '\n');
  assert.equal(summary.failedFiles, 0);
  assert.equal(summary.imported, 150);
  assert.deepEqual(
    rejects.map((r) => r.line),
    [3],
  );
});

test('18.8: a damaged gzip and random bytes are refused, each saying why', async () => {
  const gz = await importOne(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
  assert.equal(gz.summary.files[0]!.error?.code, 'FILE_FORMAT');
  assert.match(gz.summary.files[0]!.error.message, /is gzip data that is damaged or cut short/);
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 251;
  const noise = await importOne(random);
  assert.equal(noise.summary.files[0]!.error?.code, 'FILE_FORMAT');
  assert.match(noise.summary.files[0]!.error.message, /is not a text file/);
});

test('a gzip file cut short keeps every whole record before the cut, not only the full batches', async () => {
  const lines = good(2500);
  const gz = gzipSync(lines.join('\n') + '\n');
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  // The text the bytes before the cut hold, read as far as they go.
  const partial = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  const whole = partial.slice(0, partial.lastIndexOf('\n')).split('\n').length;
  assert.ok(whole % 1000 !== 0 && whole < 2500, `${whole} whole lines before the cut`);
  for (const parallel of [false, true]) {
    const { summary } = await importOne(cut, 'in.ndjson.gz', parallel);
    assert.equal(summary.imported, whole);
    assert.match(
      summary.files[0]!.error!.message,
      new RegExp(`cut short .*the ${whole.toLocaleString('en-US')} records before`),
    );
  }
});

test('an empty gzip, or a file of only a byte order mark, is said to hold no text, not blank lines', async () => {
  for (const [content, name] of [
    [gzipSync(Buffer.alloc(0)), 'empty.json.gz'],
    [Buffer.from([0xef, 0xbb, 0xbf]), 'bom.ndjson'],
    [Buffer.from([0xff, 0xfe]), 'bom16.csv'],
  ] as const) {
    const { summary } = await importOne(content, name);
    assert.deepEqual(
      [summary.files[0]!.error, summary.files[0]!.note],
      [null, 'the file holds no text: nothing to import'],
      name,
    );
  }
});

test('18.9: a deeply nested record, with or without an Id, is rejected with a reason and the rest is kept', async () => {
  const deep = (id: boolean) =>
    `{${id ? '"Id":"deep-1",' : ''}"CreationTime":"2024-05-23T15:10:00","RecordType":6,"OrganizationId":"${ORG}","X":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const { summary, rejects } = await importOne([line(1), deep(false), deep(true), line(2)].join('\n'));
  assert.equal(summary.imported, 2);
  assert.deepEqual(
    rejects.map((r) => [r.line, /64 levels/.test(r.reason)]),
    [
      [2, true],
      [3, true],
    ],
  );
});

test('a record nested deeply inside a Graph auditData or an AuditData text is rejected, not a crash of the import', async () => {
  const inner = (id: boolean) =>
    JSON.stringify(
      `{${id ? '"Id":"deep-1",' : ''}"CreationTime":"2024-05-23T15:10:00","RecordType":6,"X":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
  const graph = `{"createdDateTime":"2024-05-23T15:10:00Z","auditLogRecordType":"sharePoint","organizationId":"${ORG}","auditData":${inner(false)}}`;
  const row = `{"RecordType":"SharePoint","CreationDate":"/Date(1716477000000)/","AuditData":${inner(true)}}`;
  const { summary, rejects } = await importOne([line(1), graph, row, line(2)].join('\n'));
  assert.equal(summary.imported, 2);
  assert.deepEqual(
    rejects.map((r) => [r.line, /64 levels/.test(r.reason)]),
    [
      [2, true],
      [3, true],
    ],
  );
});

test('NDJSON whose first line is cut short, or that opens with comment lines, keeps every record after it', async () => {
  const cut = await importOne([line(1).slice(0, 60), ...good(4, 2)].join('\n') + '\n');
  assert.deepEqual([cut.summary.files[0]!.format, cut.summary.imported, cut.summary.rejected], ['ndjson', 4, 1]);
  assert.equal(cut.rejects[0]!.line, 1);
  const commented = await importOne(['# exported 2024-06-01 by a script', '', ...good(3)].join('\n') + '\n');
  assert.equal(commented.summary.files[0]!.error, null);
  assert.deepEqual([commented.summary.imported, commented.summary.rejected], [3, 1]);
  // Pretty-printed records stay JSON.
  const pretty = await importOne(
    good(2)
      .map((l) => JSON.stringify(JSON.parse(l), null, 2))
      .join('\n'),
  );
  assert.deepEqual([pretty.summary.files[0]!.format, pretty.summary.imported], ['json', 2]);
});

test('a record missing its closing } in a JSON array is rejected alone; the records after it are imported', async () => {
  const pretty = good(6).map((l) => JSON.stringify(JSON.parse(l), null, 2));
  // The third record's `}` deleted: it runs into the fourth.
  pretty[2] = pretty[2]!.replace(/\n}$/, '');
  const array = await importOne(`[\n${pretty.join(',\n')}\n]\n`, 'export.json');
  assert.deepEqual([array.summary.files[0]!.format, array.summary.imported, array.summary.rejected], ['json', 5, 1]);
  assert.equal(array.summary.files[0]!.note, null);
  assert.deepEqual(
    array.rejects.map((r) => [r.line, r.raw.slice(-24)]),
    [[20, '"Workload": "SharePoint"']],
  );
  assert.match(array.rejects[0]!.reason, /^the record's closing \} seems to be missing: a \{ at line 28 /);
  // In NDJSON the same record costs its own line only.
  const lines = good(6);
  lines[2] = lines[2]!.slice(0, -1);
  const ndjson = await importOne(lines.join('\n') + '\n');
  assert.deepEqual(
    [ndjson.summary.files[0]!.format, ndjson.summary.imported, ndjson.summary.rejected],
    ['ndjson', 5, 1],
  );
  assert.equal(ndjson.rejects[0]!.line, 3);
});

test("records PowerShell's ConvertTo-Json cut at its depth limit are kept and counted; free text naming the types is not", async () => {
  const cut = [
    line(2, { ExtendedProperties: ['System.Collections.Hashtable', 'System.Collections.Hashtable'] }),
    line(3, { Actor: 'System.Object[]' }),
    line(4, { AppAccessContext: '@{AADSessionId=x; CorrelationId=y}' }),
  ];
  const innocent = line(5, {
    Subject: 'Why does ConvertTo-Json print System.Object[]?',
    Note: 'System.Object[] and @{a=1}',
  });
  const { summary, rejects } = await importOne([line(1), ...cut, innocent].join('\n'));
  assert.deepEqual(rejects, []);
  assert.deepEqual([summary.imported, summary.cutByPowerShell, summary.files[0]!.cutByPowerShell], [5, 3, 3]);
});

test('18.10: a record with bytes that are not UTF-8 is rejected with the reason, not stored altered', async () => {
  const bytes = Buffer.concat([
    Buffer.from(line(1) + '\n'),
    Buffer.from(line(2, { UserId: 'bad-' }).replace('bad-', 'bad-\u0001').replace('\u0001', ''), 'latin1'),
  ]);
  const broken = Buffer.from(line(3, { UserId: 'XX' }));
  broken[broken.indexOf('XX')] = 0xc3; // a lead byte followed by 'X': not UTF-8
  const { summary, rejects } = await importOne(
    Buffer.concat([bytes, Buffer.from('\n'), broken, Buffer.from('\n' + line(4, { UserId: 'jürgen' }) + '\n')]),
  );
  assert.equal(summary.imported, 3);
  assert.equal(rejects.length, 1);
  assert.equal(rejects[0]!.line, 3);
  assert.match(rejects[0]!.reason, /not UTF-8/);
});

test('18.10/18.16: impossible and far-future times are rejected with the reason', async () => {
  const times = [
    '0099-05-23T15:10:00',
    '0000-01-01T00:00:00',
    '2024-05-23T15:10:00+99:99',
    '9999-12-31T23:59:59',
    '2024-06-03T00:00:00',
  ];
  const { summary, rejects } = await importOne(
    [
      line(0),
      ...times.map((t, i) => line(i + 1, { CreationTime: t })),
      line(9, { CreationTime: '2024-05-31T23:00:00+02:00' }),
    ].join('\n'),
  );
  assert.equal(summary.imported, 2);
  assert.deepEqual(
    rejects.map((r) => r.reason.replace(/^CreationTime "[^"]*" /, '')),
    [
      'is before 2000: no Microsoft 365 audit record is that old',
      'is before 2000: no Microsoft 365 audit record is that old',
      'is not an ISO 8601 date-time',
      'is in the future: a record from then would hide that collection stopped',
      'is in the future: a record from then would hide that collection stopped',
    ],
  );
});
