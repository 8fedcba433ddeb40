import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../core/errors.js';
import type { AuditRecord, ContentType } from '../core/record.js';
import { JsonSplitter } from '../ingest/import/json-splitter.js';
import { normalizeRecord } from '../ingest/normalize.js';

/**
 * Reads one content blob (a JSON array of records, §2.6) from its stream, element by element, so
 * memory follows the batch size, never the blob size (a 100 MB blob is never held whole). Each element
 * is normalized; one that cannot be is counted with its reason, never dropped silently. Records come
 * out in batches (`onBatch`) so a huge blob can be written in pieces; the sha256 covers the exact
 * bytes received (evidence). An empty body is a blob with no records (Elastic's guard, §2.6).
 */
export interface BlobReadResult {
  sha256: string;
  records: number;
  bytes: number;
  rejected: { count: number; reasons: string[] };
  /**
   * The body held bytes that are not UTF-8 (the Management Activity API sends UTF-8 JSON; a proxy or a broken blob may
   * not). Its records are kept, each such byte sequence read as U+FFFD (an import rejects such a line, but a blob is
   * the only copy once it expires); the sha256 is of the bytes received.
   */
  notUtf8: boolean;
}

export async function readBlob(
  body: Readable,
  context: { tenant: string; contentType: ContentType; batchSize: number; signal?: AbortSignal },
  onBatch: (records: AuditRecord[]) => Promise<void>,
): Promise<{ result: BlobReadResult; rest: AuditRecord[] }> {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const splitter = new JsonSplitter();
  let batch: AuditRecord[] = [];
  let records = 0;
  let bytes = 0;
  const rejected = { count: 0, reasons: [] as string[] };
  const take = async (items: { text: string; reject?: string; line: number }[]): Promise<void> => {
    for (const item of items) {
      const r = item.reject
        ? { ok: false as const, reason: item.reject }
        : normalizeRecord(item.text, {
            source: 'management-api',
            contentType: context.contentType,
            tenant: context.tenant,
          });
      if (r.ok) {
        batch.push(r.record);
        records++;
      } else {
        rejected.count++;
        if (rejected.reasons.length < 5) rejected.reasons.push(`element at line ${item.line}: ${r.reason}`);
      }
      if (batch.length >= context.batchSize) {
        const full = batch;
        batch = [];
        await onBatch(full);
      }
    }
  };
  // Checks the bytes as they come (a multi-byte character may straddle two chunks); stops checking at the first fault.
  const strict = new TextDecoder('utf-8', { fatal: true });
  let notUtf8 = false;
  const check = (piece: Uint8Array, stream: boolean): void => {
    if (notUtf8) return;
    try {
      strict.decode(piece, { stream });
    } catch {
      notUtf8 = true;
    }
  };
  for await (const chunk of body) {
    context.signal?.throwIfAborted();
    // A stream of strings (a test's) is read as its UTF-8 bytes, as the network's Buffers are.
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    hash.update(buf);
    check(buf, true);
    await take(splitter.push(decoder.write(buf)));
  }
  check(new Uint8Array(), false);
  await take(splitter.push(decoder.end()));
  const tail = splitter.end();
  // A record left open at the end means the body was cut off: the fetch is retried, nothing is kept.
  if (tail.some((t) => t.reject))
    throw new AppError('NETWORK', 'The blob body ended inside a record (connection cut?)', {
      hint: 'The blob is fetched again',
    });
  await take(tail);
  return { result: { sha256: hash.digest('hex'), records, bytes, rejected, notUtf8 }, rest: batch };
}
