/**
 * The NDJSON file driver: appends each batch in one write (and fsync), rotating by size or age first.
 * A crash between the write and the cursor leaves the batch written twice at most (at-least-once).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ensureParentFolder } from '../../config/folders.js';
import { TEST_EVENT_MARK, type DriverContext, type SinkDriver } from '../driver.js';
import { SinkFailure } from '../failure.js';
import { fileConfig, type FileConfig } from './config.js';
import { encodeLine } from './encoder.js';

export function fileDriver(ctx: DriverContext): SinkDriver {
  const config = fileConfig(ctx.row);
  let fd: number | null = null;
  let size = 0;
  let openedAt = 0;

  const open = (): number => {
    if (fd !== null) return fd;
    ensureParentFolder(config.path, {
      mode: 0o777,
      hint: 'Give the file sink a path in a folder tenantwatch can write to',
    });
    fd = openSync(config.path, 'a', 0o640);
    size = statSync(config.path).size;
    // When the live file was started, kept beside it: file times follow the system clock, rotation the injected one.
    const marker = join(dirname(config.path), `.${basename(config.path)}.started`);
    const known = size > 0 && existsSync(marker) ? Number(readFileSync(marker, 'utf8')) : NaN;
    openedAt = Number.isFinite(known) ? known : ctx.clock.now();
    if (!Number.isFinite(known)) writeFileSync(marker, String(openedAt));
    return fd;
  };
  const rotateIfDue = (incoming: number): void => {
    open();
    const due = size > 0 && (size + incoming > config.maxBytes || ctx.clock.now() - openedAt >= config.maxAgeMs);
    if (!due) return;
    closeSync(fd!);
    fd = null;
    const stamp = new Date(ctx.clock.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    renameSync(config.path, `${config.path}.${stamp}`);
    prune(config);
    open();
  };
  const write = (text: string): void => {
    const bytes = Buffer.from(text);
    try {
      rotateIfDue(bytes.length);
      writeSync(open(), bytes);
      if (config.fsync) fsyncSync(fd!);
      size += bytes.length;
    } catch (e) {
      throw new SinkFailure('config', `cannot write ${config.path}: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
  };
  return {
    maxBatch: 5_000,
    idempotent: false,
    // A local append and fsync: no timeout of its own, and seconds even on a slow disk.
    longestAttemptMs: 30_000,
    send: async (items) => {
      let text = '';
      for (const item of items) text += encodeLine(item);
      write(text);
      return { rejected: [], retry: [] };
    },
    test: async () => {
      write(
        JSON.stringify({ type: 'test', mark: TEST_EVENT_MARK, at: new Date(ctx.clock.now()).toISOString() }) + '\n',
      );
      return `wrote a test line to ${config.path}`;
    },
    close: async () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Keeps the newest `keep` rotated files (their names sort by time). */
function prune(config: FileConfig): void {
  const dir = dirname(config.path);
  const base = basename(config.path);
  const rotated = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`))
    .sort();
  for (const f of rotated.slice(0, Math.max(0, rotated.length - config.keep))) rmSync(join(dir, f), { force: true });
}
