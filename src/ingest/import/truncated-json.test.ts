import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir } from '../../../test/support/paths.js';
import { importFiles, memoryRejects } from './index.js';
import { JsonSplitter } from './json-splitter.js';
import { jsonRecords, readJson, readNdjson } from './readers.js';
import { memorySink } from './testing/memory-sink.js';
import type { RawItem } from './types.js';
import { TOO_LARGE } from './record-size.js';

/**
 * JSON files cut short or broken inside a record, its closing ] missing too: only the broken record is rejected, with
 * a reason that says where and what to do; every record before the cut, and every record after the break, is read.
 */
const ORG = 'b7c3a9e2-1111-4222-8333-944455566677';
const NOW = Date.UTC(2024, 5, 1);

function record(i: number): Record<string, unknown> {
  return {
    CreationTime: `2024-05-23T15:10:0${i}`,
    Id: `rec-${i}`,
    Operation: 'Set-Mailbox',
    OrganizationId: ORG,
    RecordType: 1,
    UserId: 'admin@contoso.com',
    Parameters: [
      { Name: 'Identity', Value: `box "${i}", [1]` },
      { Name: 'Flags', Value: [true, null, -1.5e2] },
    ],
    Extra: {},
  };
}

type Layout = 'pretty' | 'minified';
const texts: Record<Layout, (records: Record<string, unknown>[]) => string> = {
  pretty: (records) => JSON.stringify(records, null, 2) + '\n',
  minified: (records) => JSON.stringify(records),
};

async function items(text: string): Promise<{ items: RawItem[]; cutOff: boolean }> {
  const out: RawItem[] = [];
  let cutOff = false;
  for await (const batch of readJson(Readable.from([text]), () => (cutOff = true))) out.push(...batch);
  return { items: out, cutOff };
}

/** Ids of the items that are whole records, and the items that are not (rejected by the reader or by JSON.parse). */
function sortOut(found: RawItem[]): { ids: string[]; broken: RawItem[] } {
  const ids: string[] = [];
  const broken: RawItem[] = [];
  for (const item of found) {
    let parsed: { Id?: string } | null = null;
    try {
      parsed = item.reject === undefined ? (JSON.parse(item.text) as { Id?: string }) : null;
    } catch {
      // broken
    }
    if (parsed?.Id) ids.push(parsed.Id);
    else broken.push(item);
  }
  return { ids, broken };
}

const ids = (...n: number[]) => n.map((i) => `rec-${i}`);

test('an array cut at any character: the whole records before the cut are read, at most the cut one is rejected', async () => {
  for (const layout of ['pretty', 'minified'] as const) {
    const text = texts[layout]([1, 2, 3, 4].map(record));
    const closes = [1, 2, 3, 4].map((i) => {
      const at = text.indexOf(layout === 'pretty' ? '"Extra": {}' : '"Extra":{}', text.indexOf(`rec-${i}`));
      return text.indexOf('}', text.indexOf('}', at) + 1);
    });
    for (let cut = 1; cut < text.length; cut++) {
      const { items: found, cutOff } = await items(text.slice(0, cut));
      const { ids: read, broken } = sortOut(found);
      const whole = [1, 2, 3, 4].filter((_, j) => closes[j]! < cut);
      assert.deepEqual(read, ids(...whole), `${layout}, cut at ${cut}`);
      assert.ok(broken.length <= 1, `${layout}, cut at ${cut}: ${broken.map((b) => b.reject).join(' | ')}`);
      if (broken[0]) {
        assert.match(
          broken[0].reject ?? '',
          /^the file ends inside this record, (which breaks off )?at line \d+, column \d+: /,
          `${layout}, cut at ${cut}`,
        );
      }
      assert.equal(cutOff, cut <= text.lastIndexOf(']'), `${layout}, cut at ${cut}`);
    }
  }
});

/** Whether `text` ends inside a string. */
function inString(text: string): boolean {
  return (text.replace(/\\./g, '').split('"').length - 1) % 2 === 1;
}

