import { AppError } from '../core/errors.js';
import { connectTenant, type LiveConnection } from '../config/tenants.js';
import { GraphDirectory } from '../microsoft/graph-directory.js';
import { GraphRoleSource } from '../reports/roles/graph.js';
import type { ReportDeps } from '../reports/types.js';
import type { Store, TenantRow } from '../store/contract.js';
import { reopenableUrl } from '../store/open.js';
import type { CliContext } from './context.js';

/** How to register a tenant, as said wherever there is none. */
export const ADD_TENANT =
  'tenantwatch tenant add NAME --tenant-id GUID --client-id GUID … (or tenant add-emulated URL)';

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
        hint: `Register one with ${ADD_TENANT}`,
      });
    }
    return registered;
  }
  const rows: TenantRow[] = [];
  for (const name of names) {
    const row = await store.tenants.get(name);
    if (!row) {
      const known = registered.map((r) => r.name).join(', ') || 'none';
      throw new AppError('UNKNOWN_TENANT', `No registered tenant is called "${name}"`, {
        hint: `Registered tenants: ${known}. See tenantwatch tenant list`,
      });
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

/**
 * Role holders from Microsoft Graph for registered tenants (admin-activity), connected only when the
 * report asks; each connection opened is pushed on `opened` for the caller to close. A tenant that is not
 * registered (records imported under a label) has no app to ask with: that is an error the report turns
 * into "audit log used, and why", as it does for a Graph refusal. Used by `report` and by the console.
 */
export function graphRoleSource(ctx: CliContext, store: Store, opened: LiveConnection[]): GraphRoleSource {
  return new GraphRoleSource(async (tenant) => {
    const row = await store.tenants.get(tenant);
    if (!row) {
      throw new AppError(
        'UNKNOWN_TENANT',
        `tenant ${tenant} is not registered, so Graph cannot be asked who holds the roles`,
        {
          hint: 'Register it with tenantwatch tenant add (with RoleManagement.Read.Directory granted) to use Graph',
        },
      );
    }
    return new GraphDirectory(openConnection(ctx, row, opened));
  }, ctx.signal);
}

/**
 * What a report runs with from the CLI and the console alike: Graph for role holders (connections pushed on
 * `opened` for the caller to close) and the database reopenable from a second thread for large reads.
 */
export function reportDeps(ctx: CliContext, store: Store, opened: LiveConnection[]): ReportDeps {
  return {
    store,
    clock: ctx.clock,
    logger: ctx.logger,
    signal: ctx.signal,
    roleSource: graphRoleSource(ctx, store, opened),
    split: { location: reopenableUrl(ctx.locations.dbUrl) },
  };
}
