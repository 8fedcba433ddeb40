import type { Database } from 'better-sqlite3';
import { AppError } from '../../core/errors.js';
import {
  BACKFILL_BATCH,
  BACKFILL_DONE,
  BACKFILL_TO,
  backfillDone,
  backfillStarting,
  backfillValues,
  factsRule,
  type StoreUpgrade,
} from '../backfill.js';
import { SEQ_FLOOR } from './tail.js';
import { rollupBackfillSql, ROLLUP_TABLES } from '../rollups.js';
import { ROLLUP_SCHEMA, SEQ_SPAN_SCHEMA } from './rollups.js';
import { RETENTION_SCHEMA } from './retention.js';

/**
 * Migrations, applied in order inside one transaction each, recorded in `schema_version`; safe to run
 * on every start. A database newer than this code is refused rather than half-understood.
 *
 * Records (DESIGN.md, data model): an INTEGER rowid table, so rows append at the end of the B-tree in
 * arrival order, with the (tenant, id) de-duplication key as a UNIQUE index (a text primary key would
 * make every 1.3 KB row a random B-tree insert). Secondary indexes serve the structured filters,
 * each ending with creation_time so a filter plus a time range is one index range.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     seq INTEGER PRIMARY KEY,
     tenant TEXT NOT NULL, id TEXT NOT NULL, creation_time INTEGER NOT NULL, record_type INTEGER NOT NULL,
     operation TEXT NOT NULL, operation_key TEXT NOT NULL, workload TEXT, workload_key TEXT,
     user_id TEXT, user_key TEXT, user_type INTEGER, client_ip TEXT, client_ip_key TEXT, client_port INTEGER,
     object_id TEXT, result_status TEXT, outcome TEXT NOT NULL, organization_id TEXT, source TEXT NOT NULL,
     content_type TEXT, plain INTEGER NOT NULL, ingested_at INTEGER NOT NULL, raw TEXT NOT NULL);
   CREATE UNIQUE INDEX records_key ON records (tenant, id);
   CREATE TABLE blobs (
     tenant TEXT NOT NULL, content_id TEXT NOT NULL, content_type TEXT NOT NULL, content_uri TEXT NOT NULL,
     content_created INTEGER NOT NULL, content_expiration INTEGER, fetched_at INTEGER NOT NULL,
     records INTEGER NOT NULL, new_records INTEGER NOT NULL, sha256 TEXT, status TEXT NOT NULL, reason TEXT,
     window_start INTEGER NOT NULL, PRIMARY KEY (tenant, content_id));
   CREATE INDEX blobs_created ON blobs (tenant, content_type, content_created);
   CREATE TABLE coverage (
     tenant TEXT NOT NULL, stream TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, state TEXT NOT NULL,
     queried_start INTEGER, blobs_listed INTEGER NOT NULL, blobs_fetched INTEGER NOT NULL, blobs_failed INTEGER NOT NULL,
     records INTEGER NOT NULL, new_records INTEGER NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,
     updated_at INTEGER NOT NULL, PRIMARY KEY (tenant, stream, start));
   CREATE TABLE checkpoints (
     tenant TEXT NOT NULL, stream TEXT NOT NULL, position INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (tenant, stream));
   CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL);
   CREATE TABLE tenants (
     tenant_id TEXT PRIMARY KEY COLLATE NOCASE, name TEXT NOT NULL UNIQUE COLLATE NOCASE, domain TEXT,
     client_id TEXT NOT NULL, cloud TEXT NOT NULL, auth_kind TEXT NOT NULL, credential TEXT NOT NULL,
     certificate_pem TEXT, publisher_id TEXT, base_url TEXT, ca_file TEXT,
     added_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE posture (
     seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, taken_at INTEGER NOT NULL, verdict TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX posture_tenant ON posture (tenant, taken_at);
   CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: the facts reports read without parsing raw (store/backfill.ts fills rows stored before).
  `ALTER TABLE records ADD COLUMN user_agent TEXT;
   ALTER TABLE records ADD COLUMN app_id TEXT;
   ALTER TABLE records ADD COLUMN logon_type INTEGER;
   INSERT INTO store_meta (key, value) SELECT '${BACKFILL_TO}', seq FROM (SELECT max(seq) AS seq FROM records) WHERE seq IS NOT NULL;`,
  // 3: the tail read (sqlite/tail.ts). A seq is never handed out twice: deleting the newest rows keeps
  // their highest seq as a floor the next insert starts above (SQLite itself would re-use max + 1).
  // Consumer cursors are state, next to the ledger.
  `CREATE TRIGGER records_seq_floor AFTER DELETE ON records
     WHEN OLD.seq > coalesce((SELECT max(seq) FROM records), 0)
     BEGIN
       INSERT INTO store_meta (key, value) VALUES ('${SEQ_FLOOR}', OLD.seq)
         ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER));
     END;
   CREATE TABLE cursors (consumer TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
  // 4 (auth): the console's accounts, tenant groups, sessions, API tokens and its append-only audit trail (store/auth-contract.ts).
  `CREATE TABLE users (
     name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL, tenants TEXT NOT NULL, groups TEXT NOT NULL,
     password_hash TEXT, external_id TEXT UNIQUE, failed_attempts INTEGER NOT NULL, locked_until INTEGER,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE tenant_groups (name TEXT PRIMARY KEY COLLATE NOCASE, tenants TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE, created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, address TEXT, via TEXT NOT NULL);
   CREATE INDEX sessions_user ON sessions (user_name);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, user_name TEXT NOT NULL COLLATE NOCASE,
     hash TEXT NOT NULL, role TEXT, tenants TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,
     revoked_at INTEGER, last_used_at INTEGER);
   CREATE TABLE console_audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, via TEXT NOT NULL, address TEXT,
     action TEXT NOT NULL, outcome TEXT NOT NULL, target TEXT, details TEXT NOT NULL);
   CREATE INDEX console_audit_at ON console_audit (at);
   CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit
     BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END;
   CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit
     BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END;`,
  // 5 (detections): alerts, the identities of the hits applied to them, their history, exclusions, snoozes.
  `CREATE TABLE alerts (
     id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, tenant TEXT NOT NULL, group_key TEXT NOT NULL,
     window_start INTEGER NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,
     status_by TEXT, status_at INTEGER, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
     hits INTEGER NOT NULL, record_ids TEXT NOT NULL, record_total INTEGER NOT NULL, facts TEXT NOT NULL,
     snoozed_until INTEGER, notified_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE INDEX alerts_last_seen ON alerts (last_seen);
   CREATE INDEX alerts_tenant ON alerts (tenant, last_seen);
   CREATE INDEX alerts_due ON alerts (notified_at, created_at);
   CREATE TABLE alert_hits (
     hit_key TEXT PRIMARY KEY, alert_id TEXT, exclusion_id TEXT, at INTEGER NOT NULL);
   CREATE TABLE alert_history (
     seq INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     from_status TEXT, to_status TEXT, note TEXT);
   CREATE INDEX alert_history_alert ON alert_history (alert_id, seq);
   CREATE TABLE alert_exclusions (
     id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, tenant TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
     reason TEXT NOT NULL, author TEXT NOT NULL, created_at INTEGER NOT NULL, hits INTEGER NOT NULL DEFAULT 0,
     last_hit_at INTEGER);
   CREATE TABLE alert_snoozes (
     id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, tenant TEXT NOT NULL, group_key TEXT, until INTEGER NOT NULL,
     reason TEXT NOT NULL, author TEXT NOT NULL, created_at INTEGER NOT NULL);`,
  // 6 (sinks): registered sinks, their dead letters and delivery statistics (store/sqlite/sinks.ts).
  `CREATE TABLE sinks (
     name TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL, takes TEXT NOT NULL,
     filter TEXT NOT NULL, options TEXT NOT NULL, secret TEXT, ca_file TEXT, enabled INTEGER NOT NULL,
     added_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE dead_letters (
     seq INTEGER PRIMARY KEY, sink TEXT NOT NULL, kind TEXT NOT NULL, tenant TEXT NOT NULL,
     item_id TEXT NOT NULL, reason TEXT NOT NULL, failed_at INTEGER NOT NULL);
   CREATE INDEX dead_letters_sink ON dead_letters (sink, seq);
   CREATE TABLE sink_stats (sink TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
  // 7 (rollups, retention): day counts kept with every write and delete, filled here from the records stored
  // before (one statement inside this migration's transaction, so no write is counted twice or missed);
  // retention policies and the ledger of what the sweep removed (docs/adr/0031, 0032).
  `${ROLLUP_SCHEMA}
   ${RETENTION_SCHEMA}
   ${ROLLUP_TABLES.map((t) => `${rollupBackfillSql(t)};`).join('\n')}`,
  // 8 (auth, issue 16): OpenID Connect sign-ins under way and sign-in rate-limit counters, shared by every
  // serve process on the database (store/auth-contract.ts putPending, hitRate).
  `CREATE TABLE auth_pending (key_hash TEXT PRIMARY KEY, body TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE auth_rate (key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, hits INTEGER NOT NULL);
   CREATE INDEX auth_rate_window ON auth_rate (window_start);`,
  // 9 (substring index, ADR 0033): the free-text index of ADR 0003 (records_words over raw, records_terms
  // over its vocabulary: 1.7 GB per million records) is retired; `tenantwatch optimize --text-index`
  // builds its replacement (sqlite/text-index.ts), which also narrows object searches.
  `DROP TABLE IF EXISTS records_words;
   DROP TABLE IF EXISTS records_terms;
   DELETE FROM store_meta WHERE key = 'text_index_upto';`,
  // 10 (record conflicts): content that came for a stored (tenant, id) and differed (store/conflicts.ts, ADR 0030).
  `CREATE TABLE record_conflicts (
     tenant TEXT NOT NULL, id TEXT NOT NULL, raw_sha256 TEXT NOT NULL, raw TEXT NOT NULL, source TEXT NOT NULL,
     seen_at INTEGER NOT NULL, PRIMARY KEY (tenant, id, raw_sha256));`,
  // 11 (issue 19): each day's seq span, so the substring index's candidates outside a period are skipped
  // without reading them (sqlite/rollups.ts SEQ_SPAN_SCHEMA; filled from the records stored before).
  SEQ_SPAN_SCHEMA,
  // 12: a sink URL that carries a credential (a webhook's path, a token in the query) is kept sealed beside
  // its masked form (core/sink.ts SinkRow.urlSecret).
  'ALTER TABLE sinks ADD COLUMN url_secret TEXT;',
  // 13: failed sign-ins with names that are no account, under the name's hash, shared by every serve process
  // (store/auth-contract.ts recordNameFailure; ADR 0028).
  `CREATE TABLE auth_name_failures (
     name_hash TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER, failed_at INTEGER NOT NULL);
   CREATE INDEX auth_name_failures_at ON auth_name_failures (failed_at);`,
  // 14: a horizon slice is a kind of ledger row (store/contract.ts WindowKind), no longer a `HORIZON:` prefix
  // of its lastError that readers parsed back; the rows that carried it keep their words without it.
  `ALTER TABLE coverage ADD COLUMN kind TEXT NOT NULL DEFAULT 'window';
   UPDATE coverage SET kind = 'horizon-slice', last_error = ltrim(substr(last_error, 9))
     WHERE state = 'expired' AND substr(last_error, 1, 8) = 'HORIZON:';`,
  // 15: why a window is what it is, where that decides something (store/contract.ts WindowCause): a window
  // left unfinished while its new subscription awaited its first content was known only by the words the
  // collector wrote for it (these, until this version), so time that passed the horizon during that wait
  // read as lost.
  `ALTER TABLE coverage ADD COLUMN cause TEXT;
   UPDATE coverage SET cause = 'awaiting-first-content' WHERE state IN ('planned', 'listed') AND last_error =
     'Microsoft has not listed this subscription''s first content yet (up to 12 h after it starts); listed again by the next run';`,
  // 16: history older than the tenant's retention is a window cause ('beyond-retention', no gap), no longer
  // an `UNAVAILABLE:` prefix of its lastError that coverage parsed back; the rows that carried it keep their
  // words without it.
  `UPDATE coverage SET cause = 'beyond-retention', last_error = ltrim(substr(last_error, 13))
     WHERE cause IS NULL AND state = 'expired' AND stream IN ('graph', 'search-unified-audit-log', 'import')
       AND substr(last_error, 1, 12) = 'UNAVAILABLE:';`,
  // 17: how far a window was fetched from its start before a later run listed it again from the 7-day horizon
  // (store/contract.ts CoverageWindow.fetchedTo), so coverage no longer reads that fetched head as lost. Rows
  // written before keep NULL: nothing recorded it (an empty feed leaves not even a blob), and they read as before.
  'ALTER TABLE coverage ADD COLUMN fetched_to INTEGER;',
  // 18: which channels (sink names) took a due alert (store/contract.ts AlertStore.markChannelDelivered), so a
  // healthy channel is not sent it again while another fails — also after a restart or from another process.
  // Alerts due when this runs have no rows: each of their channels may get them once more (at least once).
  `CREATE TABLE alert_deliveries (
     alert_id TEXT NOT NULL, channel TEXT NOT NULL, delivered_at INTEGER NOT NULL, PRIMARY KEY (alert_id, channel));
   CREATE INDEX alert_deliveries_channel ON alert_deliveries (channel);`,
  // 19: a sink's identity beside its name (core/sink.ts SinkRow.id): a sink removed and added again under its name
  // within one millisecond had the removed one's added_at, which told them apart, so a pass still out for the removed
  // one wrote the new one's cursor, dead letters, statistics and alert deliveries. Each sink stored gets its own.
  `ALTER TABLE sinks ADD COLUMN id TEXT NOT NULL DEFAULT '';
   UPDATE sinks SET id = lower(hex(randomblob(16)));`,
  // 20: the ids `optimize --rekey` moved alerts from, each naming the alert it became (AlertStore.movedTo, ADR 0039):
  // the old id was sent to channels and written in tickets. Written in the move's transaction.
  `CREATE TABLE alert_aliases (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL, moved_at INTEGER NOT NULL);
   CREATE INDEX alert_aliases_new ON alert_aliases (new_id);`,
];

/**
 * The indexes the structured filters use. Not part of a numbered migration: a bulk load into an empty
 * store drops them and builds them once at the end (sorted builds beat a million random inserts),
 * and every start re-creates any that a crash in between left missing.
 */
