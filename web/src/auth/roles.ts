/**
 * What the signed-in person's role lets them do, so that the console offers only that: an action the server
 * would refuse ("needs investigator") is not shown at all. The server decides — every route declares its least
 * role (src/server/auth/types.ts) — and this is the same table as the console needs it, held to the server's
 * declarations by test/api-contract.test.ts.
 */
import type { ApiRoute, Me, Role } from '../api.js';

/** The roles from least to most (store/auth-contract.ts ROLES): each may do all that the ones before it may. */
const RANK = { viewer: 0, investigator: 1, admin: 2 } as const satisfies Record<Role, number>;

/** The least role of each route the console calls that a viewer may not call; any other needs only a sign-in. */
export const ROUTE_ROLES: Partial<Record<ApiRoute, Role>> = {
  'GET /api/search': 'investigator',
  'GET /api/search/count': 'investigator',
  'GET /api/search/timeline': 'investigator',
  'GET /api/search/counts': 'investigator',
  'GET /api/search/user-suggestions': 'investigator',
  'GET /api/records/:tenant/:id': 'investigator',
  'GET /api/export': 'investigator',
  'POST /api/reports/:id/run': 'investigator',
  'POST /api/reports/:id/export': 'investigator',
  'POST /api/audit-config/:tenant/check': 'investigator',
  'POST /api/alerts/:id/status': 'investigator',
  'POST /api/alerts/:id/snooze': 'investigator',
  'POST /api/alerts/:id/exclude': 'investigator',
  'POST /api/tenants': 'admin',
  'POST /api/tenants/:tenant/test': 'admin',
  'POST /api/audit-config/:tenant/enable': 'admin',
  'GET /api/admin/users': 'admin',
  'POST /api/admin/users': 'admin',
  'POST /api/admin/users/:name/reset': 'admin',
  'DELETE /api/admin/users/:name': 'admin',
  'GET /api/admin/tokens': 'admin',
  'POST /api/admin/tokens': 'admin',
  'DELETE /api/admin/tokens/:name': 'admin',
  'GET /api/admin/groups': 'admin',
  'PUT /api/admin/groups/:name': 'admin',
  'DELETE /api/admin/groups/:name': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/audit/export': 'admin',
  'GET /api/sinks': 'admin',
};

/** True when the person's role is enough for the route (the tenant scope is the server's to check). */
export function may(me: Me, route: ApiRoute): boolean {
  const needed = ROUTE_ROLES[route] ?? 'viewer';
  return me.role !== null && RANK[me.role] >= RANK[needed];
}
