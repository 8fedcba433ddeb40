/**
 * Forwarding inside the daemons (`collect --follow`, `serve`): every enabled sink kept flowing beside
 * the process's own work, each under its lease (forward-all.ts), so several processes on one database
 * send each sink once and a dead process's sinks are taken over. Sinks added, changed or removed while
 * it runs are picked up at the next look (every `rescanMs`). It stops when the signal fires (SIGTERM,
 * Ctrl-C): batches in flight are abandoned with their cursor unmoved and the leases released, so the next
 * process replays them (at least once, never a gap).
 */
import type { SinkRow } from '../core/sink.js';
import { EVENTS } from './events.js';
import { forwardAll, type ForwardAllOptions } from './forward-all.js';

export interface ForwardDaemonOptions extends Omit<ForwardAllOptions, 'once'> {
  /** The sinks as stored now (the daemon keeps the enabled ones flowing). */
  list: () => Promise<SinkRow[]>;
  /** How often the sinks are listed again (default 60 s). */
  rescanMs?: number;
}

interface Running {
  row: SinkRow;
  stop: AbortController;
  done: Promise<unknown>;
}

/**
 * The sink a forwarder runs for is still the one stored, in every setting. Its times cannot tell: a sink changed twice
 * within one millisecond (`sink add` run twice by a script) kept its first change's forwarder, sending to the address
 * the second had replaced.
 */
function sameSink(now: SinkRow | undefined, running: SinkRow): boolean {
  return now !== undefined && JSON.stringify(now) === JSON.stringify(running);
}

/** Runs until `options.signal` fires; never throws for a sink's own failures (they are logged and retried). */
export async function runForwardDaemon(options: ForwardDaemonOptions): Promise<void> {
  const running = new Map<string, Running>();
  const stopOne = async (name: string): Promise<void> => {
    const r = running.get(name);
    if (!r) return;
    running.delete(name);
    r.stop.abort();
    await r.done;
  };
  try {
    while (!options.signal.aborted) {
      let rows: SinkRow[] | null = null;
      try {
        rows = (await options.list()).filter((r) => r.enabled);
      } catch (e) {
        options.logger.warn({ event: EVENTS.failed, reason: (e as Error).message }, 'could not list the sinks');
      }
      if (rows) {
        const wanted = new Map(rows.map((r) => [r.name, r]));
        // Removed, changed, or removed and added again (another sink under the name, even within one millisecond).
        for (const [name, r] of [...running]) if (!sameSink(wanted.get(name), r.row)) await stopOne(name);
        for (const row of rows) {
          if (running.has(row.name)) continue;
          const stop = new AbortController();
          const signal = AbortSignal.any([options.signal, stop.signal]);
          const done = forwardAll({ ...options, signal, once: false }, [row]).catch((e: unknown) =>
            options.logger.warn({ event: EVENTS.failed, sink: row.name, reason: (e as Error).message }, 'sink failed'),
          );
          running.set(row.name, { row, stop, done });
        }
      }
      await options.clock.sleep(options.rescanMs ?? 60_000, options.signal).catch(() => undefined);
    }
  } finally {
    for (const r of running.values()) r.stop.abort();
    await Promise.allSettled([...running.values()].map((r) => r.done));
  }
}
