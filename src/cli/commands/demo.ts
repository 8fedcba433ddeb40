import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.js';
import { collect, type CollectOptions, type CollectSummary } from '../../collector/collect.js';
import type { TenantStats } from '../../collector/context.js';
import { connectTenant, type LiveConnection } from '../../config/tenants.js';
import { registerEmulatedTenants } from '../../config/emulated.js';
import { checkTenant } from '../../posture/service.js';
import type { Store, TenantRow } from '../../store/contract.js';
import { ensureFolder } from '../../config/folders.js';
import { AppError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { createContext, type CliContext, type GlobalOptions } from '../context.js';
import { liveDetections, type LiveHook } from '../live-detections.js';
import { postureDeps } from '../posture.js';
import type { Runner } from '../run.js';
import { checkListenable, parsePort } from '../../server/listen.js';
import { wholeNumber } from './emulator-flags.js';
import { serveConsole } from './serve.js';
import { countOf } from '../output.js';

interface DemoOptions {
  reset?: boolean;
  port?: string;
  host: string;
  tenants: string;
  users: string;
  seed: string;
  timeScale?: string;
}

/**
 * `--time-scale N`: the demo's emulator runs on its virtual clock, started now and moved N times faster
 * than real time, and everything in the demo (collector, posture checks, console) follows that clock, so
 * an audit log turned on with `enable` applies in 60/N real minutes instead of an hour (issue 17 item 16).
 * People's sign-ins (sessions, tokens, lockouts, the console audit trail) keep the real clock.
 * 0 (the default): the real clock.
 */
export function demoTimeScale(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 10_000)
    throw new AppError('USAGE', `--time-scale must be a number from 0 to 10000, not "${value.slice(0, 40)}"`, {
      hint: '60 makes an emulator hour pass in a real minute; 0 keeps the real clock',
    });
  return n;
}

/** The emulator's clock as the demo's: its time, and waits shortened by the scale (5 emulator minutes = 5 s at 60). */
export function scaledClock(emulatorNow: () => number, scale: number): Clock {
  return { now: emulatorNow, sleep: (ms, signal) => systemClock.sleep(ms / scale, signal) };
}

/** One status line per step on stderr; on a terminal the collection counts update in place. */
function progress(ctx: CliContext) {
  const tty = ctx.err.isTTY === true;
  return {
    step: (text: string): void => void ctx.err.write(`${tty ? '\r\x1b[K' : ''}• ${text}\n`),
    update: (text: string): void => {
      if (tty) ctx.err.write(`\r\x1b[K  ${text}`);
    },
  };
}

type Say = ReturnType<typeof progress>;

/**
 * Registers every simulated tenant as `tenant add-emulated` does (config/tenants.ts: the emulator's
 * URL as base URL, its CA trusted, the secret sealed at rest) and collects their week with the
 * collector, exactly as against Microsoft.
 */
async function registerAndCollect(
  ctx: CliContext,
  store: Store,
  emu: RunningEmulator,
  say: Say,
  detections: LiveHook | null,
): Promise<{ summary: CollectSummary; rows: TenantRow[]; collection: CollectOptions }> {
  const added = await registerEmulatedTenants(store, emu.tenants, {
    baseUrl: emu.url,
    caFile: emu.caFile,
    auth: 'mixed',
    keyFile: ctx.locations.secretKeyFile,
    now: ctx.clock.now(),
  });
  const rows: TenantRow[] = [];
  for (const t of added) rows.push((await store.tenants.get(t.tenantId))!);
  say.step(`registered ${rows.map((r) => r.name).join(', ')}`);
  const collection: CollectOptions = {
    tenants: rows.map((r) => ({
      tenantId: r.tenantId,
      name: r.name,
      connect: () => connectTenant(r, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger }),
    })),
    store,
    clock: ctx.clock,
    logger: ctx.logger,
    signal: ctx.signal,
    sinceMs: 7 * 86_400_000,
    // The detection rules run on what each pass stored, as with `collect`: the Alerts page showed 0 alerts
    // over a week of scripted forwarding rules and password sprays because the demo never ran them.
    ...(detections ? { afterPass: () => detections.pass() } : {}),
  };
  const summary = await collect({
    ...collection,
    onProgress: (stats) =>
      say.update(
        stats
          .map((s) => `${s.name} ${s.state === 'failed' ? 'failed' : s.newRecords.toLocaleString('en-US')}`)
          .join(' · '),
      ),
  });
  for (const s of summary.tenants) say.step(collectedLine(s));
  if (detections) say.step(detections.line().trimEnd());
  return { summary, rows, collection };
}

