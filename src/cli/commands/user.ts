import { Option, type Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { parseLimit } from '../../core/limits.js';
import { Accounts } from '../../server/auth/accounts.js';
import { auditorFor, cliActor } from '../console-audit.js';
import { ALL_TENANTS, ROLES } from '../../store/auth-contract.js';
import type { CliContext } from '../context.js';
import { formatOption, noteIfEmpty, parseFormat, writeListing } from '../output.js';
import type { Runner } from '../run.js';

/**
 * `tenantwatch user add|list|remove|reset` and `tenantwatch token add|list|revoke`: the console's
 * accounts and API tokens (server/auth/accounts.ts). A password is read from an environment variable
 * named by --password-env, never from the command line (it would sit in shell history and `ps`); a
 * token is printed once, on stdout, and only its hash is kept.
 */
export async function accountsFor(ctx: CliContext): Promise<Accounts> {
  return new Accounts(await ctx.store(), ctx.clock, await auditorFor(ctx));
}

function passwordFrom(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (!value) {
    throw new AppError('SECRET_MISSING', `The environment variable ${variable} is not set`, {
      hint: `Set ${variable} to the password, e.g. read -s ${variable} && export ${variable}`,
    });
  }
  return value;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const roleOption = () => new Option('--role <role>', 'what the user may do').choices([...ROLES]);

interface UserFlags {
  role?: string;
  tenant?: string[];
  group?: string[];
  passwordEnv?: string;
  oidc?: string;
}

/** null stays null: json says an absent time as it says an absent externalId (a table leaves both blank). */
const when = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().slice(0, 16) + 'Z');

/** What an account may see, as `user add|reset` report it. */
function scopeText(view: { tenants: readonly string[]; groups: readonly string[] }): string {
  const tenants = view.tenants.includes(ALL_TENANTS) ? 'every tenant' : `tenants: ${view.tenants.join(', ') || 'none'}`;
  return view.groups.length ? `${tenants}; groups: ${view.groups.join(', ')}` : tenants;
}

export function register(program: Command, run: Runner): void {
  const user = program.command('user').description("the console's accounts (sign-in, role, tenants)");
  user
    .command('add')
    .argument('<name>', 'user name (what the person types to sign in)')
    .addOption(roleOption().makeOptionMandatory())
    .option('--tenant <tenant>', 'a tenant this user may see; repeat; default every tenant (with no --group)', collect)
    .option(
      '--group <group>',
      "a tenant group this user may see; repeat; with no --tenant, only the groups' tenants",
      collect,
    )
    .option('--password-env <var>', 'environment variable holding the password (at least 12 characters)')
    .option(
      '--oidc <id>',
      "link to an OpenID Connect account: ISSUER|CLAIM-VALUE (its first sign-in pins it to the issuer's subject)",
    )
    .description('add a user')
    .action(
      run(async (ctx: CliContext, name: string, flags: UserFlags) => {
        const password = passwordFrom(flags.passwordEnv);
        const view = await (
          await accountsFor(ctx)
        ).addUser(cliActor(), {
          name,
          role: flags.role ?? '',
          tenants: flags.tenant ?? [],
          groups: flags.group ?? [],
          ...(password ? { password } : {}),
          ...(flags.oidc ? { externalId: flags.oidc } : {}),
        });
        ctx.out.write(`added ${view.name} (${view.role}; ${scopeText(view)})\n`);
      }),
    );
  user
    .command('list')
    .description('the users (never a password)')
    .addOption(formatOption())
    .action(
      run(async (ctx: CliContext, flags: { format: string }) => {
        const rows = (await (await accountsFor(ctx)).listUsers()).map((u) => ({
          ...u,
          tenants: u.tenants.join(' '),
          groups: u.groups.join(' '),
          lockedUntil: when(u.lockedUntil),
          created: when(u.createdAt),
        }));
        const columns = ['name', 'role', 'tenants', 'groups', 'hasPassword', 'externalId', 'lockedUntil', 'created'];
        const format = parseFormat(flags.format);
        await writeListing(
          format,
          columns.map((key) => ({ key, title: key })),
          rows,
          ctx.out,
          { name: 'users', noun: 'user' },
        );
        noteIfEmpty(
          ctx.err,
          format,
          rows.length,
          'no user yet: on loopback the console serves one person without sign-in; add one with tenantwatch user add NAME --role admin --password-env VAR',
        );
      }),
    );
  user
    .command('remove')
    .argument('<name>', 'user name')
    .description('remove a user, their sessions and their tokens')
    .action(
      run(async (ctx: CliContext, name: string) => {
        await (await accountsFor(ctx)).removeUser(cliActor(), name);
        ctx.out.write(`removed ${name}\n`);
      }),
    );
  user
    .command('reset')
    .argument('<name>', 'user name')
    .addOption(roleOption())
    .option('--tenant <tenant>', 'replace the tenants; repeat', collect)
    .option(
      '--group <group>',
      'replace the tenant groups; repeat (a user of every tenant is narrowed to the groups)',
      collect,
    )
    .option('--password-env <var>', 'environment variable holding the new password')
    .description('unlock a user, end their sessions, and change what is given (API tokens stay valid)')
    .action(
      run(async (ctx: CliContext, name: string, flags: UserFlags) => {
        const password = passwordFrom(flags.passwordEnv);
        const accounts = await accountsFor(ctx);
        const view = await accounts.resetUser(cliActor(), name, {
          ...(password ? { password } : {}),
          ...(flags.role ? { role: flags.role } : {}),
          ...(flags.tenant ? { tenants: flags.tenant } : {}),
          ...(flags.group ? { groups: flags.group } : {}),
        });
        ctx.out.write(`reset ${view.name} (${view.role}; ${scopeText(view)}); sessions ended\n`);
        // A reset after a suspected compromise ends sessions; tokens are separate credentials (automation would
        // break silently were they revoked here), so the ones that still work are named.
        const now = Date.now();
        const live = (await accounts.listTokens(view.name)).filter(
          (t) => t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now),
        );
        if (live.length)
          ctx.err.write(
            `tenantwatch: ${view.name}'s API ${live.length === 1 ? 'token' : 'tokens'} ${live.map((t) => t.name).join(', ')} ${live.length === 1 ? 'stays' : 'stay'} valid (a reset does not revoke tokens); revoke with tenantwatch token revoke NAME\n`,
          );
      }),
    );
  registerTokens(program, run);
}

