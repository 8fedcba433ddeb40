import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import type { AuditRecord, StoredRecord } from '../src/core/record.js';
import type { CountDimension, SearchQuery } from '../src/core/search-query.js';
import { canonicalKey } from '../src/core/guid.js';
import { dayOf } from '../src/store/rollups.js';
import type { Store } from '../src/store/contract.js';
import { openStore } from '../src/store/open.js';
import { DAY, record, TENANT_A, TENANT_B } from '../src/store/testing/fixtures.js';
import { pgUrl, repoRoot, tempDir } from './support/paths.js';

/**
 * ADR 0039, the merge (`optimize --rekey`): killed with SIGKILL mid-work it leaves a consistent store — every record
 * of the store it started from is there under one of its spellings, no key twice more than it was, the rollups equal
 * counting the records, the substring index finds what the records hold — and running it again finishes: one record
 * per key, every key in lower case, the conflicting copies kept aside. Its progress is committed with each
 * transaction, so the rerun reads on from the last one committed, and a run after it reads nothing again.
 */
const NOW = Date.UTC(2026, 10, 20, 9, 30);
const ALL: SearchQuery = { range: { start: 0, end: NOW + DAY } };
const TU = TENANT_A.toUpperCase();
const BEFORE = 1_000;

const dir = tempDir('tw-rekey-kill-');
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
): Promise<{ signal: string | null; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'rekey-child.ts')], {
      cwd: repoRoot,
      env: { ...process.env, TW_CHILD: JSON.stringify({ db, batch: 40 }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdin.on('error', () => undefined); // a go-ahead written as the child dies
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (let i = 0; i < (d.match(/\./g)?.length ?? 0); i++) child.stdin.write('.');
      if (killAfterDots !== null && (out.match(/\./g)?.length ?? 0) >= killAfterDots) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

/**
 * The store an earlier version left: tenant A split (records under the upper-case GUID, a third of them also under
 * the lower-case one, some of those with other content), Ids in upper case under tenant B. Each record has a word
 * of its own in raw.
 */
function earlierRecords(): AuditRecord[] {
  const ops = ['FileAccessed', 'FileModified', 'UserLoggedIn'];
  const out: AuditRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const id = `abcd${String(i).padStart(4, '0')}-0000-4000-8000-0000000000ef`;
    const at = NOW - (i % 20) * DAY - 1000;
    const at2 = { creationTime: at, operation: ops[i % 3]! };
    const word = (w: string, r: AuditRecord) => ({ ...r, raw: JSON.stringify({ ...JSON.parse(r.raw), Word: w }) });
    out.push(word(`wordupper${i}x`, record({ tenant: TU, id: i % 2 ? id : id.toUpperCase(), ...at2 })));
    if (i % 3 === 0) {
      const other = i % 9 === 0 ? { operation: 'FileDeleted' } : {};
      out.push(
        word(i % 9 === 0 ? `wordother${i}x` : `wordupper${i}x`, record({ tenant: TENANT_A, id, ...at2, ...other })),
      );
    }
    if (i % 2 === 0) out.push(word(`wordb${i}x`, record({ tenant: TENANT_B, id: id.toUpperCase(), ...at2 })));
  }
  // Keys with nothing to merge that the walk reads first ('0A-…' sorts before '0E8108B1-…'): a rerun that goes on
  // from where the last one stopped does not read them again.
  for (let i = 0; i < BEFORE; i++)
    out.push(record({ tenant: '0A-before', id: `before-${i}`, creationTime: NOW - (i % 20) * DAY - 1000 }));
  return out;
}

async function stored(store: Store): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of store.records.search(ALL)) out.push(r);
  return out;
}

const group = (r: { tenant: string; id: string }) => `${canonicalKey(r.tenant)}/${canonicalKey(r.id)}`;

