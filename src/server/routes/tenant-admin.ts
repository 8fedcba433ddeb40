import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { TenantRow } from '../../store/contract.js';
import type { ApiResponse, NewTenant, TenantRegistration } from '../api-types.js';
import { forbiddenTenant, requireEveryTenant } from '../auth/scope.js';
import type { ServerDeps, TenantAdminApi } from '../deps.js';
import { quoted } from '../../core/quote.js';

/**
 * Adding a tenant and testing its connection from the console (issue 16 item 5), for admins. The body is
 * checked here for shape (every field a string, no unknown field, one credential); its meaning (GUIDs,
 * cloud, URL, key pair) by the same code as `tenant add` (config/tenants.ts buildTenantRow). The secret
 * is never answered back: the response is the registration without its credential, and the audit trail
 * drops every field whose name looks like a secret (auth/sanitize.ts).
 */
const FIELDS: Record<keyof NewTenant, number> = {
  name: 64,
  tenantId: 64,
  clientId: 64,
  cloud: 20,
  domain: 253,
  baseUrl: 2_000,
  caFile: 1_000,
  publisherId: 64,
  clientSecret: 1_000,
  certificatePem: 20_000,
  privateKeyPem: 20_000,
};

function badInput(message: string, hint: string): AppError {
  return new AppError('BAD_INPUT', message, { hint });
}

export function parseNewTenant(body: unknown): NewTenant {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badInput('The request body must be a JSON object', 'Send {"name", "tenantId", "clientId", …} as JSON');
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    // Own keys only: "constructor" found Object.prototype's and passed as a field.
    const max = Object.hasOwn(FIELDS, key) ? FIELDS[key as keyof NewTenant] : undefined;
    if (max === undefined)
      throw badInput(`Unknown field ${quoted(key, 60)}`, `Accepted: ${Object.keys(FIELDS).join(', ')}`);
    if (value === undefined || value === null || value === '') continue;
    // The value of a secret field is never quoted back, whatever is wrong with it.
    if (typeof value !== 'string') throw badInput(`The field ${key} must be text`, 'Send every field as a string');
    if (value.length > max)
      throw badInput(`The field ${key} is longer than ${max} characters`, 'Check what was pasted');
    input[key] = key === 'clientSecret' || key.endsWith('Pem') ? value : value.trim();
  }
  for (const key of ['name', 'tenantId', 'clientId'] as const)
    if (!input[key])
      throw badInput(`The field ${key} is required`, "Copy it from the app registration's overview page");
  const certificate = Boolean(input.certificatePem || input.privateKeyPem);
  if (certificate === Boolean(input.clientSecret))
    throw badInput(
      'Give one credential: a client secret, or a certificate with its private key',
      "The app registration's Certificates & secrets page has both kinds",
    );
  if (certificate && !(input.certificatePem && input.privateKeyPem))
    throw badInput('A certificate needs its private key (and the key its certificate)', 'Paste both PEM texts');
  return input as unknown as NewTenant;
}

export function registrationOf(row: TenantRow): TenantRegistration {
  const { name, tenantId, clientId, domain, cloud, authKind, baseUrl, addedAt } = row;
  return { name, tenantId, clientId, domain, cloud, authKind, baseUrl, addedAt };
}

function adminOf(deps: ServerDeps): TenantAdminApi {
  if (!deps.tenantAdmin) {
    throw new AppError('NOT_IMPLEMENTED', 'Registering tenants is not available in this server', {
      hint: 'Start the console with tenantwatch serve, or use tenantwatch tenant add',
    });
  }
  return deps.tenantAdmin;
}

/**
 * `baseUrl` and `caFile` over the API only when the server was started to allow them (ServerDeps
 * allowTenantEndpoints). With them, an admin of every tenant named a file on the server (its CA check said
 * whether it was a readable PEM certificate) and any HTTPS host (the connection test quoted what it answered):
 * a probe of the server's files and of the hosts it reaches. The emulator and a proxy are the operator's
 * business: `tenant add --base-url --ca-file` on the server, or serve with the flag.
 */
export function refuseEndpoints(input: NewTenant, allowed: boolean): void {
  const named = (['baseUrl', 'caFile'] as const).filter((k) => input[k] !== undefined);
  if (allowed || named.length === 0) return;
  const why = { baseUrl: 'a base URL reaches any host from the server', caFile: 'a CA file is read on the server' };
  throw new AppError(
    'FORBIDDEN',
    `This server takes no ${named.join(' or ')} for a tenant over the API (${named.map((k) => why[k]).join('; ')})`,
    {
      hint: `Leave ${named.length === 1 ? 'it' : 'them'} out to use Microsoft's own endpoints; to point a tenant at an emulator or proxy, run tenantwatch tenant add … --base-url URL --ca-file FILE on the server, or start tenantwatch serve --allow-tenant-endpoints`,
    },
  );
}

export function registerTenantAdminRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post(
    '/api/tenants',
    { config: { role: 'admin', audit: 'tenant.add' } },
    async (request): Promise<ApiResponse<'POST /api/tenants'>> => {
      requireEveryTenant(request.scope, 'Registering a tenant');
      const input = parseNewTenant(request.body);
      refuseEndpoints(input, deps.allowTenantEndpoints === true);
      return { tenant: registrationOf(await adminOf(deps).add(input)) };
    },
  );

  app.post<{ Params: { tenant: string } }>(
    '/api/tenants/:tenant/test',
    { config: { role: 'admin', audit: 'tenant.test' } },
    async (request): Promise<ApiResponse<'POST /api/tenants/:tenant/test'>> => {
      const { tenant } = request.params;
      if (!request.scope.allows(tenant)) throw forbiddenTenant(tenant);
      const row = await deps.store.tenants.get(tenant);
      if (!row)
        throw new AppError('UNKNOWN_TENANT', `No tenant is named ${quoted(tenant, 100)}`, {
          hint: 'GET /api/tenants lists the registered tenants',
        });
      const result = await adminOf(deps).test(row);
      request.auditNote = { result: result.ok ? 'ok' : (result.error?.code ?? 'failed') };
      return { tenant: row.name, ...result };
    },
  );
}
