/**
 * Emulator bench (issue 3 acceptance): start time (< 5 s) and resident memory (< 500 MB) while serving a
 * week of activity for 5 tenants × 200 users.
 *  1. `tenantwatch emulator` as a user runs it: time to its JSON line with a fresh state folder (CA,
 *     certificates and keys made) and again with that folder reused.
 *  2. The emulator alone in a child process (virtual clock, the same state folder), its peak resident
 *     memory (VmHWM) while clients crawl every tenant's week over HTTPS through the Management Activity
 *     API (subscribe to every content type, 24-hour windows, NextPageUri, every blob) and then read the
 *     ground truth; each crawl must equal `/_emulator/records?available=true`.
 *   npm run bench -- emulator     (or: node --import tsx bench/emulator.bench.ts [tenants] [users] [--no-cli] [--no-lean-heap] [--heap=MB])
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONTENT_TYPES } from '../src/core/record.js';
import { startEmulator } from '../emulator/index.js';

const DAY = 86_400_000;
const MB = 1024 * 1024;
const START = Date.UTC(2026, 2, 10, 12, 0, 0);
const root = resolve(import.meta.dirname, '..');

interface Served {
  url: string;
  caPem: string;
  startMs: number;
  tenants: { tenantId: string; clientId: string; clientSecret: string; ualEnabled: boolean }[];
}

/** Child mode: run the emulator and tell the parent where it is. */
async function serve(stateDir: string, tenants: number, users: number, leanHeap: boolean): Promise<void> {
  const t0 = performance.now();
  // The virtual clock fixes the week; leanHeap as `tenantwatch emulator` (real clock) has it by default.
  // No throttle and content at once (defaults: 2,000/min, 12 h): the crawl measures memory, on a clock that stands still.
  const emu = await startEmulator({
    stateDir,
    tenants,
    users,
    days: 8,
    clock: 'virtual',
    start: START,
    leanHeap,
    faults: { throttleBudgetPerMinute: null },
    tuning: { firstDataDelayMs: 0 },
  });
  const served: Served = { url: emu.url, caPem: emu.caPem, startMs: performance.now() - t0, tenants: emu.tenants };
  process.send!(served);
  // Asked by the parent: the live heap after a full collection (what the caches really hold).
  process.on('message', () => {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ heapUsed: process.memoryUsage().heapUsed });
  });
  process.on('disconnect', () => void emu.close().then(() => process.exit(0)));
}

/** Time until `tenantwatch emulator` prints its ready line; it is stopped right after. */
function cliStart(stateDir: string, tenants: number, users: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src', 'cli', 'main.ts'),
      'emulator',
      '--tenants',
      String(tenants),
      '--users',
      String(users),
      '--state',
      stateDir,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((done, fail) => {
    child.stdout.once('data', () => {
      const ms = performance.now() - t0;
      child.once('exit', () => done(ms));
      child.kill('SIGINT');
    });
    child.once('error', fail);
  });
}

type Get = (
  target: string,
  method?: string,
  headers?: Record<string, string>,
  body?: string,
) => Promise<{ status: number; text: string; headers: Record<string, unknown> }>;

