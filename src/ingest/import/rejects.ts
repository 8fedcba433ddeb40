import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { AppError } from '../../core/errors.js';
import { ensureParentFolder } from '../../config/folders.js';
import type { Reject, RejectWriter } from './types.js';

/**
 * The rejects file: one NDJSON line per row that could not be imported — file, line, reason and the
 * raw text — so nothing is silently dropped and a person can fix and re-import those rows. The file
 * is created on the first reject only.
 *
 * When the file cannot be written (a folder, a full disk, no permission) the import carries on — the
 * good records still matter — and `error` says what failed; the caller reports it after the summary
 * (issue 18.11: an unhandled 'error' event ended the import with a stack trace and no summary).
 */
export function rejectFile(path: string): RejectWriter & { readonly count: number; readonly error: AppError | null } {
  let stream: WriteStream | null = null;
  let count = 0;
  let error: AppError | null = null;
  const fail = (e: unknown) => {
    error ??= unwritable(path, e);
  };
  function open(): WriteStream | null {
    try {
      ensureParentFolder(path, { mode: 0o777, hint: REJECTS_HINT });
    } catch (e) {
      error ??= e instanceof AppError ? e : unwritable(path, e);
      return null;
    }
    // Owner only: each line holds a whole audit record (who did what, addresses, file names), as the store does.
    const s = createWriteStream(path, { flags: 'a', mode: 0o600 });
    s.on('error', fail);
    return s;
  }
  return {
    get count() {
      return count;
    },
    get error() {
      return error;
    },
    async write(reject: Reject) {
      count++;
      if (error) return;
      stream ??= open();
      if (!stream || error) return;
      if (!stream.write(JSON.stringify(reject) + '\n')) await once(stream, 'drain').catch(fail);
    },
    async close() {
      if (!stream) return;
      const s = stream;
      stream = null;
      if (s.destroyed) return;
      await new Promise<void>((resolve) =>
        s.end((e?: Error | null) => {
          if (e) fail(e);
          resolve();
        }),
      );
    },
  };
}

const REJECTS_HINT =
  'Give --rejects a file in a folder you can write to, with free space; the records that could be imported were imported';

function unwritable(path: string, e: unknown): AppError {
  const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new AppError('FILE_UNWRITABLE', `The rejected rows could not be written to ${path} (${reason})`, {
    hint: REJECTS_HINT,
    details: { path },
    cause: e,
  });
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