// Cut inside a string, every quote of the file joined after it pairs the wrong way, and the splitter, which tracks
// only brackets outside strings, can end the broken record anywhere (docs/adr/0023-bad-input.md, known limit).
test('an array cut short outside a string and another array joined after it: every record of the second is read', async () => {
  for (const layout of ['pretty', 'minified'] as const) {
    const first = texts[layout]([1, 2, 3].map(record));
    const second = texts[layout]([5, 6].map(record));
    const closes = [1, 2, 3].map((i) => {
      const at = first.indexOf(layout === 'pretty' ? '"Extra": {}' : '"Extra":{}', first.indexOf(`rec-${i}`));
      return first.indexOf('}', first.indexOf('}', at) + 1);
    });
    for (let cut = 1; cut < first.lastIndexOf(']'); cut++) {
      if (inString(first.slice(0, cut))) continue;
      const { items: found } = await items(first.slice(0, cut) + '\n' + second);
      const { ids: read, broken } = sortOut(found);
      const whole = [1, 2, 3].filter((_, j) => closes[j]! < cut);
      assert.deepEqual(read, [...ids(...whole), ...ids(5, 6)], `${layout}, cut at ${cut}`);
      assert.ok(broken.length <= 1, `${layout}, cut at ${cut}: ${broken.map((b) => b.reject).join(' | ')}`);
    }
  }
});

test('a record broken inside an array of its own, its ] and } missing, costs itself only', async () => {
  for (const layout of ['pretty', 'minified'] as const) {
    const text = texts[layout]([1, 2, 3, 4].map(record));
    // Record 2 loses everything after its first parameter: its Parameters array and the record stay open.
    const parameter = text.indexOf('{', text.indexOf('"Parameters"', text.indexOf('rec-2')));
    const third = text.lastIndexOf('{', text.indexOf('rec-3'));
    const cut = text.slice(0, text.indexOf('}', parameter) + 1) + text.slice(text.lastIndexOf(',', third));
    const { items: found, cutOff } = await items(cut);
    const { ids: read, broken: bad } = sortOut(found);
    assert.deepEqual(read, ids(1, 3, 4), layout);
    assert.equal(bad.length, 1, layout);
    assert.match(bad[0]!.text, /"Id": ?"rec-2"/);
    assert.match(
      bad[0]!.reject!,
      /^the record's closing \] and \} seem to be missing: a record starts at line \d+, column \d+ before it is closed/,
    );
    assert.match(
      bad[0]!.reject!,
      /add the \] and \} and import the file again \(records already stored are skipped\)$/,
    );
    assert.equal(cutOff, false, 'the records array is closed at the end');
  }
});

test('a record whose ] is missing but not its } is said to miss its ], not its }', () => {
  const s = new JsonSplitter();
  const text = '[{"Id":"a","P":[{"x":1}},\n{"Id":"b"}]';
  const found = [...s.push(text), ...s.end()];
  assert.deepEqual(
    found.map((i) => [i.text.slice(0, 10), i.reject === undefined]),
    [
      ['{"Id":"a",', false],
      ['{"Id":"b"}', true],
    ],
  );
  assert.match(
    found[0]!.reject!,
    /^the record breaks off at line 1, column 24: a \} where a , or the array's \] was due \(a \] is missing before it\)/,
  );
});

test('an element that is an array of records (joined files, an NDJSON line) gives its records', async () => {
  const { items: found } = await items(
    `[${JSON.stringify(record(1))},\n[${JSON.stringify(record(2))},${JSON.stringify(record(3))}]]`,
  );
  assert.deepEqual(sortOut(found).ids, ids(1, 2, 3));
  assert.deepEqual(
    found.map((i) => i.line),
    [1, 2, 2],
  );
});

test('an array of Graph pages cut inside its last page: its records are read, and the page itself is no reject', async () => {
  const page = (from: number) => JSON.stringify({ '@odata.context': 'x', value: [record(from), record(from + 1)] });
  const text = `[${page(1)},\n${page(3)}`.slice(0, -40);
  const { items: found, cutOff } = await items(text);
  const { ids: read, broken } = sortOut(found);
  assert.deepEqual(read, ids(1, 2, 3));
  assert.equal(broken.length, 1);
  assert.match(broken[0]!.text, /^\{"CreationTime":"2024-05-23T15:10:04"/);
  assert.equal(cutOff, true);
});

async function importOne(content: string, name: string) {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, name);
    writeFileSync(path, content);
    const sink = memorySink();
    const rejects = memoryRejects();
    const summary = await importFiles([path], { sink: sink.sink, rejects, now: NOW });
    return { summary, rejects: rejects.rejects, ids: [...sink.records.values()].map((r) => r.id).sort() };
  } finally {
    cleanup();
  }
}

