/**
 * The work a long-running process does beside its own (`collect --follow`, `serve`): the scheduled
 * retention sweep and, unless told not to, delivery to the sinks — each under its lease, on this event
 * loop, until the process is stopped or `stop` is called.
 */
import { runRetentionSchedule } from '../retention/schedule.js';
import type { Store } from '../store/contract.js';
import type { CliContext } from './context.js';
import { startForwarding } from './sinks.js';

export function startDaemonWork(
  ctx: CliContext,
  store: Store,
  options: { forward: boolean },
): { stop(): Promise<void> } {
  const local = new AbortController();
  const signal = AbortSignal.any([ctx.signal, local.signal]);
  const sweeping = runRetentionSchedule(store, { clock: ctx.clock, logger: ctx.logger, signal });
  const forwarding = options.forward ? startForwarding(ctx, store) : null;
  return {
    stop: async () => {
      local.abort();
      await sweeping;
      await forwarding?.stop();
    },
  };
}
