import type { PoolClient } from 'pg';
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
import { rollupBackfillSql, ROLLUP_TABLES } from '../rollups.js';
import { ROLLUP_SCHEMA } from './rollups.js';
import { RETENTION_SCHEMA } from './retention.js';
import { hashWords, partitionRecords, partitionWords } from './partition-migration.js';
import { makeStateIndexesOfEmptyTables } from './state-indexes.js';

/** A migration: SQL, or code for one that depends on the data (run in the same transaction, under the same lock). */
export type Migration = string | ((client: PoolClient, upgrade?: StoreUpgrade) => Promise<void>);

/**
 * PostgreSQL schema, the same tables as SQLite's (sqlite/schema.ts) with PostgreSQL types. Keys and
 * grouping columns use COLLATE "C" so ordering (and the keyset cursor) is byte order, as in SQLite.
 * Migrations run under an advisory lock, so collectors starting together migrate once.
 */
export const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE records (
     seq bigserial PRIMARY KEY,
     tenant text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, creation_time bigint NOT NULL,
     record_type integer NOT NULL, operation text COLLATE "C" NOT NULL, operation_key text COLLATE "C" NOT NULL,
     workload text COLLATE "C", workload_key text COLLATE "C", user_id text, user_key text COLLATE "C", user_type integer,
     client_ip text COLLATE "C", client_ip_key text COLLATE "C", client_port integer, object_id text, result_status text,
     outcome text COLLATE "C" NOT NULL, organization_id text, source text NOT NULL, content_type text,
     plain smallint NOT NULL, ingested_at bigint NOT NULL, raw text NOT NULL);
   CREATE UNIQUE INDEX records_key ON records (tenant, id);
   CREATE INDEX records_time ON records (creation_time);
   CREATE INDEX records_user ON records (user_key, creation_time);
   CREATE INDEX records_operation ON records (operation_key, creation_time);
   CREATE INDEX records_ip ON records (client_ip_key, creation_time);
   CREATE INDEX records_tenant_time ON records (tenant, creation_time);
   CREATE TABLE blobs (
     tenant text NOT NULL, content_id text NOT NULL, content_type text NOT NULL, content_uri text NOT NULL,
     content_created bigint NOT NULL, content_expiration bigint, fetched_at bigint NOT NULL, records integer NOT NULL,
     new_records integer NOT NULL, sha256 text, status text NOT NULL, reason text, window_start bigint NOT NULL,
     PRIMARY KEY (tenant, content_id));
   CREATE INDEX blobs_created ON blobs (tenant, content_type, content_created);
   CREATE TABLE coverage (
     tenant text NOT NULL, stream text NOT NULL, start bigint NOT NULL, "end" bigint NOT NULL, state text NOT NULL,
     queried_start bigint, blobs_listed integer NOT NULL, blobs_fetched integer NOT NULL, blobs_failed integer NOT NULL,
     records integer NOT NULL, new_records integer NOT NULL, attempts integer NOT NULL, last_error text,
     updated_at bigint NOT NULL, PRIMARY KEY (tenant, stream, start));
   CREATE TABLE checkpoints (
     tenant text NOT NULL, stream text NOT NULL, position bigint NOT NULL, updated_at bigint NOT NULL, PRIMARY KEY (tenant, stream));
   CREATE TABLE leases (key text PRIMARY KEY, owner text NOT NULL, until bigint NOT NULL);
   CREATE TABLE tenants (
     tenant_id text PRIMARY KEY, name text NOT NULL, domain text, client_id text NOT NULL, cloud text NOT NULL,
     auth_kind text NOT NULL, credential text NOT NULL, certificate_pem text, publisher_id text, base_url text,
     ca_file text, added_at bigint NOT NULL, updated_at bigint NOT NULL);
   CREATE UNIQUE INDEX tenants_name ON tenants (lower(name));
   CREATE UNIQUE INDEX tenants_id_ci ON tenants (lower(tenant_id));
   CREATE TABLE posture (
     seq bigserial PRIMARY KEY, tenant text COLLATE "C" NOT NULL, taken_at bigint NOT NULL, verdict text NOT NULL, body text NOT NULL);
   CREATE INDEX posture_tenant ON posture (tenant, taken_at);`,
  // 2: the facts reports read without parsing raw (store/backfill.ts fills rows stored before).
  `ALTER TABLE records ADD COLUMN user_agent text, ADD COLUMN app_id text COLLATE "C", ADD COLUMN logon_type integer;
   CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL);
   INSERT INTO store_meta (key, value) SELECT '${BACKFILL_TO}', max(seq)::text FROM records HAVING count(*) > 0;`,
  // 3: the tail read (postgres/tail.ts): the writing transaction of every row, so the tail can stop
  // below the oldest one still open. Rows stored before get 0, first in the order (a constant default
  // adds the column without rewriting the table); new rows get their own transaction's id. Consumer
  // cursors are state, next to the ledger.
  `ALTER TABLE records ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
   ALTER TABLE records ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
   CREATE INDEX records_arrival ON records (xid, seq);
   CREATE TABLE cursors (consumer text PRIMARY KEY, position text NOT NULL, updated_at bigint NOT NULL);`,
  // 4 (auth): the console's accounts, tenant groups, sessions, API tokens and its append-only audit trail (store/auth-contract.ts).
  `CREATE TABLE users (
     name text PRIMARY KEY, role text NOT NULL, tenants text NOT NULL, groups text NOT NULL, password_hash text,
     external_id text UNIQUE, failed_attempts integer NOT NULL, locked_until bigint,
     created_at bigint NOT NULL, updated_at bigint NOT NULL);
   CREATE UNIQUE INDEX users_name_ci ON users (lower(name));
   CREATE TABLE tenant_groups (name text PRIMARY KEY, tenants text NOT NULL, updated_at bigint NOT NULL);
   CREATE UNIQUE INDEX tenant_groups_name_ci ON tenant_groups (lower(name));
   CREATE TABLE sessions (
     id_hash text PRIMARY KEY, user_name text NOT NULL, created_at bigint NOT NULL, last_seen_at bigint NOT NULL,
     expires_at bigint NOT NULL, address text, via text NOT NULL);
   CREATE INDEX sessions_user ON sessions (lower(user_name));
   CREATE TABLE api_tokens (
     id text PRIMARY KEY, name text NOT NULL, user_name text NOT NULL, hash text NOT NULL, role text,
     tenants text NOT NULL, created_at bigint NOT NULL, expires_at bigint, revoked_at bigint, last_used_at bigint);
   CREATE UNIQUE INDEX api_tokens_name_ci ON api_tokens (lower(name));
   CREATE TABLE console_audit (
     seq bigserial PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL, via text NOT NULL, address text,
     action text NOT NULL, outcome text NOT NULL, target text, details text NOT NULL);
   CREATE INDEX console_audit_at ON console_audit (at);
   CREATE FUNCTION console_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
     $$ BEGIN RAISE EXCEPTION 'console_audit is append-only'; END $$;
   CREATE TRIGGER console_audit_no_change BEFORE UPDATE OR DELETE ON console_audit
     FOR EACH ROW EXECUTE FUNCTION console_audit_append_only();
   CREATE TRIGGER console_audit_no_truncate BEFORE TRUNCATE ON console_audit
     FOR EACH STATEMENT EXECUTE FUNCTION console_audit_append_only();`,
  // 5 (detections): alerts, the identities of the hits applied to them, their history, exclusions, snoozes.
  `CREATE TABLE alerts (
     id text COLLATE "C" PRIMARY KEY, rule_id text COLLATE "C" NOT NULL, tenant text COLLATE "C" NOT NULL,
     group_key text COLLATE "C" NOT NULL, window_start bigint NOT NULL, severity text NOT NULL, title text NOT NULL,
     status text NOT NULL, status_by text, status_at bigint, first_seen bigint NOT NULL, last_seen bigint NOT NULL,
     hits integer NOT NULL, record_ids text NOT NULL, record_total integer NOT NULL, facts text NOT NULL,
     snoozed_until bigint, notified_at bigint, created_at bigint NOT NULL, updated_at bigint NOT NULL);
   CREATE INDEX alerts_last_seen ON alerts (last_seen);
   CREATE INDEX alerts_tenant ON alerts (tenant, last_seen);
   CREATE INDEX alerts_due ON alerts (notified_at, created_at);
   CREATE TABLE alert_hits (hit_key text PRIMARY KEY, alert_id text, exclusion_id text, at bigint NOT NULL);
   CREATE TABLE alert_history (
     seq bigserial PRIMARY KEY, alert_id text NOT NULL, at bigint NOT NULL, actor text NOT NULL, action text NOT NULL,
     from_status text, to_status text, note text);
   CREATE INDEX alert_history_alert ON alert_history (alert_id, seq);
   CREATE TABLE alert_exclusions (
     id text PRIMARY KEY, rule_id text NOT NULL, tenant text NOT NULL, kind text NOT NULL, value text NOT NULL,
     reason text NOT NULL, author text NOT NULL, created_at bigint NOT NULL, hits integer NOT NULL DEFAULT 0,
     last_hit_at bigint);
   CREATE TABLE alert_snoozes (
     id text PRIMARY KEY, rule_id text NOT NULL, tenant text NOT NULL, group_key text, until bigint NOT NULL,
     reason text NOT NULL, author text NOT NULL, created_at bigint NOT NULL);`,
  // 6 (sinks): registered sinks, their dead letters and delivery statistics (store/postgres/sinks.ts).
  `CREATE TABLE sinks (
     name text PRIMARY KEY, kind text NOT NULL, url text NOT NULL, takes text NOT NULL, filter text NOT NULL,
     options text NOT NULL, secret text, ca_file text, enabled boolean NOT NULL, added_at bigint NOT NULL,
     updated_at bigint NOT NULL);
   CREATE TABLE dead_letters (
     seq bigserial PRIMARY KEY, sink text NOT NULL, kind text NOT NULL, tenant text NOT NULL, item_id text NOT NULL,
     reason text NOT NULL, failed_at bigint NOT NULL);
   CREATE INDEX dead_letters_sink ON dead_letters (sink, seq);
   CREATE TABLE sink_stats (sink text PRIMARY KEY, body text NOT NULL, updated_at bigint NOT NULL);`,
  // 7 (rollups, retention): day counts kept with every write and delete, filled here from the records stored
  // before (one statement inside the migration's transaction, under its lock); retention policies and the
  // ledger of what the sweep removed (docs/adr/0031, 0032).
  `${ROLLUP_SCHEMA}
   ${RETENTION_SCHEMA}
   ${ROLLUP_TABLES.map((t) => `${rollupBackfillSql(t)};`).join('\n')}`,
  // 8 (auth, issue 16): OpenID Connect sign-ins under way and sign-in rate-limit counters, shared by every
  // serve process on the database (store/auth-contract.ts putPending, hitRate).
  `CREATE TABLE auth_pending (key_hash text PRIMARY KEY, body text NOT NULL, expires_at bigint NOT NULL);
   CREATE TABLE auth_rate (key text PRIMARY KEY, window_start bigint NOT NULL, hits integer NOT NULL);
   CREATE INDEX auth_rate_window ON auth_rate (window_start);`,
  // 9 (record conflicts; SQLite's 10): content that came for a stored (tenant, id) and differed (store/conflicts.ts, ADR 0030).
  `CREATE TABLE record_conflicts (
     tenant text NOT NULL, id text NOT NULL, raw_sha256 text NOT NULL, raw text NOT NULL, source text NOT NULL,
     seen_at bigint NOT NULL, PRIMARY KEY (tenant, id, raw_sha256));`,
  // 10 (issue 19.6): records partitioned by month of CreationTime, the (tenant, id) key in record_keys, rows
  // stored before moved with their seq and xid (partition-migration.ts, ADR 0035).
  partitionRecords,
  // 11 (issue 19.3): the posted words of the optional substring index (text-index.ts, ADR 0036); its trigram
  // indexes are made by the first build, which may have to install pg_trgm.
  `CREATE TABLE record_words (
     creation_time bigint NOT NULL, seq bigint NOT NULL, raw_words text, object_words text,
     PRIMARY KEY (creation_time, seq));`,
  // 12 (issue 19.3): those words partitioned by the records' months (partition-migration.ts partitionWords).
  partitionWords,
  // 13 (issue 19.3): the words posted as hashes with a vocabulary (partition-migration.ts hashWords).
  hashWords,
  // 14: a sink URL that carries a credential (a webhook's path, a token in the query) is kept sealed beside
  // its masked form (core/sink.ts SinkRow.urlSecret).
  'ALTER TABLE sinks ADD COLUMN IF NOT EXISTS url_secret text',
  // 15 (SQLite's 13): failed sign-ins with names that are no account, under the name's hash, shared by every
  // serve process (store/auth-contract.ts recordNameFailure; ADR 0028).
  `CREATE TABLE IF NOT EXISTS auth_name_failures (
     name_hash text PRIMARY KEY, failures integer NOT NULL, locked_until bigint, failed_at bigint NOT NULL);
   CREATE INDEX IF NOT EXISTS auth_name_failures_at ON auth_name_failures (failed_at);`,
  // 16 (SQLite's 14): a horizon slice is a kind of ledger row (store/contract.ts WindowKind), no longer a
  // `HORIZON:` prefix of its lastError that readers parsed back; the rows that carried it keep their words
  // without it (run again, the update finds no prefix left).
  `ALTER TABLE coverage ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'window';
   UPDATE coverage SET kind = 'horizon-slice', last_error = ltrim(substr(last_error, 9))
     WHERE state = 'expired' AND left(last_error, 8) = 'HORIZON:'`,
  // 17 (SQLite's 15): why a window is what it is, where that decides something (store/contract.ts
  // WindowCause): a window left unfinished while its new subscription awaited its first content was known
  // only by the words the collector wrote for it (these, until this version), so time that passed the
  // horizon during that wait read as lost. Run again, both statements change nothing.
  `ALTER TABLE coverage ADD COLUMN IF NOT EXISTS cause text;
   UPDATE coverage SET cause = 'awaiting-first-content' WHERE cause IS NULL AND state IN ('planned', 'listed')
     AND last_error = 'Microsoft has not listed this subscription''s first content yet (up to 12 h after it starts); listed again by the next run'`,
  // 18 (SQLite's 16): history older than the tenant's retention is a window cause ('beyond-retention', no
  // gap), no longer an `UNAVAILABLE:` prefix of its lastError that coverage parsed back; the rows that carried
  // it keep their words without it (run again, the update finds no prefix left).
  `UPDATE coverage SET cause = 'beyond-retention', last_error = ltrim(substr(last_error, 13))
     WHERE cause IS NULL AND state = 'expired' AND stream IN ('graph', 'search-unified-audit-log', 'import')
       AND left(last_error, 12) = 'UNAVAILABLE:'`,
  // 19 (SQLite's 17): how far a window was fetched from its start before a later run listed it again from the
  // 7-day horizon (store/contract.ts CoverageWindow.fetchedTo), so coverage no longer reads that fetched head as
  // lost. Rows written before keep NULL: nothing recorded it, and they read as before.
  'ALTER TABLE coverage ADD COLUMN IF NOT EXISTS fetched_to bigint',
  // 20 (SQLite's 18): which channels (sink names) took a due alert (store/contract.ts
  // AlertStore.markChannelDelivered), so a healthy channel is not sent it again while another fails — also after
  // a restart or from another process. Alerts due when this runs have no rows: each of their channels may get
  // them once more (at least once).
  `CREATE TABLE IF NOT EXISTS alert_deliveries (
     alert_id text COLLATE "C" NOT NULL, channel text COLLATE "C" NOT NULL, delivered_at bigint NOT NULL,
     PRIMARY KEY (alert_id, channel));
   CREATE INDEX IF NOT EXISTS alert_deliveries_channel ON alert_deliveries (channel);`,
  // 21 (SQLite's 19): a sink's identity beside its name (core/sink.ts SinkRow.id): a sink removed and added again
  // under its name within one millisecond had the removed one's added_at, which told them apart, so a pass still out
  // for the removed one wrote the new one's cursor, dead letters, statistics and alert deliveries. Each sink stored
  // gets its own.
  `ALTER TABLE sinks ADD COLUMN IF NOT EXISTS id text;
   UPDATE sinks SET id = gen_random_uuid()::text WHERE id IS NULL;
   ALTER TABLE sinks ALTER COLUMN id SET NOT NULL;`,
  // 22 (SQLite's 20): the ids `optimize --rekey` moved alerts from, each naming the alert it became
  // (AlertStore.movedTo, ADR 0039): the old id was sent to channels and written in tickets. Written in the move's
  // transaction.
  `CREATE TABLE IF NOT EXISTS alert_aliases (
     old_id text COLLATE "C" PRIMARY KEY, new_id text COLLATE "C" NOT NULL, moved_at bigint NOT NULL);
   CREATE INDEX IF NOT EXISTS alert_aliases_new ON alert_aliases (new_id);`,
];

/** Arbitrary constant: the advisory lock key migrations take. */
const MIGRATION_LOCK = 7_302_118_113;

export async function migrate(client: PoolClient, schema: string, upgrade?: StoreUpgrade): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new AppError(
        'STORE_SCHEMA',
        `The database schema "${schema}" has version ${current}, newer than this tenantwatch knows (${MIGRATIONS.length})`,
        {
          hint: 'Upgrade tenantwatch, or point --db at a database this version created',
        },
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') await client.query(step);
      else await step(client, upgrade);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [v + 1]);
    }
    await makeStateIndexesOfEmptyTables(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  await backfillFacts(client, upgrade);
}

/**
 * Fills the version 2 columns of rows stored before it, a committed batch at a time (store/backfill.ts).
 * Two processes starting together may both fill a batch: the values are the same. Those rows predate version
 * 3, so their xid is 0: they are read and updated through the tail's (xid, seq) index, the one index that
 * holds seq since version 10 partitioned the records (seq alone would be a scan of every partition).
 */
/** Rows stored before version 2 with seq in ($1, $2]: all have xid 0 (see backfillFacts). */
const STORED_BEFORE = `(xid, seq) > ('0'::xid8, $1::bigint) AND (xid, seq) <= ('0'::xid8, $2::bigint)`;

async function backfillFacts(client: PoolClient, upgrade?: StoreUpgrade): Promise<void> {
  const meta = async (key: string): Promise<string | undefined> =>
    (await client.query<{ value: string }>('SELECT value FROM store_meta WHERE key = $1', [key])).rows[0]?.value;
  const to = await meta(BACKFILL_TO);
  if (to === undefined) return;
  const facts = factsRule(upgrade);
  const notice = upgrade?.onNotice;
  const started = performance.now();
  let done = Number((await meta(BACKFILL_DONE)) ?? 0);
  const {
    rows: [pending],
  } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE ${STORED_BEFORE}`, [done, to]);
  notice?.(backfillStarting(Number(pending?.n ?? 0)));
  for (;;) {
    const { rows } = await client.query<[string, string]>({
      text: `SELECT seq, raw FROM records WHERE ${STORED_BEFORE} ORDER BY xid, seq LIMIT $3`,
      values: [done, to, BACKFILL_BATCH],
      rowMode: 'array',
    });
    if (rows.length === 0) break;
    done = Number(rows[rows.length - 1]![0]);
    const values = backfillValues(
      rows.map(([seq, raw]) => [Number(seq), raw] as const),
      facts,
    );
    await client.query('BEGIN');
    try {
      await client.query(
        `UPDATE records AS r SET user_agent = v.user_agent, app_id = v.app_id, logon_type = v.logon_type
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[]) AS v(seq, user_agent, app_id, logon_type)
         WHERE r.xid = '0'::xid8 AND r.seq = v.seq`,
        [values.map((v) => v[0]), values.map((v) => v[1]), values.map((v) => v[2]), values.map((v) => v[3])],
      );
      await client.query(
        `INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [BACKFILL_DONE, String(done)],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  await client.query('DELETE FROM store_meta WHERE key IN ($1, $2)', [BACKFILL_TO, BACKFILL_DONE]);
  notice?.(backfillDone(performance.now() - started));
}

/** A schema name from configuration, quoted; only plain identifiers are accepted. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new AppError('CONFIG_INVALID', `"${name}" is not a usable PostgreSQL schema name`, {
      hint: 'Use letters, digits and underscores, starting with a letter',
    });
  }
  return `"${name}"`;
}
