import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { resolveLocations, type Locations } from '../config/paths.js';
import type { Store } from '../store/contract.js';
import { openStore } from '../store/open.js';

/** What every command gets from the composition root. Commands hold no business logic. */
export interface CliContext {
  locations: Locations;
  clock: Clock;
  logger: Logger;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Opens the store once per process (created and migrated on first use). */
  store(): Promise<Store>;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly after the current unit of work. */
  signal: AbortSignal;
  close(): Promise<void>;
}

export interface GlobalOptions {
  data?: string;
  db?: string;
  verbose?: boolean;
}

export function createContext(opts: GlobalOptions, signal: AbortSignal): CliContext {
  const locations = resolveLocations(opts);
  // Logs are structured JSON on stderr; quiet (warn) unless --verbose or TENANTWATCH_LOG_LEVEL.
  const level = process.env.TENANTWATCH_LOG_LEVEL ?? (opts.verbose ? 'debug' : 'warn');
  const logger = pino({ level, base: undefined }, pino.destination(2)) as unknown as Logger;
  let store: Promise<Store> | undefined;
  return {
    locations,
    clock: systemClock,
    logger,
    out: process.stdout,
    err: process.stderr,
    signal,
    store() {
      if (!store) {
        if (locations.dbUrl.startsWith('sqlite:') && !locations.dbUrl.startsWith('sqlite::memory:')) {
          mkdirSync(locations.dataDir, { recursive: true, mode: 0o700 });
        }
        store = openStore(locations.dbUrl, { onNotice: (message) => process.stderr.write(`${message}\n`) });
      }
      return store;
    },
    async close() {
      if (store) await (await store).close();
    },
  };
}
