/**
 * The Azure Monitor Logs Ingestion API (learn.microsoft.com "Logs Ingestion API in Azure Monitor"):
 * `POST /dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01` with a bearer token
 * for `https://monitor.azure.com`, a JSON array body (gzip allowed) of at most 1 MB, 204 on success,
 * 413 when larger, 429 with Retry-After when throttled, 401/403 for the token, 404 for an unknown rule
 * or stream. It comes with its own token endpoint (client credentials), shaped like Entra's, so msal-node
 * can sign in against it.
 */
import { randomBytes } from 'node:crypto';
import type { Answer } from './hec.js';

export const MONITOR_SCOPE = 'https://monitor.azure.com/.default';
export const MAX_BODY_BYTES = 1024 * 1024;

export interface LogsState {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  dcrImmutableId: string;
  stream: string;
  tokens: Set<string>;
  rows: Record<string, unknown>[];
  requests: number;
}

export function newLogsState(tenantId: string, clientId: string, clientSecret: string): LogsState {
  return {
    tenantId,
    clientId,
    clientSecret,
    dcrImmutableId: 'dcr-00000000000000000000000000000001',
    stream: 'Custom-O365Audit_CL',
    tokens: new Set(),
    rows: [],
    requests: 0,
  };
}

function error(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { error: { code, message } }, headers };
}

/** OpenID metadata msal-node reads for an authority (only the fields it uses). */
export function openidConfiguration(base: string, tenant: string): Answer {
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
      issuer: `${base}/${tenant}/v2.0`,
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'token'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    },
  };
}

export function token(state: LogsState, tenant: string, form: URLSearchParams): Answer {
  if (tenant !== state.tenantId) return error(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`);
  if (form.get('grant_type') !== 'client_credentials')
    return error(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
  if (form.get('client_id') !== state.clientId || form.get('client_secret') !== state.clientSecret)
    return {
      status: 401,
      body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
    };
  if (form.get('scope') !== MONITOR_SCOPE)
    return {
      status: 400,
      body: {
        error: 'invalid_scope',
        error_description: `AADSTS70011: The provided value for scope ${form.get('scope')} is not valid.`,
      },
    };
  const access = randomBytes(24).toString('base64url');
  state.tokens.add(access);
  return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access } };
}

export function ingest(
  state: LogsState,
  params: { dcr: string; stream: string; apiVersion: string | null; auth?: string },
  body: Buffer,
  rejectIds: ReadonlySet<string>,
): Answer {
  const bearer = /^Bearer (.+)$/.exec(params.auth ?? '')?.[1];
  if (!bearer) return error(401, 'InvalidAuthenticationToken', 'An authentication token is required.');
  if (!state.tokens.has(bearer))
    return error(403, 'InvalidAuthenticationTokenAudience', 'The access token is invalid.');
  if (params.apiVersion !== '2023-01-01')
    return error(400, 'InvalidApiVersion', 'The api-version is missing or not supported.');
  if (params.dcr !== state.dcrImmutableId)
    return error(404, 'DataCollectionRuleNotFound', `Data collection rule ${params.dcr} not found.`);
  if (params.stream !== state.stream)
    return error(404, 'InvalidStream', `Stream ${params.stream} is not declared in the rule.`);
  if (body.length > MAX_BODY_BYTES)
    return error(413, 'ContentLengthLimitExceeded', 'Maximum allowed content length: 1048576 bytes (1 MB).');
  state.requests++;
  let rows: unknown;
  try {
    rows = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'InvalidContent', 'The request body is not valid JSON.');
  }
  if (!Array.isArray(rows)) return error(400, 'InvalidContent', 'The request body must be a JSON array.');
  for (const row of rows as Record<string, unknown>[]) {
    if (typeof row.OfficeId === 'string' && rejectIds.has(row.OfficeId))
      return error(400, 'InvalidContent', `Column TimeGenerated of record ${row.OfficeId} could not be converted.`);
  }
  state.rows.push(...(rows as Record<string, unknown>[]));
  return { status: 204, body: undefined };
}