/**
 * --expires-days as whole days from 1 to 3650 (what Accounts takes), read here so the message quotes what was
 * typed: "--expires-days abc" said "A token lives 1 to 3650 days, not NaN", and 1.5 made a 36-hour token.
 */
function expiresDays(text: string): number {
  return parseLimit(text, {
    what: '--expires-days',
    hint: 'Give whole days, e.g. --expires-days 90 for a token that lives 90 days',
    max: 3650,
  });
}

function registerTokens(program: Command, run: Runner): void {
  const token = program.command('token').description('API tokens for automation (Authorization: Bearer TOKEN)');
  token
    .command('add')
    .argument('<name>', 'token name')
    .requiredOption('--user <name>', 'the user the token acts as')
    .addOption(roleOption().default(undefined, "the user's role"))
    .option('--tenant <tenant>', "narrow to this tenant (within the user's); repeat", collect)
    .option('--expires-days <n>', 'days until it expires', '90')
    .description('create a token and print it once')
    .action(
      run(async (ctx: CliContext, name: string, flags: UserFlags & { user: string; expiresDays: string }) => {
        const { token: secret, view } = await (
          await accountsFor(ctx)
        ).addToken(cliActor(), {
          name,
          user: flags.user,
          tenants: flags.tenant ?? [],
          expiresInDays: expiresDays(flags.expiresDays),
          ...(flags.role ? { role: flags.role } : {}),
        });
        ctx.out.write(`${secret}\n`);
        ctx.err.write(
          `tenantwatch: token ${view.name} for ${view.user}, expires ${when(view.expiresAt) ?? 'never'}; it is shown only now, store it safely\n`,
        );
      }),
    );
  token
    .command('list')
    .description('the tokens (never the secret)')
    .addOption(formatOption())
    .action(
      run(async (ctx: CliContext, flags: { format: string }) => {
        const rows = (await (await accountsFor(ctx)).listTokens()).map((t) => ({
          ...t,
          role: t.role ?? '(user)',
          tenants: t.tenants.includes(ALL_TENANTS) ? '(user)' : t.tenants.join(' '),
          expires: when(t.expiresAt),
          revoked: when(t.revokedAt),
          lastUsed: when(t.lastUsedAt),
        }));
        const columns = ['name', 'user', 'role', 'tenants', 'expires', 'revoked', 'lastUsed'];
        const format = parseFormat(flags.format);
        await writeListing(
          format,
          columns.map((key) => ({ key, title: key })),
          rows,
          ctx.out,
          { name: 'tokens', noun: 'token' },
        );
        noteIfEmpty(ctx.err, format, rows.length, 'no token yet: make one with tenantwatch token add NAME --user USER');
      }),
    );
  token
    .command('revoke')
    .argument('<name>', 'token name (tenantwatch token list)')
    .description('revoke a token at once')
    .action(
      run(async (ctx: CliContext, name: string) => {
        await (await accountsFor(ctx)).revokeToken(cliActor(), name);
        ctx.out.write(`revoked ${name}\n`);
      }),
    );
}
