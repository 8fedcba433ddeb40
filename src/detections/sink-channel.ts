/**
 * Alert channels backed by the sinks of src/sinks: a sink added with `--takes alerts` (or `both`) is a
 * channel named after the sink. An alert goes through the sink's own driver (webhook shaped for
 * Teams/Slack/Discord or signed, email, syslog, Splunk, Elastic, Sentinel, file) with the sink's retry
 * policy, through `deliverItems`, the same call the forwarder makes: confirmed by the receiver, or
 * refused for good (kept as a dead letter of the sink, and not offered again), or thrown — then the
 * alert stays due and routing offers it again on the next pass (at least once). Either way the sink's
 * statistics say so (`sink status`: delivered, last error — for a sink the forwarder never runs, such as
 * email, the only place a person sees that its recipient is wrong).
 */
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { DeadLetter, SinkRef, SinkStatsChange, SinkStore } from '../core/sink.js';
import type { AlertPayload } from '../sinks/alert.js';
import { deliverItems, type DeliverOutcome } from '../sinks/deliver.js';
import { classifyNetworkError, lastErrorText, SinkFailure } from '../sinks/failure.js';
import type { SinkDriver } from '../sinks/driver.js';
import type { RetryPolicy } from '../sinks/retry.js';
import type { AlertView } from './alerts/view.js';
import { DETECTION_EVENTS } from './events.js';
import type { AlertChannel } from './routing.js';

export interface SinkChannelOptions {
  /**
   * The sink as stored when the channel was made: its name is the channel's name in routes; its identity is what
   * routing records a delivery for, and the statistics are kept for (another sink added under the name has none).
   */
  sink: SinkRef;
  driver: SinkDriver;
  policy: RetryPolicy;
  clock: Clock;
  logger: Logger;
  /** Where a refusal for good is kept (the store's sinks.addDeadLetters for this sink). */
  deadLetters: (letters: readonly DeadLetter[]) => Promise<void>;
  /** The runbook or description shown with an alert, by rule id. */
  describe?: (ruleId: string) => string | null;
  /** The console's address, for a link to the alert. */
  consoleUrl?: string | null;
  /** Removes secrets from a receiver's reason before it is kept. */
  scrub?: (text: string) => string;
  /** Where the sink's statistics live (the store's sinks): what the channel delivered and its last error. */
  stats?: Pick<SinkStore, 'addStats'>;
}

export function alertPayload(
  alert: AlertView,
  options: Pick<SinkChannelOptions, 'describe' | 'consoleUrl'>,
  now: number,
): AlertPayload {
  return {
    id: alert.id,
    tenant: alert.tenant,
    ruleId: alert.ruleId,
    title: alert.title,
    severity: alert.severity,
    description: options.describe?.(alert.ruleId) ?? null,
    firstSeen: Date.parse(alert.firstSeen),
    lastSeen: Date.parse(alert.lastSeen),
    raisedAt: Date.parse(alert.createdAt) || now,
    recordIds: alert.recordIds,
    facts: alert.facts,
    link: options.consoleUrl
      ? `${options.consoleUrl.replace(/\/$/, '')}/#/alerts?id=${encodeURIComponent(alert.id)}&tenant=${encodeURIComponent(alert.tenant)}`
      : null,
  };
}

/**
 * One sink as an alert channel. It keeps no memory of what it sent: routing (routing.ts deliverDue) asks it
 * only for alerts the store does not record it as having taken, and records each one it took, so a channel
 * that took an alert is not offered it again across passes, restarts and processes — while another channel
 * routed to fails and keeps the alert due.
 */
export function sinkChannel(options: SinkChannelOptions): AlertChannel {
  // A routing pass sends its due alerts one after another: a policy that never gives up would hold back the rest.
  if (!Number.isFinite(options.policy.longestRunMs(options.driver.longestAttemptMs)))
    throw new AppError(
      'INTERNAL',
      `The alert channel ${options.sink.name} has a retry policy without a bound on attempts`,
      {
        hint: 'Alert channels send within a routing pass: give their policy maxAttempts and maxAttemptsPermanent',
      },
    );
  return {
    name: options.sink.name,
    sinkId: options.sink.id,
    longestAttemptMs: options.driver.longestAttemptMs,
    longestWaitMs: options.policy.longestWaitMs(),
    async send(alert, { signal, beforeAttempt } = {}) {
      const payload = alertPayload(alert, options, options.clock.now());
      let outcome: DeliverOutcome;
      try {
        outcome = await deliverItems(
          {
            sink: options.sink.name,
            driver: options.driver,
            policy: options.policy,
            clock: options.clock,
            logger: options.logger,
            signal: signal ?? new AbortController().signal,
            ...(options.scrub ? { scrub: options.scrub } : {}),
            // Routing renews the alert's claim before every request (deliverItems calls it before each attempt).
            ...(beforeAttempt ? { beforeAttempt } : {}),
          },
          [{ kind: 'alert', alert: payload }],
        );
      } catch (error) {
        if (!signal?.aborted) {
          const message = lastErrorText(classifyNetworkError(error), options.scrub);
          await keepStats(options, { lastError: { message, at: options.clock.now() } });
        }
        throw scrubbed(error, options.scrub);
      }
      // Refused for good (a payload the receiver will never take): kept with the reason, not retried.
      if (outcome.dead.length) await options.deadLetters(outcome.dead);
      await keepStats(options, {
        delivered: outcome.delivered,
        resent: outcome.resent,
        ...(outcome.delivered ? { lastDeliveryAt: options.clock.now() } : {}),
      });
    },
  };
}

/**
 * The failure a send throws, as routing logs it: a receiver's answer quoted in it may quote the sink's credential (a
 * proxy's "Cannot POST /services/T…/B…/XXXX" for a webhook's secret path), and routing's log lines are not the sink's.
 */
function scrubbed(error: unknown, scrub: ((text: string) => string) | undefined): unknown {
  if (!scrub || !(error instanceof SinkFailure)) return error;
  const { cause: _quoted, ...options } = error.options;
  return new SinkFailure(error.stage, scrub(error.message), options);
}

/**
 * Adds what the channel did to the sink's stored statistics. They only inform `sink status`: a store that
 * cannot save them is logged, and the alert's delivery goes on. A sink that also takes records has them
 * written by its forwarder too, maybe in another process: each adds its part to the row as it is then
 * (SinkStore.addStats), so neither erases the other's counts or last error.
 */
async function keepStats(options: SinkChannelOptions, change: Omit<SinkStatsChange, 'sink' | 'at'>): Promise<void> {
  if (!options.stats) return;
  try {
    await options.stats.addStats(options.sink, { ...change, at: options.clock.now() });
  } catch (error) {
    options.logger.warn(
      { event: DETECTION_EVENTS.channelStatsFailed, sink: options.sink.name, error: (error as Error).message },
      `could not save the statistics of sink ${options.sink.name}; sink status may show an older state`,
    );
  }
}
