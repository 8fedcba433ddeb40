import { randomUUID } from 'node:crypto';
import { json, type Reply } from '../http.js';

/**
 * Entra ID error bodies exactly as spec §1.6 describes them: `error`, an `error_description` that starts
 * with "AADSTSnnnn: " and ends with the Trace ID / Correlation ID / Timestamp lines, `error_codes`,
 * `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
 */
export interface AadError {
  code: number;
  error: string;
  status: number;
  text: string;
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function aadError(e: AadError, nowMs: number, correlationId?: string): Reply {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = stamp(nowMs);
  return json(e.status, {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
  });
}

export const AAD = {
  invalidSecret: (appId: string): AadError => ({
    code: 7000215,
    error: 'invalid_client',
    status: 401,
    text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
  }),
  unknownApp: (appId: string, tenant: string): AadError => ({
    code: 700016,
    error: 'unauthorized_client',
    status: 400,
    text: `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  unknownTenant: (tenant: string): AadError => ({
    code: 90002,
    error: 'invalid_tenant',
    status: 400,
    text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  badTenantName: (tenant: string): AadError => ({
    code: 900023,
    error: 'invalid_request',
    status: 400,
    text: `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
  }),
  invalidScope: (scope: string): AadError => ({
    code: 70011,
    error: 'invalid_scope',
    status: 400,
    text: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  scopeNoDefault: (scope: string): AadError => ({
    code: 1002012,
    error: 'invalid_scope',
    status: 400,
    text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  missingParameter: (name: string): AadError => ({
    code: 900144,
    error: 'invalid_request',
    status: 400,
    text: `The request body must contain the following parameter: '${name}'.`,
  }),
  noCredential: (): AadError => ({
    code: 7000218,
    error: 'invalid_client',
    status: 401,
    text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  unsupportedGrant: (grant: string): AadError => ({
    code: 70003,
    error: 'unsupported_grant_type',
    status: 400,
    text: `The app requested an unsupported grant type '${grant}'.`,
  }),
  assertionTime: (now: number, nbf: number, exp: number): AadError => ({
    code: 700024,
    error: 'invalid_client',
    status: 401,
    text: `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, assertion valid from ${new Date(nbf * 1000).toISOString()}, expiry time of assertion ${new Date(exp * 1000).toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
  }),
  badAssertion: (why: string): AadError => ({
    code: 700027,
    error: 'invalid_client',
    status: 401,
    text: `Client assertion failed signature validation. [Reason - ${why}]`,
  }),
  unknownResource: (resource: string, tenant: string): AadError => ({
    code: 500011,
    error: 'invalid_resource',
    status: 400,
    text: `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  }),
};
