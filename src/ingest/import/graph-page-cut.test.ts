import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/paths.js';
import { importFiles, memoryRejects } from './index.js';
import { memorySink } from './testing/memory-sink.js';

/**
 * A Graph audit query page cut short at any character and the next saved page joined after it (`cat a.json b.json`):
 * the records before the cut and every record of the next page are read, at most the cut record is rejected, and the
 * file says what happened (a reject's reason or the file's note), never silently.
 */
const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';
const record = (i: number) => ({
  id: `g-${i}`,
  createdDateTime: `2024-05-23T15:10:0${i}Z`,
  auditLogRecordType: 'ExchangeAdmin',
  operation: 'Set-Mailbox',
  organizationId: ORG,
  userPrincipalName: 'admin@contoso.com',
  auditData: { Id: `g-${i}`, Parameters: [{ Name: 'Identity', Value: 'box' }], Flags: [1, 2] },
});
const page = (ids: number[], next: boolean, pretty: boolean) =>
  JSON.stringify(
    {
      '@odata.context': 'https://graph.microsoft.com/beta/$metadata#records',
      value: ids.map(record),
      ...(next
        ? { '@odata.nextLink': 'https://graph.microsoft.com/beta/security/auditLog/queries/q/records?$skiptoken=x' }
        : {}),
    },
    null,
    pretty ? 2 : undefined,
  );

async function importText(dir: string, text: string) {
  const path = join(dir, 'pages.json');
  writeFileSync(path, text);
  const sink = memorySink();
  const rejects = memoryRejects();
  const summary = await importFiles([path], { sink: sink.sink, rejects, now: Date.UTC(2024, 6, 1) });
  return {
    note: summary.files[0]!.note,
    rejects: rejects.rejects,
    ids: [...sink.records.values()].map((r) => r.id).sort(),
  };
}

test('a Graph page cut at every third character with the next page joined after it: both sides read, the cut said', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const pretty of [false, true]) {
      for (const next of [false, true]) {
        const first = page([1, 2, 3], next, pretty);
        const second = page([5, 6], true, pretty);
        // Each record ends at the } after its auditData's.
        const ends = [1, 2, 3].map((i) => {
          const data = first.indexOf('}', first.indexOf('"Flags"', first.indexOf(`"g-${i}"`)));
          return first.indexOf('}', data + 1) + 1;
        });
        for (let cut = 1; cut < first.length; cut += 3) {
          const what = `${pretty ? 'pretty' : 'one line'}, ${next ? 'with' : 'without'} nextLink, cut at ${cut}`;
          // Every third character (a full pass takes 20 s here); the line break or none alternates.
          const found = await importText(dir, first.slice(0, cut) + (cut % 2 ? '\n' : '') + second);
          const whole = [1, 2, 3].filter((_, j) => ends[j]! <= cut).map((i) => `g-${i}`);
          assert.deepEqual(found.ids, [...whole, 'g-5', 'g-6'], what);
          assert.ok(found.rejects.length <= 1, `${what}: ${found.rejects.map((r) => r.reason).join(' | ')}`);
          assert.ok(found.rejects.length === 1 || found.note, `${what}: the cut is said`);
        }
      }
    }
  } finally {
    cleanup();
  }
});

test('a page cut after its records, in its @odata.nextLink, names the line where the next file starts', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const first = page([1, 2], true, true);
    const text = first.slice(0, first.indexOf('skiptoken')) + '\n' + page([5], false, true);
    const found = await importText(dir, text);
    assert.deepEqual(found.ids, ['g-1', 'g-2', 'g-5']);
    assert.deepEqual(found.rejects, []);
    const line = first.slice(0, first.indexOf('skiptoken')).split('\n').length + 1;
    assert.match(
      found.note ?? '',
      new RegExp(`^a Graph page is cut off before its end where another file's text starts \\(line ${line}\\): `),
    );
    assert.match(found.note ?? '', /@odata\.nextLink is lost/);
  } finally {
    cleanup();
  }
});

test("a page's record that lost exactly its ]} after an element costs itself only, not the records the page's ]} closed into it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const withUnits = (i: number) => ({ ...record(i), administrativeUnits: [{ id: 'au-1' }] });
    for (const pretty of [false, true]) {
      for (const next of [false, true]) {
        for (const joined of ['', '\n' + page([5, 6], true, pretty)]) {
          const text = JSON.stringify(
            { '@odata.context': 'x', value: [1, 2, 3, 4].map(withUnits), ...(next ? { '@odata.nextLink': 'n' } : {}) },
            null,
            pretty ? 2 : undefined,
          );
          // Record 2 ends with its administrativeUnits: drop the ] and } after that array's element.
          const element = text.indexOf('}', text.indexOf('"au-1"', text.indexOf('"g-2"'))) + 1;
          const close = text.indexOf('}', text.indexOf(']', element)) + 1;
          const broken = text.slice(0, element) + text.slice(close) + joined;
          const what = `${pretty ? 'pretty' : 'one line'}, ${next ? 'with' : 'without'} nextLink${joined ? ', joined' : ''}`;
          const found = await importText(dir, broken);
          assert.deepEqual(found.ids, ['g-1', 'g-3', 'g-4', ...(joined ? ['g-5', 'g-6'] : [])], what);
          assert.equal(found.rejects.length, 1, what);
          assert.match(found.rejects[0]!.raw, /"g-2"/, what);
          assert.match(
            found.rejects[0]!.reason,
            /^the record's closing \] and \} seem to be missing: a record starts at line \d+, column \d+/,
            what,
          );
        }
      }
    }
  } finally {
    cleanup();
  }
});
