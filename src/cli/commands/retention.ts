import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { terminalText } from '../../core/terminal.js';
import { parseDuration } from '../../core/time.js';
import type { Store } from '../../store/contract.js';
import { DEFAULT_POLICY_KEY } from '../../store/retention-rows.js';
import { underSweepLease, type SweepLeaseHolder } from '../../retention/lease.js';
import { sweepRetention, type SweepOptions, type TenantSweep } from '../../retention/sweep.js';
import { leaseOwner, ownerText } from '../../runtime/lease-owner.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, noteIfEmpty, parseFormat, writeListing, type ListingColumn } from '../output.js';
import type { Runner } from '../run.js';
import { firstSeenLookBacks, type FirstSeenLookBack } from '../../detections/history-wait.js';
import { loadRuleSet } from '../../detections/loader.js';
import { alertingConfigOf } from '../live-detections.js';

/**
 * `tenantwatch retention set|show|sweep` (docs/adr/0032-retention.md): how long records are kept, per tenant
 * or for every tenant, and the sweep that removes older ones (also run on a schedule by `collect --follow`
 * and `serve`). `sweep --dry-run` says what would go, per tenant: how many records and their time range.
 * A sweep takes the same lease as the scheduled ones (retention/lease.ts); a dry run removes nothing and needs none.
 */
export function register(program: Command, run: Runner): void {
  const retention = program.command('retention').description('how long records are kept, and removing older ones');
  retention
    .command('set')
    .description('keep records for a span (e.g. 365d), for one tenant or, without --tenant, for every tenant')
    .requiredOption('--keep <span>', 'how long to keep records: 90d, 52w, 365d, 1y … (a year is 365 days)')
    .option('--tenant <tenant>', 'a tenant name or id (default: every tenant without its own policy)')
    .action(run(async (ctx: CliContext, flags: { keep: string; tenant?: string }) => setPolicy(ctx, flags)));
  retention
    .command('clear')
    .description('remove a policy (records of that tenant then follow the default, or are kept)')
    .option('--tenant <tenant>', 'a tenant name or id (default: the policy for every tenant)')
    .action(run(async (ctx: CliContext, flags: { tenant?: string }) => clearPolicy(ctx, flags)));
  retention
    .command('show')
    .description('the policies, and what retention removed so far')
    .addOption(formatOption())
    .action(run(async (ctx: CliContext, flags: { format?: string }) => show(ctx, flags)));
  retention
    .command('sweep')
    .description('remove records older than their policy allows, now (in small transactions)')
    .option('--dry-run', 'only say what would be removed, per tenant: records and time range')
    .addOption(formatOption())
    .action(run(async (ctx: CliContext, flags: { dryRun?: boolean; format?: string }) => sweep(ctx, flags)));
}

/**
 * The tenant key a policy is kept under: a registered tenant (by name or id) or a key records are stored under
 * (imported under a label), as search resolves it (search/tenants.ts), so a mistyped name is refused instead of
 * keeping a policy nothing follows. Clearing also takes a key that only a policy still names (its records may
 * all be gone).
 */
async function tenantKey(store: Store, name: string | undefined, clearing = false): Promise<string | null> {
  if (name === undefined) return null;
  let key: string;
  try {
    key = (await resolveTenantKeys(store, [name]))[0]!;
  } catch (e) {
    if (clearing && (await store.retention.policies()).some((p) => p.tenant === name)) return name;
    throw e;
  }
  // The stores keep the default policy under this key: a tenant's own policy kept there (records imported
  // under the label *) would be read back as every tenant's, and a sweep would cut them all to its span.
  if (key === DEFAULT_POLICY_KEY)
    throw new AppError('USAGE', `--tenant ${terminalText(name)}: "*" stands for every tenant in a policy`, {
      hint: 'Leave --tenant out for the policy of every tenant; records kept under the key * follow it',
    });
  return key;
}

