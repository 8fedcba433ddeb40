import { Option, type Command } from 'commander';
import { terminalText } from '../../core/terminal.js';
import { loadSecretKey, redact } from '../../config/secrets.js';
import { AppError } from '../../core/errors.js';
import { parseLimit } from '../../core/limits.js';
import { parseTimeInput, toIso } from '../../core/time.js';
import { buildSinkRow, describeSecret, parseOptionPairs, publicUrl } from '../../sinks/config.js';
import { describeFilter, filterTerms } from '../../sinks/filter.js';
import { SinkFailure, STAGE_LABEL } from '../../sinks/failure.js';
import { testSink } from '../../sinks/health.js';
import { sinkConsumer } from '../../sinks/ports.js';
import { replay } from '../../sinks/replay.js';
import { backoffPolicy, ONCE_RETRY } from '../../sinks/retry.js';
import { checkSinkRow } from '../../sinks/registry.js';
import { formatLag, sinkStatus } from '../../sinks/status.js';
import { resolveTenantKeys } from '../../search/tenants.js';
import { isLoopback } from '../../server/exposure.js';
import { emailConfig } from '../../sinks/email/config.js';
import type { SinkRow } from '../../core/sink.js';
import type { CliContext } from '../context.js';
import { countOf, formatOption, noteIfEmpty, parseFormat, writeListing } from '../output.js';
import type { Runner } from '../run.js';
import { filterNotes } from './sink-notes.js';
import { CA_FILE_HINT, checkCaFile } from '../tenant-admin.js';
import { forwardStore, openSinkDriver, redactingLogger, sinkSecrets } from '../sinks.js';

/**
 * `tenantwatch sink add|list|test|status|replay|remove` (issue 15, the command surface). Secrets come
 * from the environment variable named by --token-env / --secret-env: kept as a reference, or with
 * --seal read now and stored encrypted. They are never printed: listings show where a secret comes
 * from, and every message a receiver sends back passes through `redact`.
 */
interface AddFlags {
  type: string;
  url: string;
  tokenEnv?: string;
  secretEnv?: string;
  seal?: boolean;
  caFile?: string;
  takes?: string;
  tenant?: string[];
  recordType?: string[];
  workload?: string[];
  operation?: string[];
  option?: string[];
  from?: string;
  disabled?: boolean;
}

const collectList = (v: string, prev: string[] = []): string[] => [...prev, v];

export function register(program: Command, run: Runner): void {
  const sink = program.command('sink').description('send records and alerts to SIEMs, webhooks, email and files');
  sink
    .command('add')
    .description('register a sink (or replace one of the same name)')
    .argument('<name>', 'short name for the sink')
    .addOption(
      new Option('--type <type>', 'receiver type')
        .choices(['splunk', 'elastic', 'sentinel', 'syslog', 'webhook', 'email', 'file'])
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--url <url>',
      'where to send: https://…, tcp://host:port, tls://…, udp://…, smtp://…, file:///path',
    )
    .option('--token-env <var>', 'token / API key in this environment variable')
    .option('--secret-env <var>', 'secret (password, client secret, signing secret) in this environment variable')
    .option('--seal', 'read the secret now and store it encrypted, instead of keeping the variable name')
    .option('--ca-file <file>', 'extra CA certificate to trust (PEM)')
    .option('--takes <what>', 'records, alerts or both (default: records; alerts for webhook and email)')
    .option('--tenant <tenant>', 'only these tenants (repeatable, comma-separated)', collectList)
    .option('--record-type <type>', 'only these record types', collectList)
    .option('--workload <workload>', 'only these workloads', collectList)
    .option('--operation <operation>', 'only these operations', collectList)
    .option('--option <key=value>', 'type setting, e.g. index=o365, namespace=prod, format=cef', collectList)
    .addOption(new Option('--from <where>', 'where a new sink starts').choices(['start', 'now']).default('start'))
    .option('--disabled', 'register it without forwarding to it yet')
    .action(run(async (ctx: CliContext, name: string, flags: AddFlags) => addSink(ctx, name, flags)));
  sink
    .command('list')
    .description('registered sinks (never their secrets)')
    .addOption(formatOption())
    .action(run(async (ctx: CliContext, flags: { format: string }) => listSinks(ctx, flags.format)));
  sink
    .command('test')
    .argument('<name>', 'sink name')
    .description('send a marked test event and say exactly what failed (DNS, TLS, auth, rejected payload)')
    .action(run(async (ctx: CliContext, name: string) => runTest(ctx, name)));
  sink
    .command('status')
    .argument('[name]', 'one sink (default: all)')
    .description("each sink's cursor, lag, throughput, last error and dead letters")
    .addOption(formatOption())
    .action(
      run(async (ctx: CliContext, name: string | undefined, f: { format: string }) => status(ctx, name, f.format)),
    );
  sink
    .command('replay')
    .argument('<name>', 'sink name')
    .option('--start <time>', 'send again the records from this time (ISO date, or 7d, 12h back from now)')
    .option('--end <time>', 'up to this time, exclusive (default now)')
    .option('--since <time>', 'the same as --start')
    .option('--until <time>', 'the same as --end')
    .description('send the records of a period again (the cursor is not moved)')
    .action(run(async (ctx: CliContext, name: string, f: ReplayFlags) => runReplay(ctx, name, f)));
  sink
    .command('dead-letters')
    .argument('<name>', 'sink name')
    .option('--limit <n>', 'newest N', '100')
    .addOption(formatOption())
    .description('what the receiver refused for good, with its reasons')
    .action(
      run(async (ctx: CliContext, name: string, f: { limit: string; format: string }) => deadLetters(ctx, name, f)),
    );
  sink
    .command('remove')
    .argument('<name>', 'sink name')
    .description('forget a sink, its cursor and dead letters (nothing already sent is touched)')
    .action(run(async (ctx: CliContext, name: string) => removeSink(ctx, name)));
}

