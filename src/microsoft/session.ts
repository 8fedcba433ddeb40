import { BearerClient } from '../net/bearer.js';
import type { ApiResource, TenantConnection } from './types.js';

/**
 * The one way a Microsoft client gets an authorized HTTP client: for one API of one tenant, bound to
 * that API's host in the tenant's cloud (or the tenant's base URL). Every URL the client is handed — a
 * next link, a content URI — is checked against that host before the token is attached (net/bearer).
 */
const SERVICE: Record<ApiResource, string> = {
  management: 'the Management Activity API',
  graph: 'Microsoft Graph',
  exchange: 'the Exchange Online admin API',
};

export function bearerFor(conn: TenantConnection, resource: ApiResource): BearerClient {
  return new BearerClient({
    http: conn.http,
    base: conn.endpoints[resource],
    service: `${SERVICE[resource]} of tenant ${conn.tenantId}`,
    token: (o) => conn.tokens.token(resource, o),
  });
}
