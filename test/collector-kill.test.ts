import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/open.js';
import { repoRoot, tempDir } from './support/paths.js';
import { groundTruthIds, storedIds, useTestEmulator } from './support/emulator-bed.js';

/**
 * Acceptance (issue 4): a collector killed with SIGKILL at random points, at least five times, then
 * restarted, still stores exactly the emulator's ground truth — records and ledger rows are written in
 * one transaction and the checkpoint moves only after the commit.
 */
const bed = useTestEmulator({
  tenants: 3,
  users: 6,
  days: 7,
  recordsPerUserPerDay: 10,
  faults: { serverErrorRate: 0.03, cutRate: 0.03 },
  // Content at once after a start (the default waits 12 h, as documented).
  tuning: { slotMs: 60 * 60_000, deliveryJitterMs: 90 * 60_000, firstDataDelayMs: 0 },
});
// The collector runs in a child process (it is killed), so its store is a file, not in memory.
let dir: { dir: string; cleanup: () => void };
before(() => {
  dir = tempDir('tw-kill-');
});
after(() => {
  dir?.cleanup();
});

function runChild(
  input: object,
  killAfterDots: number | null,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'collector-child.ts')], {
      cwd: repoRoot,
      env: { ...process.env, TW_CHILD: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (killAfterDots !== null && (out.match(/\./g)?.length ?? 0) >= killAfterDots) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out: out + err }));
  });
}

test(
  'killed with SIGKILL at random points six times, then restarted: still exactly the ground truth',
  { timeout: 600_000 },
  async () => {
    const { t } = bed;
    const tenants = t.emu.tenants.filter((x) => x.ualEnabled).slice(0, 2);
    const input = {
      db: join(dir.dir, 'kill.sqlite'),
      url: t.emu.url,
      caPem: t.emu.caPem,
      now: t.emu.clock.now(),
      tenants,
    };
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let kills = 0;
    for (let i = 0; i < 6; i++) {
      const r = await runChild(input, 5 + Math.floor(random() * 60));
      if (r.signal === 'SIGKILL') kills++;
    }
    assert.ok(kills >= 5, `killed ${kills} times`);
    const last = await runChild(input, null);
    assert.equal(last.code, 0, last.out.slice(-2000));
    const store = await openStore(`sqlite:${input.db}`);
    try {
      for (const x of tenants) {
        const truth = await groundTruthIds(t.emu, x.tenantId);
        const stored = await storedIds(store, x.tenantId);
        assert.ok(truth.length > 200);
        assert.deepEqual([...stored].sort(), [...truth].sort());
      }
    } finally {
      await store.close();
    }
  },
);
