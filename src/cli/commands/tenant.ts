import { readFileSync } from 'node:fs';
import { terminalText } from '../../core/terminal.js';
import { Option, type Command } from 'commander';
import { loadSecretKey, redact } from '../../config/secrets.js';
import {
  buildTenantRow,
  connectTenant,
  publicView,
  readCertificateFiles,
  type CredentialInput,
} from '../../config/tenants.js';
import { AppError } from '../../core/errors.js';
import { addEmulatedTenants } from '../../config/emulated.js';
import { testTenant } from '../../collector/tenant-test.js';
import { readAuditingFacts, refusalText } from '../../coverage/auditing.js';
import type { CliContext } from '../context.js';
import { recordCli } from '../console-audit.js';
import { CA_FILE_HINT, checkCaFile, refuseRename } from '../tenant-admin.js';
import { formatOption, noteIfEmpty, parseFormat, writeListing, type ListingColumn } from '../output.js';
import { ADD_TENANT } from '../tenants.js';
import type { Runner } from '../run.js';
import { removeTenant, unknownTenant as unknown, type RemoveFlags } from './tenant-remove.js';

/**
 * `tenantwatch tenant add|list|show|remove|test|add-emulated`. Secrets come from an env var or a file
 * (kept as references), stdin or a hidden prompt (sealed with the key in --data/secret.key); they are
 * never printed, and every message shown passes through `redact`.
 */
interface AddFlags {
  tenantId: string;
  clientId: string;
  secretEnv?: string;
  secretFile?: string;
  secretStdin?: boolean;
  certificate?: string;
  key?: string;
  pfxPasswordEnv?: string;
  cloud: string;
  baseUrl?: string;
  caFile?: string;
  publisherId?: string;
  domain?: string;
}

export function register(program: Command, run: Runner): void {
  const tenant = program.command('tenant').description('register and check tenants');
  tenant
    .command('add')
    .description('register a tenant: its app registration and how to sign in')
    .argument('<name>', 'short name for the tenant')
    .requiredOption('--tenant-id <guid>', 'Entra tenant id')
    .requiredOption('--client-id <guid>', 'application (client) id')
    .option('--secret-env <var>', 'client secret in this environment variable (stored as a reference)')
    .option('--secret-file <file>', 'client secret in this file (stored as a reference)')
    .option('--secret-stdin', 'read the client secret from stdin (stored encrypted)')
    .option('--certificate <file>', 'certificate: PEM (with --key) or PFX')
    .option('--key <file>', 'private key PEM for --certificate')
    .option('--pfx-password-env <var>', 'PFX password in this environment variable')
    .addOption(
      new Option('--cloud <cloud>', 'Microsoft cloud')
        .choices(['commercial', 'gcc', 'gcchigh', 'dod'])
        .default('commercial'),
    )
    .option('--base-url <url>', 'send every Microsoft call here (emulator, proxy)')
    .option('--ca-file <file>', 'extra CA certificate to trust (PEM)')
    .option('--publisher-id <guid>', 'PublisherIdentifier for the Management API quota pool')
    .option('--domain <domain>', 'primary domain, for display')
    .action(run(async (ctx: CliContext, name: string, flags: AddFlags) => addTenant(ctx, name, flags)));
  tenant
    .command('list')
    .description('registered tenants (no secrets)')
    .addOption(formatOption())
    .action(run(async (ctx: CliContext, flags: { format: string }) => listTenants(ctx, flags.format)));
  tenant
    .command('show')
    .argument('<name>', 'tenant name or id')
    .description('one tenant, without its secret')
    .action(
      run(async (ctx: CliContext, name: string) => {
        const row = await (await ctx.store()).tenants.get(name);
        if (!row) throw unknown(name);
        ctx.out.write(JSON.stringify(publicView(row), null, 2) + '\n');
      }),
    );
  tenant
    .command('remove')
    .argument('<name>', 'tenant name or id (with --purge also the key of records whose tenant is gone)')
    .description('forget a tenant; its collected records stay unless --purge')
    .option('--purge', "also delete the tenant's records and its collection ledger (shows the count, asks first)")
    .option('--yes', 'confirm --purge without asking (for scripts)')
    .action(run(async (ctx: CliContext, name: string, flags: RemoveFlags) => removeTenant(ctx, name, flags)));
  tenant
    .command('test')
    .argument('<name>', 'tenant name or id')
    .description('sign in and list subscriptions; explains each failure in plain words')
    .action(run(async (ctx: CliContext, name: string) => runTest(ctx, name)));
  tenant
    .command('add-emulated')
    .argument('<control-url>', "the emulator's control URL, e.g. https://127.0.0.1:8443/_emulator")
    .option('--ca-file <file>', "the emulator's CA certificate")
    .addOption(
      new Option('--auth <kind>', 'credential to register')
        .choices(['mixed', 'secret', 'certificate'])
        .default('mixed'),
    )
    .description('register every tenant an emulator simulates (mixed: certificate for every other tenant)')
    .action(
      run(
        async (ctx: CliContext, url: string, flags: { caFile?: string; auth: 'mixed' | 'secret' | 'certificate' }) => {
          const added = await addEmulatedTenants(await ctx.store(), url, {
            caFile: flags.caFile ?? null,
            auth: flags.auth,
            keyFile: ctx.locations.secretKeyFile,
            now: ctx.clock.now(),
            signal: ctx.signal,
          });
          for (const a of added) ctx.out.write(`added ${a.name} (${a.tenantId}, ${a.auth})\n`);
        },
      ),
    );
}

