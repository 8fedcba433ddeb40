/**
 * Schema version 10 of PostgreSQL (docs/adr/0035-postgres-partitions.md): `records` becomes a table partitioned
 * by month of creation_time, and the one-row-per-(tenant, id) guarantee moves to `record_keys`, because a
 * partitioned table's unique indexes must hold the partition key. Runs inside the migration's transaction
 * (schema.ts, under its advisory lock): a store that already holds records has them copied, every column kept —
 * seq and xid too, so the tail's (xid, seq) order and every consumer's cursor stay as they were.
 */
import type { PoolClient } from 'pg';
import type { StoreUpgrade } from '../backfill.js';
import { daySql } from '../rollups.js';
import {
  createMonths,
  createWordsMonthSql,
  listPartitions,
  monthsOf,
  nameIndexesSql,
  wordsPartition,
} from './partitions.js';

/** The indexes of the records, each now a partitioned index (records_key is gone: record_keys holds the key). */
export const RECORD_INDEXES = `
  CREATE INDEX records_time ON records (creation_time);
  CREATE INDEX records_user ON records (user_key, creation_time);
  CREATE INDEX records_operation ON records (operation_key, creation_time);
  CREATE INDEX records_ip ON records (client_ip_key, creation_time);
  CREATE INDEX records_tenant_time ON records (tenant, creation_time);
  CREATE INDEX records_arrival ON records (xid, seq);`;

/** From this many records the upgrade says that it is moving them (it is one statement per table). */
const NOTICE_FROM = 100_000;