function client(s: Served): { get: Get; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get: Get = (target, method = 'GET', headers = {}, body) =>
    new Promise((done, fail) => {
      const req = request(
        target.startsWith('https://') ? target : `${s.url}${target}`,
        { method, agent, ca: s.caPem, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
          );
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  return { get, close: () => agent.destroy() };
}

/** A collector's first week: every content type, 24-hour windows, every blob; the distinct record ids. */
async function crawlWeek(get: Get, t: Served['tenants'][number]): Promise<{ blobs: number; ids: Set<string> }> {
  const form = new URLSearchParams({
    client_id: t.clientId,
    client_secret: t.clientSecret,
    scope: 'https://manage.office.com/.default',
    grant_type: 'client_credentials',
  }).toString();
  const tok = await get(
    `/${t.tenantId}/oauth2/v2.0/token`,
    'POST',
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    form,
  );
  const H = { Authorization: `Bearer ${(JSON.parse(tok.text) as { access_token: string }).access_token}` };
  const feed = `/api/v1.0/${t.tenantId}/activity/feed`;
  const ids = new Set<string>();
  let blobs = 0;
  for (const ct of CONTENT_TYPES) {
    if ((await get(`${feed}/subscriptions/start?contentType=${ct}`, 'POST', H)).status !== 200) continue;
    for (let s = START - 7 * DAY; s <= START; s += DAY) {
      let url: string | undefined =
        `${feed}/subscriptions/content?contentType=${ct}&startTime=${new Date(s).toISOString()}&endTime=${new Date(Math.min(s + DAY, START + 1000)).toISOString()}`;
      while (url) {
        const page = await get(url, 'GET', H);
        for (const item of JSON.parse(page.text) as { contentUri: string }[]) {
          for (const r of JSON.parse((await get(item.contentUri, 'GET', H)).text) as { Id: string }[]) ids.add(r.Id);
          blobs++;
        }
        url = page.headers.nextpageuri as string | undefined;
      }
    }
  }
  return { blobs, ids };
}

const kib = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

export async function run(
  tenants = 5,
  users = 200,
  cli = true,
  heapMb: number | null = null,
  leanHeap = true,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-emu-bench-'));
  try {
    if (cli) process.stderr.write('emulator bench: timing `tenantwatch emulator` starts…\n');
    const firstCli = cli ? await cliStart(dir, tenants, users) : null;
    const againCli = cli ? await cliStart(dir, tenants, users) : null;
    const t0 = performance.now();
    const child = fork(import.meta.filename, ['--serve', dir, String(tenants), String(users), String(leanHeap)], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...(heapMb ? [`--max-old-space-size=${heapMb}`] : [])],
    });
    const served = await new Promise<Served>((done) => child.once('message', (m) => done(m as Served)));
    const forkMs = performance.now() - t0;
    const afterStart = kib(child.pid!, 'VmRSS');
    const { get, close } = client(served);
    process.stderr.write(`emulator bench: ${served.tenants.length} clients crawl a week each over HTTPS…\n`);
    const t1 = performance.now();
    const crawls = await Promise.all(served.tenants.map((t) => crawlWeek(get, t)));
    const crawlMs = performance.now() - t1;
    let all = 0;
    let mismatched = 0;
    for (const [i, t] of served.tenants.entries()) {
      all += (await get(`/_emulator/records?tenantId=${t.tenantId}`)).text.split('\n').filter(Boolean).length;
      const available = (await get(`/_emulator/records?tenantId=${t.tenantId}&available=true`)).text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { Id: string }).Id);
      if (available.length !== crawls[i]!.ids.size || available.some((id) => !crawls[i]!.ids.has(id))) mismatched++;
    }
    const peak = kib(child.pid!, 'VmHWM');
    const live = await new Promise<number>((done) => {
      child.once('message', (m) => done((m as { heapUsed: number }).heapUsed));
      child.send('heap');
    });
    close();
    child.disconnect();
    const n = (x: number) => x.toLocaleString('en-US');
    console.log(
      `| emulator, ${tenants} tenants × ${users} users, 8 days${leanHeap ? ', leanHeap' : ''}${heapMb ? `, --max-old-space-size=${heapMb}` : ''} | value |\n|---|---|`,
    );
    if (firstCli !== null && againCli !== null) {
      console.log(
        `| \`tenantwatch emulator\` to its ready line, fresh state folder | ${(firstCli / 1000).toFixed(2)} s |`,
      );
      console.log(`| \`tenantwatch emulator\` to its ready line, state reused | ${(againCli / 1000).toFixed(2)} s |`);
    }
    console.log(
      `| startEmulator() in process (state ${cli ? 'reused' : 'fresh'}) / child process ready | ${(served.startMs / 1000).toFixed(2)} s / ${(forkMs / 1000).toFixed(2)} s |`,
    );
    console.log(`| RSS after start | ${(afterStart / 1024).toFixed(0)} MB |`);
    console.log(
      `| crawl of every tenant's week over HTTPS: blobs / distinct records | ${n(crawls.reduce((a, c) => a + c.blobs, 0))} / ${n(crawls.reduce((a, c) => a + c.ids.size, 0))} in ${(crawlMs / 1000).toFixed(1)} s |`,
    );
    console.log(`| every record (ground truth) / tenants whose crawl ≠ available | ${n(all)} / ${mismatched} |`);
    console.log(
      `| peak RSS of the emulator process (VmHWM) / live heap after GC at the end | ${(peak / 1024).toFixed(0)} MB / ${(live / MB).toFixed(0)} MB |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), process.argv[6] === 'true');
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const heap = /^--heap=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--heap=')) ?? '');
  await run(
    Number(process.argv[2]) || 5,
    Number(process.argv[3]) || 200,
    !process.argv.includes('--no-cli'),
    heap ? Number(heap[1]) : null,
    !process.argv.includes('--no-lean-heap'),
  );
}
