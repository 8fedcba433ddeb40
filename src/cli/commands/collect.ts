import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { collect, type CollectSummary, type CollectTenant } from '../../collector/collect.js';
import type { TenantStats } from '../../collector/context.js';
import { HISTORY_SOURCES, type HistoryVia } from '../../collector/history.js';
import { MIN_HISTORY_LEASE_MS, REQUEST_TIMEOUT_MS } from '../../collector/history-lease.js';
import { MIN_STREAM_LEASE_MS, STREAM_REQUEST_TIMEOUT_MS } from '../../collector/stream-lease.js';
import { connectTenant } from '../../config/tenants.js';
import { readAuditingFacts, refusalText } from '../../coverage/auditing.js';
import { AppError } from '../../core/errors.js';
import { terminalText } from '../../core/terminal.js';
import { parseDuration } from '../../core/time.js';
import type { TenantRow } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { liveDetections, type LiveHook } from '../live-detections.js';
import type { Runner } from '../run.js';
import { alignedTable, countOf, formatOption, parseFormat } from '../output.js';
import { startDaemonWork } from '../daemon-work.js';
import { leaseOwner } from '../../runtime/lease-owner.js';

interface CollectFlags {
  all?: boolean;
  since: string;
  follow?: boolean;
  interval: string;
  concurrency: string;
  format: 'table' | 'json';
  requestsPerMinute: string;
  lease: string;
  history?: string;
  via: string;
  retention: string;
  /** false with --no-detect. */
  detect: boolean;
  forward: boolean;
  /** --lease was typed, not its default: only then is a history lease raised above it said (historyLeaseNote). */
  leaseTyped?: boolean;
}

/** `tenantwatch collect [tenants…|--all] [--since 7d] [--follow] [--interval 60s] [--concurrency N]`. */
export function register(program: Command, run: Runner): void {
  program
    .command('collect')
    .description('collect audit records through the Management Activity API, exactly once, with a coverage ledger')
    .argument('[tenants...]', 'tenant names or ids (default: all registered)')
    .option('--all', 'every registered tenant')
    .option('--since <span>', 'first-run look-back (capped by the API at 7 days)', '7d')
    .option('--follow', 'keep collecting; re-list recent windows to catch late blobs')
    .option('--interval <span>', 'pause between passes with --follow', '60s')
    .option('--no-forward', 'with --follow: do not deliver to the sinks in this process (another one does)')
    .option('--concurrency <n>', 'blob downloads in flight across all tenants', '8')
    .option('--requests-per-minute <n>', 'request budget per tenant', '1800')
    .option(
      '--history <span>',
      'first fetch this much history (e.g. 90d) through Graph or Search-UnifiedAuditLog (see --via)',
    )
    .option(
      '--via <source>',
      'history source: auto (Graph where the cloud offers it, else the cmdlet; falls back when Graph refuses), graph, search-unified-audit-log, or both comma-separated to cross-check',
      'auto',
    )
    .option(
      '--retention <span>',
      "how long Microsoft keeps the tenants' records (180d with Audit Standard, 365d or more with Premium); older history is reported unavailable",
      '180d',
    )
    .option(
      '--lease <span>',
      `how long a stream's or a tenant's history lease lasts without renewal (several collectors on one database); at least ${MIN_STREAM_LEASE_MS / 60_000}m, one request's timeout; a history lease is raised to at least ${MIN_HISTORY_LEASE_MS / 60_000}m`,
      '2m',
    )
    .option('--no-detect', 'do not run the detection rules on the new records (or set live: false in alerting.yaml)')
    .addOption(formatOption(['table', 'json'], 'summary format'))
    .action(
      run(async (ctx: CliContext, names: string[], flags: CollectFlags, command: Command) =>
        runCollect(ctx, names, {
          ...flags,
          format: parseFormat(flags.format, ['table', 'json']),
          leaseTyped: command.getOptionValueSource('lease') === 'cli',
        }),
      ),
    );
}

function span(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms === 0)
    throw new AppError('USAGE', `${flag} "${text}" is zero: it needs a span longer than that`, {
      hint: 'Use e.g. 90s, 30m, 24h or 7d',
    });
  if (ms === null || ms < 0)
    throw new AppError('USAGE', `${flag} "${text}" is not a duration`, { hint: 'Use e.g. 90s, 30m, 24h or 7d' });
  return ms;
}

/**
 * A count flag, with its default as the example: the message named neither the value given nor a sensible one
 * ("--requests-per-minute abc … e.g. --requests-per-minute 8", where the default is 1800).
 */
