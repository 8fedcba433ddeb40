import type { Pool, PoolClient } from 'pg';
import { REKEY_BATCH } from '../rekey.js';
import { alertMove, mergeAlerts, rekeyed, type AlertMove } from '../alert-rekey.js';
import {
  ALERT_COLUMNS,
  alertValues,
  alertWhere,
  change,
  isVersion,
  JUDGEMENT_SQL,
  judgedBySame,
  mergeHit,
  toAlertRow,
  toChange,
  toExclusion,
  toSnooze,
  toChannelDelivery,
  type AlertSelect,
  type DeliverySelect,
  type ChangeSelect,
  type ExclusionSelect,
  type SnoozeSelect,
  type VersionSelect,
  VERSION_COLUMNS,
} from '../alert-rows.js';
import type { SinkRef } from '../../core/sink.js';
import type {
  AlertChange,
  AlertExclusion,
  AlertFilter,
  AlertHitInput,
  AlertIdentity,
  AlertRekey,
  AlertRow,
  AlertSnooze,
  AlertStatus,
  AlertStore,
  AlertVersion,
  AppliedHit,
  ApplyHitOutcome,
  ChannelDelivery,
  ChannelDeliveryRecord,
  NotifyRecord,
  HitJudgement,
} from '../contract.js';
import { inTransaction } from './transaction.js';

const UPSERT = `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${ALERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${ALERT_COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
const HISTORY = `INSERT INTO alert_history (alert_id, at, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

async function log(client: Pool | PoolClient, c: AlertChange): Promise<void> {
  await client.query(HISTORY, [c.alertId, c.at, c.actor, c.action, c.from, c.to, c.note]);
}

/**
 * The lock of this schema's exclusions and snoozes (the class after state-indexes.ts's builds, the key the schema's
 * hash): applyJudgedHits holds it shared from its check of them to its commit, changing one takes it exclusively.
 */
const RULES_LOCK = '29818, hashtext(current_schema())';

/**
 * Takes the alert's transaction lock, the one applyHits takes on every alert it applies hits to. applyHits reads an
 * alert and writes it whole from that read (it may not exist yet: no row to lock), so every other write of an alert
 * takes turns with it here: a status change, snooze or delivery mark made between its read and its write was written
 * over (a resolve or snooze undone while its history said it happened; a mark said done with the alert due again).
 */
async function lockAlert(client: PoolClient, id: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [id]);
}

/**
 * Alerts in PostgreSQL. A hit claims its key first (a concurrent claim of the same key waits for the
 * other transaction and then finds it taken), then takes a transaction lock on its alert id, so two
 * processes counting hits on one alert take turns instead of losing a count.
 */
export class PostgresAlertStore implements AlertStore {
  constructor(private readonly pool: Pool) {}

  async applyHit(hit: AlertHitInput, now: number): Promise<{ outcome: ApplyHitOutcome; alert: AlertRow }> {
    return (await this.applyHits([hit], now))[0]!;
  }

  async applyHits(hits: readonly AlertHitInput[], now: number): Promise<AppliedHit[]> {
    return (await this.apply(hits, now, null))!;
  }

  async applyJudgedHits(
    hits: readonly AlertHitInput[],
    now: number,
    judgedBy: HitJudgement,
  ): Promise<AppliedHit[] | null> {
    return this.apply(hits, now, judgedBy);
  }

  /** Null when `judgedBy` (when given) is not what is stored: checked under RULES_LOCK, held to the commit. */
  private async apply(
    hits: readonly AlertHitInput[],
    now: number,
    judgedBy: HitJudgement | null,
  ): Promise<AppliedHit[] | null> {
    if (!hits.length) return [];
    return inTransaction(this.pool, async (client): Promise<AppliedHit[] | null> => {
      if (judgedBy) {
        await client.query(`SELECT pg_advisory_xact_lock_shared(${RULES_LOCK})`);
        const { rows } = await client.query<{ kind: string; id: string }>(JUDGEMENT_SQL('$1'), [now]);
        if (!judgedBySame(rows, judgedBy)) return null;
      }
      // FOR UPDATE cannot lock a row that does not exist yet: two first hits of one alert would both raise
      // it and the second would overwrite the first. A transaction lock on each alert id makes them take
      // turns; taken up front in one order, so two processes applying overlapping batches cannot deadlock.
      const ids = [...new Set(hits.map((h) => h.alertId))].sort();
      await client.query('SELECT pg_advisory_xact_lock(hashtext(id)) FROM unnest($1::text[]) AS id ORDER BY id', [ids]);
      // Each alert is read once and written once per batch, however many hits it takes.
      const current = new Map<string, AlertRow | null>();
      const dirty = new Set<string>();
      const out: AppliedHit[] = [];
      for (const hit of hits) {
        const claimed = await client.query(
          'INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) VALUES ($1, $2, NULL, $3) ON CONFLICT DO NOTHING',
          [hit.hitKey, hit.alertId, now],
        );
        let existing = current.get(hit.alertId);
        if (existing === undefined) {
          const { rows } = await client.query<AlertSelect>('SELECT * FROM alerts WHERE id = $1', [hit.alertId]);
          current.set(hit.alertId, (existing = rows[0] ? toAlertRow(rows[0]) : null));
        }
        if (!claimed.rowCount && existing) {
          out.push({ outcome: 'duplicate', alert: existing });
          continue;
        }
        const merged = mergeHit(existing, hit, now);
        current.set(hit.alertId, merged.row);
        dirty.add(hit.alertId);
        if (merged.change) await log(client, merged.change);
        // Reopened: due for delivery again, to every channel (the ones that took it before too).
        if (merged.outcome === 'reopened')
          await client.query('DELETE FROM alert_deliveries WHERE alert_id = $1', [hit.alertId]);
        out.push({ outcome: merged.outcome, alert: merged.row });
      }
      for (const id of dirty) await client.query(UPSERT, alertValues(current.get(id)!));
      return out;
    });
  }

