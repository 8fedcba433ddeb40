import type { Database, Statement } from 'better-sqlite3';
import { StatementCache } from './statements.js';
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

const UPSERT = `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${ALERT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${ALERT_COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
const HISTORY = `INSERT INTO alert_history (alert_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** Alerts in SQLite: every change is one immediate transaction, so a hit is counted once or not at all. */
export class SqliteAlertStore implements AlertStore {
  /** The live runner applies thousands of hits a pass: each statement compiled once per connection. */
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  private prepared(sql: string): Statement {
    return this.statements.get(sql);
  }

  private one(id: string): AlertRow | null {
    const row = this.prepared('SELECT * FROM alerts WHERE id = ?').get(id) as AlertSelect | undefined;
    return row ? toAlertRow(row) : null;
  }

  private log(c: AlertChange): void {
    this.prepared(HISTORY).run(c.alertId, c.at, c.actor, c.action, c.from, c.to, c.note);
  }

  async applyHit(hit: AlertHitInput, now: number): Promise<{ outcome: ApplyHitOutcome; alert: AlertRow }> {
    return (await this.applyHits([hit], now))[0]!;
  }

  async applyHits(hits: readonly AlertHitInput[], now: number): Promise<AppliedHit[]> {
    return this.apply(hits, now, null)!;
  }

  async applyJudgedHits(
    hits: readonly AlertHitInput[],
    now: number,
    judgedBy: HitJudgement,
  ): Promise<AppliedHit[] | null> {
    return this.apply(hits, now, judgedBy);
  }

  /**
   * Both in one immediate transaction: no exclusion or snooze is stored between the check of `judgedBy` (when given)
   * and the hits' commit. Null when the check fails.
   */
  private apply(hits: readonly AlertHitInput[], now: number, judgedBy: HitJudgement | null): AppliedHit[] | null {
    const claim = this.prepared(
      'INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING',
    );
    const upsert = this.prepared(UPSERT);
    const undeliver = this.prepared('DELETE FROM alert_deliveries WHERE alert_id = ?');
    const dirty = new Set<string>();
    return this.db
      .transaction((): AppliedHit[] | null => {
        if (judgedBy) {
          const rows = this.prepared(JUDGEMENT_SQL('?')).all(now) as { kind: string; id: string }[];
          if (!judgedBySame(rows, judgedBy)) return null;
        }
        // Each alert is read once and written once per batch, however many hits it takes: a counted hit
        // rewrote the whole row (record ids up to the bound) every time.
        const current = new Map<string, AlertRow | null>();
        const out = hits.map((hit) => {
          const claimed = claim.run(hit.hitKey, hit.alertId, now).changes;
          let existing = current.get(hit.alertId);
          if (existing === undefined) current.set(hit.alertId, (existing = this.one(hit.alertId)));
          if (!claimed && existing) return { outcome: 'duplicate' as const, alert: existing };
          const merged = mergeHit(existing, hit, now);
          current.set(hit.alertId, merged.row);
          dirty.add(hit.alertId);
          if (merged.change) this.log(merged.change);
          // Reopened: due for delivery again, to every channel (the ones that took it before too).
          if (merged.outcome === 'reopened') undeliver.run(hit.alertId);
          return { outcome: merged.outcome, alert: merged.row };
        });
        for (const id of dirty) upsert.run(alertValues(current.get(id)!));
        return out;
      })
      .immediate();
  }

  async countExcluded(hitKey: string, exclusionId: string, at: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const claimed = this.db
          .prepare(
            'INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) VALUES (?, NULL, ?, ?) ON CONFLICT DO NOTHING',
          )
          .run(hitKey, exclusionId, at).changes;
        if (!claimed) return false;
        this.db
          .prepare(
            'UPDATE alert_exclusions SET hits = hits + 1, last_hit_at = max(coalesce(last_hit_at, 0), ?) WHERE id = ?',
          )
          .run(at, exclusionId);
        return true;
      })
      .immediate();
  }

  async forgetTenant(tenant: string): Promise<number> {
    return this.db
      .transaction(() => {
        const theirs = 'SELECT id FROM alerts WHERE tenant = ?';
        this.db.prepare(`DELETE FROM alert_history WHERE alert_id IN (${theirs})`).run(tenant);
        this.db.prepare(`DELETE FROM alert_hits WHERE alert_id IN (${theirs})`).run(tenant);
        this.db.prepare(`DELETE FROM alert_deliveries WHERE alert_id IN (${theirs})`).run(tenant);
        this.db.prepare(`DELETE FROM alert_aliases WHERE new_id IN (${theirs})`).run(tenant);
        return this.db.prepare('DELETE FROM alerts WHERE tenant = ?').run(tenant).changes;
      })
      .immediate();
  }

  async rekey(identity: AlertIdentity, options: { dryRun?: boolean } = {}): Promise<AlertRekey> {
    // A GUID with an upper-case letter is somewhere in the row (a superset, tested again in JavaScript).
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE (length(tenant) = 36 AND tenant GLOB '*[A-F]*') OR record_ids GLOB '*[A-F]*'`,
      )
      .all() as AlertSelect[];
    const moves = rows.flatMap((r) => alertMove(toAlertRow(r), identity) ?? []);
    if (options.dryRun) return rekeyed(moves);
    const done: AlertMove[] = [];
    for (let i = 0; i < moves.length; i += REKEY_BATCH) {
      const batch = moves.slice(i, i + REKEY_BATCH);
      done.push(
        ...this.db.transaction(() => batch.filter((m) => this.moveAlert(m, identity.maxRecordIds))).immediate(),
      );
    }
    return rekeyed(done);
  }

  async movedTo(id: string): Promise<string | null> {
    const row = this.prepared('SELECT new_id FROM alert_aliases WHERE old_id = ?').get(id) as
      { new_id: string } | undefined;
    return row?.new_id ?? null;
  }

  /** Inside rekey's transaction: one alert to its new id (alert-rekey.ts), unless it changed since it was read. */
  private moveAlert({ from, to, claims }: AlertMove, maxRecordIds: number): boolean {
    const now = this.one(from.id);
    if (!now || JSON.stringify(alertValues(now)) !== JSON.stringify(alertValues(from))) return false;
    if (to.id !== from.id) {
      const held = this.one(to.id);
      this.prepared('DELETE FROM alerts WHERE id = ?').run(from.id);
      this.prepared(UPSERT).run(alertValues(held ? mergeAlerts(held, to, maxRecordIds) : to));
      for (const table of ['alert_history', 'alert_hits'])
        this.prepared(`UPDATE ${table} SET alert_id = ? WHERE alert_id = ?`).run(to.id, from.id);
      this.prepared(
        `INSERT INTO alert_deliveries (alert_id, channel, delivered_at)
         SELECT ?, channel, delivered_at FROM alert_deliveries WHERE alert_id = ? ON CONFLICT DO NOTHING`,
      ).run(to.id, from.id);
      this.prepared('DELETE FROM alert_deliveries WHERE alert_id = ?').run(from.id);
      // The old id keeps naming the alert (movedTo): it was sent to channels and written in tickets.
      this.prepared(
        'INSERT INTO alert_aliases (old_id, new_id, moved_at) VALUES (?, ?, ?) ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, moved_at = excluded.moved_at',
      ).run(from.id, to.id, to.updatedAt);
    } else {
      this.prepared(UPSERT).run(alertValues(to));
    }
    const claim = this.prepared(
      'INSERT INTO alert_hits (hit_key, alert_id, exclusion_id, at) VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING',
    );
    for (const key of claims) claim.run(key, to.id, to.updatedAt);
    return true;
  }

  async tenantKeys(): Promise<string[]> {
    // The alerts_tenant index's keys, in order (BINARY: code point order).
    return (this.db.prepare('SELECT DISTINCT tenant FROM alerts ORDER BY tenant').all() as { tenant: string }[]).map(
      (r) => r.tenant,
    );
  }

  async get(id: string): Promise<AlertRow | null> {
    return this.one(id);
  }

  async list(filter: AlertFilter = {}): Promise<AlertRow[]> {
    const where = alertWhere(filter, () => '?');
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${where.sql} ORDER BY last_seen DESC, id DESC LIMIT ?`)
      .all(...where.values, filter.limit ?? -1) as AlertSelect[];
    return rows.map(toAlertRow);
  }

  async setStatus(
    id: string,
    c: { from: AlertStatus; to: AlertStatus; actor: string; at: number; note?: string },
  ): Promise<boolean> {
    return this.db
      .transaction(() => {
        const changed = this.db
          .prepare(
            'UPDATE alerts SET status = ?, status_by = ?, status_at = ?, updated_at = ? WHERE id = ? AND status = ?',
          )
          .run(c.to, c.actor, c.at, c.at, id, c.from).changes;
        if (changed) this.log(change(id, c.at, 'status', c.from, c.to, c.note ?? null, c.actor));
        return changed > 0;
      })
      .immediate();
  }

  async snooze(id: string, until: number | null, actor: string, at: number, note?: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const changed = this.db
          .prepare('UPDATE alerts SET snoozed_until = ?, updated_at = ? WHERE id = ?')
          .run(until, at, id).changes;
        const text = until === null ? 'snooze ended' : `snoozed until ${new Date(until).toISOString()}`;
        if (changed) this.log(change(id, at, 'snoozed', null, null, note ? `${text}: ${note}` : text, actor));
        return changed > 0;
      })
      .immediate();
  }

  async history(id: string): Promise<AlertChange[]> {
    const rows = this.db.prepare('SELECT * FROM alert_history WHERE alert_id = ? ORDER BY seq').all(id);
    return (rows as ChangeSelect[]).map(toChange);
  }

  async due(now: number, limit: number, after?: { createdAt: number; id: string }): Promise<AlertRow[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE notified_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?)
         AND (? IS NULL OR created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`,
      )
      .all(
        now,
        after?.createdAt ?? null,
        after?.createdAt ?? null,
        after?.createdAt ?? null,
        after?.id ?? null,
        limit,
      ) as AlertSelect[];
    return rows.map(toAlertRow);
  }

  async markNotified(sent: AlertVersion, at: number, taken: readonly string[] = []): Promise<NotifyRecord> {
    // One immediate transaction: no sink removal (which deletes its channel's rows) comes between the check and the mark.
    return this.db
      .transaction((): NotifyRecord => {
        const channels = [...new Set(taken)];
        if (channels.length) {
          const { n } = this.prepared(
            'SELECT count(*) AS n FROM alert_deliveries WHERE alert_id = ? AND channel IN (SELECT value FROM json_each(?))',
          ).get(sent.id, JSON.stringify(channels)) as { n: number };
          if (n < channels.length) return 'channel-missing';
        }
        const marked = this.prepared(
          'UPDATE alerts SET notified_at = ? WHERE id = ? AND updated_at = ? AND hits = ? AND status = ? AND snoozed_until IS ?',
        ).run(at, sent.id, sent.updatedAt, sent.hits, sent.status, sent.snoozedUntil);
        return marked.changes > 0 ? 'marked' : 'alert-changed';
      })
      .immediate();
  }

  async channelDeliveries(alertIds: readonly string[]): Promise<ChannelDelivery[]> {
    if (!alertIds.length) return [];
    // One statement for a page of due alerts (at most a few hundred ids), through json_each: no
    // placeholder list to build, and no bound on SQLite's host parameters to meet.
    const rows = this.prepared(
      'SELECT alert_id, channel, delivered_at FROM alert_deliveries WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY alert_id, channel',
    ).all(JSON.stringify(alertIds)) as DeliverySelect[];
    return rows.map(toChannelDelivery);
  }

  async markChannelDelivered(sent: AlertVersion, channel: SinkRef, at: number): Promise<ChannelDeliveryRecord> {
    // One immediate transaction: no reopen, hit, status change or sink removal comes between the checks and the row.
    return this.db
      .transaction((): ChannelDeliveryRecord => {
        if (!this.prepared('SELECT 1 FROM sinks WHERE name = ? AND id = ?').get(channel.name, channel.id))
          return 'sink-removed';
        const stored = this.prepared(`SELECT ${VERSION_COLUMNS} FROM alerts WHERE id = ?`).get(sent.id);
        if (!isVersion(stored as VersionSelect | undefined, sent)) return 'alert-changed';
        this.prepared(
          'INSERT INTO alert_deliveries (alert_id, channel, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        ).run(sent.id, channel.name, at);
        return 'recorded';
      })
      .immediate();
  }

  async addExclusion(e: AlertExclusion): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO alert_exclusions (id, rule_id, tenant, kind, value, reason, author, created_at, hits, last_hit_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(e.id, e.ruleId, e.tenant, e.kind, e.value, e.reason, e.author, e.createdAt, e.hits, e.lastHitAt);
  }

  async listExclusions(filter: { ruleId?: string; tenant?: string } = {}): Promise<AlertExclusion[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM alert_exclusions WHERE (? IS NULL OR rule_id IN (?, '*')) AND (? IS NULL OR tenant IN (?, '*')) ORDER BY created_at, id`,
      )
      .all(filter.ruleId ?? null, filter.ruleId ?? null, filter.tenant ?? null, filter.tenant ?? null);
    return (rows as ExclusionSelect[]).map(toExclusion);
  }

  async removeExclusion(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_exclusions WHERE id = ?').run(id).changes > 0;
  }

  async addSnooze(s: AlertSnooze): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO alert_snoozes (id, rule_id, tenant, group_key, until, reason, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(s.id, s.ruleId, s.tenant, s.groupKey, s.until, s.reason, s.author, s.createdAt);
  }

  async listSnoozes(at?: number): Promise<AlertSnooze[]> {
    const rows = this.db
      .prepare('SELECT * FROM alert_snoozes WHERE (? IS NULL OR until > ?) ORDER BY until, id')
      .all(at ?? null, at ?? null);
    return (rows as SnoozeSelect[]).map(toSnooze);
  }

  async removeSnooze(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_snoozes WHERE id = ?').run(id).changes > 0;
  }
}
