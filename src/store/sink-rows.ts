import {
  addToSinkStats,
  type DeadLetter,
  type SinkFilter,
  type SinkKind,
  type SinkRef,
  type SinkRow,
  type SinkStats,
  type SinkStatsChange,
  type SinkTakes,
} from '../core/sink.js';

/**
 * How sink rows and dead letters map to columns, shared by store/sqlite/sinks.ts and
 * store/postgres/sinks.ts so both adapters read and write the same shapes. Filter and options are
 * JSON text (they are read whole, never queried by part).
 */
export const SINK_COLUMNS = [
  'name',
  'kind',
  'url',
  'takes',
  'filter',
  'options',
  'secret',
  'ca_file',
  'enabled',
  'added_at',
  'updated_at',
  'url_secret',
  'id',
] as const;

/** The columns an update of a sink leaves as stored (SinkStore.upsert): its name, identity and first addition. */
export const SINK_KEPT_COLUMNS: readonly string[] = ['name', 'id', 'added_at'];

export interface SinkSelect {
  name: string;
  kind: string;
  url: string;
  takes: string;
  filter: string;
  options: string;
  secret: string | null;
  ca_file: string | null;
  enabled: number | boolean;
  added_at: number | string;
  updated_at: number | string;
  url_secret: string | null;
  id: string;
}

export function sinkValues(row: SinkRow, enabled: (b: boolean) => number | boolean): unknown[] {
  return [
    row.name,
    row.kind,
    row.url,
    row.takes,
    JSON.stringify(row.filter),
    JSON.stringify(row.options),
    row.secret,
    row.caFile,
    enabled(row.enabled),
    row.addedAt,
    row.updatedAt,
    row.urlSecret,
    row.id,
  ];
}

export function toSinkRow(r: SinkSelect): SinkRow {
  return {
    name: r.name,
    kind: r.kind as SinkKind,
    url: r.url,
    urlSecret: r.url_secret ?? null,
    takes: r.takes as SinkTakes,
    filter: JSON.parse(r.filter) as SinkFilter,
    options: JSON.parse(r.options) as Record<string, unknown>,
    secret: r.secret,
    caFile: r.ca_file,
    enabled: r.enabled === true || r.enabled === 1,
    id: r.id,
    addedAt: Number(r.added_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface DeadLetterSelect {
  sink: string;
  kind: string;
  tenant: string;
  item_id: string;
  reason: string;
  failed_at: number | string;
}

export const DEAD_LETTER_COLUMNS = ['sink', 'kind', 'tenant', 'item_id', 'reason', 'failed_at'] as const;

export function deadLetterValues(d: DeadLetter): unknown[] {
  return [d.sink, d.kind, d.tenant, d.itemId, d.reason, d.failedAt];
}

export function toDeadLetter(r: DeadLetterSelect): DeadLetter {
  return {
    sink: r.sink,
    kind: r.kind as DeadLetter['kind'],
    tenant: r.tenant,
    itemId: r.item_id,
    reason: r.reason,
    failedAt: Number(r.failed_at),
  };
}

export function toStats(body: string): SinkStats {
  return JSON.parse(body) as SinkStats;
}

/**
 * The values both stores bind for `addStats`: the first row's body (the change applied to fresh statistics),
 * and each part of the change, null when the change leaves it as stored. The statement applies them to the
 * stored body as core/sink.ts addToSinkStats does.
 */
export function statsChangeValues(sink: SinkRef, change: SinkStatsChange) {
  return {
    sink: sink.name,
    sinkId: sink.id,
    first: JSON.stringify(addToSinkStats(sink.name, null, change)),
    at: change.at,
    delivered: change.delivered ?? 0,
    resent: change.resent ?? 0,
    lastDeliveryAt: change.lastDeliveryAt ?? null,
    lastError: change.lastError?.message ?? null,
    lastErrorAt: change.lastError?.at ?? null,
    throughput: change.throughput ?? null,
    owner: change.owner ?? null,
  };
}