/** Every group still there, none grown; rollups and the substring index agree with the records. */
async function assertConsistent(store: Store, initial: AuditRecord[], at: string): Promise<StoredRecord[]> {
  const rows = await stored(store);
  const groups = (list: readonly { tenant: string; id: string }[]) => {
    const out = new Map<string, number>();
    for (const r of list) out.set(group(r), (out.get(group(r)) ?? 0) + 1);
    return out;
  };
  const before = groups(initial);
  const now = groups(rows);
  assert.deepEqual([...now.keys()].sort(), [...before.keys()].sort(), `${at}: every record is there, under some key`);
  for (const [key, n] of now) assert.ok(n <= before.get(key)!, `${at}: ${key} stored ${n} times`);
  const whole: SearchQuery = { range: { start: dayOf(NOW) - 30 * DAY, end: dayOf(NOW) + DAY } };
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
  for (const word of ['wordupper3x', 'wordother9x', 'wordb4x', 'wordupper598x']) {
    const found: string[] = [];
    for await (const r of store.records.search({ ...ALL, freeText: [word] })) found.push(`${r.tenant}/${r.id}`);
    const expected = rows.filter((r) => r.raw.includes(`"${word}"`)).map((r) => `${r.tenant}/${r.id}`);
    assert.deepEqual(found.sort(), expected.sort(), `${at}: free text ${word}`);
  }
  return rows;
}

function stores(): { name: string; url: () => string }[] {
  const out = [{ name: 'sqlite', url: () => `sqlite:${join(dir.dir, `kill-${Date.now()}.sqlite`)}` }];
  if (pgUrl) {
    out.push({
      name: 'postgres',
      url: () => {
        const schema = `tw_rekey_kill_${process.pid}_${schemas.length}`;
        schemas.push(schema);
        return `${pgUrl!}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`;
      },
    });
  }
  return out;
}

describe('the merge of GUID keys killed with SIGKILL', () => {
  for (const { name, url } of stores()) {
    test(`${name}: consistent after every kill; a rerun finishes the merge`, { timeout: 300_000 }, async () => {
      const db = url();
      let store = await openStore(db);
      const initial = earlierRecords();
      await store.records.insert(initial);
      await store.records.optimize!({ textIndex: true });
      await store.close();

      let kills = 0;
      let storedBefore = initial.length;
      for (const dots of [2, 4, 3]) {
        const r = await runChild(db, dots);
        if (r.signal === 'SIGKILL') kills++;
        store = await openStore(db);
        storedBefore = (await assertConsistent(store, initial, `after kill ${kills}`)).length;
        await store.close();
      }
      assert.ok(kills >= 2, `killed ${kills} times`);
      const last = await runChild(db, null);
      assert.equal(last.code, 0, last.out.slice(-2000));
      // A walk from the start reads every key stored (and the records it moves again, at their new key).
      const resumed = JSON.parse(/merged (\{.*\})/.exec(last.out)![1]!) as { scanned: number };
      assert.ok(
        resumed.scanned < storedBefore,
        `the rerun went on from the last transaction committed: ${resumed.scanned} keys read, ${storedBefore} stored`,
      );

      store = await openStore(db);
      try {
        const left = await assertConsistent(store, initial, 'after the rerun');
        assert.equal(left.length, new Set(initial.map(group)).size, 'one record per key');
        assert.deepEqual(
          left.filter((r) => group(r) !== `${r.tenant}/${r.id}`),
          [],
          'every key in lower case',
        );
        const id = (i: number) => `abcd${String(i).padStart(4, '0')}-0000-4000-8000-0000000000ef`;
        assert.match((await store.records.get(TENANT_A, id(9)))!.raw, /wordupper9x/, 'the first stored stays');
        assert.deepEqual(
          (await store.records.conflictsOf(TENANT_A, id(9))).map((c) => /wordother9x/.test(c.raw)),
          [true],
          'the other content is kept aside',
        );
        const again = await store.records.rekey!();
        assert.deepEqual([again.rekeyed, again.scanned], [0, 0], 'nothing left to do, and nothing read again');
      } finally {
        await store.close();
      }
    });
  }
});