export function unknownSink(name: string): AppError {
  return new AppError('NOT_FOUND', `No sink "${name}" is registered`, { hint: 'See tenantwatch sink list' });
}

function secretFrom(flags: AddFlags): { kind: 'ref'; ref: string } | { kind: 'plain'; value: string } | null {
  if (flags.tokenEnv && flags.secretEnv)
    throw new AppError('USAGE', 'Give --token-env or --secret-env, not both', { hint: 'One credential per sink' });
  const name = flags.tokenEnv ?? flags.secretEnv;
  if (!name && flags.seal)
    throw new AppError(
      'USAGE',
      '--seal stores the secret of --token-env or --secret-env encrypted, and neither was given',
      {
        hint: 'Add --token-env VAR (or --secret-env VAR), or leave --seal out: a URL that carries a credential is sealed anyway',
      },
    );
  if (!name) return null;
  const value = process.env[name];
  if (!value)
    throw new AppError('SECRET_MISSING', `The environment variable ${name} is not set`, {
      hint: 'Set it before adding the sink (and, unless --seal, whenever tenantwatch forwards)',
    });
  return flags.seal ? { kind: 'plain', value } : { kind: 'ref', ref: `env:${name}` };
}

async function addSink(ctx: CliContext, name: string, flags: AddFlags): Promise<void> {
  const store = await ctx.store();
  const tenants = flags.tenant?.length
    ? await resolveTenantKeys(
        store,
        flags.tenant.flatMap((t) => t.split(',')),
      )
    : undefined;
  const existing = await store.sinks.get(name.trim().toLowerCase());
  if (flags.caFile) checkCaFile(flags.caFile, CA_FILE_HINT);
  const row = buildSinkRow(
    {
      name,
      type: flags.type,
      url: flags.url,
      secret: secretFrom(flags),
      caFile: flags.caFile ?? null,
      takes: flags.takes,
      filter: { tenant: tenants, recordType: flags.recordType, workload: flags.workload, operation: flags.operation },
      options: parseOptionPairs(flags.option ?? []),
      enabled: !flags.disabled,
    },
    () => loadSecretKey(ctx.locations.secretKeyFile, process.env, { create: true }),
    ctx.clock.now(),
    checkSinkRow,
    existing,
  );
  // A cursor left under the name by a removal before ADR 0022's fix (the sink's row gone, its cursor written back by a
  // pass under way) would start a new sink there: cleared first, while no sink of the name exists to forward.
  if (!existing) await store.cursors.remove(sinkConsumer(row.name));
  await store.sinks.upsert(row);
  if (!existing && flags.from === 'now') {
    const fs = forwardStore(store);
    await fs.cursors.set(sinkConsumer(row.name), await fs.records.tailEnd(), ctx.clock.now());
  }
  ctx.out.write(
    `${existing ? 'updated' : 'added'} sink ${row.name} (${row.kind}, ${whatItTakes(row)}, secret ${describeSecret(row.secret)}${row.urlSecret ? ', URL stored encrypted' : ''}); check it with: tenantwatch sink test ${row.name}\n`,
  );
  for (const note of await filterNotes(store, row, ctx.clock.now()))
    ctx.err.write(`tenantwatch: warning: sink ${row.name} --${note}\n`);
  const url = new URL(row.url);
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    ctx.err.write(
      `warning: sink ${row.name} sends over plain http to ${url.hostname}: the ${row.takes === 'records' ? 'audit records' : takenNoun(row.takes)}${row.secret ? ' and its secret' : ''} cross the network unencrypted. Use https:// unless that network is trusted\n`,
    );
  // STARTTLS turned off: nodemailer still upgrades when the server offers it, but signs in unencrypted when it does not.
  if (row.kind === 'email' && url.protocol === 'smtp:' && row.secret && !isLoopback(url.hostname)) {
    const config = emailConfig(row);
    if (!config.requireTls)
      ctx.err.write(
        `warning: sink ${row.name} has STARTTLS turned off (starttls=false): should ${url.hostname} not offer it, its password and the alerts cross the network unencrypted. Leave starttls on, or use smtps://, unless that network is trusted\n`,
      );
  }
}

