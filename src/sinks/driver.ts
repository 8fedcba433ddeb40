/**
 * What every sink implements (one folder per service: config, encoder, sender, retry policy, health
 * check). A driver turns items into the receiver's wire format and reports, per send, which items the
 * receiver refused for good and which it asked to have again; a failure of the whole send is thrown as
 * a classified SinkFailure. Drivers never touch the store or a cursor: the forwarder does.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SinkRow } from '../core/sink.js';
import type { Item } from './alert.js';
import type { HttpSender } from './http.js';

export interface SendResult {
  /** Items the receiver refused for good (index into the items sent), with its reason: dead letters. */
  rejected: { index: number; reason: string }[];
  /** Items the receiver asks to have again (a 429 inside a bulk answer). */
  retry: { index: number; reason: string }[];
  retryAfterMs?: number;
  /**
   * Send the `retry` items again at once, without backoff: the receiver did not fail, it stopped at a
   * refused item (HEC's invalid-event-number) and never looked at the ones after it.
   */
  retryNow?: boolean;
}

export function allDelivered(): SendResult {
  return { rejected: [], retry: [] };
}

export interface SinkDriver {
  /** Most items per send (the forwarder cuts batches to this). */
  readonly maxBatch: number;
  /**
   * True when the receiver drops a resent item by its id (Elastic `create` with `_id`): a resend after a
   * crash or a retried request then never doubles anything.
   */
  readonly idempotent: boolean;
  /**
   * Sends this driver can have out at once (default 1). Only for drivers whose sends are independent
   * (HTTP over a socket pool); a stream (syslog) or a file must keep one at a time.
   */
  readonly inFlight?: number;
  /**
   * The longest one send() of one alert can take before it answers or throws: the transport's own timeouts
   * (HTTP's whole-request timeout, an acknowledgement wait, SMTP's). Alert routing claims an alert for a channel
   * for longer than one attempt and the wait after it, renewed before each attempt, so no other process sends it
   * meanwhile (detections/routing.ts, ADR 0026).
   */
  readonly longestAttemptMs: number;
  send(items: readonly Item[], signal: AbortSignal): Promise<SendResult>;
  /** Health: sends one marked test event (or checks the connection where a sink has no test event). */
  test(signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

/** What a driver factory gets: the stored row with its secret opened, and shared services. */
export interface DriverContext {
  row: SinkRow;
  /** The plain secret (token, password, client secret), or null; never log it. */
  secret: string | null;
  /** The PEM of --ca-file, or null. */
  caPem: string | null;
  clock: Clock;
  logger: Logger;
  /** HTTP client factory: the one place the transport is chosen (sinks/http.ts). */
  http: (options: { caPem: string | null; timeoutMs?: number }) => HttpSender;
}

export type DriverFactory = (ctx: DriverContext) => SinkDriver;

/** The marker every test event carries, so a person can find (and delete) it on the receiver. */
export const TEST_EVENT_MARK = 'tenantwatch-sink-test';
