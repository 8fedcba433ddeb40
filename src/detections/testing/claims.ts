/**
 * For tests of alert routing's claims (ADR 0026): several "processes" route alerts from one store, each its own store
 * connection to the same SQLite file or PostgreSQL schema, with its own channel object for the same receiver.
 */
import { join } from 'node:path';
import { pgSkip, tempDir } from '../../../test/support/paths.js';
import { dropSchema, isolatedPgUrl } from '../../../test/support/pg.js';
import type { ManualClock } from '../../core/clock.js';
import { recordingLogger, type LogEntry } from '../../core/log.js';
import type { Store } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { alertSinkRow } from '../../store/testing/fixtures.js';
import { parseAlertingConfig } from '../alerting-config.js';
import { raiseHits } from '../alerts/raise.js';
import { hit } from './hits.js';

export const NOW = Date.UTC(2026, 9, 2);
export const ROUTING = parseAlertingConfig('routes: [{ channel: soc }]', 'alerting.yaml').routing;

/** Run by the test file's `after`, last first. */
export type Cleanups = (() => Promise<void>)[];

/** A store several processes share: its name, a fresh one's URL, and why its tests are skipped here (or false). */
export interface SharedStore {
  name: string;
  url(cleanups: Cleanups): Promise<string>;
  skip: string | false;
}

export const SHARED_STORES: readonly SharedStore[] = [
  {
    name: 'one SQLite file',
    async url(cleanups) {
      const dir = tempDir();
      cleanups.push(async () => dir.cleanup());
      return `sqlite:${join(dir.dir, 'routing.db')}`;
    },
    skip: false,
  },
  {
    name: 'one PostgreSQL schema',
    async url(cleanups) {
      const url = isolatedPgUrl(`claim_${cleanups.length}`);
      cleanups.push(() => dropSchema(url));
      return url;
    },
    skip: pgSkip,
  },
];

/** Two connections to one fresh store at `url`, with the sink `soc` and one high-severity alert raised and due. */
export async function twoProcesses(
  url: string,
  clock: ManualClock,
  cleanups: Cleanups,
): Promise<{ stores: [Store, Store]; alertId: string }> {
  const stores: [Store, Store] = [await openStore(url), await openStore(url)];
  cleanups.push(async () => {
    for (const s of stores) await s.close();
  });
  await stores[0].sinks.upsert(alertSinkRow('soc'));
  const raised = await raiseHits({ store: stores[0], clock, logger: recordingLogger() }, [hit({ severity: 'high' })]);
  return { stores, alertId: raised.alerts[0]!.id };
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export function events(entries: LogEntry[], event: string): LogEntry[] {
  return entries.filter((e) => (e.obj as { event?: string }).event === event);
}
