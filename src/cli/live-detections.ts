/**
 * Live detections for the commands that store records (collect, collect --follow, collect --history,
 * import, serve --webhook-url): the built-in pack and the folders of alerting.yaml, evaluated on what
 * each unit of storing added (the store's tail after the `detections:live` cursor), alerts stored and
 * routed. Off with `--no-detect`, or `live: false` in alerting.yaml. A failure never fails the storing:
 * the records are safe and the next pass starts where this one stopped.
 */
import { join } from 'node:path';
import { ALERTING_FILE, loadAlertingConfig, type AlertingConfig } from '../detections/alerting-config.js';
import { DETECTION_EVENTS } from '../detections/events.js';
import { liveLine, openLiveDetections, type LiveTotals } from '../detections/live-session.js';
import { loadRuleSet } from '../detections/loader.js';
import { alertRouting, type AlertRouting } from './alert-routing.js';
import type { CliContext } from './context.js';
import type { Store } from '../store/contract.js';
import { problemLine } from './alert-output.js';
import { countOf } from './output.js';

/** The data folder's alerting.yaml (rule folders, routes, live on or off), or its defaults when absent. */
export function alertingConfigOf(ctx: CliContext): AlertingConfig {
  return loadAlertingConfig(join(ctx.locations.dataDir, ALERTING_FILE));
}

export interface LiveHook {
  /** Evaluates what was stored since the last pass; never throws (a failure is kept for the summary). */
  pass(): Promise<void>;
  /** What the passes did, as JSON for `--format json`. */
  summary(): { rules: number } & LiveTotals & { failures: string[] };
  /** The summary line for people. */
  line(): string;
  close(): Promise<void>;
}

/** The hook, or null when live detections are switched off (flag or alerting.yaml). */
export async function liveDetections(ctx: CliContext, enabled: boolean): Promise<LiveHook | null> {
  if (!enabled) return null;
  const alerting = alertingConfigOf(ctx);
  if (!alerting.live) return null;
  const store = await ctx.store();
  const rules = loadRuleSet({ paths: alerting.ruleFolders });
  for (const p of rules.problems) ctx.err.write(problemLine(p));
  let routing: AlertRouting = await alertRouting(ctx, store, alerting, rules);
  let sinksSeen = await alertSinks(store);
  // The session reads its channels from this object at each delivery; they are built again when the sinks changed.
  const channels = { config: routing.config, channels: routing.channels };
  const session = openLiveDetections(store, rules, {
    clock: ctx.clock,
    logger: ctx.logger,
    policy: alerting.policy,
    routing: channels,
  });
  /**
   * The channels follow the stored sinks, as the forwarder does. Built once, a long-running `collect --follow` or
   * `serve` kept the sinks of its start: one added later (with no routes: every sink that takes alerts) got none
   * of its alerts, which were marked delivered without it; one removed or given a new URL was still sent to.
   */
  const follow = async (): Promise<void> => {
    const now = await alertSinks(store);
    if (now === sinksSeen) return;
    const next = await alertRouting(ctx, store, alerting, rules);
    const old = routing;
    [routing, sinksSeen, channels.config, channels.channels] = [next, now, next.config, next.channels];
    await old.close();
  };
  const failures: string[] = [];
  return {
    async pass() {
      if (ctx.signal.aborted) return;
      try {
        await follow();
        await session.pass(ctx.signal);
      } catch (error) {
        if (ctx.signal.aborted) return;
        const message = (error as Error).message;
        failures.push(message);
        ctx.logger.warn({ event: DETECTION_EVENTS.liveFailed, error: message }, 'live detections failed');
      }
    },
    summary: () => ({ rules: session.rules, ...session.totals, failures }),
    line() {
      const tail = failures.length ? ` (${countOf(failures.length, 'pass')} failed: ${failures.at(-1)})` : '';
      return `${liveLine(session.totals)}${tail}\n`;
    },
    close: () => routing.close(),
  };
}

/**
 * The enabled sinks that take alerts, as they are stored now (what alert routing's channels are made of), whole: a
 * sink removed and added again, or changed twice, within one millisecond has the same times, and the channel kept
 * for it sent to the address it had before.
 */
async function alertSinks(store: Store): Promise<string> {
  return JSON.stringify((await store.sinks.list()).filter((r) => r.enabled && r.takes !== 'records'));
}
