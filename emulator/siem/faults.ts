/**
 * Faults the SIEM receivers inject on demand (issue 15): 5xx answers, 429 with Retry-After,
 * connections reset before an answer, slow answers, partial bulk failures (per-item 429), and records
 * refused for good. Each is a rate in [0, 1] drawn from a seeded generator, so a run is repeatable.
 * Bad certificates are switched on the server (server.ts), since they act on the TLS handshake.
 */
import { rng } from '../../src/core/rng.js';

export interface SiemFaults {
  /** Share of requests answered 503 (HEC: code 9 "Server is busy"). */
  error5xx: number;
  /** Share of requests answered 429 with Retry-After: retryAfterSeconds. */
  throttle: number;
  retryAfterSeconds: number;
  /** Share of requests whose connection is reset (after the body was read, before any answer). */
  reset: number;
  /** Share of requests answered after slowMs. */
  slow: number;
  slowMs: number;
  /** Share of bulk items answered 429 es_rejected_execution_exception (the rest of the request succeeds). */
  partialBulk: number;
  /** Record Ids refused for good wherever they are sent (HEC code 6, bulk 400 mapper_parsing_exception, Logs Ingestion 400). */
  rejectIds: string[];
}

export const NO_FAULTS: SiemFaults = {
  error5xx: 0,
  throttle: 0,
  retryAfterSeconds: 1,
  reset: 0,
  slow: 0,
  slowMs: 0,
  partialBulk: 0,
  rejectIds: [],
};

/** mulberry32 (core/rng.ts): a small seeded generator, so fault sequences repeat. */
export const seededRandom = rng;

/** The request-level fault to apply now, if any. */
export type RequestFault =
  { kind: 'reset' } | { kind: 'status'; status: 503 | 429 } | { kind: 'slow'; ms: number } | null;

export function drawRequestFault(faults: SiemFaults, random: () => number): RequestFault {
  if (faults.reset > 0 && random() < faults.reset) return { kind: 'reset' };
  if (faults.error5xx > 0 && random() < faults.error5xx) return { kind: 'status', status: 503 };
  if (faults.throttle > 0 && random() < faults.throttle) return { kind: 'status', status: 429 };
  if (faults.slow > 0 && random() < faults.slow) return { kind: 'slow', ms: faults.slowMs };
  return null;
}
