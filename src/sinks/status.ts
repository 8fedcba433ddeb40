/**
 * What `sink status` and the console show per sink: where its cursor stands, how far behind the store
 * it is (records, and how long the oldest undelivered record has waited), throughput, the last error,
 * dead letters, and which process sends to it now.
 */
import type { SinkRow } from '../core/sink.js';
import { describeFilter } from './filter.js';
import { leaseKey } from './lease.js';
import { sinkConsumer, type ForwardStore } from './ports.js';

export interface SinkStatus {
  name: string;
  type: string;
  enabled: boolean;
  takes: string;
  filter: string;
  cursor: string | null;
  /** Records not yet delivered (0 for a sink that takes only alerts). */
  lagRecords: number;
  /** ms the oldest record not yet delivered has been in the store; 0 when caught up. */
  lagMs: number;
  delivered: number;
  resent: number;
  throughput: number;
  lastDeliveryAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  deadLetters: number;
  sender: string | null;
}

const iso = (t: number | null | undefined): string | null =>
  t === null || t === undefined ? null : new Date(t).toISOString();

export async function sinkStatus(store: ForwardStore, row: SinkRow, now: number): Promise<SinkStatus> {
  const cursor = await store.cursors.get(sinkConsumer(row.name));
  // A sink that takes only alerts is sent them as they are raised (routing): the records' tail is not its to follow.
  const records = row.takes !== 'alerts';
  const [lag, stats, dead, holder] = await Promise.all([
    records ? store.records.tailLag(cursor) : { records: 0, oldestIngestedAt: null },
    store.sinks.stats(row.name),
    store.sinks.countDeadLetters(row.name),
    store.ledger.leaseHolder(leaseKey(row.name)),
  ]);
  return {
    name: row.name,
    type: row.kind,
    enabled: row.enabled,
    takes: row.takes,
    filter: describeFilter(row.filter),
    cursor,
    lagRecords: lag.records,
    lagMs: lag.oldestIngestedAt === null ? 0 : Math.max(0, now - lag.oldestIngestedAt),
    delivered: stats?.delivered ?? 0,
    resent: stats?.resent ?? 0,
    throughput: stats?.throughput ?? 0,
    lastDeliveryAt: iso(stats?.lastDeliveryAt),
    lastError: stats?.lastError ?? null,
    lastErrorAt: iso(stats?.lastErrorAt),
    deadLetters: dead,
    sender: holder && holder.until > now ? holder.owner : null,
  };
}

/** "3 h 12 min", "45 s": lag for people. */
export function formatLag(ms: number): string {
  if (ms < 1_000) return '0 s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
