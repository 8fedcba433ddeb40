import type { TimeRange } from '../../core/time.js';
import type { GraphDirectory } from '../../microsoft/graph-directory.js';
import type { RoleHolders, RoleHolderSource } from '../../analysis/roles/source.js';

/**
 * Role holders from Graph (microsoft/graph-directory.ts): the members of the tenant's activated
 * directory roles whose display name is asked for, now. Graph has no history, so every holder has
 * from = to = null; admin-activity refines them with the audit log's role events.
 */
export class GraphRoleSource implements RoleHolderSource {
  constructor(
    private readonly directoryFor: (tenant: string) => Promise<GraphDirectory>,
    private readonly signal?: AbortSignal,
  ) {}

  async holders(tenant: string, roles: readonly string[], _period: TimeRange): Promise<RoleHolders> {
    const directory = await this.directoryFor(tenant);
    const wanted = new Set(roles.map((r) => r.toLowerCase()));
    const holders = [];
    for (const role of await directory.roles(this.signal)) {
      if (!wanted.has(role.displayName.toLowerCase())) continue;
      for (const m of await directory.members(role.id, this.signal)) {
        if (!m.userPrincipalName) continue; // service principals and groups do not sign audit records with a UPN
        holders.push({
          userPrincipalName: m.userPrincipalName.toLowerCase(),
          userId: m.id,
          role: role.displayName,
          from: null,
          to: null,
        });
      }
    }
    return { source: 'graph', holders };
  }
}
