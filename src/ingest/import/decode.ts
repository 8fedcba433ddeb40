import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';

/**
 * Turns a file's bytes into text chunks, whatever the encoding exports come in: UTF-8 with or without
 * BOM, UTF-16LE (Windows PowerShell's Export-Csv default) with or without BOM, UTF-16BE with BOM.
 * Streaming decoders keep characters split across chunks intact. Binary content is recognised early
 * (NUL characters) so a person gets "not a text file" instead of a flood of rejects.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export class BinaryFileError extends Error {
  constructor(readonly offset: number) {
    super(`binary content at byte ${offset}`);
  }
}

export interface DecodedText {
  encoding: TextEncoding;
  chunks: AsyncGenerator<string>;
}

const SNIFF_BYTES = 8192;

export function sniffEncoding(head: Buffer): { encoding: TextEncoding; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // No BOM: text in UTF-16LE has a zero high byte on almost every ASCII character.
  const pairs = Math.min(head.length >> 1, 256);
  let zeroHigh = 0;
  for (let i = 0; i < pairs; i++) if (head[2 * i + 1] === 0 && head[2 * i] !== 0) zeroHigh++;
  return pairs >= 2 && zeroHigh >= pairs * 0.9 ? { encoding: 'utf-16le', bom: 0 } : { encoding: 'utf-8', bom: 0 };
}

/** Decodes a byte stream; throws BinaryFileError when the start of the text holds NUL characters. */
export async function decodeText(bytes: AsyncIterable<Buffer>): Promise<DecodedText> {
  const iterator = bytes[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    first.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(first);
  const { encoding, bom } = sniffEncoding(head);
  if (encoding === 'utf-8') {
    const nul = head.indexOf(0, bom);
    if (nul >= 0) {
      await iterator.return?.();
      throw new BinaryFileError(head.toString('utf8', bom, nul).length);
    }
    return { encoding, chunks: utf8Text(head.subarray(bom), iterator) };
  }
  const decoder = iconv.getDecoder(encoding);
  const firstText = decoder.write(head.subarray(bom));
  const nul = firstText.indexOf('\u0000');
  if (nul >= 0) {
    await iterator.return?.();
    throw new BinaryFileError(nul);
  }
  async function* chunks(): AsyncGenerator<string> {
    if (firstText) yield firstText;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const text = decoder.write(next.value);
      if (text) yield text;
    }
    const tail = decoder.end();
    if (tail) yield tail;
  }
  return { encoding, chunks: chunks() };
}

/**
 * A line longer than this is decoded in streaming pieces rather than held whole (a Management API blob
 * is one line of up to 100 MB+; memory must not grow with it).
 */
const LONG_LINE_BYTES = 1 << 20;

/**
 * UTF-8 bytes → text pieces that together are exactly the decoded text, cut at line ends so that the
 * ASCII lines stay one-byte strings. Decoding a whole 1 MB chunk with a single non-ASCII character in it
 * gives a two-byte string, and every record sliced from it is then two-byte too: JSON.parse, the store's
 * binding and the worker's cloning all ran about twice as slowly (measured: decode + JSON.parse of
 * 200,000 records 1.36 s by chunk, 0.63 s by line). Lines are complete before decoding, so no character
 * is split, except in a line longer than LONG_LINE_BYTES, which goes through a streaming decoder.
 */
async function* utf8Text(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<string> {
  const stream = new TextDecoder('utf-8');
  /** Bytes after the last line end so far (a line not yet complete), and whether `stream` holds a partial character. */
  let carry: Buffer[] = [];
  let carried = 0;
  let streaming = false;
  for (let next: IteratorResult<Buffer> = { done: false, value: head }; !next.done; next = await rest.next()) {
    const chunk = next.value;
    let from = 0;
    if (streaming || carried > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0 && !streaming && carried + chunk.length <= LONG_LINE_BYTES) {
        carry.push(Buffer.from(chunk));
        carried += chunk.length;
        continue;
      }
      const upTo = nl < 0 ? chunk : chunk.subarray(0, nl + 1);
      if (!streaming && nl >= 0) yield* completeText(Buffer.concat([...carry, upTo]));
      else yield stream.decode(carried > 0 ? Buffer.concat([...carry, upTo]) : upTo, { stream: true });
      carry = [];
      carried = 0;
      streaming = nl < 0;
      if (nl < 0) continue;
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) yield* completeText(chunk.subarray(from, last + 1));
    const tail = chunk.subarray(Math.max(from, last + 1));
    if (tail.length) {
      carry = [Buffer.from(tail)];
      carried = tail.length;
    }
  }
  if (streaming) {
    const end = stream.decode();
    if (end) yield end;
  } else if (carried > 0) yield* completeText(Buffer.concat(carry));
}

/** Whole lines of UTF-8: runs of ASCII lines as one one-byte string each, every other line decoded on its own. */
function* completeText(bytes: Buffer): Generator<string> {
  if (isAscii(bytes)) {
    if (bytes.length) yield bytes.toString('latin1');
    return;
  }
  // Line by line (a native ASCII check each); an ASCII run is read as latin1, which for ASCII is the text.
  let run = 0;
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    if (!isAscii(bytes.subarray(start, end))) {
      if (start > run) yield bytes.toString('latin1', run, start);
      yield bytes.toString('utf8', start, end);
      run = end;
    }
    start = end;
  }
  if (run < bytes.length) yield bytes.toString('latin1', run, bytes.length);
}