/** How a policy's tenant reads: the name given, with the key it is kept under when they differ. */
function label(given: string | undefined, key: string | null): string {
  if (key === null) return 'every tenant';
  return terminalText(given === undefined || given === key ? key : `${given} (${key})`);
}

async function setPolicy(ctx: CliContext, flags: { keep: string; tenant?: string }): Promise<number> {
  const keepMs = parseDuration(flags.keep, '--keep');
  if (keepMs === null || keepMs < 86_400_000)
    throw new AppError('USAGE', `--keep ${flags.keep} is not a span of a day or more`, {
      hint: 'Give a span such as 90d, 52w, 365d or 1y',
    });
  const store = await ctx.store();
  const tenant = await tenantKey(store, flags.tenant);
  await store.retention.setPolicy({ tenant, keepMs, updatedAt: ctx.clock.now() });
  ctx.out.write(
    `${label(flags.tenant, tenant)}: records kept ${days(keepMs)}; older ones go at the next sweep (tenantwatch retention sweep --dry-run shows which)\n`,
  );
  for (const rule of lookBacksBeyond(ctx, keepMs))
    ctx.err.write(
      `tenantwatch: note: the rule "${rule.title}" looks back ${days(rule.windowMs)}, longer than the ${days(keepMs)} kept: it will call nothing new for ${label(flags.tenant, tenant)} (a first-seen rule needs that much history; keep at least ${days(rule.windowMs)})\n`,
    );
  return 0;
}

/** The first-seen rules (the pack and alerting.yaml's folders) that look back further than `keepMs`. */
function lookBacksBeyond(ctx: CliContext, keepMs: number): FirstSeenLookBack[] {
  try {
    return firstSeenLookBacks(loadRuleSet({ paths: alertingConfigOf(ctx).ruleFolders })).filter(
      (r) => r.windowMs > keepMs,
    );
  } catch {
    // A broken alerting.yaml is reported where it is used (collect, serve, detect); the policy stands.
    return [];
  }
}

async function clearPolicy(ctx: CliContext, flags: { tenant?: string }): Promise<number> {
  const store = await ctx.store();
  const tenant = await tenantKey(store, flags.tenant, true);
  const removed = await store.retention.clearPolicy(tenant);
  ctx.out.write(`${label(flags.tenant, tenant)}: ${removed ? 'policy removed' : 'no policy'}\n`);
  return 0;
}

const POLICY_COLUMNS: ListingColumn[] = [
  { key: 'tenant', title: 'tenant' },
  { key: 'tenantName', title: 'name' },
  { key: 'keep', title: 'keep' },
  { key: 'removed', title: 'removed', right: true },
  { key: 'oldest', title: 'oldest removed' },
  { key: 'newest', title: 'newest removed' },
  { key: 'lastSweep', title: 'last sweep' },
];

/**
 * The registered names of tenant keys, beside them in show and sweep as search prints TenantName: a listing of
 * GUIDs alone did not say which customer a sweep would cut. Imported labels have none.
 */
async function tenantNames(store: Store): Promise<(key: string | null) => string | null> {
  const names = new Map((await store.tenants.list()).map((t) => [t.tenantId, t.name]));
  return (key) => (key === null ? null : (names.get(key) ?? null));
}

export async function show(ctx: CliContext, flags: { format?: string }): Promise<number> {
  const format = parseFormat(flags.format);
  const store = await ctx.store('read');
  const nameOf = await tenantNames(store);
  const policies = await store.retention.policies();
  const removals = await store.retention.removals();
  const tenants = new Set<string | null>([...policies.map((p) => p.tenant), ...removals.map((r) => r.tenant)]);
  const rows = [...tenants].map((tenant) => {
    const policy = policies.find((p) => p.tenant === tenant);
    const mine = removals.filter((r) => r.tenant === tenant);
    const oldest = Math.min(...mine.map((r) => r.oldest ?? Infinity));
    const newest = Math.max(...mine.map((r) => r.newest ?? -Infinity));
    return {
      tenant: tenant ?? '(every tenant)',
      tenantName: nameOf(tenant),
      keep: policy ? days(policy.keepMs) : '(default)',
      removed: mine.reduce((n, r) => n + r.records, 0),
      oldest: Number.isFinite(oldest) ? iso(oldest) : null,
      newest: Number.isFinite(newest) ? iso(newest) : null,
      lastSweep: mine.length ? iso(Math.max(...mine.map((r) => r.updatedAt))) : null,
    };
  });
  await writeListing(format, POLICY_COLUMNS, rows, ctx.out, { name: 'policies', noun: 'policy' });
  noteIfEmpty(
    ctx.err,
    format,
    policies.length,
    'no retention policy: every record is kept. Set one with tenantwatch retention set --keep 365d',
  );
  return 0;
}

