import { createPublicKey } from 'node:crypto';
import { json, header, type EmuRequest, type Reply, type Route } from '../http.js';
import { GUID_RE, stableGuid } from '../util/rand.js';
import type { World } from '../world.js';
import { checkAssertion } from './assertion.js';
import { AAD, aadError } from './errors.js';
import { signJwt } from './jwt.js';
import { redeemCode } from './signin.js';
import { API_ROLES, apiOfResource } from './resources.js';

/**
 * The Entra ID token service (spec §1, behaviours 1–8): v2 and v1 client-credentials token endpoints
 * with a client secret or a certificate assertion, the openid-configuration msal-node reads, and a JWKS.
 * Unknown form fields and headers (msal adds several) are ignored.
 */
const DNS_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i;
const LOGIN_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
];

function form(req: EmuRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

/** client_id/client_secret from the form, or from HTTP Basic auth (RFC 6749 §2.3.1). */
function clientCredentials(req: EmuRequest, f: URLSearchParams): { clientId: string | null; secret: string | null } {
  const auth = header(req, 'authorization');
  if (auth && /^basic /i.test(auth)) {
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return { clientId: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { clientId: f.get('client_id'), secret: f.get('client_secret') };
}

/** The resource the request asks for: v2 `scope` (must end /.default) or v1 `resource`. */
function requestedResource(
  f: URLSearchParams,
  v1: boolean,
): { resource: string } | { error: ReturnType<typeof AAD.invalidScope> } {
  if (v1) {
    const resource = f.get('resource');
    return resource ? { resource } : { error: AAD.missingParameter('resource') };
  }
  const scope = f.get('scope');
  if (!scope) return { error: AAD.missingParameter('scope') };
  const scopes = scope
    .trim()
    .split(/\s+/)
    .filter((s) => s !== 'openid' && s !== 'profile' && s !== 'offline_access');
  if (scopes.length !== 1) return { error: AAD.invalidScope(scope) };
  if (!scopes[0]!.endsWith('/.default')) return { error: AAD.scopeNoDefault(scope) };
  return { resource: scopes[0]!.slice(0, -'/.default'.length) };
}

function tokenHandler(world: World, v1: boolean) {
  return (req: EmuRequest): Reply => {
    const now = world.shownNow();
    const correlation = header(req, 'client-request-id');
    const fail = (e: Parameters<typeof aadError>[0]): Reply => aadError(e, now, correlation);
    const tenantKey = req.params.tenant!;
    if (!GUID_RE.test(tenantKey) && !DNS_RE.test(tenantKey)) return fail(AAD.badTenantName(tenantKey));
    const tenant = world.tenant(tenantKey);
    if (!tenant) return fail(AAD.unknownTenant(tenantKey));
    const f = form(req);
    const grant = f.get('grant_type');
    if (!grant) return fail(AAD.missingParameter('grant_type'));
    const { clientId, secret } = clientCredentials(req, f);
    if (grant === 'authorization_code' && !v1) return redeemCode(world, req, f, { clientId, secret });
    if (grant !== 'client_credentials') return fail(AAD.unsupportedGrant(grant));
    if (!clientId) return fail(AAD.missingParameter('client_id'));
    const app = world.apps.get(tenant.tenantId)!;
    if (clientId.toLowerCase() !== app.clientId.toLowerCase()) return fail(AAD.unknownApp(clientId, tenantKey));
    const wanted = requestedResource(f, v1);
    if ('error' in wanted) return fail(wanted.error);
    const resource = apiOfResource(wanted.resource);
    if (!resource) return fail(AAD.unknownResource(wanted.resource, tenant.tenantId));
    const assertion = f.get('client_assertion');
    let method: '1' | '2';
    if (assertion) {
      if (f.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        return fail(AAD.missingParameter('client_assertion_type'));
      const aud = (a: string): boolean => assertionAudienceOk(a, req, [tenantKey, tenant.tenantId, tenant.domain]);
      const problem = checkAssertion(assertion, app, aud, world.now());
      if (problem) return fail(problem);
      method = '2';
    } else if (secret !== null) {
      if (secret !== app.clientSecret) return fail(AAD.invalidSecret(app.clientId));
      method = '1';
    } else {
      return fail(AAD.noCredential());
    }
    return issue(world, tenant.tenantId, app.clientId, resource, method, v1);
  };
}

/** aud must be a token endpoint (v1 or v2) of this tenant, on this host or a real login host. */
function assertionAudienceOk(aud: string, req: EmuRequest, tenantKeys: string[]): boolean {
  let url: URL;
  try {
    url = new URL(aud);
  } catch {
    return false;
  }
  const hostOk = `https://${url.host}` === req.base || LOGIN_HOSTS.includes(url.hostname.toLowerCase());
  const m = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/.exec(url.pathname);
  return url.protocol === 'https:' && hostOk && !!m && tenantKeys.some((k) => k.toLowerCase() === m[1]!.toLowerCase());
}

function issue(
  world: World,
  tid: string,
  appId: string,
  resource: { api: keyof typeof API_ROLES; resource: string },
  method: '1' | '2',
  v1: boolean,
): Reply {
  const nowS = Math.floor(world.shownNow() / 1000);
  const lifetime = world.faults.tokenLifetimeSeconds;
  const roles = world.grantedRoles(tid).filter((r) => API_ROLES[resource.api].includes(r));
  const sp = stableGuid(world.seed, 'sp', tid);
  const payload: Record<string, unknown> = {
    aud: resource.resource,
    iss: `https://sts.windows.net/${tid}/`,
    iat: nowS,
    nbf: nowS,
    exp: nowS + lifetime,
    appid: appId,
    appidacr: method,
    idp: `https://sts.windows.net/${tid}/`,
    oid: sp,
    sub: sp,
    tid,
    ver: '1.0',
    ...(roles.length ? { roles } : {}),
    ...(resource.api === 'exchange'
      ? { wids: ['62e90394-69f5-4237-9190-012177145e10', '0997a1d0-0d1d-4acb-b408-d5ca73121e90'] }
      : {}),
  };
  const key = world.signingKey;
  const token = signJwt({ typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid }, payload, key.privateKeyPem);
  if (v1) {
    return json(200, {
      token_type: 'Bearer',
      expires_in: String(lifetime),
      ext_expires_in: '0',
      expires_on: String(nowS + lifetime),
      not_before: String(nowS),
      resource: resource.resource,
      access_token: token,
    });
  }
  return json(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
}

/** openid-configuration (behaviour 7): msal-node needs these four keys, on the host it called. */
function openidConfiguration(world: World, v2: boolean) {
  return (req: EmuRequest): Reply => {
    const key = req.params.tenant!;
    const tenant = world.tenant(key);
    if (!tenant && !['common', 'organizations'].includes(key.toLowerCase()))
      return aadError(AAD.unknownTenant(key), world.shownNow());
    const tid = tenant?.tenantId ?? '{tenantid}';
    const v = v2 ? '/v2.0' : '';
    const base = `${req.base}/${key}`;
    return json(200, {
      token_endpoint: `${base}/oauth2${v}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery${v}/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: v2 ? `${req.base}/${tid}/v2.0` : `${req.base}/${tid}/`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2${v}/authorize`,
      device_authorization_endpoint: `${base}/oauth2${v}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2${v}/logout`,
      // Entra's own list (what its v2.0 discovery document says), now that id tokens are issued.
      claims_supported: v2
        ? [
            'sub',
            'iss',
            'cloud_instance_name',
            'cloud_instance_host_name',
            'cloud_graph_host_name',
            'msgraph_host',
            'aud',
            'exp',
            'iat',
            'auth_time',
            'acr',
            'nonce',
            'preferred_username',
            'name',
            'tid',
            'ver',
            'at_hash',
            'c_hash',
            'email',
          ]
        : ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'ver'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    });
  };
}

function jwks(world: World): Reply {
  const jwk = createPublicKey(world.signingKey.publicKeyPem).export({ format: 'jwk' });
  return json(200, {
    keys: [{ kty: 'RSA', use: 'sig', kid: world.signingKey.kid, x5t: world.signingKey.kid, n: jwk.n, e: jwk.e }],
  });
}

export function tokenRoutes(world: World): Route[] {
  const T = '(?<tenant>[^/]+)';
  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/${T}/oauth2/v2\\.0/token/?$`),
      service: 'token',
      handler: tokenHandler(world, false),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${T}/oauth2/token/?$`),
      service: 'token',
      handler: tokenHandler(world, true),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${T}/v2\\.0/\\.well-known/openid-configuration$`),
      service: 'token',
      handler: openidConfiguration(world, true),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${T}/\\.well-known/openid-configuration$`),
      service: 'token',
      handler: openidConfiguration(world, false),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/${T}/discovery(?:/v2\\.0)?/keys$`),
      service: 'token',
      handler: () => jwks(world),
    },
  ];
}
