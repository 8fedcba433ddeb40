import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SWEEP_LEASE } from '../src/retention/lease.js';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/paths.js';

const DAY = 86_400_000;

test('retention set, show, sweep --dry-run and sweep: the dry run names what goes; after the sweep no search finds it', async () => {
  const { dir, cleanup } = tempDir('tw-retention-cli-');
  try {
    // The CLI runs on the real clock: records are dated relative to it (400 and 10 days old).
    const now = Date.now();
    const iso = (t: number): string => new Date(t).toISOString().slice(0, 19);
    const file = join(dir, 'records.ndjson');
    const line = (i: number, t: number): string =>
      JSON.stringify({
        Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        RecordType: 6,
        CreationTime: iso(t),
        Operation: 'FileAccessed',
        OrganizationId: 'contoso',
        UserId: 'alice@contoso.com',
        Workload: 'SharePoint',
      });
    const old = [0, 1, 2].map((i) => now - 400 * DAY + i * DAY);
    writeFileSync(
      file,
      [...old.map((t, i) => line(i, t)), line(10, now - 10 * DAY), line(11, now - 9 * DAY)].join('\n'),
    );
    const data = { dataDir: dir };
    assert.equal((await runCli(['import', file, '--tenant', 'contoso'], data)).code, 0);
    // No policy yet: an empty listing on stdout, the note on stderr as every listing's.
    const none = await runCli(['retention', 'show'], data);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /^tenantwatch: note: no retention policy: every record is kept/m);
    assert.doesNotMatch(none.stdout, /retention policy/);

    const set = await runCli(['retention', 'set', '--keep', '365d'], data);
    assert.equal(set.code, 0, set.stderr);
    assert.doesNotMatch(set.stderr, /note/);
    const bad = await runCli(['retention', 'set', '--keep', 'soon'], data);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--keep soon is not a span/);
    const years = await runCli(['retention', 'set', '--keep', '2y', '--tenant', 'contoso'], data);
    assert.equal(years.code, 0, years.stderr);
    assert.match(years.stdout, /contoso: records kept 730d/);
    assert.equal((await runCli(['retention', 'clear', '--tenant', 'contoso'], data)).code, 0);
    // A mistyped tenant is refused, not kept as a policy nothing follows.
    const typo = await runCli(['retention', 'set', '--keep', '30d', '--tenant', 'contosso'], data);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /No tenant is named "contosso" and no records are stored under that key/);
    assert.equal((await runCli(['retention', 'clear', '--tenant', 'contosso'], data)).code, 1);

    const dry = await runCli(['retention', 'sweep', '--dry-run', '--format', 'json'], data);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout) as {
      tenants: { tenant: string; records: number; oldest: string; newest: string }[];
    };
    assert.equal(planned.tenants.length, 1);
    assert.equal(planned.tenants[0]!.records, 3);
    assert.equal(planned.tenants[0]!.oldest, new Date(Math.floor(old[0]! / 1000) * 1000).toISOString());
    assert.equal(planned.tenants[0]!.newest, new Date(Math.floor(old[2]! / 1000) * 1000).toISOString());

    const search = async (): Promise<number> =>
      (
        JSON.parse(
          (await runCli(['search', '--start', iso(now - 500 * DAY), '--end', iso(now + DAY), '--format', 'json'], data))
            .stdout,
        ) as { count: number }
      ).count;
    assert.equal(await search(), 5, 'the dry run removed nothing');

    const swept = await runCli(['retention', 'sweep'], data);
    assert.equal(swept.code, 0, swept.stderr);
    assert.match(swept.stderr, /Removed 3 records/);
    assert.equal(await search(), 2);

    // A tenant's own policy outlives its records: it can still be cleared once retention removed them all.
    const short = await runCli(['retention', 'set', '--keep', '1d', '--tenant', 'contoso'], data);
    assert.equal(short.code, 0, short.stderr);
    assert.match(
      short.stderr,
      /the rule "Sign-in from an address new for the user" looks back 30d, longer than the 1d kept/,
    );
    assert.equal((await runCli(['retention', 'sweep'], data)).code, 0);
    assert.equal(await search(), 0);
    const cleared = await runCli(['retention', 'clear', '--tenant', 'contoso'], data);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /^contoso: policy removed/);

    const shown = JSON.parse((await runCli(['retention', 'show', '--format', 'json'], data)).stdout) as {
      policies: { tenant: string; keep: string; removed: number }[];
    };
    assert.deepEqual(
      shown.policies.map((p) => [p.tenant, p.keep, p.removed]),
      [
        ['(every tenant)', '365d', 0],
        ['contoso', '(default)', 5],
      ],
    );
  } finally {
    cleanup();
  }
});

