import { hostname, userInfo } from 'node:os';
import { terminalText } from '../../core/terminal.js';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { parseLimit } from '../../core/limits.js';
import type { LiveConnection } from '../../config/tenants.js';
import { validAuditActions } from '../../posture/baseline.js';
import { enableScript } from '../../posture/powershell.js';
import { checkTenant, enableTenant } from '../../posture/service.js';
import type { EnableOptions, PostureResult } from '../../posture/types.js';
import type { TenantRow } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { recordCli } from '../console-audit.js';
import { formatOption, parseFormat, writeListing } from '../output.js';
import type { Runner } from '../run.js';
import { postureDeps } from '../posture.js';
import { ADD_TENANT, selectTenants } from '../tenants.js';
import { printOutcome, printResults } from './audit-config-print.js';

interface CheckFlags {
  all?: boolean;
  format?: string;
}

interface EnableFlags {
  all?: boolean;
  mailboxes?: string[];
  ageLimit?: string;
  ownerActions?: string;
  delegateActions?: string;
  adminActions?: string;
  dryRun?: boolean;
  powershell?: boolean;
  format?: string;
}

export function register(program: Command, run: Runner): void {
  const audit = program
    .command('audit-config')
    .description('check and enable audit logging (unified audit log, mailbox auditing, age limits)');
  audit
    .command('check')
    .description(
      'verdict and findings per tenant, with a summary; every check is kept, so changes show. Exit status 1 when a tenant is failing or could not be checked',
    )
    .argument('[tenants...]', 'tenant names or GUIDs (default: all)')
    .option('--all', 'every registered tenant')
    .addOption(formatOption())
    .action(run(async (ctx: CliContext, tenants: string[], flags: CheckFlags) => check(ctx, tenants, flags)));
  audit
    .command('enable')
    .description('plan, apply and re-check: turn unified audit logging and mailbox auditing on')
    .argument('[tenants...]', 'tenant names or GUIDs')
    .option('--all', 'every registered tenant')
    .option('--mailboxes <upn...>', 'all, or user principal names', ['all'])
    .option('--age-limit <days>', 'raise AuditLogAgeLimit to this many days where lower (never lowers it)')
    .option('--owner-actions <list>', 'comma-separated actions to audit for owners (default: Microsoft’s default set)')
    .option('--delegate-actions <list>', 'comma-separated actions to audit for delegates')
    .option('--admin-actions <list>', 'comma-separated actions to audit for admins')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--powershell', 'print the equivalent Exchange Online PowerShell instead of changing anything')
    // Its outcome is a plan and steps, not a listing: table or json only, and anything else refused by name
    // (--format jsonl printed the table, exit 0).
    .addOption(formatOption(['table', 'json']))
    .action(
      run(async (ctx: CliContext, tenants: string[], flags: EnableFlags) =>
        enableMany(ctx, tenants, { ...flags, format: parseFormat(flags.format, ['table', 'json']) }),
      ),
    );
}

async function check(ctx: CliContext, names: string[], flags: CheckFlags): Promise<number> {
  const format = parseFormat(flags.format);
  // Every tenant of none is an empty listing, not a failure: a scheduled check on a fresh install exited 1 (as
  // if a tenant were failing) and printed no header for the csv a spreadsheet or script expected.
  if (!names.length && !(await (await ctx.store()).tenants.list()).length) {
    if (format !== 'table') await writeListing(format, JSON_COLUMNS, [], ctx.out, { name: 'tenants' });
    ctx.err.write(`tenantwatch: note: no tenant is registered, so none was checked: register one with ${ADD_TENANT}\n`);
    return 0;
  }
  const tenants = await selectTenants(ctx, names, flags.all);
  const opened: LiveConnection[] = [];
  const deps = postureDeps(ctx, await ctx.store(), opened);
  const results: PostureResult[] = [];
  try {
    for (const tenant of tenants) {
      try {
        results.push(await checkTenant(deps, tenant, ctx.signal));
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        // One tenant that cannot be reached does not hide the others' answers.
        const message = e instanceof AppError ? e.toLine() : String(e);
        results.push(unreachable(tenant, message, ctx.clock.now()));
      }
    }
  } finally {
    opened.forEach((c) => c.close());
  }
  if (format === 'table') printResults(ctx.out, results);
  else
    await writeListing(format, JSON_COLUMNS, results as unknown as Record<string, unknown>[], ctx.out, {
      name: 'tenants',
      noun: 'tenant',
    });
  // Scripts and RMM tools read the exit status: 1 when any tenant is failing or could not be checked.
  return results.some((r) => r.verdict === 'unknown' || r.verdict === 'failing') ? 1 : 0;
}

const JSON_COLUMNS = [
  'tenant',
  'tenantId',
  'checkedAt',
  'verdict',
  'findings',
  'ualEnabled',
  'orgAuditDisabled',
  'dehydrated',
  'adminAuditLogEnabled',
  'mailboxes',
  'subscriptions',
  'newestRecord',
  'requests',
].map((key) => ({ key, title: key }));

function unreachable(tenant: TenantRow, message: string, now: number): PostureResult {
  return {
    tenant: tenant.name,
    tenantId: tenant.tenantId,
    checkedAt: new Date(now).toISOString(),
    verdict: 'unknown',
    findings: [{ code: 'CHECK_FAILED', severity: 'warning', message }],
    ualEnabled: null,
    orgAuditDisabled: null,
    dehydrated: null,
    adminAuditLogEnabled: null,
    mailboxes: null,
    subscriptions: null,
    newestRecord: null,
    requests: [],
  };
}