/**
 * What a sink is sent, as the add command confirms it: "all alerts", "records with tenant=contoso". The filter
 * chooses records only; alerts follow the routes, so "records and alerts with tenant=contoso" promised what
 * routing does not do.
 */
function whatItTakes(row: SinkRow): string {
  const terms = filterTerms(row.filter);
  const records = terms.length ? `records with ${terms.join(' ')}` : 'all records';
  if (row.takes === 'records') return records;
  if (row.takes === 'alerts') return 'all alerts';
  return terms.length ? `${records}, and alerts as routed` : 'all records and alerts';
}

function takenNoun(takes: SinkRow['takes']): string {
  return takes === 'both' ? 'records and alerts' : takes;
}

async function listSinks(ctx: CliContext, format: string): Promise<void> {
  const rows = (await (await ctx.store('read')).sinks.list()).map((r) => ({
    name: r.name,
    type: r.kind,
    url: publicUrl(r.url, r.kind),
    takes: r.takes,
    // An alerts-only sink takes no records: "all records" there read as the opposite of what it is sent.
    filter: r.takes === 'alerts' ? 'alerts as routed' : describeFilter(r.filter),
    secret: describeSecret(r.secret),
    caFile: r.caFile,
    enabled: r.enabled,
    options: JSON.stringify(r.options),
  }));
  const cols = ['name', 'type', 'url', 'takes', 'filter', 'secret', 'enabled'].map((key) => ({ key, title: key }));
  const fmt = parseFormat(format);
  await writeListing(fmt, cols, rows, ctx.out, { name: 'sinks', noun: 'sink' });
  noteIfEmpty(ctx.err, fmt, rows.length, NO_SINK);
}

const NO_SINK =
  'no sink is registered: add one with tenantwatch sink add NAME --type splunk|elastic|sentinel|syslog|webhook|email|file --url URL';

async function runTest(ctx: CliContext, name: string): Promise<number> {
  const row = await (await ctx.store('read')).sinks.get(name);
  if (!row) throw unknownSink(name);
  const secrets = sinkSecrets(ctx, [row]);
  const driver = openSinkDriver(ctx, row, redactingLogger(ctx.logger, secrets));
  try {
    const outcome = await testSink(driver, ctx.signal);
    if (outcome.ok) {
      ctx.out.write(`ok: ${terminalText(redact(outcome.detail, secrets))}\n`);
      return 0;
    }
    ctx.err.write(
      `tenantwatch: sink ${row.name} test failed at ${outcome.stage}: ${terminalText(redact(outcome.detail, secrets))}. ${outcome.hint}\n`,
    );
    return 1;
  } finally {
    await driver.close();
  }
}

async function status(ctx: CliContext, name: string | undefined, format: string): Promise<void> {
  const store = await ctx.store('read');
  const rows = name ? [await store.sinks.get(name)] : await store.sinks.list();
  if (rows[0] === null) throw unknownSink(name!);
  const fs = forwardStore(store);
  const now = ctx.clock.now();
  const list = [];
  for (const row of rows) list.push(await sinkStatus(fs, row!, now));
  const fmt = parseFormat(format);
  if (fmt === 'json') return void ctx.out.write(JSON.stringify({ count: list.length, sinks: list }, null, 2) + '\n');
  const shown = list.map((s) => ({
    ...s,
    lag: `${s.lagRecords} (${formatLag(s.lagMs)})`,
  }));
  const cols = ['name', 'type', 'lag', 'delivered', 'throughput', 'deadLetters', 'lastError', 'sender'].map((key) => ({
    key,
    title: key,
  }));
  await writeListing(fmt, cols, shown, ctx.out, { name: 'sinks', noun: 'sink' });
  noteIfEmpty(ctx.err, fmt, shown.length, NO_SINK);
}