function count(text: string, flag: string, example: number): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new AppError('USAGE', `${flag} must be a whole number of at least 1, not "${text.slice(0, 40)}"`, {
      hint: `e.g. ${flag} ${example} (the default)`,
    });
  return n;
}

async function selectTenants(ctx: CliContext, names: string[]): Promise<TenantRow[]> {
  const store = await ctx.store();
  if (!names.length) {
    const all = await store.tenants.list();
    if (!all.length)
      throw new AppError('UNKNOWN_TENANT', 'No tenant is registered', {
        hint: 'Register one with tenantwatch tenant add, or tenant add-emulated for the emulator',
      });
    return all;
  }
  const rows: TenantRow[] = [];
  for (const name of names) {
    const row = await store.tenants.get(name);
    if (!row)
      throw new AppError('UNKNOWN_TENANT', `No tenant "${name}" is registered`, {
        hint: 'See tenantwatch tenant list',
      });
    rows.push(row);
  }
  return rows;
}

/** The collect flags, parsed; every one is checked before anything runs. */
export interface CollectOptions {
  history: { spanMs: number; via: HistoryVia[]; retentionMs: number } | null;
  sinceMs: number;
  intervalMs: number;
  concurrency: number;
  requestsPerMinute: number;
  leaseMs: number;
}

/**
 * Every flag is checked before the store is opened: a typo is named as such, not as a missing tenant, and
 * not after a history fill of hours (--since, --interval, --concurrency, --requests-per-minute and --lease
 * were read only once the fill was over). --via names a history source, so without --history it is refused
 * rather than silently ignored.
 */
export function collectOptions(flags: CollectFlags): CollectOptions {
  const via = viaList(flags.via);
  const retentionMs = span(flags.retention, '--retention');
  if (!flags.history && flags.via.trim().toLowerCase() !== 'auto')
    throw new AppError('USAGE', '--via chooses where history comes from, and no --history was given', {
      hint: 'Add --history SPAN (e.g. --history 90d), or leave --via out',
    });
  return {
    history: flags.history ? { spanMs: span(flags.history, '--history'), via, retentionMs } : null,
    sinceMs: span(flags.since, '--since'),
    intervalMs: span(flags.interval, '--interval'),
    concurrency: count(flags.concurrency, '--concurrency', 8),
    requestsPerMinute: count(flags.requestsPerMinute, '--requests-per-minute', 1800),
    leaseMs: streamLease(flags.lease),
  };
}

/**
 * --lease, at least one request's timeout (collector/stream-lease.ts): a request renews nothing while in flight, so a
 * shorter lease ran out mid-request and another collector could take the stream meanwhile. Refused, not raised as a
 * history lease is: the streams' term is the person's choice, and a term other than the one asked is a surprise.
 */
function streamLease(given: string): number {
  const ms = span(given, '--lease');
  if (ms >= MIN_STREAM_LEASE_MS) return ms;
  const min = `${MIN_STREAM_LEASE_MS / 60_000}m`;
  throw new AppError(
    'USAGE',
    `--lease "${given}" is shorter than the ${min} a lease must last: one request to Microsoft may take ${STREAM_REQUEST_TIMEOUT_MS / 1000} s, and a lease is renewed only between requests`,
    { hint: `Give --lease ${min} or longer (${min} is the default)` },
  );
}

/**
 * A history lease is raised to MIN_HISTORY_LEASE_MS whatever --lease says (history-lease.ts: a request renews
 * nothing while in flight, so the term must outlast the longest one), while the streams keep the --lease given.
 * Said rather than refused, as ADR 0025 decides: a short --lease is a fair choice for the streams; it was
 * accepted in silence, and the history lease then lasted longer than the person had asked.
 */
export function historyLeaseNote(options: CollectOptions, given: string): string | null {
  if (!options.history || options.leaseMs >= MIN_HISTORY_LEASE_MS) return null;
  return (
    `--lease ${given} is shorter than a history lease may be: the history lease lasts ${MIN_HISTORY_LEASE_MS / 60_000}m ` +
    `(three times the ${REQUEST_TIMEOUT_MS / 1000} s a request may take); the streams' leases last ${given}`
  );
}

async function runCollect(ctx: CliContext, names: string[], flags: CollectFlags): Promise<number> {
  const options = collectOptions(flags);
  const rows = await selectTenants(ctx, flags.all ? [] : names);
  const tenants: CollectTenant[] = rows.map((row) => ({
    tenantId: row.tenantId,
    name: row.name,
    connect: () => connectTenant(row, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger }),
  }));
  // Rules run on what each step stored: after the history fill, and after every collect pass.
  const detections = await liveDetections(ctx, flags.detect);
  try {
    return await collectAndDetect(ctx, rows, tenants, flags, options, detections);
  } finally {
    await detections?.close();
  }
}