export const SECONDARY_INDEXES: readonly string[] = [
  // Time ranges, and tenants within them: a tenant is filtered inside the index (compile.ts writes it as
  // +tenant), and each tenant's newest record is a short backward scan. It replaced (creation_time) and
  // (tenant, creation_time): one index fewer to build on every import (1.2 s per million records).
  'CREATE INDEX IF NOT EXISTS records_time_tenant ON records (creation_time, tenant)',
  'CREATE INDEX IF NOT EXISTS records_user ON records (user_key, creation_time)',
  'CREATE INDEX IF NOT EXISTS records_operation ON records (operation_key, creation_time)',
  'CREATE INDEX IF NOT EXISTS records_ip ON records (client_ip_key, creation_time)',
];

/**
 * Indexes of the state tables made on every start (IF NOT EXISTS: once, then nothing), outside the numbered
 * migrations, so adding one takes no schema version. A bulk load (records only) leaves them. PostgreSQL: the same
 * indexes, built CONCURRENTLY once their table holds rows (postgres/state-indexes.ts); SQLite has no such build,
 * and its other writers wait for any write, this one or another, one at a time.
 */
const STATE_INDEXES: readonly string[] = [
  // One caller's entries of one action since a moment (ConsoleAuditFilter actor, action, from), read before a call
  // that may only repeat one is recorded (server/auth/repeats.ts). Without it that listing, ordered by seq, walked
  // the whole trail from its newest entry when the caller had none (EXPLAIN QUERY PLAN: SCAN console_audit).
  'CREATE INDEX IF NOT EXISTS console_audit_caller ON console_audit (lower(actor), action, at)',
];

