import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/**
 * Turns a file's bytes into text chunks, whatever the encoding exports come in: UTF-8 with or without
 * BOM, UTF-16LE (Windows PowerShell's Export-Csv default) with or without BOM, UTF-16BE with BOM.
 * Streaming decoders keep characters split across chunks intact. Binary content is recognised early
 * (compressed-file signatures, or a head where control characters are common) so a person gets "not a
 * text file" instead of a flood of rejects. A few NUL bytes in otherwise readable text do not make a
 * file binary: they cost only the records they sit in (issue 18.8: one NUL in the first MiB refused
 * 150 good records).
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
  /**
   * Lines decoded so far that held bytes which are not UTF-8 (each became U+FFFD) and that no record
   * has claimed yet: the reader of records rejects a record holding U+FFFD while this is above zero
   * (issue 18.10: such records were stored altered without a word).
   */
  invalid: { lines: number };
}

const SNIFF_BYTES = 8192;

export function sniffEncoding(head: Buffer): { encoding: TextEncoding; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // No BOM: text in UTF-16LE has a zero high byte on almost every ASCII character; UTF-16BE a zero low one.
  const pairs = Math.min(head.length >> 1, 256);
  let zeroHigh = 0;
  let zeroLow = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i + 1] === 0 && head[2 * i] !== 0) zeroHigh++;
    if (head[2 * i] === 0 && head[2 * i + 1] !== 0) zeroLow++;
  }
  if (pairs >= 2 && zeroHigh >= pairs * 0.9) return { encoding: 'utf-16le', bom: 0 };
  if (pairs >= 2 && zeroLow >= pairs * 0.9) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/** gzip (inside gzip: parse-file.ts inflates one layer), zip, 7z, bzip2, xz (unpacked first), PNG. */
const SIGNATURES = [
  [0x1f, 0x8b],
  [0x50, 0x4b, 0x03, 0x04],
  [0x37, 0x7a, 0xbc, 0xaf],
  [0x42, 0x5a, 0x68],
  [0xfd, 0x37, 0x7a, 0x58],
  [0x89, 0x50, 0x4e, 0x47],
];
/** Share of control characters (other than tab, CR, LF, FF) above which the head is not text. */
const BINARY_SHARE = 0.02;

/**
 * Where the text stops being text, or -1: a compressed file's signature, or a head in which control
 * characters are common (real text has next to none; random bytes have about one in eight).
 */
export function binaryOffset(text: string): number {
  let control = 0;
  let first = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) {
      control++;
      if (first < 0) first = i;
    }
  }
  return control > 1 && control > text.length * BINARY_SHARE ? first : -1;
}

function compressed(head: Buffer): boolean {
  return SIGNATURES.some((sig) => sig.every((byte, i) => head[i] === byte));
}

/** Decodes a byte stream; throws BinaryFileError when the start of the bytes is not text (binaryOffset). */
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
  if (compressed(head)) {
    await iterator.return?.();
    throw new BinaryFileError(0);
  }
  const { encoding, bom } = sniffEncoding(head);
  if (encoding === 'utf-8') {
    const nul = binaryOffset(head.toString('latin1', bom));
    if (nul >= 0) {
      await iterator.return?.();
      throw new BinaryFileError(head.toString('utf8', bom, bom + nul).length);
    }
    const invalid = { lines: 0 };
    return { encoding, chunks: utf8Text(head.subarray(bom), iterator, invalid), invalid };
  }
  const decoder = iconv.getDecoder(encoding);
  const firstText = decoder.write(head.subarray(bom));
  const nul = binaryOffset(firstText);
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
  return { encoding, chunks: chunks(), invalid: { lines: 0 } };
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
async function* utf8Text(
  head: Buffer,
  rest: AsyncIterator<Buffer>,
  invalid: { lines: number },
): AsyncGenerator<string> {
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
      if (!streaming && nl >= 0) yield* completeText(invalid, Buffer.concat([...carry, upTo]));
      else yield stream.decode(carried > 0 ? Buffer.concat([...carry, upTo]) : upTo, { stream: true });
      carry = [];
      carried = 0;
      streaming = nl < 0;
      if (nl < 0) continue;
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) yield* completeText(invalid, chunk.subarray(from, last + 1));
    const tail = chunk.subarray(Math.max(from, last + 1));
    if (tail.length) {
      carry = [Buffer.from(tail)];
      carried = tail.length;
    }
  }
  if (streaming) {
    const end = stream.decode();
    if (end) yield end;
  } else if (carried > 0) yield* completeText(invalid, Buffer.concat(carry));
}

/** Whole lines of UTF-8: runs of ASCII lines as one one-byte string each, every other line decoded on its own. */
function* completeText(invalid: { lines: number }, bytes: Buffer): Generator<string> {
  if (isAscii(bytes)) {
    if (bytes.length) yield bytes.toString('latin1');
    return;
  }
  // Line by line (a native ASCII check each); an ASCII run is read as latin1, which for ASCII is the text.
  let run = 0;
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    const line = bytes.subarray(start, end);
    if (!isAscii(line)) {
      if (!isUtf8(line)) invalid.lines++;
      if (start > run) yield bytes.toString('latin1', run, start);
      yield bytes.toString('utf8', start, end);
      run = end;
    }
    start = end;
  }
  if (run < bytes.length) yield bytes.toString('latin1', run, bytes.length);
}
