import { AppError } from '../core/errors.js';
import { connectTenant, type LiveConnection } from '../config/tenants.js';
import type { TenantRow } from '../store/contract.js';
import type { CliContext } from './context.js';

/**
 * The tenants a command was asked about: the names or GUIDs given, or every registered tenant with
 * `--all` (or when none is named). An unknown name fails before anything runs, listing the known ones.
 */
export async function selectTenants(ctx: CliContext, names: readonly string[], all = false): Promise<TenantRow[]> {
  const store = await ctx.store();
  const registered = await store.tenants.list();
  if (all || names.length === 0) {
    if (!registered.length) {
      throw new AppError('UNKNOWN_TENANT', 'No tenant is registered yet', {
        hint: 'Register one with tenantwatch tenant add NAME --tenant-id GUID --client-id GUID … (or tenant add-emulated URL)',
      });
    }
    return registered;
  }
  const rows: TenantRow[] = [];
  for (const name of names) {
    const row = await store.tenants.get(name);
    if (!row) {
      const known = registered.map((r) => r.name).join(', ') || 'none';
      throw new AppError('UNKNOWN_TENANT', `No registered tenant is called "${name}"`, { hint: `Registered tenants: ${known}. See tenantwatch tenant list` });
    }
    if (!rows.some((r) => r.tenantId === row.tenantId)) rows.push(row);
  }
  return rows;
}

/** A live connection for a registered tenant, closed when the command ends. */
export function openConnection(ctx: CliContext, row: TenantRow, opened: LiveConnection[]): LiveConnection {
  const connection = connectTenant(row, { keyFile: ctx.locations.secretKeyFile, clock: ctx.clock, logger: ctx.logger });
  opened.push(connection);
  return connection;
}