export async function partitionRecords(client: PoolClient, upgrade?: StoreUpgrade): Promise<void> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM records');
  const total = Number(rows[0]?.n ?? 0);
  const started = performance.now();
  if (total >= NOTICE_FROM)
    upgrade?.onNotice?.(
      `Upgrading the store: moving ${total.toLocaleString('en-US')} records into monthly partitions (once; other processes wait for it)`,
    );
  // The new table copies the old one's columns, types, collations and defaults (seq's sequence, xid's
  // pg_current_xact_id()); the sequence is handed over before the old table, which owned it, goes.
  await client.query(`
    ALTER TABLE records RENAME TO records_unpartitioned;
    CREATE TABLE records (LIKE records_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (creation_time);
    ALTER SEQUENCE records_seq_seq OWNED BY records.seq;
    CREATE TABLE record_keys (
      tenant text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, creation_time bigint NOT NULL);
    INSERT INTO record_keys (tenant, id, creation_time) SELECT tenant, id, creation_time FROM records_unpartitioned;
    ALTER TABLE record_keys ADD PRIMARY KEY (tenant, id);
    CREATE INDEX record_keys_time ON record_keys (creation_time);`);
  const { rows: days } = await client.query<{ day: string }>(
    `SELECT DISTINCT ${daySql('creation_time')} AS day FROM records_unpartitioned`,
  );
  const months = await createMonths(client, monthsOf(days.map((d) => Number(d.day)).sort((a, b) => a - b)));
  // Rows first, indexes after: building an index over loaded rows is several times faster than keeping it.
  await client.query(`INSERT INTO records SELECT * FROM records_unpartitioned;
    DROP TABLE records_unpartitioned;
    ${RECORD_INDEXES}
    ${months.map((m) => nameIndexesSql(m.name)).join('\n')}`);
  if (total >= NOTICE_FROM)
    upgrade?.onNotice?.(
      `Records moved into ${months.length} monthly partitions in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
}

/**
 * Schema version 12 (issue 19.3): the substring index's posted words partitioned by the same months as the
 * records (partitions.ts createWordsMonthSql), so a search's period reads only its months' words and trigram
 * indexes: at ten million records over 90 days a month's object search read every month's candidates from one
 * trigram index and rechecked them all. The words stored are kept, and so are the trigram indexes when a build
 * had made them (built here again, over the moved rows, inside the migration's transaction): an index that was
 * ready stays ready.
 */
export async function partitionWords(client: PoolClient, upgrade?: StoreUpgrade): Promise<void> {
  const { rows: count } = await client.query<{ n: string }>('SELECT count(*) AS n FROM record_words');
  const total = Number(count[0]?.n ?? 0);
  const started = performance.now();
  if (total >= NOTICE_FROM)
    upgrade?.onNotice?.(
      `Upgrading the store: moving the substring index's words of ${total.toLocaleString('en-US')} records into monthly partitions (once; other processes wait for it)`,
    );
  const { rows: trigram } = await client.query<{ column: string; ops: string }>(
    `SELECT a.attname AS column, quote_ident(n.nspname) || '.' || o.opcname AS ops
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       JOIN pg_opclass o ON o.oid = i.indclass[0] JOIN pg_namespace n ON n.oid = o.opcnamespace
      WHERE i.indexrelid IN (to_regclass('record_words_raw'), to_regclass('record_words_object')) AND i.indisvalid`,
  );
  await client.query(`
    DROP INDEX IF EXISTS record_words_raw, record_words_object;
    ALTER TABLE record_words RENAME TO record_words_unpartitioned;
    ALTER TABLE record_words_unpartitioned RENAME CONSTRAINT record_words_pkey TO record_words_unpartitioned_pkey;
    CREATE TABLE record_words (
      creation_time bigint NOT NULL, seq bigint NOT NULL, raw_words text, object_words text,
      PRIMARY KEY (creation_time, seq)) PARTITION BY RANGE (creation_time);`);
  const months = await listPartitions(client);
  for (const month of months) {
    await client.query(createWordsMonthSql(month));
    // Words of a month without records (none: a month's words go with it) are not carried over.
    await client.query(
      `INSERT INTO ${wordsPartition(month)} SELECT * FROM record_words_unpartitioned
        WHERE creation_time >= $1 AND creation_time < $2`,
      [month.lo, month.hi],
    );
  }
  await client.query('DROP TABLE record_words_unpartitioned');
  for (const { column, ops } of trigram) {
    const name = column === 'raw_words' ? 'record_words_raw' : 'record_words_object';
    await client.query(`CREATE INDEX ${name} ON record_words USING gin (${column} ${ops})`);
  }
  if (trigram.length) for (const month of months) await client.query(nameIndexesSql(wordsPartition(month)));
  if (total > 0) await client.query('ANALYZE record_words');
  if (total >= NOTICE_FROM)
    upgrade?.onNotice?.(`The substring index's words moved in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Version 13 (issue 19.3): the substring index posts its words' hashes (integer arrays under GIN indexes) and keeps
 * their vocabulary (`text_vocab`, under a pg_trgm index the first build makes) instead of words text under trigram
 * indexes (ADR 0036). Words cannot be turned into their hashes here, so an index built before is dropped, saying
 * so: `optimize --text-index` builds it again, and searches read the records meanwhile, with the same results.
 */
export async function hashWords(client: PoolClient, upgrade?: StoreUpgrade): Promise<void> {
  const { rows } = await client.query("SELECT 1 FROM store_meta WHERE key = 'text_index'");
  await client.query(`
    DELETE FROM store_meta WHERE key IN ('text_index', 'text_index_walked');
    DROP INDEX IF EXISTS record_words_raw, record_words_object;
    TRUNCATE record_words;
    ALTER TABLE record_words ALTER COLUMN raw_words TYPE integer[] USING NULL,
      ALTER COLUMN object_words TYPE integer[] USING NULL;
    CREATE TABLE text_vocab (word text COLLATE "C" PRIMARY KEY, hash integer NOT NULL);`);
  if (rows.length)
    upgrade?.onNotice?.(
      'Upgrading the store: the substring index takes a smaller form in this version, and the one built before was dropped; run tenantwatch optimize --text-index to build it again (searches read the records meanwhile, with the same results)',
    );
}
