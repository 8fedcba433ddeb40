/**
 * The vocabulary the store and the sinks share about forwarding (DESIGN.md, push side): a registered
 * sink as stored, a dead letter, and a sink's delivery statistics. It lives in core because the store
 * keeps these rows and the sinks module acts on them, and neither may import the other.
 */

export const SINK_KINDS = ['splunk', 'elastic', 'sentinel', 'syslog', 'webhook', 'email', 'file'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** What a sink takes from tenantwatch: audit records, alerts raised by detections, or both. */
export type SinkTakes = 'records' | 'alerts' | 'both';

/**
 * Which records a sink takes: the search filters that make sense on a stream (DESIGN.md search model,
 * same meaning: tenants exact keys, operations and workloads without regard to case, record types as
 * numbers). Empty or absent = no restriction.
 */
export interface SinkFilter {
  tenants?: string[];
  recordTypes?: number[];
  workloads?: string[];
  operations?: string[];
}

/** A registered sink, as the store keeps it. The secret is sealed (`enc:v1:`) or a reference (`env:NAME`). */
export interface SinkRow {
  /** Short unique name people type; the cursor consumer is `sink:<name>`. */
  name: string;
  kind: SinkKind;
  /** Where it sends; with its credential parts masked (`***`) when `urlSecret` holds the whole URL. */
  url: string;
  /**
   * The whole URL sealed (`enc:v1:`) when it carries a credential (a webhook's path such as Slack's, a token
   * in the query: sinks/config.ts urlSecrets), so the database never holds it in clear; null otherwise (and
   * for sinks added before it was sealed: `sink add` with the same name seals it).
   */
  urlSecret: string | null;
  takes: SinkTakes;
  filter: SinkFilter;
  /** Kind-specific settings (index, sourcetype, namespace, stream, format...), never secret. */
  options: Record<string, unknown>;
  /** Sealed secret or `env:NAME` reference; null when the sink needs none. */
  secret: string | null;
  caFile: string | null;
  /** false: kept but not forwarded to. */
  enabled: boolean;
  /**
   * This sink's identity, apart from its name: a random UUID (`sink add` makes one every time), stored when no sink
   * of the name exists and kept by every update after. A sink removed and added again under its name is another sink,
   * even within one millisecond (addedAt cannot tell them apart): a forwarder pass or alert send still out for the
   * removed one writes nothing of the new one (SinkRef).
   */
  id: string;
  addedAt: number;
  updatedAt: number;
}

/**
 * Which sink a write is for: its name and the identity of the one a pass or a send started from. The store writes a
 * cursor, dead letters, statistics or an alert's delivery only while that very sink exists, checked with the write.
 */
export type SinkRef = Pick<SinkRow, 'name' | 'id'>;

/** The cursor a sink keeps in the state store: its name as a consumer of the tail (HELPERS.md consumer names). */
export function sinkConsumer(name: string): string {
  return `sink:${name}`;
}

/** One record (or alert) a receiver refused for good, kept with the receiver's reason. */
export interface DeadLetter {
  sink: string;
  /** 'record': tenant + record id; 'alert': tenant + alert id. */
  kind: 'record' | 'alert';
  tenant: string;
  itemId: string;
  /** What the receiver said (status and message), never a secret. */
  reason: string;
  failedAt: number;
}

/** What a sink has done lately, written by the process forwarding to it, read by `sink status` and the console. */
export interface SinkStats {
  sink: string;
  /** Records (and alerts) confirmed by the receiver since the sink was added. */
  delivered: number;
  /** Items delivered again after a restart or a retried batch, as far as the forwarder can tell. */
  resent: number;
  /** Records per second over the last busy minute. */
  throughput: number;
  lastDeliveryAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** The process (lease owner) sending to it now, or last. */
  owner: string | null;
  updatedAt: number;
}

/** A sink's statistics before it has done anything. */
export function freshSinkStats(sink: string, owner: string | null, now: number): SinkStats {
  return {
    sink,
    delivered: 0,
    resent: 0,
    throughput: 0,
    lastDeliveryAt: null,
    lastError: null,
    lastErrorAt: null,
    owner,
    updatedAt: now,
  };
}

/**
 * What one writer adds to a sink's statistics. Two writers keep them — the forwarder (records) and the alert
 * channel (alerts) of a sink that takes `both`, often in two processes (`serve`, `collect --follow`) — so
 * neither saves a whole copy it read earlier (that would erase what the other counted meanwhile): each adds
 * what it did, and the store applies it to the row as it is when written (`SinkStore.addStats`).
 */
export interface SinkStatsChange {
  /** When it was written: the statistics' `updatedAt`. */
  at: number;
  /** Added to the counters. */
  delivered?: number;
  resent?: number;
  /** Kept unless the stored one is later. */
  lastDeliveryAt?: number;
  /** Kept, with its time, unless the stored error is later. */
  lastError?: { message: string; at: number };
  /** The forwarder's own measure of its records per second: replaces the stored one. */
  throughput?: number;
  /** The process sending records to the sink (lease owner): replaces the stored one. */
  owner?: string;
}

/**
 * A change applied to statistics (or to fresh ones): what `SinkStore.addStats` does in one statement of
 * each store, spelled once here for the insert of a first row and for the in-memory store of tests.
 */
export function addToSinkStats(sink: string, stats: SinkStats | null, change: SinkStatsChange): SinkStats {
  const s = stats ?? freshSinkStats(sink, null, change.at);
  const later = (a: number | null, b: number | undefined): number | null =>
    b === undefined ? a : a === null ? b : Math.max(a, b);
  const e = change.lastError;
  const error = e !== undefined && e.at >= (s.lastErrorAt ?? e.at);
  return {
    ...s,
    delivered: s.delivered + (change.delivered ?? 0),
    resent: s.resent + (change.resent ?? 0),
    throughput: change.throughput ?? s.throughput,
    lastDeliveryAt: later(s.lastDeliveryAt, change.lastDeliveryAt),
    lastError: error ? e.message : s.lastError,
    lastErrorAt: error ? e.at : s.lastErrorAt,
    owner: change.owner ?? s.owner,
    updatedAt: change.at,
  };
}

/**
 * Sinks as registered (secrets sealed or referenced), what they refused for good, and how they are doing:
 * the store keeps them (store/contract.ts) and the forwarder uses them (sinks/ports.ts), so the shape lives here.
 */
export interface SinkStore {
  /**
   * Adds a sink, or replaces the one of its name; an update keeps the stored `id` and `addedAt` (`row.id` is stored
   * only when no sink of the name exists: a caller adding a sink gives a fresh one, never one it read before).
   */
  upsert(row: SinkRow): Promise<void>;
  list(): Promise<SinkRow[]>;
  get(name: string): Promise<SinkRow | null>;
  /**
   * Removes the sink with its cursor, dead letters, statistics and the alerts it took as a channel, in one
   * transaction; true when it existed.
   */
  remove(name: string): Promise<boolean>;
  /**
   * Stores the sink's cursor (consumer `sinkConsumer(name)`) only while this sink exists — the one of `sink.id`, not
   * one added again under its name since — checked with the write; false when it is gone. A forwarder pass still out
   * when its sink was removed would otherwise bring the cursor back, and a sink added again under the name would start
   * from the removed one's position instead of where `sink add` puts a new sink.
   */
  moveCursor(sink: SinkRef, position: string, at: number): Promise<boolean>;
  /**
   * Keeps what a receiver refused for good (letters of `sink`, kept under its name). Only while that sink exists,
   * checked with the write: a send still out when its sink was removed must not bring the removed sink's rows back (a
   * sink added again under the name would show them).
   */
  addDeadLetters(sink: SinkRef, letters: readonly DeadLetter[]): Promise<void>;
  /** Newest first. */
  deadLetters(sink: string, options?: { limit?: number }): Promise<DeadLetter[]>;
  countDeadLetters(sink: string): Promise<number>;
  /**
   * Adds to a sink's statistics (creating them when it has none) in one atomic step of the store, on the row
   * as it is then: two writers, in one process or two, never lose each other's counts or last error. Nothing when
   * that sink no longer exists (removed while a send through it was out, maybe added again since), as addDeadLetters.
   */
  addStats(sink: SinkRef, change: SinkStatsChange): Promise<void>;
  stats(sink: string): Promise<SinkStats | null>;
}