test('a tenant stored under the key * cannot have a policy of its own: * is the policy of every tenant', async () => {
  const { dir, cleanup } = tempDir('tw-retention-star-');
  try {
    const file = join(dir, 'records.ndjson');
    const line = (i: number, tenant: string): string =>
      JSON.stringify({
        Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        RecordType: 6,
        CreationTime: new Date(Date.now() - DAY).toISOString().slice(0, 19),
        Operation: 'FileAccessed',
        OrganizationId: tenant,
      });
    writeFileSync(file, [line(1, 'contoso'), line(2, '*')].join('\n'));
    const data = { dataDir: dir };
    assert.equal((await runCli(['import', file], data)).code, 0);
    // Kept under '*', the policy would have been read back as the default: contoso's records would go after 30d.
    const set = await runCli(['retention', 'set', '--keep', '30d', '--tenant', '*'], data);
    assert.equal(set.code, 2, set.stderr);
    assert.match(set.stderr, /"\*" stands for every tenant/);
    assert.equal((await runCli(['retention', 'set', '--keep', '400d'], data)).code, 0);
    const clear = await runCli(['retention', 'clear', '--tenant', '*'], data);
    assert.equal(clear.code, 2, clear.stderr);
    const shown = JSON.parse((await runCli(['retention', 'show', '--format', 'json'], data)).stdout) as {
      policies: { tenant: string; keep: string }[];
    };
    assert.deepEqual(
      shown.policies.map((p) => [p.tenant, p.keep]),
      [['(every tenant)', '400d']],
    );
  } finally {
    cleanup();
  }
});

test('retention sweep while another process sweeps: it names the holder, removes nothing and exits 1; the dry run still answers', async () => {
  const { dir, cleanup } = tempDir('tw-retention-lease-');
  const file = join(dir, 'records.ndjson');
  const old = new Date(Date.now() - 400 * DAY).toISOString().slice(0, 19);
  writeFileSync(file, JSON.stringify({ Id: 'old-1', RecordType: 6, CreationTime: old, OrganizationId: 'contoso' }));
  const data = { dataDir: dir };
  assert.equal((await runCli(['import', file], data)).code, 0);
  assert.equal((await runCli(['retention', 'set', '--keep', '365d'], data)).code, 0);
  const store = await openStore(`sqlite:${join(dir, 'tenantwatch.sqlite')}`);
  try {
    const now = Date.now();
    assert.ok(await store.ledger.acquireLease(SWEEP_LEASE, 'other-host:4242:abcdef01', now + 60_000, now));
    const busy = await runCli(['retention', 'sweep'], data);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(
      busy.stderr,
      /Another retention sweep is running: process 4242 on other-host holds its lease \(taken or renewed at /,
    );
    assert.match(busy.stderr, /Try again later/);
    assert.doesNotMatch(busy.stderr, /Removed/);
    const dry = await runCli(['retention', 'sweep', '--dry-run'], data);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /Would remove 1 record \(nothing removed\)/);
    await store.ledger.releaseLease(SWEEP_LEASE, 'other-host:4242:abcdef01');
    const swept = await runCli(['retention', 'sweep'], data);
    assert.equal(swept.code, 0, swept.stderr);
    assert.match(swept.stderr, /Removed 1 record\n/);
    assert.equal(await store.ledger.leaseHolder(SWEEP_LEASE), null, 'the sweep let its lease go');
  } finally {
    await store.close();
    cleanup();
  }
});
