import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinaryFileError, decodeText } from './decode.js';

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function decodeAll(bytes: Buffer, sizes: number[]): Promise<{ text: string }> {
  const decoded = await decodeText(chunked(bytes, sizes));
  let text = '';
  for await (const piece of decoded.chunks) text += piece;
  return { text };
}

const lines = Array.from({ length: 400 }, (_, i) =>
  i % 7 === 3
    ? `{"n":${i},"User":"jürgen.müller@contoso.com","Note":"日本語 ✓ 😀"}`
    : `{"n":${i},"User":"user${i}@contoso.com"}`,
);

test('UTF-8 text decodes exactly whatever the chunk boundaries, including inside multi-byte characters', async () => {
  const expected = lines.join('\n') + '\n';
  const bytes = Buffer.from(expected, 'utf8');
  for (const sizes of [[1], [2, 3], [7], [8192, 1], [8193, 5, 11], [9000], [bytes.length]]) {
    assert.equal((await decodeAll(bytes, sizes)).text, expected, `chunks of ${sizes.join(', ')}`);
  }
  const noFinalNewline = Buffer.from(lines.join('\r\n'), 'utf8');
  assert.equal((await decodeAll(noFinalNewline, [8192, 333])).text, lines.join('\r\n'));
});

test('a BOM is dropped, and a line longer than the streaming limit is decoded in pieces without being held whole', async () => {
  const long = `[${Array.from({ length: 40_000 }, (_, i) => `{"i":${i},"v":"é€${i}"}`).join(',')}]`;
  assert.ok(Buffer.byteLength(long) > 1 << 20);
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${long}\n{"after":"ok"}\n`, 'utf8')]);
  let consumed = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of chunked(bytes, [65_536, 3])) {
      consumed += chunk.length;
      yield chunk;
    }
  }
  const decoded = await decodeText(counted());
  let text = '';
  let consumedAtFirstPiece = -1;
  for await (const piece of decoded.chunks) {
    if (consumedAtFirstPiece < 0) consumedAtFirstPiece = consumed;
    text += piece;
  }
  assert.equal(text, `${long}\n{"after":"ok"}\n`);
  assert.ok(
    consumedAtFirstPiece <= (1 << 20) + 65_536 * 2,
    `text came out after ${consumedAtFirstPiece} bytes, before the line's end at ${Buffer.byteLength(long)}`,
  );
});

test('invalid UTF-8 becomes U+FFFD instead of failing, and NUL bytes at the start mean a binary file', async () => {
  const bad = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('"}\n{"b":1}\n')]);
  const { text } = await decodeAll(bad, [4]);
  assert.match(text, /^\{"a":"x\uFFFD+"\}\n\{"b":1\}\n$/);
  await assert.rejects(decodeAll(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x41]), [100]), BinaryFileError);
});