async function collectAndDetect(
  ctx: CliContext,
  rows: TenantRow[],
  tenants: CollectTenant[],
  flags: CollectFlags,
  options: CollectOptions,
  detections: LiveHook | null,
): Promise<number> {
  const store = await ctx.store();
  const history = options.history;
  if (history) {
    const note = flags.leaseTyped ? historyLeaseNote(options, flags.lease) : null;
    if (note) ctx.err.write(`tenantwatch: note: ${note}\n`);
    await runHistory(ctx, tenants, history.spanMs, {
      via: history.via,
      retentionMs: history.retentionMs,
      leaseMs: options.leaseMs,
    });
    await detections?.pass();
  }
  // A collector that follows also sweeps by retention and keeps the sinks flowing (unless --no-forward).
  const daemon = flags.follow ? startDaemonWork(ctx, store, { forward: flags.forward }) : null;
  const tty = ctx.err.isTTY === true;
  let latest: readonly TenantStats[] = [];
  const progress = tty ? new ProgressView(ctx) : null;
  const timer = progress ? setInterval(() => progress.draw(latest), 500) : null;
  try {
    const summary = await collect({
      tenants,
      store,
      clock: ctx.clock,
      logger: ctx.logger,
      signal: ctx.signal,
      sinceMs: options.sinceMs,
      follow: !!flags.follow,
      intervalMs: options.intervalMs,
      concurrency: options.concurrency,
      onProgress: (stats) => (latest = stats),
      ...(detections ? { afterPass: () => detections.pass() } : {}),
      tuning: { requestsPerMinute: options.requestsPerMinute, leaseMs: options.leaseMs },
    });
    progress?.draw(latest);
    progress?.stop();
    ctx.out.write(
      flags.format === 'json'
        ? JSON.stringify({ ...summary, detections: detections?.summary() ?? null }, null, 2) + '\n'
        : summaryTable(summary.tenants) + (detections?.line() ?? ''),
    );
    const facts = await readAuditingFacts(store, rows, ctx.clock.now());
    for (const s of summary.tenants)
      if (s.error)
        ctx.err.write(`tenantwatch: ${terminalText(`${s.name}: ${refusalText(s.error, facts.get(s.tenant))}`)}\n`);
    const ending = runEnding(summary);
    for (const line of ending.lines) ctx.err.write(line);
    return ending.code;
  } finally {
    if (timer) clearInterval(timer);
    await daemon?.stop();
  }
}

function viaList(text: string): HistoryVia[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  for (const p of parts)
    if (!(HISTORY_SOURCES as readonly string[]).includes(p))
      throw new AppError('USAGE', `--via "${p}" is not a history source`, {
        hint: `Use one of ${HISTORY_SOURCES.join(', ')} (graph,search-unified-audit-log asks both)`,
      });
  return parts as HistoryVia[];
}

/** History before the live feed; a tenant whose history fails is reported, the others go on. */
async function runHistory(
  ctx: CliContext,
  tenants: CollectTenant[],
  spanMs: number,
  how: { via: HistoryVia[]; retentionMs: number; leaseMs: number },
): Promise<void> {
  const { collectHistoryVia } = await import('../../collector/history.js');
  const now = ctx.clock.now();
  const o = {
    store: await ctx.store(),
    clock: ctx.clock,
    logger: ctx.logger,
    signal: ctx.signal,
    retentionMs: how.retentionMs,
    lease: { owner: leaseOwner(), termMs: how.leaseMs },
  };
  for (const t of tenants) {
    if (ctx.signal.aborted) return;
    const r = await collectHistoryVia(o, t, { start: now - spanMs, end: now }, how.via);
    if (r.busy) ctx.err.write(`tenantwatch: ${t.name}: history not collected here: ${terminalText(r.busy.toLine())}\n`);
    for (const s of r.sources)
      ctx.err.write(
        s.result.error
          ? `tenantwatch: ${t.name}: history through ${s.source} not collected: ${s.result.error.toLine()}\n`
          : `${t.name}: history ${countOf(s.result.records, 'record')} (${s.result.newRecords.toLocaleString('en-US')} new) through ${s.source}\n`,
      );
    if (r.unavailableBefore !== null)
      ctx.err.write(
        `${t.name}: history before ${new Date(r.unavailableBefore).toISOString()} is unavailable (older than the ${Math.round(how.retentionMs / 86_400_000)}-day retention)\n`,
      );
  }
}