async function credentialFrom(ctx: CliContext, flags: AddFlags): Promise<CredentialInput> {
  const given = [flags.secretEnv, flags.secretFile, flags.secretStdin, flags.certificate].filter(Boolean).length;
  if (given > 1)
    throw new AppError('USAGE', 'Give one credential: --secret-env, --secret-file, --secret-stdin or --certificate', {
      hint: 'Run tenantwatch tenant add --help',
    });
  // Without --certificate these were dropped without a word: the tenant signed in with the secret instead.
  for (const [flag, given] of [
    ['--key', flags.key],
    ['--pfx-password-env', flags.pfxPasswordEnv],
  ] as const)
    if (given !== undefined && !flags.certificate)
      throw new AppError('USAGE', `${flag} goes with --certificate`, {
        hint: 'Give --certificate FILE with it, or leave it out to sign in with the client secret',
      });
  if (flags.secretEnv) {
    if (!process.env[flags.secretEnv])
      throw new AppError('SECRET_MISSING', `The environment variable ${flags.secretEnv} is not set`, {
        hint: 'Set it before adding the tenant (and whenever tenantwatch runs)',
      });
    return { kind: 'secret-ref', ref: `env:${flags.secretEnv}` };
  }
  if (flags.secretFile) {
    const path = (await import('node:path')).resolve(flags.secretFile);
    try {
      if (!readFileSync(path, 'utf8').trim()) throw new Error('empty');
    } catch (e) {
      throw new AppError('SECRET_MISSING', `The secret file ${path} is missing or empty`, {
        hint: 'Write the secret value into it',
        cause: e,
      });
    }
    return { kind: 'secret-ref', ref: `file:${path}` };
  }
  if (flags.certificate) {
    const password = flags.pfxPasswordEnv ? process.env[flags.pfxPasswordEnv] : undefined;
    if (flags.pfxPasswordEnv && password === undefined)
      throw new AppError('SECRET_MISSING', `The environment variable ${flags.pfxPasswordEnv} is not set`, {
        hint: 'Set it to the PFX password before adding the tenant',
      });
    return { kind: 'certificate', ...readCertificateFiles(flags.certificate, flags.key, password) };
  }
  if (flags.secretStdin) return { kind: 'secret', secret: await readStdin() };
  if (!process.stdin.isTTY) {
    // No credential flag and no terminal to prompt on (a script, CI): a piped secret is still taken, but an
    // empty stdin means none was given, which "The client secret is empty" did not say.
    const secret = await readStdin();
    if (!secret)
      throw new AppError('USAGE', 'No credential given, and there is no terminal to ask for the client secret on', {
        hint: 'Give one of --secret-env VAR, --secret-file FILE, --secret-stdin (with the secret piped in) or --certificate FILE --key FILE',
      });
    return { kind: 'secret', secret };
  }
  return { kind: 'secret', secret: await prompt(ctx, 'Client secret (input hidden): ') };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** A hidden prompt: the terminal echo is off while the secret is typed. */
async function prompt(ctx: CliContext, question: string): Promise<string> {
  ctx.err.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return value;
        if (ch === '\u0003') throw new AppError('CANCELLED', 'Stopped on request');
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    }
    return value;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    ctx.err.write('\n');
  }
}