  async countExcluded(hitKey: string, exclusionId: string, at: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const claimed = await client.query(
        'INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) VALUES ($1, NULL, $2, $3) ON CONFLICT DO NOTHING',
        [hitKey, exclusionId, at],
      );
      if (!claimed.rowCount) return false;
      await client.query(
        'UPDATE alert_exclusions SET hits = hits + 1, last_hit_at = greatest(coalesce(last_hit_at, 0), $1) WHERE id = $2',
        [at, exclusionId],
      );
      return true;
    });
  }

  async forgetTenant(tenant: string): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const theirs = 'SELECT id FROM alerts WHERE tenant = $1';
      await client.query(`DELETE FROM alert_history WHERE alert_id IN (${theirs})`, [tenant]);
      await client.query(`DELETE FROM alert_hits WHERE alert_id IN (${theirs})`, [tenant]);
      await client.query(`DELETE FROM alert_deliveries WHERE alert_id IN (${theirs})`, [tenant]);
      await client.query(`DELETE FROM alert_aliases WHERE new_id IN (${theirs})`, [tenant]);
      return (await client.query('DELETE FROM alerts WHERE tenant = $1', [tenant])).rowCount ?? 0;
    });
  }

  async rekey(identity: AlertIdentity, options: { dryRun?: boolean } = {}): Promise<AlertRekey> {
    // A GUID with an upper-case letter is somewhere in the row (a superset, tested again in JavaScript).
    const { rows } = await this.pool.query<AlertSelect>(
      `SELECT * FROM alerts WHERE (length(tenant) = 36 AND tenant ~ '[A-F]') OR record_ids ~ '[A-F]'`,
    );
    const moves = rows.flatMap((r) => alertMove(toAlertRow(r), identity) ?? []);
    if (options.dryRun) return rekeyed(moves);
    const done: AlertMove[] = [];
    for (let i = 0; i < moves.length; i += REKEY_BATCH) {
      const batch = moves.slice(i, i + REKEY_BATCH);
      done.push(
        ...(await inTransaction(this.pool, async (client) => {
          const moved: AlertMove[] = [];
          for (const m of batch) if (await moveAlert(client, m, identity.maxRecordIds)) moved.push(m);
          return moved;
        })),
      );
    }
    return rekeyed(done);
  }

  async movedTo(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ new_id: string }>('SELECT new_id FROM alert_aliases WHERE old_id = $1', [
      id,
    ]);
    return rows[0]?.new_id ?? null;
  }

  async tenantKeys(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant: string }>(
      'SELECT DISTINCT tenant COLLATE "C" AS tenant FROM alerts ORDER BY 1',
    );
    return rows.map((r) => r.tenant);
  }

  async get(id: string): Promise<AlertRow | null> {
    const { rows } = await this.pool.query<AlertSelect>('SELECT * FROM alerts WHERE id = $1', [id]);
    return rows[0] ? toAlertRow(rows[0]) : null;
  }

  async list(filter: AlertFilter = {}): Promise<AlertRow[]> {
    const where = alertWhere(filter, (i) => `$${i + 1}`);
    const { rows } = await this.pool.query<AlertSelect>(
      `SELECT * FROM alerts ${where.sql} ORDER BY last_seen DESC, id DESC LIMIT $${where.values.length + 1}`,
      [...where.values, filter.limit ?? null],
    );
    return rows.map(toAlertRow);
  }

  async setStatus(
    id: string,
    c: { from: AlertStatus; to: AlertStatus; actor: string; at: number; note?: string },
  ): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await lockAlert(client, id);
      const res = await client.query(
        'UPDATE alerts SET status = $1, status_by = $2, status_at = $3, updated_at = $3 WHERE id = $4 AND status = $5',
        [c.to, c.actor, c.at, id, c.from],
      );
      if (res.rowCount) await log(client, change(id, c.at, 'status', c.from, c.to, c.note ?? null, c.actor));
      return (res.rowCount ?? 0) > 0;
    });
  }

  async snooze(id: string, until: number | null, actor: string, at: number, note?: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await lockAlert(client, id);
      const res = await client.query('UPDATE alerts SET snoozed_until = $1, updated_at = $2 WHERE id = $3', [
        until,
        at,
        id,
      ]);
      const text = until === null ? 'snooze ended' : `snoozed until ${new Date(until).toISOString()}`;
      if (res.rowCount)
        await log(client, change(id, at, 'snoozed', null, null, note ? `${text}: ${note}` : text, actor));
      return (res.rowCount ?? 0) > 0;
    });
  }

  async history(id: string): Promise<AlertChange[]> {
    const { rows } = await this.pool.query<ChangeSelect>(
      'SELECT * FROM alert_history WHERE alert_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map(toChange);
  }

  async due(now: number, limit: number, after?: { createdAt: number; id: string }): Promise<AlertRow[]> {
    const { rows } = await this.pool.query<AlertSelect>(
      `SELECT * FROM alerts WHERE notified_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= $1)
         AND ($3::bigint IS NULL OR (created_at, id) > ($3::bigint, $4::text)) ORDER BY created_at, id LIMIT $2`,
      [now, limit, after?.createdAt ?? null, after?.id ?? null],
    );
    return rows.map(toAlertRow);
  }

  /**
   * Under the alert's lock (lockAlert); the UPDATE checks the state routing sent against the alert as it is then. The
   * delivery rows of `taken` are read FOR SHARE: a sink removal deleting one waits for the mark, or this finds it gone.
   */
  async markNotified(sent: AlertVersion, at: number, taken: readonly string[] = []): Promise<NotifyRecord> {
    return inTransaction(this.pool, async (client): Promise<NotifyRecord> => {
      await lockAlert(client, sent.id);
      const channels = [...new Set(taken)];
      if (channels.length) {
        const rows = await client.query(
          'SELECT channel FROM alert_deliveries WHERE alert_id = $1 AND channel = ANY($2::text[]) FOR SHARE',
          [sent.id, channels],
        );
        if ((rows.rowCount ?? 0) < channels.length) return 'channel-missing';
      }
      const marked = await client.query(
        `UPDATE alerts SET notified_at = $1 WHERE id = $2 AND updated_at = $3 AND hits = $4 AND status = $5
           AND snoozed_until IS NOT DISTINCT FROM $6::bigint`,
        [at, sent.id, sent.updatedAt, sent.hits, sent.status, sent.snoozedUntil],
      );
      return (marked.rowCount ?? 0) > 0 ? 'marked' : 'alert-changed';
    });
  }

  async channelDeliveries(alertIds: readonly string[]): Promise<ChannelDelivery[]> {
    if (!alertIds.length) return [];
    const { rows } = await this.pool.query<DeliverySelect>(
      'SELECT alert_id, channel, delivered_at FROM alert_deliveries WHERE alert_id = ANY($1::text[]) ORDER BY alert_id, channel',
      [alertIds],
    );
    return rows.map(toChannelDelivery);
  }

  async markChannelDelivered(sent: AlertVersion, channel: SinkRef, at: number): Promise<ChannelDeliveryRecord> {
    return inTransaction(this.pool, async (client): Promise<ChannelDeliveryRecord> => {
      // Takes turns with applyHits on this alert (lockAlert): a reopen deletes the alert's rows before it writes the
      // alert, and a row written in between, checked against the alert as it was, would survive the reopen.
      await lockAlert(client, sent.id);
      // Sink removal deletes the sink's row first: it waits for this transaction, or this one finds the sink gone.
      const sink = await client.query('SELECT 1 FROM sinks WHERE name = $1 AND id = $2 FOR SHARE', [
        channel.name,
        channel.id,
      ]);
      if (!sink.rowCount) return 'sink-removed';
      // FOR SHARE: a status change or snooze waits until the row is written, or this reads the alert after it.
      const { rows } = await client.query<VersionSelect>(
        `SELECT ${VERSION_COLUMNS} FROM alerts WHERE id = $1 FOR SHARE`,
        [sent.id],
      );
      if (!isVersion(rows[0], sent)) return 'alert-changed';
      await client.query(
        'INSERT INTO alert_deliveries (alert_id, channel, delivered_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [sent.id, channel.name, at],
      );
      return 'recorded';
    });
  }

  async addExclusion(e: AlertExclusion): Promise<void> {
    await this.changeRules(
      'INSERT INTO alert_exclusions (id, rule_id, tenant, kind, value, reason, author, created_at, hits, last_hit_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [e.id, e.ruleId, e.tenant, e.kind, e.value, e.reason, e.author, e.createdAt, e.hits, e.lastHitAt],
    );
  }

  async listExclusions(filter: { ruleId?: string; tenant?: string } = {}): Promise<AlertExclusion[]> {
    const { rows } = await this.pool.query<ExclusionSelect>(
      `SELECT * FROM alert_exclusions WHERE ($1::text IS NULL OR rule_id IN ($1, '*')) AND ($2::text IS NULL OR tenant IN ($2, '*')) ORDER BY created_at, id`,
      [filter.ruleId ?? null, filter.tenant ?? null],
    );
    return rows.map(toExclusion);
  }

  async removeExclusion(id: string): Promise<boolean> {
    return (await this.changeRules('DELETE FROM alert_exclusions WHERE id = $1', [id])) > 0;
  }

  async addSnooze(s: AlertSnooze): Promise<void> {
    await this.changeRules(
      'INSERT INTO alert_snoozes (id, rule_id, tenant, group_key, until, reason, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [s.id, s.ruleId, s.tenant, s.groupKey, s.until, s.reason, s.author, s.createdAt],
    );
  }

  async listSnoozes(at?: number): Promise<AlertSnooze[]> {
    const { rows } = await this.pool.query<SnoozeSelect>(
      'SELECT * FROM alert_snoozes WHERE ($1::bigint IS NULL OR until > $1) ORDER BY until, id',
      [at ?? null],
    );
    return rows.map(toSnooze);
  }

  async removeSnooze(id: string): Promise<boolean> {
    return (await this.changeRules('DELETE FROM alert_snoozes WHERE id = $1', [id])) > 0;
  }

  /**
   * Stores or removes an exclusion or snooze holding RULES_LOCK: it waits for the batches of hits judged without it
   * that are being applied, and any batch applied after it returns sees it (applyJudgedHits). Rows changed.
   */
  private async changeRules(sql: string, values: unknown[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${RULES_LOCK})`);
      return (await client.query(sql, values)).rowCount ?? 0;
    });
  }
}

/** Inside rekey's transaction: one alert to its new id (alert-rekey.ts), unless it changed since it was read. */
async function moveAlert(client: PoolClient, { from, to, claims }: AlertMove, maxRecordIds: number): Promise<boolean> {
  const read = async (id: string): Promise<AlertRow | null> => {
    const { rows } = await client.query<AlertSelect>('SELECT * FROM alerts WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? toAlertRow(rows[0]) : null;
  };
  // applyHits' lock on both ids (in its order): a hit raising the alert under the new id meanwhile is not written over.
  for (const id of [...new Set([from.id, to.id])].sort()) await lockAlert(client, id);
  const now = await read(from.id);
  if (!now || JSON.stringify(alertValues(now)) !== JSON.stringify(alertValues(from))) return false;
  if (to.id !== from.id) {
    const held = await read(to.id);
    await client.query('DELETE FROM alerts WHERE id = $1', [from.id]);
    await client.query(UPSERT, alertValues(held ? mergeAlerts(held, to, maxRecordIds) : to));
    for (const table of ['alert_history', 'alert_hits'])
      await client.query(`UPDATE ${table} SET alert_id = $1 WHERE alert_id = $2`, [to.id, from.id]);
    await client.query(
      `WITH gone AS (DELETE FROM alert_deliveries WHERE alert_id = $2 RETURNING channel, delivered_at)
       INSERT INTO alert_deliveries (alert_id, channel, delivered_at) SELECT $1, channel, delivered_at FROM gone
       ON CONFLICT DO NOTHING`,
      [to.id, from.id],
    );
    // The old id keeps naming the alert (movedTo): it was sent to channels and written in tickets.
    await client.query(
      `INSERT INTO alert_aliases (old_id, new_id, moved_at) VALUES ($1, $2, $3)
       ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, moved_at = excluded.moved_at`,
      [from.id, to.id, to.updatedAt],
    );
  } else {
    await client.query(UPSERT, alertValues(to));
  }
  if (claims.length)
    await client.query(
      `INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) SELECT k, $2, NULL, $3 FROM unnest($1::text[]) AS k
       ON CONFLICT DO NOTHING`,
      [claims, to.id, to.updatedAt],
    );
  return true;
}