/** Indexes of earlier versions, replaced by records_time_tenant: dropped when found. */
const RETIRED_INDEXES = ['records_time', 'records_tenant_time'];

export function ensureIndexes(db: Database): void {
  for (const sql of SECONDARY_INDEXES) db.exec(sql);
  for (const name of RETIRED_INDEXES) db.exec(`DROP INDEX IF EXISTS ${name}`);
}

export function dropSecondaryIndexes(db: Database): void {
  for (const name of ['records_time_tenant', 'records_user', 'records_operation', 'records_ip', ...RETIRED_INDEXES])
    db.exec(`DROP INDEX IF EXISTS ${name}`);
}

/** Creates or upgrades the schema. */
export function migrate(db: Database, upgrade?: StoreUpgrade): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new AppError(
      'STORE_SCHEMA',
      `The database has schema version ${current}, newer than this tenantwatch knows (${MIGRATIONS.length})`,
      {
        hint: 'Upgrade tenantwatch, or point --db at a database this version created',
      },
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    // Re-read inside the write lock: another process may have applied this step meanwhile.
    db.transaction(() => {
      const now = (db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
      if (now > v) return;
      db.exec(MIGRATIONS[v]!);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    }).immediate();
  }
  backfillFacts(db, upgrade);
  ensureIndexes(db);
  for (const sql of STATE_INDEXES) db.exec(sql);
}

