/**
 * The merge of GUID keys stored in another case, in PostgreSQL (store/rekey.ts, ADR 0039). A record moves by an
 * UPDATE of its tenant and id, in `records` and in `record_keys`: its creation_time (the partition key), seq and xid
 * stay, so it stays in its month's partition, its posted words (record_words, by creation_time and seq) stay its
 * own, and the tail's (xid, seq) order and every consumer's cursor are as they were. A record removed from a group
 * goes as retention deletes one: with its key and its posted words. The rollups get the delta of what really moved
 * or went, appended in the same transaction (postgres/rollups.ts), folded by optimize.
 *
 * Other writers may run meanwhile. The batch's records are read FOR UPDATE (a sweep or purge waits for it), and a
 * key the batch moves a record to that another writer stored in between fails the move on record_keys' primary key:
 * the batch then runs again, and finds the new record in its group.
 */
import type { Pool, PoolClient } from 'pg';
import { CONFLICT_COLUMNS, conflictRow } from '../conflicts.js';
import {
  REKEY_PROGRESS,
  scanStep,
  type GroupPlan,
  type GroupRow,
  type RecordKey,
  type RekeyAdapter,
  type ScanStep,
} from '../rekey.js';
import { RollupDelta, ROLLUP_SOURCE_COLUMNS } from '../rollups.js';
import { applyRollups } from './rollups.js';
import { inTransaction } from './transaction.js';

/** Where the tenant is in a rollup source row. */
const TENANT = ROLLUP_SOURCE_COLUMNS.indexOf('tenant');

/** Runs of a batch whose move met a key another writer stored meanwhile, before the error is given up. */
const MOVE_ATTEMPTS = 5;

interface Row extends GroupRow {
  creationTime: string;
  /** Arrival order: the writing transaction, then seq (the tail's order). */
  xid: bigint;
  seq: bigint;
  source: string;
  ingestedAt: number;
  /** Its ROLLUP_SOURCE_COLUMNS values. */
  rollup: unknown[];
}

/** One step of the walk of record_keys' primary key (sqlite/rekey.ts says how). */
const SCAN = (from: string) => `
  WITH chunk AS MATERIALIZED (SELECT tenant, id FROM record_keys ${from} ORDER BY tenant, id LIMIT $1)
  SELECT tenant, id, NULL::bigint AS n FROM chunk
   WHERE (length(tenant) = 36 AND tenant ~ '[A-F]') OR (length(id) = 36 AND id ~ '[A-F]')
  UNION ALL
  (SELECT tenant, id, (SELECT count(*) FROM chunk) FROM chunk ORDER BY tenant DESC, id DESC LIMIT 1)`;

export class PostgresRekey implements RekeyAdapter<Row> {
  constructor(
    private readonly pool: Pool,
    readonly tenantSpellings: (guid: string) => Promise<string[]>,
  ) {}

  async scan(after: RecordKey | null, limit: number): Promise<ScanStep> {
    const { rows } = await this.pool.query<[string, string, string | null]>({
      text: after ? SCAN('WHERE (tenant, id) > ($2, $3)') : SCAN(''),
      values: after ? [limit, after.tenant, after.id] : [limit],
      rowMode: 'array',
    });
    return scanStep(rows);
  }

  async merge(
    keys: readonly RecordKey[],
    plan: (rows: Row[]) => GroupPlan<Row>[],
    write: boolean,
    progress?: string,
  ): Promise<GroupPlan<Row>[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, async (client) => {
          const plans = plan(await this.rows(client, keys, write));
          if (write) await apply(client, plans);
          if (write && progress !== undefined) await saveProgress(client, progress);
          return plans;
        });
      } catch (error) {
        // unique_violation: a record was stored under a key this batch moved one to; read again, it joins the group.
        if ((error as { code?: unknown }).code !== '23505' || attempt >= MOVE_ATTEMPTS) throw error;
      }
    }
  }

  async progress(): Promise<string | null> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM cursors WHERE consumer = $1', [
      REKEY_PROGRESS,
    ]);
    return rows[0]?.position ?? null;
  }

  async saveProgress(progress: string): Promise<void> {
    await saveProgress(this.pool, progress);
  }

  /** The records stored under these keys, in arrival order; locked when the batch writes. */
  private async rows(client: PoolClient, keys: readonly RecordKey[], lock: boolean): Promise<Row[]> {
    const { rows } = await client.query<unknown[]>({
      text: `SELECT r.tenant, r.id, r.raw, r.creation_time, r.xid::text, r.seq, r.source, r.ingested_at,
                    ${ROLLUP_SOURCE_COLUMNS.map((c) => `r.${c}`).join(', ')}
               FROM unnest($1::text[], $2::text[]) AS k(tenant, id)
               JOIN record_keys s ON s.tenant = k.tenant AND s.id = k.id
               JOIN records r ON r.tenant = s.tenant AND r.creation_time = s.creation_time AND r.id = s.id
              ORDER BY r.xid, r.seq${lock ? ' FOR UPDATE OF s, r' : ''}`,
      values: [keys.map((k) => k.tenant), keys.map((k) => k.id)],
      rowMode: 'array',
    });
    return rows.map(([tenant, id, raw, creationTime, xid, seq, source, ingestedAt, ...rollup]) => ({
      tenant: tenant as string,
      id: id as string,
      raw: raw as string,
      creationTime: String(creationTime),
      xid: BigInt(xid as string),
      seq: BigInt(seq as string),
      source: source as string,
      ingestedAt: Number(ingestedAt),
      rollup,
    }));
  }
}

