// Test schemas a stopped test run left behind. Every PostgreSQL test keeps its tables in a schema named
// tw_<label>_<pid>_<time> (test/support/pg.ts), dropped by the test at its end; a run killed before then (a
// SIGKILL, a closed terminal) leaves them in the database for good. scripts/test.mjs drops, before a run, those
// over an hour old whose process is gone from this machine: a running test's schemas are never touched.
import pg from 'pg';

const HOUR = 3_600_000;
/** `_<pid>_<Date.now() in base 36>` as runSchemaName writes them (8 base-36 digits until the year 2059). */
const RUN = /_(\d+)_([0-9a-z]{8})(?=_|$)/g;

/**
 * The schema names among `names` that a run which ended left: named by test/support/pg.ts, made over an hour
 * before `now`, by a process `alive` says is gone.
 */
export function staleSchemas(names, now, alive) {
  return names.filter((name) => {
    if (!name.startsWith('tw_')) return false;
    for (const [, pid, time] of name.matchAll(RUN)) {
      const made = parseInt(time, 36);
      if (made > Date.UTC(2024, 0, 1) && made <= now) return made < now - HOUR && !alive(Number(pid));
    }
    return false;
  });
}

/** Whether a process of this machine has this id. */
export function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Drops the stale test schemas of the database at `url`; returns their names. */
export async function dropStaleSchemas(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'tw_')");
    const stale = staleSchemas(
      rows.map((r) => r.nspname),
      Date.now(),
      processAlive,
    );
    for (const name of stale) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    return stale;
  } finally {
    await client.end();
  }
}
