import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/open.js';
import { runCli } from './support/cli.js';
import { startTestEmulator, type TestEmulator } from './support/emulator.js';
import { tempDir } from './support/paths.js';
import { groundTruthIds, storedIds } from './support/emulator-bed.js';

/**
 * The CLI end to end against the emulator: tenant add-emulated (secret and certificate auth), list and
 * show without secrets, tenant test explaining a wrong secret and an audit log that is off, collect
 * where those two fail clearly while the others are collected exactly, coverage — and no secret in any
 * output or log line (debug logging on).
 */
let t: TestEmulator;
let data: { dir: string; cleanup: () => void };
const outputs: string[] = [];

async function cli(args: string[], input?: string) {
  const r = await runCli(args, {
    dataDir: data.dir,
    env: { TENANTWATCH_LOG_LEVEL: 'debug' },
    ...(input !== undefined ? { input } : {}),
    timeoutMs: 240_000,
  });
  outputs.push(r.stdout, r.stderr);
  return r;
}

before(async () => {
  // The emulator's virtual clock starts at the real time, so the CLI (system clock) and it agree.
  t = await startTestEmulator({
    start: Math.floor(Date.now() / 60_000) * 60_000,
    tenants: 4,
    users: 6,
    days: 7,
    recordsPerUserPerDay: 8,
    // Content at once after a start (the default waits 12 h, as documented), to collect in one run.
    tuning: { slotMs: 60 * 60_000, deliveryJitterMs: 90 * 60_000, firstDataDelayMs: 0 },
  });
  data = tempDir('tw-cli-');
});
after(async () => {
  await t?.close();
  data?.cleanup();
});

test(
  'tenants from the emulator, tenant test in plain words, collect and coverage, no secret anywhere',
  { timeout: 600_000 },
  async () => {
    const added = await cli(['tenant', 'add-emulated', t.emu.controlUrl, '--ca-file', t.emu.caFile]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /certificate/);
    assert.match(added.stdout, /secret/);

    const off = t.emu.tenants.find((x) => !x.ualEnabled)!;
    const wrong = t.emu.tenants.find((x) => x.ualEnabled)!;
    const good = t.emu.tenants.filter((x) => x.ualEnabled && x !== wrong);
    assert.ok(
      off && good.length >= 2,
      'the emulator simulates a tenant with the audit log off and at least three with it on',
    );
    assert.equal((await cli(['tenant', 'remove', wrong.name])).code, 0);
    const readd = await cli(
      [
        'tenant',
        'add',
        wrong.name,
        '--tenant-id',
        wrong.tenantId,
        '--client-id',
        wrong.clientId,
        '--secret-stdin',
        '--base-url',
        t.emu.url,
        '--ca-file',
        t.emu.caFile,
      ],
      'not-the-secret-value-123',
    );
    assert.equal(readd.code, 0, readd.stderr);

    const list = await cli(['tenant', 'list', '--format', 'json']);
    assert.equal((JSON.parse(list.stdout) as { count: number }).count, 4);
    const show = await cli(['tenant', 'show', good[0]!.name]);
    assert.equal(JSON.parse(show.stdout).tenantId, good[0]!.tenantId);

    const bad = await cli(['tenant', 'test', wrong.name]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /client secret is wrong/);
    const ual = await cli(['tenant', 'test', off.name]);
    assert.equal(ual.code, 1);
    assert.match(ual.stderr, /audit logging is off/i);
    const ok = await cli(['tenant', 'test', good[0]!.name]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /sign-in: ok/);

    const run = await cli(['collect', '--all', '--format', 'json']);
    assert.equal(run.code, 1, 'two tenants fail, so the exit status says so');
    const summary = JSON.parse(run.stdout) as {
      tenants: { name: string; state: string; error: { code: string } | null }[];
    };
    const by = new Map(summary.tenants.map((s) => [s.name, s]));
    assert.equal(by.get(off.name)?.error?.code, 'AUDIT_DISABLED');
    assert.equal(by.get(wrong.name)?.error?.code, 'AUTH_FAILED');
    for (const g of good) assert.equal(by.get(g.name)?.state, 'done', run.stderr.slice(-2000));
    assert.match(run.stderr, new RegExp(`${off.name}: Unified audit logging is off`));

    const store = await openStore(`sqlite:${join(data.dir, 'tenantwatch.sqlite')}`);
    try {
      for (const g of good) {
        const truth = await groundTruthIds(t.emu, g.tenantId);
        const stored = await storedIds(store, g.tenantId);
        assert.ok(truth.length > 50);
        assert.deepEqual([...stored].sort(), [...truth].sort());
      }
    } finally {
      await store.close();
    }

    const cov = await cli(['coverage', '--format', 'json']);
    assert.equal(cov.code, 0, cov.stderr);
    const report = JSON.parse(cov.stdout) as {
      rows: { name: string; records: number }[];
      blobs: { sha256: string | null }[];
    };
    assert.ok(report.rows.some((r) => r.name === good[0]!.name && r.records > 0));
    assert.ok(report.blobs.length > 0 && report.blobs.every((b) => /^[0-9a-f]{64}$/.test(b.sha256 ?? '')));
    const gaps = await cli(['coverage', '--gaps']);
    assert.equal(gaps.code, 0);

    // Secrets never appear in any output or log line.
    const secrets = [
      ...t.emu.tenants.map((x) => x.clientSecret),
      'not-the-secret-value-123',
      ...t.emu.tenants.map((x) => x.privateKeyPem.split('\n')[1]!),
    ];
    for (const text of outputs) for (const s of secrets) assert.ok(!text.includes(s), 'a secret was printed');
  },
);
