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
  const decoder = iconv.getDecoder(encoding === 'utf-8' ? 'utf8' : encoding);
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
