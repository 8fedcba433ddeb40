/**
 * Role holders: who held a privileged role in a tenant, and when — the answer admin-activity reports on
 * and detections will scope rules with. Two sources (./source.ts) are combined here.
 */
import { toAppError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { TimeRange } from '../../core/time.js';
import type { Store } from '../../store/contract.js';
import { AuditLogRoleSource } from './audit-log.js';
import { mergeGraphWithLog } from './merge.js';
import type { RoleHolder, RoleHolderSource, RoleSourceName } from './source.js';

/** What resolveRoleHolders needs; a report passes its ReportDeps. */
export interface RoleHolderDeps {
  /** The audit log's own role-membership events are read from here. */
  store: Pick<Store, 'records'>;
  /** Microsoft Graph's view (the truth now) when wired; absent → the audit log alone. */
  roleSource?: RoleHolderSource;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Graph when a role source is wired and answers (refined with the log's spans, so holders added or
 * removed during the period are placed in time); the audit log's own role events otherwise. When
 * Graph was asked and could not answer (permission missing, tenant not registered…), `note` says
 * why, for the summary: the log-only answer misses holders whose membership never changed in it.
 */
export async function resolveRoleHolders(
  tenant: string,
  roles: string[],
  period: TimeRange,
  deps: RoleHolderDeps,
  /** How the note names the tenant (its registered name); its key when it has none. */
  name = tenant,
): Promise<{ source: RoleSourceName; holders: RoleHolder[]; note?: string }> {
  const log = await new AuditLogRoleSource(deps.store, deps.signal).holders(tenant, roles, period);
  if (!deps.roleSource) return log;
  try {
    const graph = await deps.roleSource.holders(tenant, roles, period);
    if (graph.source === 'audit-log') return log;
    return { source: graph.source, holders: mergeGraphWithLog(graph.holders, log.holders) };
  } catch (e) {
    const error = toAppError(e);
    // info, not warn: the note below is the warning (the CLI prints it, the summary and console show it);
    // a warn line would say "Graph not used" a second time on the CLI's stderr.
    deps.logger?.info(
      { tenant, code: error.code, err: error.message },
      'role holders from Graph unavailable; using the audit log',
    );
    return {
      ...log,
      note:
        `tenant ${name}: Graph not used (${error.code}: ${error.message}); role holders from the audit log's role ` +
        `events, which miss a holder whose role did not change in what is stored. ` +
        (error.hint ?? `\`tenantwatch tenant check ${name}\` tests the tenant's connection and permissions`),
    };
  }
}