/** How often the demo collects again while the console runs (the emulator closes an hour's blobs as real time passes). */
const FOLLOW_INTERVAL_MS = 5 * 60_000;

/**
 * Collects on in the background, as `collect --follow` does, until the console stops: the simulated
 * tenants go on working in real time, so the console shows new records as their blobs appear. The
 * console's status follows the latest pass. Returns the function that stops it and waits for the end.
 */
function followInBackground(
  ctx: CliContext,
  collection: CollectOptions,
  first: CollectSummary,
): { status: () => unknown; stop: () => Promise<void> } {
  const stopping = new AbortController();
  const onAbort = (): void => stopping.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let latest: readonly TenantStats[] = first.tenants;
  const running = collect({
    ...collection,
    signal: stopping.signal,
    follow: true,
    intervalMs: FOLLOW_INTERVAL_MS,
    onProgress: (stats) => (latest = stats),
  })
    .then(() => undefined)
    .catch((error: unknown) => ctx.logger.warn({ err: error }, 'demo: background collection stopped'));
  return {
    status: () => ({ tenants: latest, following: !stopping.signal.aborted }),
    stop: async () => {
      stopping.abort();
      ctx.signal.removeEventListener('abort', onAbort);
      await running;
    },
  };
}

/**
 * Checks each tenant's audit configuration through the emulator's Exchange admin REST, as
 * `audit-config check` does (posture/service.ts), and stores the snapshots the Tenants page shows.
 * A tenant that cannot be checked keeps no snapshot and shows as "not checked".
 */
