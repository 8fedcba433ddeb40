import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import type { StoredRecord } from '../src/core/record.js';
import type { CountDimension, SearchQuery } from '../src/core/search-query.js';
import { readCoverage } from '../src/coverage/read.js';
import { dayOf } from '../src/store/rollups.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { DAY, record, TENANT_A, TENANT_B } from '../src/store/testing/fixtures.js';
import { pgUrl, repoRoot, tempDir } from './support/paths.js';

/**
 * Acceptance (issue 19, retention): a sweep killed with SIGKILL mid-work leaves a consistent store — the
 * rollups still equal counting the records, the ledger accounts for exactly the records that are gone — and
 * a rerun finishes: nothing older than the limit is found by search or count, and coverage shows the removal.
 */
const NOW = Date.UTC(2026, 10, 20, 9, 30);
const KEEP = 30 * DAY;
const ALL: SearchQuery = { range: { start: 0, end: NOW + DAY } };

const dir = tempDir('tw-retention-kill-');
const schemas: string[] = [];
after(async () => {
  dir.cleanup();
  if (!pgUrl || !schemas.length) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

function runChild(
  db: string,
  killAfterDots: number | null,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'retention-child.ts')], {
      cwd: repoRoot,
      env: { ...process.env, TW_CHILD: JSON.stringify({ db, now: NOW, batch: 150 }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdin.on('error', () => undefined); // a go-ahead written as the child dies
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const dots = out.match(/\./g)?.length ?? 0;
      // Each dot waits for a go-ahead: the last one given lets the child into its next batch, and the kill
      // comes right after, inside that batch or just after it, never after the sweep has finished.
      for (let i = 0; i < (d.match(/\./g)?.length ?? 0); i++) child.stdin.write('.');
      if (killAfterDots !== null && dots >= killAfterDots) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

async function stored(store: Store): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of store.records.search(ALL)) out.push(r);
  return out;
}

/** Rollups against counting the records: totals and by dimension over whole days, and the ledger's account. */
async function assertConsistent(store: Store, initial: number, at: string): Promise<StoredRecord[]> {
  const rows = await stored(store);
  const whole: SearchQuery = { range: { start: dayOf(NOW) - 70 * DAY, end: dayOf(NOW) + DAY } };
  assert.equal(await store.records.count(whole), rows.length, `${at}: count`);
  for (const [dim, key] of [
    ['day', (r: StoredRecord) => dayOf(r.creationTime)],
    ['tenant', (r: StoredRecord) => r.tenant],
    ['operation', (r: StoredRecord) => r.operation],
  ] as [CountDimension, (r: StoredRecord) => string | number][]) {
    const expected = new Map<string | number, number>();
    for (const r of rows) expected.set(key(r), (expected.get(key(r)) ?? 0) + 1);
    const got = new Map((await store.records.countBy(whole, dim)).map((r) => [r.key as string | number, r.count]));
    assert.deepEqual(got, expected, `${at}: countBy ${dim}`);
  }
  const removed = (await store.retention.removals()).reduce((n, r) => n + r.records, 0);
  assert.equal(removed, initial - rows.length, `${at}: the ledger accounts for every record removed`);
  return rows;
}

function stores(): { name: string; url: () => string }[] {
  const out = [{ name: 'sqlite', url: () => `sqlite:${join(dir.dir, `kill-${Date.now()}.sqlite`)}` }];
  if (pgUrl) {
    out.push({
      name: 'postgres',
      url: () => {
        const schema = `tw_retention_kill_${process.pid}_${schemas.length}`;
        schemas.push(schema);
        return `${pgUrl!}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`;
      },
    });
  }
  return out;
}

describe('retention sweep killed with SIGKILL', () => {
  for (const { name, url } of stores()) {
    test(
      `${name}: consistent after every kill; a rerun removes everything older than the limit`,
      { timeout: 300_000 },
      async () => {
        const db = url();
        let store = await openStore(db);
        const ops = ['FileAccessed', 'FileModified', 'UserLoggedIn'];
        const rows = Array.from({ length: 3_000 }, (_, i) =>
          record({
            tenant: i % 3 === 0 ? TENANT_B : TENANT_A,
            creationTime: NOW - Math.floor((((i * 7919) % 3_000) / 3_000) * 60 * DAY),
            operation: ops[i % 3]!,
          }),
        );
        await store.records.insert(rows);
        await store.retention.setPolicy({ tenant: null, keepMs: KEEP, updatedAt: NOW });
        const initial = rows.length;
        const due = rows.filter((r) => r.creationTime < NOW - KEEP).length;
        await store.close();

        let kills = 0;
        for (const dots of [2, 5, 3]) {
          const r = await runChild(db, dots);
          if (r.signal === 'SIGKILL') kills++;
          store = await openStore(db);
          await assertConsistent(store, initial, `after kill ${kills}`);
          await store.close();
        }
        assert.ok(kills >= 2, `killed ${kills} times`);
        const last = await runChild(db, null);
        assert.equal(last.code, 0, last.out.slice(-2000));

        store = await openStore(db);
        try {
          const left = await assertConsistent(store, initial, 'after the rerun');
          assert.equal(left.length, initial - due);
          const old: SearchQuery = { range: { start: 0, end: NOW - KEEP } };
          assert.equal(await store.records.count(old), 0);
          assert.equal(left.filter((r) => r.creationTime < NOW - KEEP).length, 0);
          const coverage = await readCoverage(
            store,
            [
              { tenantId: TENANT_A, name: 'a' },
              { tenantId: TENANT_B, name: 'b' },
            ],
            NOW,
          );
          for (const t of coverage.tenants) {
            assert.equal(t.removed?.before, NOW - KEEP, `${t.name}: coverage shows the removal`);
            assert.equal(
              t.removed?.records,
              rows.filter((r) => r.tenant === t.tenant && r.creationTime < NOW - KEEP).length,
            );
          }
        } finally {
          await store.close();
        }
      },
    );
  }
});
