import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Options } from 'csv-parse/sync';
import { rng } from '../../search/testing/generate.js';
import { CsvRecordSplitter, MAX_SPAN_LINES, splitCells } from './csv-records.js';
import { MAX_RECORD_CHARS } from './record-size.js';

const CSV_PARSE: Options = { relax_column_count: true };
const PIECES = ['a', 'Zoë', ' ', ',', '"', '""', '\n', '\r\n', '{"Id":"x"}', '1', 'é', '\t'];

function split(text: string, chunkSizes: () => number): ReturnType<CsvRecordSplitter['push']> {
  const splitter = new CsvRecordSplitter();
  const out = [];
  for (let i = 0; i < text.length;) {
    const size = chunkSizes();
    out.push(...splitter.push(text.slice(i, i + size)));
    i += size;
  }
  out.push(...splitter.end());
  return out;
}

test('well-formed CSV: the same cells as csv-parse, whatever the chunk boundaries, with exact start lines', () => {
  const next = rng(42);
  for (let round = 0; round < 300; round++) {
    const rows: string[][] = [];
    for (let r = 1 + Math.floor(next() * 12); r > 0; r--) {
      const cells: string[] = [];
      for (let c = 1 + Math.floor(next() * 5); c > 0; c--) {
        let cell = '';
        for (let k = Math.floor(next() * 6); k > 0; k--) cell += PIECES[Math.floor(next() * PIECES.length)];
        cells.push(cell);
      }
      // Deliberate difference: a line of only blanks is skipped as an empty line (it cannot hold AuditData).
      if (cells.length === 1 && cells[0]!.trim() === '') cells[0] = 'x';
      rows.push(cells);
    }
    const eol = next() < 0.5 ? '\n' : '\r\n';
    const text =
      rows
        .map((cells) =>
          cells.map((c) => (/[",\r\n]/.test(c) || next() < 0.3 ? `"${c.replace(/"/g, '""')}"` : c)).join(','),
        )
        .join(eol) + eol;
    const want: string[][] = parse(text, CSV_PARSE);
    const got = split(text, () => 1 + Math.floor(next() * 40));
    assert.deepEqual(
      got.map((r) => r.cells),
      want,
      `round ${round}: ${JSON.stringify(text)}`,
    );
    let line = 1;
    for (const [i, record] of got.entries()) {
      assert.equal(record.line, line, `round ${round} row ${i}`);
      line += record.text.split('\n').length;
    }
  }
});

test('broken quoting is named, and a record held open too long gives its first line back', () => {
  assert.match(splitCells('a,"b"c,d') as string, /cell 2 has "c,d" after its closing quote/);
  assert.match(splitCells('a,b"c') as string, /cell 2 \("b\\"c"\) holds a quote but is not quoted/);
  // A byte order mark (a row pasted from another file) before a quoted cell is invisible: it is named, and shown escaped.
  assert.match(
    splitCells('a,\ufeff"b,c"') as string,
    /^cell 2 starts with a byte order mark \(U\+FEFF, invisible in most editors\) before its quote: delete it$/,
  );
  assert.match(splitCells('a,b\u00a0"c') as string, /cell 2 \("b\\u00A0\\"c"\) holds a quote/);
  const lines = ['x,"open', ...Array.from({ length: MAX_SPAN_LINES + 5 }, (_, i) => `r${i},ok`)];
  const got = split(lines.join('\n') + '\n', () => 1 << 16);
  assert.equal(got[0]!.line, 1);
  assert.match(
    got[0]!.error!,
    /still open 5001 lines later: a closing quote is missing, or one row runs over more than the 5,000 lines a CSV row may span/,
  );
  assert.equal(got.length, lines.length);
  assert.ok(got.slice(1).every((r, i) => r.error === null && r.line === i + 2 && r.cells![1] === 'ok'));
});

test('a pretty-printed record spread over more than 8 MB of lines is said to be that, not only an open quote', () => {
  const body = Array.from({ length: 3_000 }, (_, i) => `  ""K${i}"": ""${'v'.repeat(3_000)}"",`);
  const lines = ['1,"{', ...body, '}"', '2,ok'];
  const got = split(lines.join('\n') + '\n', () => 1 << 16);
  assert.equal(got[0]!.line, 1);
  assert.match(
    got[0]!.error!,
    /or one row runs over more than the 8 MB a CSV row may span \(export such a record as NDJSON/,
  );
});

test('a line longer than a record may be is given back as one too-large row, unread, and the next rows are read', () => {
  const cell = (id: string, filler = '') => `"{""Id"":""${id}"",""X"":""${filler}""}"`;
  const huge = 'a'.repeat(MAX_RECORD_CHARS + (2 << 20));
  const text = `RecordId,AuditData\r\n1,${cell('one')}\r\n2,${cell('huge', huge)}\r\n3,${cell('three')}\r\n4,"{""Id"":""x"", ""X"":""${huge}`;
  const got = split(text, () => 1 << 20);
  assert.deepEqual(
    got.map((r) => [r.line, r.tooLarge ?? false, r.cells?.[1]?.slice(0, 40) ?? null]),
    [
      [1, false, 'AuditData'],
      [2, false, '{"Id":"one","X":""}'],
      [3, true, null],
      [4, false, '{"Id":"three","X":""}'],
      [5, true, null],
    ],
  );
  assert.ok(got[2]!.text.startsWith('2,"{""Id"":""huge""') && got[2]!.text.length <= 1024);
});