async function checkPosture(ctx: CliContext, store: Store, rows: readonly TenantRow[], say: Say): Promise<void> {
  const opened: LiveConnection[] = [];
  const deps = postureDeps(ctx, store, opened);
  try {
    for (const row of rows) {
      try {
        const result = await checkTenant(deps, row, ctx.signal);
        say.step(
          `${row.name}: audit posture ${result.verdict}${result.findings[0] ? ` — ${result.findings[0].message}` : ''}`,
        );
      } catch (e) {
        say.step(`${row.name}: audit posture could not be checked (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  } finally {
    opened.forEach((c) => c.close());
  }
}

function fmtMinutes(m: number): string {
  return m >= 1 ? `${Number(m.toFixed(1))} min` : `${Number((m * 60).toFixed(1))} s`;
}

/** The file that marks a folder as the demo's own: only such a folder is ever wiped by --reset. */
const DEMO_MARKER = 'tenantwatch-demo.json';

/**
 * The demo's simulated tenants never mix with real ones: without --data (or --db) it keeps its state in
 * `<data folder>/demo`, a folder of its own, marked as such. `--reset` empties that folder first, and only a
 * folder the demo marked as its own: a real data folder named with --data is refused, never wiped.
 */
export function demoContext(ctx: CliContext, opts: Pick<DemoOptions, 'reset'>, globals: GlobalOptions): CliContext {
  const own = ctx.locations.explicit
    ? ctx
    : createContext({ ...globals, data: join(ctx.locations.dataDir, 'demo') }, ctx.signal);
  const dir = own.locations.dataDir;
  if (opts.reset && existsSync(dir)) {
    if (!existsSync(join(dir, DEMO_MARKER))) {
      throw new AppError('USAGE', `${dir} is not a folder the demo made, so --reset will not empty it`, {
        hint: "Leave out --data to use the demo's own folder, or remove that folder yourself if it holds nothing you need",
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  ensureFolder(dir);
  const marker = join(dir, DEMO_MARKER);
  if (!existsSync(marker) && readdirSync(dir).length === 0) {
    writeFileSync(marker, JSON.stringify({ createdBy: 'tenantwatch demo', at: new Date().toISOString() }) + '\n');
  }
  return own;
}

async function runDemo(outer: CliContext, opts: DemoOptions, globals: GlobalOptions): Promise<void> {
  const ctx = demoContext(outer, opts, globals);
  try {
    await runDemoIn(ctx, opts, ctx !== outer);
  } finally {
    if (ctx !== outer) await ctx.close();
  }
}

async function runDemoIn(outer: CliContext, opts: DemoOptions, ownFolder: boolean): Promise<void> {
  const scale = demoTimeScale(opts.timeScale);
  // As the emulator checks them: "--tenants 3x" ran five tenants without a word (Number(..) || 5).
  const sim = demoSimulation(opts);
  // The console's port is checked before the emulator, the collection and the checks, not after them.
  await checkListenable({ port: parsePort(opts.port, 8080), host: opts.host });
  let ctx = outer;
  const say = progress(ctx);
  const store = await ctx.store();
  say.step(
    `data folder ${ctx.locations.dataDir}${!ownFolder ? '' : " (the demo's own: your real tenants are not touched; --reset starts afresh)"}`,
  );
  const emu = await startEmulator({
    stateDir: join(ctx.locations.dataDir, 'emulator'),
    port: 0,
    ...(scale > 0
      ? { clock: 'virtual' as const, start: outer.clock.now(), timeScale: scale }
      : { clock: 'real' as const }),
    ...sim,
    days: 8,
    logger: ctx.logger,
    // Hour-wide blobs (the emulator's default is 5 minutes): a week is then ~5,000 blobs, not ~35,000,
    // so the whole week is collected in about a minute on a small machine.
    // Content at once after a subscription starts (the emulator's default waits the documented 12 h): the
    // demo shows a collected week, not a wait.
    tuning: { slotMs: 3_600_000, deliveryJitterMs: 90 * 60_000, firstDataDelayMs: 0 },
    // Feeds subscribed before the simulated week, as an MSP's tenants are: a feed that records nothing
    // (DLP.All here) is then judged complete at once, not a gap until Microsoft's 12 h for first content.
    subscribedSince: outer.clock.now() - 9 * 86_400_000,
  });
  say.step(`emulator running at ${emu.url} with ${emu.tenants.length} simulated tenants`);
  if (scale > 0) {
    // People's sessions, tokens and lockouts keep real time: on the scaled clock a session ended after 30 s idle.
    ctx = { ...outer, clock: scaledClock(() => emu.clock.now(), scale), accountsClock: outer.clock };
    say.step(
      `the emulator's clock runs ${scale}× real time (an hour in ${fmtMinutes(60 / scale)}); the collector, the checks and the console follow it`,
    );
  }
  try {
    const detections = await liveDetections(ctx, true);
    try {
      const { summary, rows, collection } = await registerAndCollect(ctx, store, emu, say, detections);
      await checkPosture(ctx, store, rows, say);
      const follow = followInBackground(ctx, collection, summary);
      say.step(`collecting new records every ${FOLLOW_INTERVAL_MS / 60_000} minutes while the console runs`);
      try {
        // The demo's tenants live at the emulator's own address and CA file: its console's Add tenant needs them.
        await serveConsole(ctx, store, { ...opts, allowTenantEndpoints: true }, { status: follow.status });
      } finally {
        await follow.stop();
      }
    } finally {
      await detections?.close();
    }
  } finally {
    await emu.close();
  }
}

/** A tenant's line after the demo's collection: "contoso: 7,300 records collected (1,139 blobs)", "1 record (1 blob)". */
export function collectedLine(s: Pick<TenantStats, 'name' | 'newRecords' | 'blobsFetched' | 'error'>): string {
  return `${s.name}: ${countOf(s.newRecords, 'record')} collected (${countOf(s.blobsFetched, 'blob')})${s.error ? ` — ${s.error.message}` : ''}`;
}

/** The simulation flags, checked; the defaults are commander's. */
export function demoSimulation(opts: Pick<DemoOptions, 'seed' | 'tenants' | 'users'>): {
  seed: number;
  tenants: number;
  users: number;
} {
  return {
    seed: wholeNumber(opts.seed, 'seed', 0, 2 ** 31, 'demo') ?? 1,
    tenants: wholeNumber(opts.tenants, 'tenants', 1, 100, 'demo') ?? 5,
    users: wholeNumber(opts.users, 'users', 1, 100_000, 'demo') ?? 50,
  };
}

export function register(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('emulator + simulated tenants + collection + audit posture + web console, in one command')
    .option('--port <n>', 'console port', '8080')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tenants <n>', 'simulated tenants', '5')
    .option('--users <n>', 'users per simulated tenant', '50')
    .option('--seed <n>', 'simulation seed (same seed, same tenants and activity)', '1')
    .option(
      '--time-scale <n>',
      "run the emulator's virtual clock n times faster than real time (60: an hour a minute); 0 = real clock",
    )
    .option('--reset', "start afresh: empty the demo's own folder first (never a folder the demo did not make)")
    .action(
      run(async (ctx, opts: DemoOptions, command: Command) =>
        runDemo(ctx, opts, command.optsWithGlobals<GlobalOptions>()),
      ),
    );
}
