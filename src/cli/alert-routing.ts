/**
 * Wiring alert routing (detections/routing.ts) to the sinks: every enabled sink that takes alerts
 * (`sink add … --takes alerts|both`) is a channel named after it, sending through its own driver
 * (detections/sink-channel.ts). With no route in alerting.yaml, every alert goes to every such sink;
 * routes, once written, decide alone (docs/ALERTS.md).
 */
import { redact } from '../config/secrets.js';
import { AppError, isAppError, type ErrorCode } from '../core/errors.js';
import type { AlertingConfig } from '../detections/alerting-config.js';
import type { AlertChannel, RoutingConfig } from '../detections/routing.js';
import { sinkChannel } from '../detections/sink-channel.js';
import type { RuleSet } from '../detections/types.js';
import type { SinkDriver } from '../sinks/driver.js';
import { backoffPolicy, type BackoffOptions } from '../sinks/retry.js';
import type { SinkRef } from '../core/sink.js';
import type { Store } from '../store/contract.js';
import type { CliContext } from './context.js';
import { openSinkDriver, redactingLogger, sinkSecrets } from './sinks.js';

/**
 * A pass must end soon: a receiver still failing after a few seconds keeps its alerts due, and the next
 * pass (the next collect pass, import or detect) offers them again. A Retry-After is honoured up to 15 s (the
 * sinks' default bound is 10 minutes, which let one throttling receiver hold a pass for 40 minutes); this also
 * bounds how long an alert stays claimed for a channel (ADR 0026).
 */
const ALERT_RETRY: BackoffOptions = {
  baseMs: 500,
  capMs: 4_000,
  retryAfterCapMs: 15_000,
  maxAttempts: 4,
  maxAttemptsPermanent: 1,
};

export interface AlertRouting {
  config: RoutingConfig;
  channels: Map<string, AlertChannel>;
  close(): Promise<void>;
}

export async function alertRouting(
  ctx: CliContext,
  store: Store,
  alerting: AlertingConfig,
  rules: RuleSet,
): Promise<AlertRouting> {
  const rows = (await store.sinks.list()).filter((r) => r.enabled && r.takes !== 'records');
  const secrets = sinkSecrets(ctx, rows);
  const logger = redactingLogger(ctx.logger, secrets);
  const describe = new Map(rules.rules.map((r) => [r.info.id, r.info.runbook ?? r.info.description]));
  const drivers: SinkDriver[] = [];
  const channels = new Map<string, AlertChannel>();
  for (const row of rows) {
    let driver: SinkDriver;
    try {
      driver = openSinkDriver(ctx, row, logger);
    } catch (error) {
      // A sink that cannot be opened (secret missing) sends nothing; its alerts stay due for the next run.
      const hint = isAppError(error) && error.hint ? `. ${error.hint}` : '';
      const said = redact((error as Error).message + hint, secrets);
      ctx.err.write(`tenantwatch: alerts are not sent to sink ${row.name}: ${said}\n`);
      // Still a channel, one that fails: routing keeps its alerts due. Left out, it was no channel at all, so an
      // alert routed only to it was marked handled as unrouted, and one routed to it and to another sink was marked
      // delivered once the other took it: never sent to it, even once the secret was set.
      channels.set(row.name, unopenedChannel(row, isAppError(error) ? error.code : 'CONFIG_INVALID', said));
      continue;
    }
    drivers.push(driver);
    channels.set(
      row.name,
      sinkChannel({
        sink: row,
        driver,
        policy: backoffPolicy(ALERT_RETRY),
        clock: ctx.clock,
        logger,
        deadLetters: (letters) => store.sinks.addDeadLetters(row, letters),
        describe: (id) => describe.get(id) ?? null,
        consoleUrl: process.env.TENANTWATCH_CONSOLE_URL ?? null,
        scrub: (t) => redact(t, secrets),
        stats: store.sinks,
      }),
    );
  }
  const config: RoutingConfig = alerting.routing.routes.length
    ? alerting.routing
    : { routes: [...channels.keys()].map((channel) => ({ channel })), tenantGroups: {} };
  return {
    config,
    channels,
    async close() {
      await Promise.all(drivers.map((d) => d.close().catch(() => undefined)));
    },
  };
}

/** The channel of a sink this process could not open: every send fails with why, so its alerts stay due. */
function unopenedChannel({ name, id }: SinkRef, code: ErrorCode, why: string): AlertChannel {
  return {
    name,
    sinkId: id,
    longestAttemptMs: 0,
    longestWaitMs: 0,
    send: () => Promise.reject(new AppError(code, `Sink ${name} could not be opened: ${why}`)),
  };
}
