import { createInterface } from 'node:readline/promises';
import { AppError } from '../../core/errors.js';
import { CONTENT_TYPES } from '../../core/record.js';
import { historyLeaseKey } from '../../collector/history-lease.js';
import { ownerText } from '../../runtime/lease-owner.js';
import { resolveTenantKeys, storedKeys } from '../../search/tenants.js';
import { isGuid } from '../../core/guid.js';
import type { Store } from '../../store/contract.js';
import type { CliContext } from '../context.js';
import { recordCli } from '../console-audit.js';
import { countOf } from '../output.js';

/**
 * `tenant remove NAME [--purge] [--yes]`. Without --purge the tenant is forgotten and its records stay
 * (searchable under its GUID). With --purge its records and its collection ledger are deleted too, after
 * the count is shown and confirmed: a person types the tenant's name; a script passes --yes; without a
 * terminal to ask on and without --yes nothing is deleted, and the message says why.
 */
export interface RemoveFlags {
  purge?: boolean;
  yes?: boolean;
}

/** stdin, as far as the confirmation needs it (a test or a pipe has no terminal). */
export interface Answerer {
  isTTY?: boolean;
  ask(question: string): Promise<string>;
}

export async function removeTenant(ctx: CliContext, name: string, flags: RemoveFlags, stdin = terminal(ctx)) {
  const store = await ctx.store();
  const row = await store.tenants.get(name);
  if (!flags.purge) {
    if (!row || !(await store.tenants.remove(name))) throw unknownTenant(name);
    await recordCli(ctx, 'tenant.remove', name);
    const kept = await countRecords(store, [row.tenantId]);
    ctx.out.write(
      `removed ${row.name}` +
        (kept > 0
          ? ` (its ${countOf(kept, 'record')} ${kept === 1 ? 'stays' : 'stay'}, under ${row.tenantId}; tenant remove ${row.tenantId} --purge deletes ${kept === 1 ? 'it' : 'them'})\n`
          : '\n'),
    );
    return;
  }
  // A registered tenant by name or GUID, or the key of records whose tenant was removed or never
  // registered (an import label): the same resolution search uses, so a typo is refused by name. A GUID's records
  // go under every spelling stored (an earlier version kept the case a file wrote it in: ADR 0039).
  const keys = await purgedKeys(store, row?.tenantId ?? null, name);
  const key = keys[0]!;
  const label = row ? `${row.name} (${row.tenantId})` : keys.join(' and ');
  for (const k of keys) await refuseWhileCollecting(ctx, store, k, label);
  const count = await countRecords(store, keys);
  const what = `${countOf(count, 'record')} of ${label}, its alerts and its collection ledger`;
  if (!flags.yes) {
    if (!stdin.isTTY)
      throw new AppError(
        'USAGE',
        `tenant remove --purge would delete ${what}, and there is no terminal to confirm on`,
        {
          hint: 'Nothing was deleted. Run it in a terminal to be asked, or add --yes to confirm in a script',
        },
      );
    const expected = row?.name ?? key;
    const answer = await stdin.ask(
      `This deletes ${what}. It cannot be undone.\nType ${expected} to confirm (anything else cancels): `,
    );
    if (answer.trim().toLowerCase() !== expected.toLowerCase())
      throw new AppError('CANCELLED', `Nothing was deleted: the answer was not "${expected}"`);
  }
  let purged = 0;
  let alerts = 0;
  const ledger = { windows: 0, blobs: 0, checkpoints: 0 };
  for (const k of keys) {
    purged += await store.records.purgeTenant(k, { signal: ctx.signal });
    const forgotten = await store.ledger.forgetTenant(k);
    ledger.windows += forgotten.windows;
    ledger.blobs += forgotten.blobs;
    ledger.checkpoints += forgotten.checkpoints;
    // Its alerts point at the records just deleted: they go too (exclusions and snoozes people wrote stay).
    alerts += await store.alerts.forgetTenant(k);
  }
  if (row) await store.tenants.remove(row.tenantId);
  await recordCli(ctx, 'tenant.purge', row?.name ?? key, { tenant: key, records: purged, alerts, ...ledger });
  ctx.out.write(
    `${row ? `removed ${row.name} and ` : ''}deleted ${countOf(purged, 'record')}` +
      ` of ${label}${purged === 0 ? ' (none were stored)' : ''}, ${countOf(alerts, 'alert')},` +
      ` ${countOf(ledger.windows, 'ledger window')} and ${countOf(ledger.blobs, 'blob row')}\n`,
  );
}

async function countRecords(store: Store, keys: string[]): Promise<number> {
  return store.records.count({ range: { start: 0, end: Number.MAX_SAFE_INTEGER }, tenants: keys });
}

/**
 * The keys a purge deletes: a registered tenant's GUID and every spelling of it stored; else what search resolves
 * the name to, all of it for a GUID, the first key for an import label (labels alike but for case are kept apart).
 */
async function purgedKeys(store: Store, registered: string | null, name: string): Promise<string[]> {
  if (registered) return [...new Set([registered, ...(await storedKeys(store, registered))])];
  const resolved = await resolveTenantKeys(store, [name]);
  return isGuid(name) ? resolved : resolved.slice(0, 1);
}

/**
 * A collector still holding one of the tenant's streams, or its history (`collect --history`), would write its
 * records and ledger again behind the purge.
 */
async function refuseWhileCollecting(ctx: CliContext, store: Store, key: string, label: string): Promise<void> {
  const now = ctx.clock.now();
  const leases = [
    ...CONTENT_TYPES.map((ct) => ({ key: `collect/${key}/${ct}`, what: label })),
    { key: historyLeaseKey(key), what: `the history of ${label}` },
  ];
  for (const lease of leases) {
    const holder = await store.ledger.leaseHolder(lease.key);
    if (holder && holder.until > now)
      throw new AppError('CONFLICT', `A collector (${ownerText(holder.owner)}) is collecting ${lease.what} right now`, {
        hint: 'Stop that collect or serve first, then purge; nothing was deleted',
      });
  }
}

export function unknownTenant(name: string): AppError {
  return new AppError('UNKNOWN_TENANT', `No tenant "${name}" is registered`, { hint: 'See tenantwatch tenant list' });
}

function terminal(ctx: CliContext): Answerer {
  return {
    isTTY: process.stdin.isTTY === true,
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: ctx.err });
      try {
        return await rl.question(question, { signal: ctx.signal });
      } finally {
        rl.close();
      }
    },
  };
}