async function addTenant(ctx: CliContext, name: string, flags: AddFlags): Promise<void> {
  const store = await ctx.store();
  if (flags.caFile) checkCaFile(flags.caFile, CA_FILE_HINT);
  const credential = await credentialFrom(ctx, flags);
  const existing = await store.tenants.get(name);
  await refuseRename(store, name, flags.tenantId);
  const row = buildTenantRow(
    {
      name,
      tenantId: flags.tenantId,
      clientId: flags.clientId,
      cloud: flags.cloud,
      baseUrl: flags.baseUrl ?? null,
      caFile: flags.caFile ?? null,
      publisherId: flags.publisherId ?? null,
      domain: flags.domain ?? null,
      credential,
    },
    () => loadSecretKey(ctx.locations.secretKeyFile, process.env, { create: true }),
    ctx.clock.now(),
    existing,
  );
  await store.tenants.upsert(row);
  await recordCli(ctx, existing ? 'tenant.update' : 'tenant.add', row.name, {
    tenantId: row.tenantId,
    cloud: row.cloud,
    authKind: row.authKind,
  });
  ctx.out.write(
    `${existing ? 'updated' : 'added'} ${row.name} (${row.tenantId}, ${row.cloud}, ${row.authKind}); check it with: tenantwatch tenant test ${row.name}\n`,
  );
}

/** The table's and the CSV's columns; json and jsonl carry every field of the public view (never a secret). */
const LIST_COLUMNS: ListingColumn[] = [
  { key: 'name', title: 'name' },
  { key: 'tenantId', title: 'tenantId' },
  { key: 'domain', title: 'domain' },
  { key: 'cloud', title: 'cloud' },
  { key: 'auth', title: 'auth' },
  { key: 'credential', title: 'credential' },
  { key: 'management', title: 'management', max: 64 },
  { key: 'publisherId', title: 'publisherId' },
];

/**
 * Through the listing writer in every format, as every other listing: json was a bare array where the others
 * print {"count": N, "tenants": [...]}, and the table had no rule under its header nor a "N tenants" footer (the
 * CSV once wrote no byte order mark, so Excel read the names in the local code page).
 */
async function listTenants(ctx: CliContext, format: string): Promise<void> {
  const rows = (await (await ctx.store('read')).tenants.list()).map(publicView);
  const listing = parseFormat(format);
  const columns =
    (listing === 'json' || listing === 'jsonl') && rows[0]
      ? Object.keys(rows[0]).map((key) => ({ key, title: key }))
      : LIST_COLUMNS;
  noteIfEmpty(ctx.err, listing, rows.length, `no tenant is registered: register one with ${ADD_TENANT}`);
  await writeListing(listing, columns, rows, ctx.out, { name: 'tenants', noun: 'tenant' });
}

async function runTest(ctx: CliContext, name: string): Promise<number> {
  const row = await (await ctx.store('read')).tenants.get(name);
  if (!row) throw unknown(name);
  const conn = connectTenant(row, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger });
  try {
    const result = await testTenant(conn, ctx.signal);
    for (const line of result.lines) ctx.out.write(terminalText(redact(line, conn.secrets)) + '\n');
    if (result.error) {
      // Ingestion off although someone already asked to turn it on: said as collect says it, not "turn it on".
      const fact = (await readAuditingFacts(await ctx.store('read'), [row], ctx.clock.now())).get(row.tenantId);
      ctx.err.write(`tenantwatch: ${terminalText(redact(refusalText(result.error, fact), conn.secrets))}\n`);
    }
    return result.error ? result.error.exitCode : 0;
  } finally {
    conn.close();
  }
}
