import { AppError } from '../core/errors.js';
import type { BearerClient } from '../net/bearer.js';
import { bearerFor } from './session.js';
import type { TenantConnection } from './types.js';

/**
 * Microsoft Graph directory roles, for "who holds Global Administrator now" (reports' admin-activity).
 * GET /v1.0/directoryRoles lists the ACTIVATED roles of the tenant (a role nobody was ever assigned
 * is absent); GET /v1.0/directoryRoles/{id}/members lists its members, paged by @odata.nextLink.
 * Application permission: RoleManagement.Read.Directory (least privilege) or Directory.Read.All.
 * Graph gives the present only: no history of who held a role when.
 */
export interface DirectoryRole {
  id: string;
  displayName: string;
  roleTemplateId: string | null;
}

export interface DirectoryRoleMember {
  id: string;
  /** '#microsoft.graph.user', '#microsoft.graph.servicePrincipal', '#microsoft.graph.group' … */
  type: string;
  userPrincipalName: string | null;
  displayName: string | null;
}

const MAX_PAGES = 1000;

export class GraphDirectory {
  private readonly bearer: BearerClient;

  constructor(private readonly conn: TenantConnection) {
    this.bearer = bearerFor(conn, 'graph');
  }

  async roles(signal?: AbortSignal): Promise<DirectoryRole[]> {
    const items = await this.pages(`${this.conn.endpoints.graph}/v1.0/directoryRoles`, signal);
    return items.map((r) => ({
      id: str(r.id),
      displayName: str(r.displayName),
      roleTemplateId: typeof r.roleTemplateId === 'string' ? r.roleTemplateId : null,
    }));
  }

  async members(roleId: string, signal?: AbortSignal): Promise<DirectoryRoleMember[]> {
    const items = await this.pages(
      `${this.conn.endpoints.graph}/v1.0/directoryRoles/${encodeURIComponent(roleId)}/members`,
      signal,
    );
    return items.map((m) => ({
      id: str(m.id),
      type: str(m['@odata.type']),
      userPrincipalName: typeof m.userPrincipalName === 'string' ? m.userPrincipalName : null,
      displayName: typeof m.displayName === 'string' ? m.displayName : null,
    }));
  }

  /** Follows @odata.nextLink; one on another host, port or scheme is refused by the bearer client (REFUSED_URL). */
  private async pages(first: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let url: string | undefined = first;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const body = await this.get(url, signal);
      const value = Array.isArray(body.value) ? (body.value as Record<string, unknown>[]) : [];
      out.push(...value);
      url = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
    }
    return out;
  }

  private async get(url: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.bearer.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      ...(signal ? { signal } : {}),
      timeoutMs: 60_000,
    });
    if (res.status === 200) {
      const body = await res.json();
      if (body && typeof body === 'object') return body as Record<string, unknown>;
      throw new AppError('UPSTREAM', 'Graph answered directoryRoles with a body that is not a JSON object', {
        hint: 'Retry later',
      });
    }
    throw await graphError(res.status, await res.text().catch(() => ''), this.conn.tenantId);
  }
}

async function graphError(status: number, body: string, tenant: string): Promise<AppError> {
  let code = '';
  try {
    code = String((JSON.parse(body) as { error?: { code?: string } }).error?.code ?? '');
  } catch {
    // not JSON: the status alone says enough
  }
  const details = { tenant, status, graphCode: code };
  if (status === 401)
    return new AppError('AUTH_FAILED', `Graph refused the token for tenant ${tenant} (${code || 401})`, {
      hint: "Check the app registration's credentials with tenantwatch tenant test",
      details,
    });
  if (status === 403) {
    return new AppError(
      'PERMISSION_MISSING',
      `The app may not read directory roles in tenant ${tenant} (${code || 403})`,
      {
        hint: "Grant the application permission RoleManagement.Read.Directory (or Directory.Read.All) and admin consent; until then reports use the audit log's role events",
        details,
      },
    );
  }
  if (status === 429 || status === 503)
    return new AppError('THROTTLED', `Graph throttled directory role reads for tenant ${tenant}`, {
      hint: 'Run the report again in a minute',
      details,
    });
  return new AppError('UPSTREAM', `Graph answered ${status} to a directory role read for tenant ${tenant}`, {
    hint: 'Retry later; if it persists check the service health',
    details,
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