const SWEEP_COLUMNS: ListingColumn[] = [
  { key: 'tenant', title: 'tenant' },
  { key: 'tenantName', title: 'name' },
  { key: 'keep', title: 'keep' },
  { key: 'before', title: 'older than' },
  { key: 'records', title: 'records', right: true },
  { key: 'oldest', title: 'oldest' },
  { key: 'newest', title: 'newest' },
];

export async function sweep(ctx: CliContext, flags: { dryRun?: boolean; format?: string }): Promise<number> {
  const format = parseFormat(flags.format);
  const store = await ctx.store('read');
  const options: SweepOptions = { clock: ctx.clock, logger: ctx.logger, dryRun: !!flags.dryRun, signal: ctx.signal };
  let result: TenantSweep[];
  let lost = false;
  if (flags.dryRun) result = await sweepRetention(store, options);
  else {
    const lease = { owner: leaseOwner(), clock: ctx.clock, logger: ctx.logger };
    const swept = await underSweepLease(store, lease, (held) =>
      sweepRetention(store, { ...options, keepLease: held.keep }),
    );
    if (!swept.ran) throw sweepRunning(swept.holder);
    result = swept.result;
    lost = swept.lost;
  }
  const nameOf = await tenantNames(store);
  const rows = result.map((t: TenantSweep) => ({
    tenant: t.tenant,
    tenantName: nameOf(t.tenant),
    keep: days(t.keepMs),
    before: iso(t.before),
    records: t.records,
    oldest: t.oldest === null ? null : iso(t.oldest),
    newest: t.newest === null ? null : iso(t.newest),
  }));
  await writeListing(format, SWEEP_COLUMNS, rows, ctx.out, { name: 'tenants', noun: 'tenant' });
  const total = result.reduce((n, t) => n + t.records, 0);
  if (format === 'table') ctx.err.write(sweptLine(total, !!flags.dryRun));
  if (lost) {
    ctx.err.write(
      'tenantwatch: another process took over the sweep lease, so this sweep stopped; that one goes on (what was removed is accounted for)\n',
    );
    return 1;
  }
  if (result.some((t) => !t.complete)) {
    ctx.err.write('tenantwatch: interrupted — run the same command to finish (what was removed is accounted for)\n');
    return 130;
  }
  return 0;
}

/** Another process sweeps now (the schedule of a collect --follow or serve, or another retention sweep). */
function sweepRunning(holder: SweepLeaseHolder | null): AppError {
  const who = holder
    ? `: ${terminalText(ownerText(holder.owner))} holds its lease (taken or renewed at ${iso(holder.since)})`
    : '';
  const until = holder ? ` (its lease runs to ${iso(holder.until)}, renewed while that sweep goes on)` : '';
  return new AppError('CONFLICT', `Another retention sweep is running${who}; nothing was removed`, {
    hint: `Try again later${until}; tenantwatch retention sweep --dry-run works meanwhile`,
  });
}

/** The sweep's total in words, under its table: what a dry run would remove, or what was removed. */
export function sweptLine(total: number, dryRun: boolean): string {
  return dryRun
    ? `Would remove ${countOf(total, 'record')} (nothing removed)\n`
    : `Removed ${countOf(total, 'record')}\n`;
}

function days(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${(ms / 3_600_000).toFixed(1)}h`;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
