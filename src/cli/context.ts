import { existsSync } from 'node:fs';
import pino from 'pino';
import { AppError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { ensureFolder, ensureParentFolder } from '../config/folders.js';
import { resolveLocations, type Locations } from '../config/paths.js';
import type { Store } from '../store/contract.js';
import { recordFactsFromRaw } from '../ingest/facts.js';
import { humanLogStream } from './log-lines.js';
import { openStore } from '../store/open.js';

/** What every command gets from the composition root. Commands hold no business logic. */
export interface CliContext {
  locations: Locations;
  clock: Clock;
  /** The real clock when `clock` runs faster (demo --time-scale): people's sessions, tokens and lockouts keep it. */
  accountsClock?: Clock;
  logger: Logger;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Opens the store once per process (created and migrated on first use). A command that only reads passes
   * 'read': a SQLite file that does not exist is then refused (a mistyped --db or --data), not made empty.
   */
  store(use?: 'read'): Promise<Store>;
  /** The --log-file the logger appends to, when one was given (a command must not write its own output there). */
  logFile?: string;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly after the current unit of work. */
  signal: AbortSignal;
  close(): Promise<void>;
}

export interface GlobalOptions {
  data?: string;
  db?: string;
  verbose?: boolean;
  logFile?: string;
}

/**
 * Structured JSON logs for tools, plain sentences for people: with -v (or TENANTWATCH_LOG_LEVEL) the JSON
 * lines go to stderr at that level; with --log-file they go to that file too (info and up, or the -v level);
 * otherwise stderr shows warnings and errors as sentences (log-lines.ts), so human output never carries a raw
 * JSON line. `envLevel` and `stderr` are parameters so a test can give its own.
 */
export function cliLogger(
  opts: GlobalOptions,
  envLevel = process.env.TENANTWATCH_LOG_LEVEL,
  stderr: pino.DestinationStream = pino.destination(2),
): Logger {
  const level = envLevel ?? (opts.verbose ? 'debug' : undefined);
  if (opts.logFile)
    ensureParentFolder(opts.logFile, { mode: 0o777, hint: 'Give --log-file a file in a folder you can write to' });
  // Not pino's `mkdir: true`: Node's recursive mkdir never returns for a path under /proc (config/folders.ts).
  const file = opts.logFile ? pino.destination({ dest: opts.logFile, sync: true }) : undefined;
  if (level) {
    if (!file) return pino({ level, base: undefined }, stderr);
    // Each stream at the logger's level: a multistream entry without one takes only info and up.
    const at = level as pino.Level;
    return pino(
      { level, base: undefined },
      pino.multistream([
        { level: at, stream: stderr },
        { level: at, stream: file },
      ]),
    );
  }
  const human = { level: 'warn' as const, stream: humanLogStream(process.stderr) };
  if (!file) return pino({ level: 'warn', base: undefined }, human.stream);
  return pino({ level: 'info', base: undefined }, pino.multistream([human, { level: 'info', stream: file }]));
}

/**
 * A command that only reads (search, report, coverage, listings) was pointed by --db (or TENANTWATCH_DB) at a SQLite
 * file that is not there: made empty there, it answered "nothing" for a mistyped path and left a stray database
 * behind. The default database and one in a --data folder are still made on first use: an empty folder answers with
 * empty listings (test/empty-listings.test.ts).
 */
function refuseMissingStore(locations: Locations, opts: GlobalOptions): void {
  const path = locations.dbUrl.slice('sqlite:'.length);
  if (!opts.db || existsSync(path)) return;
  throw new AppError('STORE_UNAVAILABLE', `There is no tenantwatch database at ${path} (--db or TENANTWATCH_DB)`, {
    hint: 'Check the path: this command only reads a database. One is made by tenantwatch tenant add, import, collect or demo',
    details: { path },
  });
}

export function createContext(opts: GlobalOptions, signal: AbortSignal): CliContext {
  const locations = resolveLocations(opts);
  const logger = cliLogger(opts);
  let store: Promise<Store> | undefined;
  return {
    locations,
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    clock: systemClock,
    logger,
    out: process.stdout,
    err: process.stderr,
    signal,
    store(use) {
      if (!store) {
        if (locations.dbUrl.startsWith('sqlite:') && !locations.dbUrl.startsWith('sqlite::memory:')) {
          if (use === 'read') refuseMissingStore(locations, opts);
          ensureFolder(locations.dataDir);
        }
        store = openStore(locations.dbUrl, {
          onNotice: (message) => process.stderr.write(`${message}\n`),
          factsFromRaw: recordFactsFromRaw,
        });
      }
      return store;
    },
    async close() {
      if (store) await (await store).close();
    },
  };
}
