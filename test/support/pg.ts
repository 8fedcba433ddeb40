import pg from 'pg';
import { pgSkip, pgUrl } from './paths.js';

/**
 * A PostgreSQL URL whose tables live in a schema of their own (`?schema=`), so a test never meets another
 * run's tables, nor a schema an older or newer checkout migrated; `dropSchema` removes it at the end.
 */
export function isolatedPgUrl(label: string): string {
  if (!pgUrl) throw new Error('TENANTWATCH_TEST_PG is not set');
  const schema = runSchemaName(label);
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A schema name of this run for `label`: no other run (process, moment) gets it. */
function runSchemaName(label: string): string {
  return `tw_${label}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
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

/**
 * Schemas for the stores of one test file, each fresh (`next()`), named under one prefix of this run so
 * that `dropAll()` (in an `after`) removes every one of them and no other run's.
 */
export function schemaFamily(label: string): { next(suffix?: string): string; dropAll(): Promise<void> } {
  if (!pgUrl) throw new Error('TENANTWATCH_TEST_PG is not set');
  const url = pgUrl;
  const prefix = runSchemaName(label);
  let n = 0;
  return {
    next: (suffix) => `${prefix}_${suffix ?? ++n}`,
    async dropAll() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ nspname: string }>(
          "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1 || '_')",
          [prefix],
        );
        for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** One store a test runs on: `url()` names a fresh one each call. */
export interface StoreKind {
  name: 'SQLite' | 'PostgreSQL';
  /** Why it is skipped (node:test's `skip`), or false. */
  skip: string | false;
  url(): string;
}

/**
 * The stores a test that does not depend on the store's kind is run on, to loop over without writing its body
 * twice: SQLite in memory, and PostgreSQL, each `url()` a fresh schema of this run that `dropAll()` (in an `after`)
 * removes — skipped, saying so, where TENANTWATCH_TEST_PG is not set.
 */
export function storeKinds(label: string): { kinds: readonly StoreKind[]; dropAll(): Promise<void> } {
  const schemas = pgUrl ? schemaFamily(label) : null;
  const inSchema = (schema: string): string => {
    const url = new URL(pgUrl!);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
  return {
    kinds: [
      { name: 'SQLite', skip: false, url: () => 'sqlite::memory:' },
      { name: 'PostgreSQL', skip: pgSkip, url: () => inSchema(schemas!.next()) },
    ],
    dropAll: async () => schemas?.dropAll(),
  };
}
