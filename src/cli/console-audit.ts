import { userInfo } from 'node:os';
import type { Actor } from '../server/auth/accounts.js';
import { ConsoleAuditor } from '../server/auth/audit.js';
import type { AuditOutcome } from '../store/auth-contract.js';
import type { CliContext } from './context.js';

/**
 * Commands that change configuration (tenants, accounts, audit settings) write the console's audit
 * trail too, as `cli:<os user>`, so the trail shows every change whether made in the console or here.
 */
export function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { user: `cli:${name}`, via: 'cli', address: null };
}

export async function auditorFor(ctx: CliContext): Promise<ConsoleAuditor> {
  return new ConsoleAuditor(await ctx.store(), ctx.clock, ctx.logger);
}

export async function recordCli(
  ctx: CliContext,
  action: string,
  target: string,
  details: Record<string, unknown> = {},
  outcome: AuditOutcome = 'ok',
): Promise<void> {
  const actor = cliActor();
  await (
    await auditorFor(ctx)
  ).record({ actor: actor.user, via: actor.via, address: null, action, outcome, target, details });
}
