import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * The tool an analyst would otherwise reach for: DuckDB over the same NDJSON file, loaded into an
 * in-memory table with the raw line kept for free text. read_ndjson_objects (read_json's one-object-
 * per-row form) keeps each record's text; the fields are pulled out with one multi-path
 * json_extract_string per row. No indexes: DuckDB scans columns.
 */
export interface Duck {
  connection: DuckDBConnection;
  loadMs: number;
  close(): void;
}

export async function loadDuck(file: string): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
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
  return {
    connection,
    loadMs,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
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