test('truncated arrays, imported: inside a string, between records, after a comma, missing ] only, missing } and ]', async () => {
  const whole = texts.pretty([1, 2, 3].map(record));
  const lastOpen = whole.lastIndexOf('\n  {');
  const cases: [string, string, string[], RegExp | null][] = [
    ['inside a string', whole.slice(0, whole.indexOf('Set-Mailbox', lastOpen) + 4), ids(1, 2), /inside a string/],
    ['between records', whole.slice(0, lastOpen - 1), ids(1, 2), null],
    ['after a comma', whole.slice(0, lastOpen), ids(1, 2), null],
    ['missing ] only', whole.slice(0, whole.lastIndexOf(']')), ids(1, 2, 3), null],
    [
      'missing } and ]',
      whole.slice(0, whole.lastIndexOf('}')),
      ids(1, 2),
      /the record's closing \} never comes|\} never comes/,
    ],
  ];
  for (const [what, text, expected, reason] of cases) {
    const { summary, rejects, ids: stored } = await importOne(text, 'export.json');
    assert.deepEqual(stored, expected, what);
    assert.match(summary.files[0]!.note ?? '', /the file ends before its JSON is closed/, what);
    assert.equal(rejects.length, reason ? 1 : 0, what);
    if (!reason) continue;
    assert.equal(rejects[0]!.line, whole.slice(0, lastOpen).split('\n').length + 1, what);
    assert.match(rejects[0]!.reason, /^the file ends inside this record, at line \d+, column \d+: /, what);
    assert.match(rejects[0]!.reason, reason, what);
    assert.match(rejects[0]!.reason, new RegExp(`at line ${text.split('\n').length}, column \\d+`), what);
    assert.match(rejects[0]!.reason, /Export or copy the file again/, what);
  }
});

test('a record of a JSON file that JSON.parse refuses names the line and column in the file, not in the record', async () => {
  const text = texts
    .pretty([1, 2, 3].map(record))
    .replace('"Operation": "Set-Mailbox",\n    "OrganizationId"', '"Operation": "Set-Mailbox"\n    "OrganizationId"');
  const line = text.slice(0, text.indexOf('"OrganizationId"')).split('\n').length;
  const { summary, rejects } = await importOne(text, 'export.json');
  assert.deepEqual([summary.imported, summary.rejected], [2, 1]);
  assert.ok(rejects[0]!.reason.startsWith(`not valid JSON at line ${line}, column 5: a , is missing between two`));
  const oneLine = JSON.stringify([1, 2, 3].map(record)).replace(
    '"Operation":"Set-Mailbox","OrganizationId"',
    '"Operation":"Set-Mailbox""OrganizationId"',
  );
  const { rejects: minified } = await importOne(oneLine, 'blob.json');
  assert.match(
    minified[0]!.reason,
    new RegExp(`^not valid JSON at line 1, column ${oneLine.indexOf('""OrganizationId"') + 2}: a , is missing`),
  );
});

test('an NDJSON line holding a whole array of records gives its records; a broken array line is one reject', async () => {
  const lines = [
    `[${JSON.stringify(record(1))},${JSON.stringify(record(2))}]`,
    '[1,2',
    '[3,4]',
    JSON.stringify(record(3)),
  ];
  const out: RawItem[] = [];
  for await (const batch of readNdjson(Readable.from([lines.join('\n') + '\n']))) out.push(...batch);
  assert.deepEqual(sortOut(out).ids, ids(1, 2, 3));
  assert.deepEqual(
    sortOut(out).broken.map((i) => [i.line, i.text]),
    [
      [2, '[1,2'],
      [3, '[3,4]'],
    ],
  );
});

