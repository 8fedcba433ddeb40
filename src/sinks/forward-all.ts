/**
 * `tenantwatch forward`: every enabled sink forwarded side by side, each under its own lease. Until
 * stopped, a sink another process holds is asked for again now and then (that process may die) and a
 * sink that failed is retried after a pause; with `once`, each sink runs until caught up and the
 * result says, per sink, whether it did and why not.
 */
import { isAppError } from '../core/errors.js';
import type { SinkRow } from '../core/sink.js';
import type { SinkDriver } from './driver.js';
import { EVENTS } from './events.js';
import { runSink, type ForwardOptions, type SinkRunResult } from './forwarder.js';

export interface ForwardAllOptions extends ForwardOptions {
  /** Opens a sink's driver (registry.openDriver with the process's secret key). */
  open: (row: SinkRow) => SinkDriver;
  /** Pause before asking again for a busy or failed sink (default 30 s). */
  retryMs?: number;
}

export async function forwardAll(options: ForwardAllOptions, rows: readonly SinkRow[]): Promise<SinkRunResult[]> {
  return Promise.all(rows.filter((r) => r.enabled).map((row) => forwardOne(options, row)));
}

async function forwardOne(options: ForwardAllOptions, row: SinkRow): Promise<SinkRunResult> {
  /** The failure last warned about: the same one again (every `retryMs`) is only a debug line. */
  let warned: string | null = null;
  for (;;) {
    let result: SinkRunResult;
    let hint: string | undefined;
    let driver: SinkDriver | null = null;
    try {
      driver = options.open(row);
      result = await runSink(options, row, driver);
    } catch (e) {
      if (options.signal.aborted) return { sink: row.name, state: 'stopped' };
      result = { sink: row.name, state: 'failed', reason: (e as Error).message };
      hint = isAppError(e) ? e.hint : undefined;
    } finally {
      await driver?.close().catch(() => undefined);
    }
    if (options.once || result.state === 'stopped' || options.signal.aborted) return result;
    if (result.state === 'failed') {
      const line = { event: EVENTS.failed, sink: row.name, reason: result.reason, ...(hint ? { hint } : {}) };
      const again = warned === result.reason;
      warned = result.reason;
      const msg = `sink cannot send; trying again every ${Math.round((options.retryMs ?? 30_000) / 1000)} s`;
      if (again) options.logger.debug(line, msg);
      else options.logger.warn(line, msg);
    } else warned = null;
    await options.clock.sleep(options.retryMs ?? 30_000, options.signal).catch(() => undefined);
    if (options.signal.aborted) return { sink: row.name, state: 'stopped' };
  }
}