/** Who asks for a change, as the posture history keeps it: the OS account, the host and the app. */
function requester(tenant: TenantRow): string {
  let who = 'unknown user';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (some containers): the host and the app still say where it came from
  }
  return `${who} on ${hostname()} (app ${tenant.clientId})`;
}

function enableOptions(flags: EnableFlags, names: readonly string[]): EnableOptions {
  const list = (text: string | undefined): string[] | undefined =>
    text === undefined
      ? undefined
      : text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const wanted = (flags.mailboxes ?? ['all'])
    .flatMap((m) => m.split(','))
    .map((m) => m.trim())
    .filter(Boolean);
  const all = wanted.length === 1 && wanted[0]!.toLowerCase() === 'all';
  // `enable contoso --mailboxes alice@contoso.com fabrikam`: --mailboxes takes every value after it, so fabrikam
  // became a mailbox and was never enabled. A mailbox is `all` or a UPN (with @), as the help says.
  const odd = all ? undefined : wanted.find((m) => !m.includes('@'));
  if (odd !== undefined)
    throw new AppError('USAGE', `--mailboxes took "${odd}", which is not a user principal name`, {
      hint: `A mailbox is all or a UPN such as alice@contoso.com, and --mailboxes takes every value after it: put the tenants first, e.g. tenantwatch audit-config enable ${[...names, ...wanted.filter((m) => !m.includes('@') && m.toLowerCase() !== 'all')].join(' ')} --mailboxes ${wanted.filter((m) => m.includes('@')).join(' ') || 'all'}`,
    });
  const options: EnableOptions = { mailboxes: all ? 'all' : wanted };
  if (flags.ageLimit !== undefined) {
    // Microsoft's most is 24855 days; "--age-limit 99999 is not a number of days" said the wrong thing about it.
    options.ageLimitDays = parseLimit(flags.ageLimit, {
      what: '--age-limit',
      hint: 'Give whole days as Microsoft takes them, e.g. --age-limit 180',
      max: 24_855,
    });
  }
  const owner = list(flags.ownerActions);
  const delegate = list(flags.delegateActions);
  const admin = list(flags.adminActions);
  if (owner) options.ownerActions = validAuditActions('owner', owner);
  if (delegate) options.delegateActions = validAuditActions('delegate', delegate);
  if (admin) options.adminActions = validAuditActions('admin', admin);
  return options;
}

/** One tenant, several, or --all: each planned and applied in turn; one that fails does not stop the others. */
async function enableMany(ctx: CliContext, names: string[], flags: EnableFlags): Promise<number> {
  if (!names.length && !flags.all) {
    // `enable --mailboxes all contoso`: --mailboxes takes every value after it, so the tenant became a mailbox
    // and the error said a tenant was missing from a line that named one. A mailbox is `all` or a UPN (with @).
    const taken = flags.mailboxes ?? [];
    const tenantLike = taken.filter((m) => m.toLowerCase() !== 'all' && !m.includes('@'));
    if (tenantLike.length) {
      const mailboxes = taken.filter((m) => !tenantLike.includes(m));
      throw new AppError(
        'USAGE',
        `audit-config enable needs a tenant; --mailboxes took "${taken.join(' ')}" as mailboxes`,
        {
          hint: `--mailboxes takes every value after it: put the tenants first, e.g. tenantwatch audit-config enable ${tenantLike.join(' ')}${mailboxes.length ? ` --mailboxes ${mailboxes.join(' ')}` : ''}`,
        },
      );
    }
    throw new AppError('USAGE', 'audit-config enable needs a tenant, several, or --all', {
      hint: 'e.g. tenantwatch audit-config enable contoso, or --all for every registered tenant',
    });
  }
  const options = enableOptions(flags, names);
  const tenants = await selectTenants(ctx, names, flags.all);
  let status = 0;
  for (const tenant of tenants) {
    if (ctx.signal.aborted) break;
    if (tenants.length > 1 && flags.format !== 'json') ctx.out.write(`\n== ${tenant.name} (${tenant.tenantId})\n`);
    try {
      status = Math.max(status, await enable(ctx, tenant, flags, options));
    } catch (e) {
      if (tenants.length === 1 || ctx.signal.aborted) throw e;
      ctx.err.write(`tenantwatch: ${tenant.name}: ${terminalText(e instanceof AppError ? e.toLine() : String(e))}\n`);
      status = 1;
    }
  }
  return status;
}

async function enable(ctx: CliContext, tenant: TenantRow, flags: EnableFlags, options: EnableOptions): Promise<number> {
  const store = await ctx.store();
  if (flags.powershell) {
    const last = (await store.posture.list(tenant.tenantId, 1))[0]?.body as PostureResult | undefined;
    ctx.out.write(enableScript(tenant, options, last) + '\n');
    return 0;
  }
  const opened: LiveConnection[] = [];
  try {
    const outcome = await enableTenant(postureDeps(ctx, store, opened), tenant, options, {
      dryRun: flags.dryRun === true,
      signal: ctx.signal,
      requestedBy: requester(tenant),
      ...(flags.format === 'json'
        ? {}
        : { onPlan: (plan) => printOutcome(ctx.out, { plan }), onStep: (r) => printOutcome(ctx.out, { step: r }) }),
    });
    if (flags.format === 'json') ctx.out.write(JSON.stringify(outcome, null, 2) + '\n');
    else printOutcome(ctx.out, { outcome });
    const failed = outcome.results.some((r) => r.status === 'failed');
    if (flags.dryRun !== true) {
      const statuses = outcome.results.map((r) => r.status);
      await recordCli(ctx, 'audit-config.enable', tenant.name, { statuses }, failed ? 'failed' : 'ok');
    }
    return failed ? 1 : 0;
  } finally {
    opened.forEach((c) => c.close());
  }
}
