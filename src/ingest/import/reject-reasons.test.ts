import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/paths.js';
import { importFiles, memoryRejects } from './index.js';
import { memorySink } from './testing/memory-sink.js';

/**
 * A rejected record's reason says where (line and column of the file), what is wrong in plain words, and what to do,
 * whatever Node version words JSON.parse's error (the import session's item 1).
 */
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
    ...overrides,
  });
}

async function importOne(content: string | Buffer, name = 'in.ndjson') {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, name);
    writeFileSync(path, content);
    const sink = memorySink();
    const rejects = memoryRejects();
    const summary = await importFiles([path], { sink: sink.sink, rejects, now: NOW });
    return { summary, rejects: rejects.rejects, path };
  } finally {
    cleanup();
  }
}

/** Broken second lines, each with the fault's column (1-based) and what the reason must say. */
const good = line(2);
const BROKEN: [string, string, number, RegExp][] = [
  [
    'missing comma',
    good.replace(',"Operation"', '"Operation"'),
    good.indexOf('"Operation"'),
    /a , is missing between two members/,
  ],
  ['stray character', good.replace('"Operation"', 'x"Operation"'), good.indexOf('"Operation"') + 1, /a stray "x"/],
  [
    'unterminated string',
    good.replace('"FileAccessed"', '"FileAccessed'),
    good.indexOf('"FileAccessed"') + 14,
    /a string's closing " seems to be missing here/,
  ],
  [
    'missing closing brace',
    good.slice(0, -1),
    good.length,
    /the text ends before the record does: \} never comes.*the rest of the record is not on this line/,
  ],
  [
    'byte order mark inside the line',
    good.replace('"Operation"', '\ufeff"Operation"'),
    good.indexOf('"Operation"') + 1,
    /a byte order mark.*\(U\+FEFF\).*<HERE>\\uFEFF"Operation/,
  ],
  [
    'control character',
    good.replace('FileAccessed', 'File\u0001Accessed'),
    good.indexOf('FileAccessed') + 5,
    /a control character \(U\+0001\) inside a string \(JSON writes one as \\u0001\)/,
  ],
  ['tab inside a string', good.replace('FileAccessed', 'File\tAccessed'), good.indexOf('FileAccessed') + 5, /a tab/],
  [
    'comma after the record',
    `${good},`,
    good.length + 1,
    /a , after the record \(written as an element of a JSON array/,
  ],
  ['single quotes', good.replaceAll('"', "'"), 2, /a key in single quotes/],
  ['trailing comma', good.replace('}', ',}'), good.length, /a , before the \} \(JSON allows no comma after the last/],
  [
    'NaN',
    good.replace('"RecordType":6', '"RecordType":NaN'),
    good.indexOf('"RecordType":6') + 14,
    /NaN is not a JSON value/,
  ],
];

test('a broken NDJSON line is rejected with its line, column, what is wrong there and what to do', async () => {
  for (const [what, text, column, says] of BROKEN) {
    const { summary, rejects } = await importOne([line(1), text, line(3)].join('\n') + '\n');
    assert.deepEqual([summary.imported, summary.rejected], [2, 1], what);
    const reason = rejects[0]!.reason;
    assert.equal(rejects[0]!.line, 2, what);
    assert.match(reason, /^not valid JSON at line 2, column \d+: /, what);
    assert.ok(reason.startsWith(`not valid JSON at line 2, column ${column}: `), `${what}: ${reason}`);
    assert.match(reason, says, what);
    assert.match(reason, /<HERE>/, what);
    assert.match(reason, /import the file again \(records already stored are skipped\)$/, what);
    assert.doesNotMatch(reason, /position|Unexpected token|Expected '/, `${what}: not JSON.parse's own words`);
  }
});

test('columns count characters: an emoji or an accented letter before the fault is one column', async () => {
  const text = line(2, { UserId: 'jürgen😀@contoso.com' }).replace(',"UserId"', '"UserId"');
  const { rejects } = await importOne([line(1), text].join('\n') + '\n');
  const column = [...text.slice(0, text.indexOf('"UserId"'))].length + 1;
  assert.match(rejects[0]!.reason, new RegExp(`^not valid JSON at line 2, column ${column}: `));
});

test("the file's last line cut short, with no line break after it, is said to be a file cut off", async () => {
  const { summary, rejects } = await importOne([line(1), line(2), line(3).slice(0, 50)].join('\n'));
  assert.deepEqual([summary.imported, summary.rejected], [2, 1]);
  assert.equal(rejects[0]!.line, 3);
  assert.match(rejects[0]!.reason, /^not valid JSON at line 3, column 51: the text ends/);
  assert.match(
    rejects[0]!.reason,
    /the file's last line and no line break follows it, so the file was probably cut off/,
  );
});

test('CRLF and UTF-16 files give the same line and column as UTF-8 with LF', async () => {
  const broken = line(2).replace(',"Operation"', '"Operation"');
  const column = line(2).indexOf('"Operation"');
  const texts = [line(1), broken, line(3)];
  for (const content of [
    texts.join('\r\n') + '\r\n',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(texts.join('\r\n'), 'utf16le')]),
  ]) {
    const { summary, rejects } = await importOne(content);
    assert.deepEqual([summary.imported, summary.rejected], [2, 1]);
    assert.ok(rejects[0]!.reason.startsWith(`not valid JSON at line 2, column ${column}: a , is missing`));
  }
});

test('the reason shows a few characters around the fault, never the whole line or a value far from it', async () => {
  const secret = 'S3cr3t-token-value-0123456789';
  const long = line(2, { Token: secret, Padding: 'x'.repeat(100_000) }).replace(',"Operation"', '"Operation"');
  const { rejects } = await importOne([line(1), long].join('\n') + '\n');
  const reason = rejects[0]!.reason;
  assert.ok(reason.length < 700, `${reason.length} characters`);
  assert.ok(!reason.includes(secret) && !reason.includes('x'.repeat(30)));
  assert.match(reason, /near …[^<]{20,30}<HERE>"Operation"[^…]*…\)/);
});

test("a CSV AuditData cell that is not valid JSON names the row's line and the character of the cell", async () => {
  const cell = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const rows = [line(1), line(2).slice(0, 40), line(3)].map((l) => `2024-05-23,a@contoso.com,FileAccessed,${cell(l)}`);
  const { summary, rejects } = await importOne(
    ['CreationDate,UserIds,Operations,AuditData', ...rows].join('\n') + '\n',
    'export.csv',
  );
  assert.deepEqual([summary.imported, summary.rejected], [2, 1]);
  assert.equal(rejects[0]!.line, 3);
  assert.match(
    rejects[0]!.reason,
    /^not valid JSON in the AuditData cell, at its character 41: the text ends inside a string/,
  );
});
