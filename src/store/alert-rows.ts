import { severityRank } from '../core/severity.js';
import type {
  AlertChange,
  AlertExclusion,
  AlertFilter,
  AlertHitInput,
  AlertRow,
  AlertSeverity,
  AlertSnooze,
  AlertStatus,
  AlertVersion,
  ApplyHitOutcome,
  ChannelDelivery,
  HitJudgement,
} from './contract.js';

/**
 * Alert rows ↔ columns and the one merge rule both adapters apply inside their transaction, so the
 * counting of hits cannot drift between SQLite and PostgreSQL.
 */
export const ALERT_COLUMNS = [
  'id',
  'rule_id',
  'tenant',
  'group_key',
  'window_start',
  'severity',
  'title',
  'status',
  'status_by',
  'status_at',
  'first_seen',
  'last_seen',
  'hits',
  'record_ids',
  'record_total',
  'facts',
  'snoozed_until',
  'notified_at',
  'created_at',
  'updated_at',
] as const;

export interface AlertSelect {
  id: string;
  rule_id: string;
  tenant: string;
  group_key: string;
  window_start: number | string;
  severity: string;
  title: string;
  status: string;
  status_by: string | null;
  status_at: number | string | null;
  first_seen: number | string;
  last_seen: number | string;
  hits: number | string;
  record_ids: string;
  record_total: number | string;
  facts: string;
  snoozed_until: number | string | null;
  notified_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toAlertRow(r: AlertSelect): AlertRow {
  return {
    id: r.id,
    ruleId: r.rule_id,
    tenant: r.tenant,
    groupKey: r.group_key,
    windowStart: Number(r.window_start),
    severity: r.severity as AlertSeverity,
    title: r.title,
    status: r.status as AlertStatus,
    statusBy: r.status_by,
    statusAt: num(r.status_at),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    hits: Number(r.hits),
    recordIds: JSON.parse(r.record_ids) as string[],
    recordTotal: Number(r.record_total),
    facts: JSON.parse(r.facts) as Record<string, string>,
    snoozedUntil: num(r.snoozed_until),
    notifiedAt: num(r.notified_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The ids of the exclusions, and of the snoozes in force at a moment (`?`/`$1`), as applyJudgedHits checks them. */
export const JUDGEMENT_SQL = (mark: string): string =>
  `SELECT 'exclusion' AS kind, id FROM alert_exclusions UNION ALL SELECT 'snooze', id FROM alert_snoozes WHERE until > ${mark}`;

/** Whether the exclusions and snoozes stored now (rows of JUDGEMENT_SQL) are those the hits were judged by. */
export function judgedBySame(rows: readonly { kind: string; id: string }[], judged: HitJudgement): boolean {
  const key = (kind: string, ids: Iterable<string>): string[] => [...ids].map((id) => `${kind}\u0000${id}`);
  const stored = new Set(rows.map((r) => `${r.kind}\u0000${r.id}`));
  const seen = new Set([...key('exclusion', judged.exclusionIds), ...key('snooze', judged.snoozeIds)]);
  return stored.size === seen.size && [...seen].every((k) => stored.has(k));
}

/** The columns that say which state an alert is in (AlertVersion), as both stores read them to record a delivery. */
export const VERSION_COLUMNS = 'updated_at, hits, status, snoozed_until';
export type VersionSelect = Pick<AlertSelect, 'updated_at' | 'hits' | 'status' | 'snoozed_until'>;

/** Whether the stored alert (undefined: gone) is still in the state routing read and sent. */
export function isVersion(row: VersionSelect | undefined, sent: AlertVersion): boolean {
  return (
    !!row &&
    Number(row.updated_at) === sent.updatedAt &&
    Number(row.hits) === sent.hits &&
    row.status === sent.status &&
    num(row.snoozed_until) === sent.snoozedUntil
  );
}

export function alertValues(a: AlertRow): (string | number | null)[] {
  return [
    a.id,
    a.ruleId,
    a.tenant,
    a.groupKey,
    a.windowStart,
    a.severity,
    a.title,
    a.status,
    a.statusBy,
    a.statusAt,
    a.firstSeen,
    a.lastSeen,
    a.hits,
    JSON.stringify(a.recordIds),
    a.recordTotal,
    JSON.stringify(a.facts),
    a.snoozedUntil,
    a.notifiedAt,
    a.createdAt,
    a.updatedAt,
  ];
}

/**
 * What applying a (new, never seen) hit makes of the alert of its key. A resolved alert that gets a
 * hit is reopened (something happened again after someone closed it); an acknowledged or false-positive
 * one keeps its status and only counts. A reopened alert is due for delivery again.
 */
export function mergeHit(
  existing: AlertRow | null,
  hit: AlertHitInput,
  now: number,
): { row: AlertRow; outcome: Exclude<ApplyHitOutcome, 'duplicate'>; change: AlertChange | null } {
  if (!existing) {
    const recordIds = [...new Set(hit.recordIds)];
    const row: AlertRow = {
      id: hit.alertId,
      ruleId: hit.ruleId,
      tenant: hit.tenant,
      groupKey: hit.groupKey,
      windowStart: hit.windowStart,
      severity: hit.severity,
      title: hit.title,
      status: 'new',
      statusBy: null,
      statusAt: null,
      firstSeen: hit.firstSeen,
      lastSeen: hit.lastSeen,
      hits: 1,
      recordIds: recordIds.slice(0, hit.maxRecordIds),
      recordTotal: recordIds.length,
      facts: hit.facts,
      snoozedUntil: hit.snoozedUntil,
      notifiedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    return { row, outcome: 'raised', change: change(row.id, now, 'raised', null, 'new', null) };
  }
  const known = new Set(existing.recordIds);
  const fresh = [...new Set(hit.recordIds)].filter((id) => !known.has(id));
  const reopen = existing.status === 'resolved';
  const row: AlertRow = {
    ...existing,
    severity: severityRank(hit.severity) > severityRank(existing.severity) ? hit.severity : existing.severity,
    firstSeen: Math.min(existing.firstSeen, hit.firstSeen),
    lastSeen: Math.max(existing.lastSeen, hit.lastSeen),
    hits: existing.hits + 1,
    recordIds: [...existing.recordIds, ...fresh].slice(0, hit.maxRecordIds),
    recordTotal: existing.recordTotal + fresh.length,
    facts: { ...hit.facts, ...existing.facts },
    snoozedUntil: laterOf(existing.snoozedUntil, hit.snoozedUntil),
    updatedAt: now,
    ...(reopen ? { status: 'new' as const, statusBy: 'tenantwatch', statusAt: now, notifiedAt: null } : {}),
  };
  if (!reopen) return { row, outcome: 'counted', change: null };
  const note = 'a new hit after it was resolved';
  return { row, outcome: 'reopened', change: change(row.id, now, 'reopened', 'resolved', 'new', note) };
}

function laterOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export function change(
  alertId: string,
  at: number,
  action: AlertChange['action'],
  from: AlertStatus | null,
  to: AlertStatus | null,
  note: string | null,
  actor = 'tenantwatch',
): AlertChange {
  return { alertId, at, actor, action, from, to, note };
}

export interface ChangeSelect {
  alert_id: string;
  at: number | string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
}

export function toChange(r: ChangeSelect): AlertChange {
  return {
    alertId: r.alert_id,
    at: Number(r.at),
    actor: r.actor,
    action: r.action as AlertChange['action'],
    from: r.from_status as AlertStatus | null,
    to: r.to_status as AlertStatus | null,
    note: r.note,
  };
}

export interface ExclusionSelect {
  id: string;
  rule_id: string;
  tenant: string;
  kind: string;
  value: string;
  reason: string;
  author: string;
  created_at: number | string;
  hits: number | string;
  last_hit_at: number | string | null;
}

export function toExclusion(r: ExclusionSelect): AlertExclusion {
  return {
    id: r.id,
    ruleId: r.rule_id,
    tenant: r.tenant,
    kind: r.kind as AlertExclusion['kind'],
    value: r.value,
    reason: r.reason,
    author: r.author,
    createdAt: Number(r.created_at),
    hits: Number(r.hits),
    lastHitAt: num(r.last_hit_at),
  };
}

export interface SnoozeSelect {
  id: string;
  rule_id: string;
  tenant: string;
  group_key: string | null;
  until: number | string;
  reason: string;
  author: string;
  created_at: number | string;
}

export function toSnooze(r: SnoozeSelect): AlertSnooze {
  return {
    id: r.id,
    ruleId: r.rule_id,
    tenant: r.tenant,
    groupKey: r.group_key,
    until: Number(r.until),
    reason: r.reason,
    author: r.author,
    createdAt: Number(r.created_at),
  };
}

/**
 * The WHERE clause of AlertStore.list for either adapter: `mark(i)` writes the i-th (0-based)
 * placeholder (`?` in SQLite, `$n` in PostgreSQL).
 */
export function alertWhere(
  filter: AlertFilter,
  mark: (i: number) => string,
): { sql: string; values: (string | number)[] } {
  const parts: string[] = [];
  const values: (string | number)[] = [];
  const anyOf = (column: string, list: readonly string[] | undefined): void => {
    if (!list) return;
    if (!list.length) return void parts.push('1 = 0');
    parts.push(`${column} IN (${list.map((v) => mark(values.push(v) - 1)).join(', ')})`);
  };
  anyOf('tenant', filter.tenants);
  anyOf('rule_id', filter.ruleIds);
  anyOf('severity', filter.severities);
  anyOf('status', filter.statuses);
  if (filter.visibleAt !== undefined)
    parts.push(`(snoozed_until IS NULL OR snoozed_until <= ${mark(values.push(filter.visibleAt) - 1)})`);
  if (filter.since !== undefined) parts.push(`last_seen >= ${mark(values.push(filter.since) - 1)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

export interface DeliverySelect {
  alert_id: string;
  channel: string;
  delivered_at: number | string;
}

export function toChannelDelivery(r: DeliverySelect): ChannelDelivery {
  return { alertId: r.alert_id, channel: r.channel, at: Number(r.delivered_at) };
}