/** The merge's progress (store/rekey.ts Progress), in the cursors table. */
async function saveProgress(client: Pool | PoolClient, progress: string): Promise<void> {
  await client.query(
    `INSERT INTO cursors (consumer, position, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    [REKEY_PROGRESS, progress, Date.now()],
  );
}

/** Inside the batch's transaction: removes, keeps aside, moves (in that order: a key is free before a record takes it). */
async function apply(client: PoolClient, plans: readonly GroupPlan<Row>[]): Promise<void> {
  const delta = new RollupDelta();
  const removed = plans.flatMap((p) => p.removed.map((r) => r.row));
  for (const row of removed) delta.add(row.rollup, -1);
  if (removed.length)
    await client.query(
      `WITH d AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(tenant, id, creation_time)),
       gone AS (DELETE FROM records r USING d
                 WHERE r.tenant = d.tenant AND r.creation_time = d.creation_time AND r.id = d.id
                RETURNING r.tenant, r.id, r.creation_time, r.seq),
       keys AS (DELETE FROM record_keys k USING gone WHERE k.tenant = gone.tenant AND k.id = gone.id),
       words AS (DELETE FROM record_words w USING gone WHERE w.creation_time = gone.creation_time AND w.seq = gone.seq)
       SELECT count(*) FROM gone`,
      [removed.map((r) => r.tenant), removed.map((r) => r.id), removed.map((r) => r.creationTime)],
    );
  const kept = plans.flatMap((p) =>
    p.removed.filter((r) => r.conflict).map((r) => conflictRow(p.key, r.row.raw, r.row.source, r.row.ingestedAt)),
  );
  if (kept.length)
    await client.query(
      `INSERT INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) ON CONFLICT DO NOTHING`,
      CONFLICT_COLUMNS.map((_, c) => kept.map((row) => row[c])),
    );
  const spellings = plans.flatMap((p) => p.spellings.map((s) => [s.tenant, s.id, p.key.tenant, p.key.id]));
  if (spellings.length)
    await client.query(
      `WITH m AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(tenant, id, to_tenant, to_id)),
       moved AS (DELETE FROM record_conflicts c USING m WHERE c.tenant = m.tenant AND c.id = m.id
                 RETURNING m.to_tenant, m.to_id, c.raw_sha256, c.raw, c.source, c.seen_at)
       INSERT INTO record_conflicts (${CONFLICT_COLUMNS.join(', ')}) SELECT * FROM moved ON CONFLICT DO NOTHING`,
      [0, 1, 2, 3].map((c) => spellings.map((s) => s[c])),
    );
  const moved = plans.filter((p) => p.moved);
  if (moved.length) {
    const values = [
      moved.map((p) => p.keeper.tenant),
      moved.map((p) => p.keeper.id),
      moved.map((p) => p.keeper.creationTime),
      moved.map((p) => p.key.tenant),
      moved.map((p) => p.key.id),
    ];
    await client.query(
      `UPDATE records r SET tenant = m.to_tenant, id = m.to_id
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS m(tenant, id, creation_time, to_tenant, to_id)
        WHERE r.tenant = m.tenant AND r.creation_time = m.creation_time AND r.id = m.id`,
      values,
    );
    await client.query(
      `UPDATE record_keys k SET tenant = m.to_tenant, id = m.to_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(tenant, id, to_tenant, to_id)
        WHERE k.tenant = m.tenant AND k.id = m.id`,
      [values[0], values[1], values[3], values[4]],
    );
    for (const p of moved) {
      if (p.keeper.tenant === p.key.tenant) continue;
      delta.add(p.keeper.rollup, -1);
      delta.add(p.keeper.rollup.with(TENANT, p.key.tenant), 1);
    }
  }
  await applyRollups(client, delta);
}
