import pg from 'pg';
import { pgUrl } from './paths.js';

/**
 * A PostgreSQL URL whose tables live in a schema of their own (`?schema=`), so a test never meets another
 * run's tables, nor a schema an older or newer checkout migrated; `dropSchema` removes it at the end.
 */
export function isolatedPgUrl(label: string): string {
  if (!pgUrl) throw new Error('TENANTWATCH_TEST_PG is not set');
  const schema = `tw_${label}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export async function dropSchema(url: string): Promise<void> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  if (!schema) return;
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
