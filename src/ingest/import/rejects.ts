import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Reject, RejectWriter } from './types.js';

/**
 * The rejects file: one NDJSON line per row that could not be imported — file, line, reason and the
 * raw text — so nothing is silently dropped and a person can fix and re-import those rows. The file
 * is created on the first reject only.
 */
export function rejectFile(path: string): RejectWriter & { readonly count: number } {
  let stream: WriteStream | null = null;
  let count = 0;
  return {
    get count() {
      return count;
    },
    async write(reject: Reject) {
      if (!stream) {
        mkdirSync(dirname(path), { recursive: true });
        stream = createWriteStream(path, { flags: 'a' });
      }
      count++;
      if (!stream.write(JSON.stringify(reject) + '\n')) await once(stream, 'drain');
    },
    async close() {
      if (!stream) return;
      const s = stream;
      stream = null;
      await new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
    },
  };
}

/** Keeps rejects in memory (tests, and callers that show them instead of writing a file). */
export function memoryRejects(): RejectWriter & { rejects: Reject[] } {
  const rejects: Reject[] = [];
  return {
    rejects,
    async write(reject: Reject) {
      rejects.push(reject);
    },
    async close() {},
  };
}