/** On a terminal: one line per tenant — windows, blobs, records, throttling waits (cli-progress). */
class ProgressView {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(ctx: CliContext) {
    this.multi = new cliProgress.MultiBar(
      {
        stream: ctx.err,
        hideCursor: true,
        clearOnComplete: false,
        format:
          '{name} [{bar}] {value}/{total} blobs | windows {windows} | {records} records | throttled {throttled}× ({waited} s) | {state}',
      },
      cliProgress.Presets.shades_classic,
    );
  }

  draw(stats: readonly TenantStats[]): void {
    for (const s of stats) {
      const payload = {
        name: s.name.padEnd(12),
        windows: `${s.windowsDone}/${s.windowsPlanned}`,
        records: s.newRecords.toLocaleString('en-US'),
        throttled: s.throttled,
        waited: Math.round(s.throttleWaitMs / 1000),
        state: s.state,
      };
      let bar = this.bars.get(s.tenant);
      if (!bar) this.bars.set(s.tenant, (bar = this.multi.create(Math.max(1, s.blobsListed), 0, payload)));
      bar.setTotal(Math.max(1, s.blobsListed));
      bar.update(s.blobsFetched + s.blobsSkipped + s.blobsRefused + s.blobsFailed, payload);
    }
  }

  stop(): void {
    this.multi.stop();
  }
}

function summaryTable(stats: readonly TenantStats[]): string {
  const head = [
    'tenant',
    'state',
    'windows',
    'blobs',
    'records',
    'new',
    'rejected',
    'conflicts',
    'throttled',
    'problem',
  ];
  const rows = stats.map((s) => [
    s.name,
    s.state,
    `${s.windowsDone}/${s.windowsPlanned}`,
    `${s.blobsFetched + s.blobsSkipped}/${s.blobsListed}`,
    String(s.records),
    String(s.newRecords),
    String(s.recordsRejected),
    String(s.recordsInConflict),
    String(s.throttled),
    s.error?.message ?? s.streamsSkipped.map((x) => `${x.contentType}: ${x.reason}`).join('; '),
  ]);
  return alignedTable(head, rows);
}

/**
 * How a run ends. Interrupted (Ctrl-C, SIGTERM): it says so and how to go on, exit 130 — never "done"
 * (issue 17 item 6). Finished but with blobs or windows left behind (issue 18.16: it said "done" and exited
 * 0 while blobs were refused): it says so per tenant and exits 1, so a script notices.
 */
export function runEnding(summary: CollectSummary): { code: number; lines: string[] } {
  if (summary.stopped)
    return {
      code: 130,
      lines: ['tenantwatch: interrupted — run the same command to continue (nothing collected is lost)\n'],
    };
  const left = summary.tenants.filter((s) => s.blobsRefused + s.blobsFailed + s.windowsFailed > 0);
  const lines = left.map(
    (s) =>
      `tenantwatch: ${s.name}: ${countOf(s.blobsRefused + s.blobsFailed, 'blob')} not fetched, ${countOf(s.windowsFailed, 'window')} failed; see tenantwatch coverage ${s.name} --gaps\n`,
  );
  // A first collect of a tenant read 0 records and said nothing (the newcomer's walk): its subscriptions were
  // only just started, and Microsoft lists a new subscription's first content up to 12 hours later.
  for (const s of summary.tenants)
    if ((s.subscriptionsStarted > 0 || s.windowsAwaitingFirstContent > 0) && s.blobsListed === 0 && !s.error)
      lines.push(
        `tenantwatch: ${s.name}: nothing listed yet: its subscriptions are new, and Microsoft lists a new subscription's first content up to 12 hours after it starts; no window is marked collected until then. Run the same command again later\n`,
      );
    // Some of its feeds listed content and others (a feed that records nothing yet, such as DLP.All) still wait:
    // the summary said "done" while coverage showed those windows as gaps, with nothing to say why.
    else if (s.windowsAwaitingFirstContent > 0 && !s.error)
      lines.push(awaitingLine(s.name, s.windowsAwaitingFirstContent));
  return { code: summary.ok && !left.length ? 0 : 1, lines };
}

/** Windows of a feed whose new subscription has not listed content yet, in a sentence whose verbs agree. */
function awaitingLine(name: string, windows: number): string {
  const [wait, are, they] = windows === 1 ? ['waits', 'is', 'it is'] : ['wait', 'are', 'they are'];
  return `tenantwatch: ${name}: ${countOf(windows, 'window')} of a new subscription ${wait} for Microsoft's first content (listed up to 12 hours after it starts) and ${are} not marked collected yet; ${they} listed again by the next run (tenantwatch coverage ${name} --gaps)\n`;
}
