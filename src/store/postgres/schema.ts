import type { PoolClient } from 'pg';
import { AppError } from '../../core/errors.js';

/**
 * PostgreSQL schema, the same tables as SQLite's (sqlite/schema.ts) with PostgreSQL types. Keys and
 * grouping columns use COLLATE "C" so ordering (and the keyset cursor) is byte order, as in SQLite.
 * Migrations run under an advisory lock, so collectors starting together migrate once.
 */
export const MIGRATIONS: readonly string[] = [
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
];

/** Arbitrary constant: the advisory lock key migrations take. */
const MIGRATION_LOCK = 7_302_118_113;

export async function migrate(client: PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new AppError('STORE_SCHEMA', `The database schema "${schema}" has version ${current}, newer than this tenantwatch knows (${MIGRATIONS.length})`, {
        hint: 'Upgrade tenantwatch, or point --db at a database this version created',
      });
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** A schema name from configuration, quoted; only plain identifiers are accepted. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new AppError('CONFIG_INVALID', `"${name}" is not a usable PostgreSQL schema name`, { hint: 'Use letters, digits and underscores, starting with a letter' });
  }
  return `"${name}"`;
}