/** --start and --end, as search, report and detect call them; --since and --until are the names replay had first. */
interface ReplayFlags {
  start?: string;
  end?: string;
  since?: string;
  until?: string;
}

/** The flag given for one end of the period (by either of its names), or refused when both names are. */
function oneOf(f: ReplayFlags, name: 'start' | 'end', old: 'since' | 'until'): { flag: string; text: string } | null {
  if (f[name] !== undefined && f[old] !== undefined)
    throw new AppError('USAGE', `--${name} and --${old} are the same option`, { hint: `Give only --${name}` });
  if (f[name] !== undefined) return { flag: `--${name}`, text: f[name] };
  return f[old] === undefined ? null : { flag: `--${old}`, text: f[old] };
}

async function runReplay(ctx: CliContext, name: string, f: ReplayFlags): Promise<number> {
  const from = oneOf(f, 'start', 'since');
  const to = oneOf(f, 'end', 'until');
  if (!from)
    throw new AppError('USAGE', 'sink replay needs --start (or --since): where the period to send again begins', {
      hint: `e.g. tenantwatch sink replay ${name.slice(0, 64)} --start 24h, or --start 2026-11-01 --end 2026-11-02`,
    });
  const store = await ctx.store('read');
  const row = await store.sinks.get(name);
  if (!row) throw unknownSink(name);
  const now = ctx.clock.now();
  const range = {
    start: parseTimeInput(from.text, now, from.flag.slice(2)),
    end: to ? parseTimeInput(to.text, now, to.flag.slice(2)) : now,
  };
  if (!(range.start < range.end))
    throw new AppError(
      'BAD_TIME',
      `${from.flag} (${toIso(range.start)}) is not before ${to?.flag ?? 'now'} (${toIso(range.end)}): nothing to replay`,
      { hint: `The period is [start, end): give ${from.flag} earlier than ${to?.flag ?? '--end'} (default: now)` },
    );
  const secrets = sinkSecrets(ctx, [row]);
  const logger = redactingLogger(ctx.logger, secrets);
  const driver = openSinkDriver(ctx, row, logger);
  try {
    const totals = await replay(forwardStore(store), row, range, {
      sink: row.name,
      driver,
      policy: backoffPolicy(ONCE_RETRY),
      clock: ctx.clock,
      logger,
      signal: ctx.signal,
      scrub: (t) => redact(t, secrets),
    });
    ctx.out.write(
      `replayed ${countOf(totals.sent, 'record')} to ${row.name}: ${totals.delivered.toLocaleString('en-US')} delivered, ${countOf(totals.dead, 'dead letter')}\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof SinkFailure)) throw e;
    const what = `${STAGE_LABEL[e.stage]}: ${e.message}`;
    throw new AppError('NETWORK', `Replay to sink ${row.name} stopped: ${redact(what, secrets)}`, {
      hint: `See tenantwatch sink test ${row.name}`,
    });
  } finally {
    await driver.close();
  }
}

async function deadLetters(ctx: CliContext, name: string, f: { limit: string; format: string }): Promise<void> {
  const store = await ctx.store('read');
  if (!(await store.sinks.get(name))) throw unknownSink(name);
  const rows = (
    await store.sinks.deadLetters(name, {
      limit: parseLimit(f.limit, { what: '--limit', hint: 'Give --limit 100 to show the newest 100' }),
    })
  ).map((d) => ({
    ...d,
    failedAt: new Date(d.failedAt).toISOString(),
  }));
  const cols = ['failedAt', 'kind', 'tenant', 'itemId', 'reason'].map((key) => ({ key, title: key }));
  await writeListing(parseFormat(f.format), cols, rows, ctx.out, { name: 'deadLetters', noun: 'dead letter' });
}

async function removeSink(ctx: CliContext, name: string): Promise<void> {
  const store = await ctx.store('read');
  // Its cursor goes in the same transaction (SinkStore.remove).
  if (!(await store.sinks.remove(name))) throw unknownSink(name);
  ctx.out.write(`removed sink ${name}\n`);
}