/** Fills the version 2 columns of rows stored before it, a committed batch at a time (store/backfill.ts). */
export function backfillFacts(db: Database, upgrade?: StoreUpgrade): void {
  const meta = db.prepare('SELECT value FROM store_meta WHERE key = ?').pluck();
  const to = meta.get(BACKFILL_TO) as string | undefined;
  if (to === undefined) return;
  const facts = factsRule(upgrade);
  const notice = upgrade?.onNotice;
  const setMeta = db.prepare(
    'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const read = db.prepare('SELECT seq, raw FROM records WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?').raw(true);
  const update = db.prepare('UPDATE records SET user_agent = ?, app_id = ?, logon_type = ? WHERE seq = ?');
  const batch = db.transaction((rows: [number, string][], last: number) => {
    for (const [seq, userAgent, appId, logonType] of backfillValues(rows, facts))
      update.run(userAgent, appId, logonType, seq);
    setMeta.run(BACKFILL_DONE, String(last));
  });
  const started = performance.now();
  let done = Number(meta.get(BACKFILL_DONE) ?? 0);
  notice?.(
    backfillStarting(
      db.prepare('SELECT count(*) FROM records WHERE seq > ? AND seq <= ?').pluck().get(done, Number(to)) as number,
    ),
  );
  for (;;) {
    const rows = read.all(done, Number(to), BACKFILL_BATCH) as [number, string][];
    if (rows.length === 0) break;
    done = rows[rows.length - 1]![0];
    batch(rows, done);
  }
  db.prepare('DELETE FROM store_meta WHERE key IN (?, ?)').run(BACKFILL_TO, BACKFILL_DONE);
  notice?.(backfillDone(performance.now() - started));
}
