import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { startEmulator, type EmulatorTenantView, type RunningEmulator } from '../../../emulator/index.js';
import type { AuditRecord } from '../../core/record.js';
import { normalizeRecord } from '../../ingest/normalize.js';
import { findWebRoot, parsePort, startConsole, untilAborted } from '../../server/listen.js';
import type { Store, TenantRow } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import type { Runner } from '../run.js';
import { loadReports } from './serve.js';

interface DemoOptions {
  port?: string;
  host: string;
  tenants: string;
  users: string;
  seed: string;
}

/** One status line per step on stderr; on a terminal the record count updates in place. */
function progress(ctx: CliContext) {
  const tty = ctx.err.isTTY === true;
  return {
    step: (text: string): void => void ctx.err.write(`${tty ? '\r\x1b[K' : ''}• ${text}\n`),
    update: (text: string): void => {
      if (tty) ctx.err.write(`\r\x1b[K  ${text}`);
    },
  };
}

/** GET over HTTPS trusting the emulator's CA (never by turning verification off), line by line. */
async function* ndjsonLines(url: string, caPem: string, signal: AbortSignal): AsyncGenerator<string> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { ca: caPem, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  for await (const line of createInterface({ input: res, crlfDelay: Infinity })) if (line.trim()) yield line;
}

/**
 * Loads a tenant's available records from the emulator's ground truth (/_emulator/records) straight
 * into the store, normalized like any collected record. The demo uses this only when the collector is
 * not in this build, so the console still has a week of data to show.
 */
async function loadGroundTruth(store: Store, emu: RunningEmulator, t: EmulatorTenantView, signal: AbortSignal, onCount: (n: number) => void): Promise<number> {
  let batch: AuditRecord[] = [];
  let total = 0;
  const flush = async (): Promise<void> => {
    total += (await store.records.insert(batch)).inserted;
    batch = [];
    onCount(total);
  };
  for await (const line of ndjsonLines(`${emu.controlUrl}/records?tenantId=${t.tenantId}&available=true`, emu.caPem, signal)) {
    const r = normalizeRecord(line, { source: 'management-api', tenant: t.tenantId });
    if (r.ok) batch.push(r.record);
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  return total;
}

/** Registers the emulator's tenants by hand (secret kept as a reference the demo alone understands). */
async function registerDirectly(store: Store, emu: RunningEmulator, now: number): Promise<void> {
  for (const t of emu.tenants) {
    await store.tenants.upsert({
      name: t.name, tenantId: t.tenantId, domain: t.domain, clientId: t.clientId, cloud: 'commercial', authKind: 'secret',
      credential: 'emulator:demo', certificatePem: null, publisherId: t.publisherId, baseUrl: emu.url, caFile: emu.caFile, addedAt: now, updatedAt: now,
    });
  }
}

type Say = ReturnType<typeof progress>;

/**
 * The real path: register every simulated tenant as `tenant add-emulated` does (config/tenants.ts,
 * the secret sealed at rest) and collect their week with the collector, exactly as against
 * Microsoft. Returns the run's summary, or null when this build has no collector (the demo then
 * loads the emulator's records directly so it still has data to show).
 */
async function registerAndCollect(ctx: CliContext, store: Store, emu: RunningEmulator, say: Say): Promise<{ tenants: unknown[]; rows: TenantRow[] } | null> {
  let mods;
  try {
    mods = { tenants: await import('../../config/tenants.js'), secrets: await import('../../config/secrets.js'), collector: await import('../../collector/collect.js') };
  } catch (e) {
    ctx.logger.warn({ event: 'demo.collector_unavailable', err: e }, 'collector not available: loading the emulator ground truth');
    return null;
  }
  const { tenants, secrets, collector } = mods;
  const key = (): Buffer => secrets.loadSecretKey(ctx.locations.secretKeyFile, process.env, { create: true });
  const rows = [];
  for (const t of emu.tenants) {
    const input = { name: t.name, tenantId: t.tenantId, clientId: t.clientId, baseUrl: emu.url, caFile: emu.caFile, publisherId: t.publisherId, domain: t.domain, credential: { kind: 'secret' as const, secret: t.clientSecret } };
    const row = tenants.buildTenantRow(input, key, ctx.clock.now(), await store.tenants.get(t.tenantId));
    await store.tenants.upsert(row);
    rows.push(row);
  }
  say.step(`registered ${rows.map((r) => r.name).join(', ')}`);
  const summary = await collector.collect({
    tenants: rows.map((r) => ({ tenantId: r.tenantId, name: r.name, connect: () => tenants.connectTenant(r, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger }) })),
    store, clock: ctx.clock, logger: ctx.logger, signal: ctx.signal, sinceMs: 7 * 86_400_000,
    onProgress: (stats) => say.update(stats.map((s) => `${s.name} ${s.state === 'failed' ? 'failed' : s.newRecords.toLocaleString('en-US')}`).join(' · ')),
  });
  for (const s of summary.tenants) {
    say.step(`${s.name}: ${s.newRecords.toLocaleString('en-US')} records collected (${s.blobsFetched} blobs)${s.error ? ` — ${s.error.message}` : ''}`);
  }
  return { ...summary, rows };
}

/**
 * Checks each tenant's audit configuration through the emulator's Exchange admin REST, as
 * `audit-config check` does (posture/service.ts), and stores the snapshots the Tenants page shows.
 * A tenant that cannot be checked keeps no snapshot and shows as "not checked".
 */
