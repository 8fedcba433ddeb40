import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * The tool an analyst would otherwise reach for: DuckDB over the same NDJSON file, loaded into an
 * in-memory table with the raw line kept for free text. read_ndjson_objects (read_json's one-object-
 * per-row form) keeps each record's text; the fields are pulled out with one multi-path
 * json_extract_string per row. No indexes: DuckDB scans columns.
 */
export interface Duck {
  connection: DuckDBConnection;
  /** Null: an existing database file was reused. */
  loadMs: number | null;
  close(): void;
}

/**
 * `database`: a DuckDB file to keep the table in (the scale bench: ten million records do not fit in
 * memory beside the stores); reused when it already holds `expected` rows, loaded again otherwise.
 */
export async function loadDuck(file: string, database?: { path: string; expected: number }): Promise<Duck> {
  const instance = await DuckDBInstance.create(database?.path ?? ':memory:');
  const connection = await instance.connect();
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  if (database) {
    const tables = await connection.runAndReadAll(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'records'`,
    );
    if (Number(tables.getRowObjectsJS()[0]?.n ?? 0) > 0) {
      const rows = await connection.runAndReadAll('SELECT count(*) AS n FROM records');
      if (Number(rows.getRowObjectsJS()[0]?.n ?? 0) === database.expected) return { connection, loadMs: null, close };
      await connection.run('DROP TABLE records');
    }
  }
  const t0 = performance.now();
  const path = file.replace(/'/g, "''");
  await connection.run(`CREATE TABLE records AS
    SELECT raw, epoch_ms(f[1]::TIMESTAMP) AS creation_time, f[2] AS tenant, f[3] AS id, f[4]::INTEGER AS record_type,
           f[5] AS operation, f[6] AS workload, f[7] AS user_id, f[8] AS client_ip, f[9] AS object_id
    FROM (SELECT json::VARCHAR AS raw,
                 json_extract_string(json, ['$.CreationTime', '$.OrganizationId', '$.Id', '$.RecordType', '$.Operation',
                                            '$.Workload', '$.UserId', '$.ClientIP', '$.ObjectId']) AS f
          FROM read_ndjson_objects('${path}'))`);
  const loadMs = performance.now() - t0;
  if (database) await connection.run('CHECKPOINT');
  return { connection, loadMs, close };
}

/**
 * Rows of a query as plain objects (bigints for counts). Whole numbers are bound as BIGINT: a plain
 * JavaScript number is bound as a 32-bit INTEGER and an epoch-ms bound silently overflows.
 */
export async function duckRows(
  duck: Duck,
  sql: string,
  params: Record<string, string | number> = {},
): Promise<Record<string, unknown>[]> {
  const bound = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v]),
  );
  const reader = await duck.connection.runAndReadAll(sql, bound);
  return reader.getRowObjectsJS();
}
