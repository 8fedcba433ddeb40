import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { AppError } from '../src/core/errors.js';
import { GraphDirectory } from '../src/microsoft/graph-directory.js';
import { endpointsFor, type TenantConnection } from '../src/microsoft/types.js';
import type { HttpRequest } from '../src/net/types.js';
import { GraphRoleSource } from '../src/reports/roles/graph.js';

const BASE = 'https://127.0.0.1:9443';

function connection(
  routes: Record<string, { status: number; body: unknown }>,
  seen: HttpRequest[] = [],
): TenantConnection {
  return {
    tenantId: 't1',
    endpoints: endpointsFor('commercial', BASE),
    tokens: { token: async () => 'tok' },
    publisherId: null,
    http: {
      request: async (req) => {
        seen.push(req);
        const route = routes[req.url] ?? { status: 404, body: { error: { code: 'Request_ResourceNotFound' } } };
        const text = JSON.stringify(route.body);
        return {
          status: route.status,
          headers: {},
          body: Readable.from([text]),
          text: async () => text,
          json: async () => JSON.parse(text),
        };
      },
    },
  };
}

test('Graph role source: members of the asked roles, across pages, users only, with the bearer token', async () => {
  const seen: HttpRequest[] = [];
  const conn = connection(
    {
      [`${BASE}/v1.0/directoryRoles`]: {
        status: 200,
        body: {
          value: [
            { id: 'r1', displayName: 'Global Administrator' },
            { id: 'r2', displayName: 'Helpdesk Administrator' },
          ],
        },
      },
      [`${BASE}/v1.0/directoryRoles/r1/members`]: {
        status: 200,
        body: {
          value: [{ '@odata.type': '#microsoft.graph.user', id: 'u1', userPrincipalName: 'Admin@Contoso.com' }],
          '@odata.nextLink': `${BASE}/v1.0/directoryRoles/r1/members?$skiptoken=2`,
        },
      },
      [`${BASE}/v1.0/directoryRoles/r1/members?$skiptoken=2`]: {
        status: 200,
        body: {
          value: [
            { '@odata.type': '#microsoft.graph.servicePrincipal', id: 'sp1', displayName: 'App' },
            { '@odata.type': '#microsoft.graph.user', id: 'u2', userPrincipalName: 'b@contoso.com' },
          ],
        },
      },
    },
    seen,
  );
  const source = new GraphRoleSource(async () => new GraphDirectory(conn));
  const result = await source.holders('t1', ['global administrator'], { start: 0, end: 1 });
  assert.equal(result.source, 'graph');
  assert.deepEqual(
    result.holders.map((h) => h.userPrincipalName),
    ['admin@contoso.com', 'b@contoso.com'],
  );
  assert.ok(seen.every((r) => r.headers?.authorization === 'Bearer tok'));
  assert.ok(!seen.some((r) => r.url.includes('/r2/')), 'roles not asked for are not read');
});

test('Graph 403 is PERMISSION_MISSING naming RoleManagement.Read.Directory', async () => {
  const conn = connection({
    [`${BASE}/v1.0/directoryRoles`]: {
      status: 403,
      body: {
        error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
      },
    },
  });
  await assert.rejects(
    new GraphDirectory(conn).roles(),
    (e: AppError) => e.code === 'PERMISSION_MISSING' && /RoleManagement\.Read\.Directory/.test(e.hint ?? ''),
  );
});

test('a next page on another host is refused (the token would go with it)', async () => {
  const conn = connection({
    [`${BASE}/v1.0/directoryRoles`]: {
      status: 200,
      body: { value: [], '@odata.nextLink': 'https://evil.example/v1.0/directoryRoles?page=2' },
    },
  });
  await assert.rejects(new GraphDirectory(conn).roles(), (e: AppError) => e.code === 'REFUSED_URL');
});