async function checkPosture(ctx: CliContext, store: Store, rows: readonly TenantRow[], say: Say): Promise<void> {
  const [{ checkTenant }, { connectTenant }, { ExchangeAdminClient }, { ManagementActivityClient }] = await Promise.all([
    import('../../posture/service.js'), import('../../config/tenants.js'), import('../../microsoft/exchange-admin.js'), import('../../microsoft/management-activity.js'),
  ]);
  for (const row of rows) {
    const connection = connectTenant(row, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger });
    try {
      const management = new ManagementActivityClient(connection);
      const result = await checkTenant({
        store, clock: ctx.clock, logger: ctx.logger,
        sourcesFor: async () => ({
          exchange: new ExchangeAdminClient(connection, { clock: ctx.clock, logger: ctx.logger }),
          async listSubscriptions(signal?: AbortSignal) {
            const step = await management.listSubscriptions(signal);
            if (!step.ok) throw step.failure.error;
            return step.value;
          },
        }),
      }, row, ctx.signal);
      say.step(`${row.name}: audit posture ${result.verdict}${result.findings[0] ? ` — ${result.findings[0].message}` : ''}`);
    } catch (e) {
      say.step(`${row.name}: audit posture could not be checked (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      connection.close();
    }
  }
}

/** A posture snapshot from what the emulator says of each tenant, when the posture check is not wired. */
async function postureFromEmulator(store: Store, emu: RunningEmulator, now: number): Promise<void> {
  for (const t of emu.tenants) {
    const findings = [
      ...(t.ualEnabled ? [] : [{ code: 'UAL_OFF', severity: 'failing', message: 'Unified audit log ingestion is off: Microsoft records no activity for this tenant' }]),
      ...(t.orgAuditDisabled ? [{ code: 'ORG_MAILBOX_AUDIT_OFF', severity: 'failing', message: 'Mailbox auditing is off for the whole organization (AuditDisabled)' }] : []),
      ...(t.dehydrated ? [{ code: 'DEHYDRATED', severity: 'warning', message: 'The tenant is dehydrated: run Enable-OrganizationCustomization before changing settings' }] : []),
    ];
    const verdict = findings.some((f) => f.severity === 'failing') ? 'failing' : findings.length ? 'warning' : 'ok';
    await store.posture.save({ tenant: t.tenantId, takenAt: now, verdict, body: { tenant: t.name, tenantId: t.tenantId, ualEnabled: t.ualEnabled, orgAuditDisabled: t.orgAuditDisabled, dehydrated: t.dehydrated, findings, source: 'emulator' } });
  }
}

async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<void> {
  const say = progress(ctx);
  const store = await ctx.store();
  say.step(`data folder ${ctx.locations.dataDir}`);
  const emu = await startEmulator({
    stateDir: join(ctx.locations.dataDir, 'emulator'), port: 0, clock: 'real', seed: Number(opts.seed) || 1,
    tenants: Number(opts.tenants) || 5, users: Number(opts.users) || 50, days: 8, logger: ctx.logger,
    // Hour-wide blobs (the emulator's default is 5 minutes): a week is then ~3,000 blobs, not ~35,000,
    // so the whole week is collected in well under a minute on a small machine.
    tuning: { slotMs: 3_600_000, deliveryJitterMs: 90 * 60_000 },
  });
  say.step(`emulator running at ${emu.url} with ${emu.tenants.length} simulated tenants`);
  try {
    const run = await registerAndCollect(ctx, store, emu, say);
    if (!run) {
      await registerDirectly(store, emu, ctx.clock.now());
      say.step(`registered ${emu.tenants.map((t) => t.name).join(', ')} (no collector in this build: loading the emulator's records directly)`);
      for (const t of emu.tenants) {
        const n = await loadGroundTruth(store, emu, t, ctx.signal, (count) => say.update(`${t.name}: ${count.toLocaleString('en-US')} records`));
        say.step(`${t.name}: ${n.toLocaleString('en-US')} records loaded`);
      }
    }
    if (run) await checkPosture(ctx, store, run.rows, say);
    else {
      await postureFromEmulator(store, emu, ctx.clock.now());
      say.step('audit posture taken from the emulator');
    }
    const reports = await loadReports(store, ctx);
    const webRoot = findWebRoot();
    const running = await startConsole(
      { store, clock: ctx.clock, logger: ctx.logger, ...(reports ? { reports } : {}), ...(webRoot ? { webRoot } : {}), ...(run ? { collector: { status: () => ({ tenants: run.tenants }) } } : {}) },
      { port: parsePort(opts.port, 8080), host: opts.host },
    );
    ctx.out.write(`tenantwatch console: ${running.url}\n`);
    if (!webRoot) ctx.err.write('tenantwatch: the web console is not built (npm run build:web); the API is served under /api\n');
    await untilAborted(ctx.signal);
    await running.close();
  } finally {
    await emu.close();
  }
}

export function register(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('emulator + simulated tenants + collection + web console, in one command')
    .option('--port <n>', 'console port', '8080')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tenants <n>', 'simulated tenants', '5')
    .option('--users <n>', 'users per simulated tenant', '50')
    .option('--seed <n>', 'simulation seed (same seed, same tenants and activity)', '1')
    .action(run(async (ctx, opts: DemoOptions) => runDemo(ctx, opts)));
}