// A cut inside a string makes every quote after it pair the wrong way, so what the splitter reads after the cut means
// nothing; the record JSON.parse then refuses holds the next file's start, and everything is read again from there.
test('an array cut inside a string and another joined after it (with or without a line break): every record of the second is read', async () => {
  for (const layout of ['pretty', 'minified'] as const) {
    const first = texts[layout]([1, 2, 3].map(record)).trimEnd();
    const second = texts[layout]([5, 6].map(record));
    const closes = [1, 2, 3].map((i) => {
      const at = first.indexOf(layout === 'pretty' ? '"Extra": {}' : '"Extra":{}', first.indexOf(`rec-${i}`));
      return first.indexOf('}', first.indexOf('}', at) + 1);
    });
    for (const join of ['\n', '']) {
      for (let cut = 1; cut < first.lastIndexOf(']'); cut++) {
        if (!inString(first.slice(0, cut))) continue;
        const what = `${layout}, ${JSON.stringify(join)}, cut at ${cut}`;
        const { summary, rejects, ids: stored } = await importOne(first.slice(0, cut) + join + second, 'joined.json');
        const whole = [1, 2, 3].filter((_, j) => closes[j]! < cut);
        assert.deepEqual(stored, [...ids(...whole), ...ids(5, 6)].sort(), what);
        assert.equal(rejects.length, 1, `${what}: ${rejects.map((r) => r.reason).join(' | ')}`);
        assert.equal(summary.rejected, 1, what);
        const line = first.slice(0, first.lastIndexOf('{', first.lastIndexOf('CreationTime', cut))).split('\n').length;
        assert.equal(rejects[0]!.line, line, what);
        assert.match(rejects[0]!.reason, /^the record breaks off at line \d+, column \d+: /, what);
        assert.match(rejects[0]!.reason, /a record starts at line \d+, column \d+ before it is closed/, what);
      }
    }
  }
});

test('an NDJSON line longer than the record bound that holds an array of records is read record by record as it streams', async () => {
  const max = 2000;
  const array = JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8].map(record)).replace('"rec-4",', '"rec-4"');
  const page = JSON.stringify({ '@odata.context': 'x', value: [9, 10, 11, 12, 13, 14, 15].map(record) });
  const second = '\uFEFF' + array.replace(/rec-/g, 'again-');
  const text = [JSON.stringify(record(20)), array, 'x'.repeat(max + 10), page, second].join('\n');
  assert.ok(array.length > max && page.length > max);
  for (const size of [300, 1 << 20]) {
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
    const out: RawItem[] = [];
    for await (const batch of readNdjson(Readable.from(pieces), max)) out.push(...batch);
    const { ids: read, broken } = sortOut(out);
    const again = [1, 2, 3, 5, 6, 7, 8].map((i) => `again-${i}`);
    assert.deepEqual(read, [...ids(20, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), ...again], `chunks of ${size}`);
    assert.deepEqual(
      broken.map((b) => [b.line, b.reject === TOO_LARGE]),
      [
        [2, false],
        [3, true],
        [5, false],
      ],
      `chunks of ${size}`,
    );
    assert.match(broken[0]!.text, /"Id":"rec-4""Operation"/);
    assert.equal(broken[0]!.column, array.indexOf('{"CreationTime":"2024-05-23T15:10:04"') + 1);
    assert.equal(broken[2]!.column, second.indexOf('{"CreationTime":"2024-05-23T15:10:04"') + 1, 'after the BOM');
  }
});

test('the same, read in small chunks: a broken record that began in an earlier chunk is split again too', async () => {
  const first = texts.minified([1, 2, 3].map(record));
  const second = texts.minified([5, 6].map(record));
  for (let cut = 1; cut < first.lastIndexOf(']'); cut += 7) {
    if (!inString(first.slice(0, cut))) continue;
    const text = first.slice(0, cut) + second;
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += 97) pieces.push(text.slice(i, i + 97));
    // What parse-file does with a record JSON.parse refuses.
    const json = jsonRecords(Readable.from(pieces));
    const read: string[] = [];
    for await (let list of json.items) {
      for (let k = 0; k < list.length; k++) {
        let parsed: { Id?: string } | null = null;
        try {
          parsed = list[k]!.reject === undefined ? (JSON.parse(list[k]!.text) as { Id?: string }) : null;
        } catch {
          const again = json.resplit(list[k]!);
          if (again) {
            list = again;
            k = -1;
          }
          continue;
        }
        if (parsed?.Id) read.push(parsed.Id);
      }
    }
    assert.deepEqual(read.slice(-2), ids(5, 6), `cut at ${cut}`);
  }
});
