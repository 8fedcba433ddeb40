/**
 * Acceptance (issue 15): with every receiver fault on and `tenantwatch forward` SIGKILLed 5 times while
 * it forwards, every record of the store reaches the HEC and the bulk receivers — nothing missing, on
 * Elastic nothing doubled (ids), on HEC the doubles counted and at most one read batch per kill; the
 * record the receivers refuse for good is one dead letter per sink, with the reason; `sink status`
 * shows the lag, then none; and no sink secret appears in anything the CLI printed or logged.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSiemReceivers, type SiemReceivers } from '../emulator/siem/server.js';
import { storedRecord } from '../src/sinks/testing/records.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { runCli } from './support/cli.js';
import { repoRoot } from './support/paths.js';

const N = 3_000;
const READ_BATCH = 250;
const HEC_TOKEN = 'hec-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ES_KEY = 'es-key-a1b2c3d4e5f60718293a4b5c6d7e8f90';
const env = { HEC_TOKEN, ES_KEY, TENANTWATCH_LOG_LEVEL: 'info' };
const dir = mkdtempSync(join(tmpdir(), 'tw-fwd-kill-'));
const dataDir = join(dir, 'data');
let rx: SiemReceivers;
const ids: string[] = [];
const printed: string[] = [];

before(async () => {
  rx = await startSiemReceivers({ stateDir: join(dir, 'rx'), hecToken: HEC_TOKEN, elasticApiKey: ES_KEY });
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteStore(join(dataDir, 'tenantwatch.sqlite'));
  const batch = Array.from({ length: N }, () => storedRecord());
  await store.records.insert(batch);
  await store.close();
  ids.push(...batch.map((r) => r.id));
});
after(async () => {
  await rx?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const r = await runCli(args, { dataDir, env, timeoutMs: 120_000 });
  printed.push(r.stdout, r.stderr);
  return r;
}

/** Starts `forward`, waits until the receivers got something more (or 4 s), then SIGKILLs it. */
async function forwardThenKill(): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'forward', '--batch', String(READ_BATCH)],
    {
      cwd: repoRoot,
      env: { ...process.env, TENANTWATCH_HOME: dataDir, TENANTWATCH_DB: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const seen = rx.hec.events.length + rx.elastic.creates.size;
  const end = Date.now() + 15_000;
  // Real time on purpose: another process is being killed mid-work.
  while (Date.now() < end && rx.hec.events.length + rx.elastic.creates.size < seen + 400)
    await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  printed.push(out);
}

test('five SIGKILLs under every receiver fault: nothing missing, no Elastic doubles, one dead letter each, no secret shown', async () => {
  const refused = ids[1234]!;
  assert.equal(
    (
      await cli([
        'sink',
        'add',
        'hec',
        '--type',
        'splunk',
        '--url',
        rx.url,
        '--token-env',
        'HEC_TOKEN',
        '--ca-file',
        rx.caFile,
        '--option',
        'batch=100',
        '--option',
        'ack=true',
        '--option',
        'ackPollMs=20',
      ])
    ).code,
    0,
  );
  assert.equal(
    (
      await cli([
        'sink',
        'add',
        'es',
        '--type',
        'elastic',
        '--url',
        rx.url,
        '--token-env',
        'ES_KEY',
        '--ca-file',
        rx.caFile,
        '--option',
        'batch=100',
        '--option',
        'namespace=acceptance',
      ])
    ).code,
    0,
  );
  const before = JSON.parse((await cli(['sink', 'status', '--format', 'json'])).stdout) as {
    sinks: { name: string; lagRecords: number }[];
  };
  assert.deepEqual(
    before.sinks.map((s) => s.lagRecords),
    [N, N],
    'the lag is visible before forwarding',
  );

  rx.hec.ack = true;
  rx.setFaults({
    error5xx: 0.1,
    throttle: 0.1,
    retryAfterSeconds: 1,
    reset: 0.05,
    slow: 0.05,
    slowMs: 200,
    partialBulk: 0.1,
    rejectIds: [refused],
  });
  for (let kill = 0; kill < 5; kill++) {
    if (kill === 2) rx.setBadCertificate(true);
    if (kill === 3) rx.setBadCertificate(false);
    await forwardThenKill();
  }
  rx.setFaults({ error5xx: 0, throttle: 0, reset: 0, slow: 0, partialBulk: 0 });
  const last = await cli(['forward', '--once', '--batch', String(READ_BATCH)]);
  assert.equal(last.code, 0, last.stderr);

  const hec = rx.hec.events.map((e) => e.fields?.record_id as string);
  const hecSet = new Set(hec);
  const es = rx.elastic.indices.get('logs-o365.audit-acceptance')!;
  const esIds = new Set([...es.values()].map((d) => (d as { event: { id: string } }).event.id));
  for (const id of ids) {
    if (id === refused) continue;
    assert.ok(hecSet.has(id), `HEC is missing ${id}`);
    assert.ok(esIds.has(id), `Elastic is missing ${id}`);
  }
  assert.equal(hecSet.has(refused) || esIds.has(refused), false);
  assert.ok(
    [...rx.elastic.creates.values()].every((n) => n === 1),
    'Elastic never stored a document twice',
  );
  const doubles = hec.length - hecSet.size;
  assert.ok(doubles <= 5 * READ_BATCH, `HEC doubles ${doubles} are at most one read batch per kill`);
  process.stderr.write(`# HEC doubles after 5 kills: ${doubles}; Elastic duplicates refused with 409: none stored\n`);

  const status = JSON.parse((await cli(['sink', 'status', '--format', 'json'])).stdout) as {
    sinks: { name: string; lagRecords: number; deadLetters: number }[];
  };
  assert.deepEqual(
    status.sinks.map((s) => [s.name, s.lagRecords, s.deadLetters]),
    [
      ['es', 0, 1],
      ['hec', 0, 1],
    ],
  );
  const dead = await cli(['sink', 'dead-letters', 'es', '--format', 'json']);
  assert.match(dead.stdout, /mapper_parsing_exception/);
  assert.match(dead.stdout, new RegExp(refused));
  assert.match((await cli(['sink', 'dead-letters', 'hec', '--format', 'json'])).stdout, /Invalid data format/);

  const list = await cli(['sink', 'list', '--format', 'json']);
  assert.match(list.stdout, /from \$HEC_TOKEN/);
  const everything = printed.join('\n');
  assert.ok(everything.length > 1000, 'the children logged');
  assert.equal(everything.includes(HEC_TOKEN), false, 'the HEC token never appears');
  assert.equal(everything.includes(ES_KEY), false, 'the Elastic key never appears');
});
