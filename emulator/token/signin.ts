import { createHash, randomBytes } from 'node:crypto';
import { header, json, type EmuRequest, type Reply, type Route } from '../http.js';
import type { World } from '../world.js';
import { AAD, aadError, type AadError } from './errors.js';
import { signJwt } from './jwt.js';

/**
 * Entra ID's interactive sign-in, as far as an OpenID Connect client sees it: the authorize endpoint
 * (a sign-in form for the simulated users), the authorization code grant with PKCE at the token
 * endpoint, and id tokens signed with the key the JWKS serves. Every simulated user signs in with
 * SIGN_IN_PASSWORD (a test bed). The groups claim carries `tenantwatch-admins` for global admins and
 * `tenantwatch-users` for everyone; real Entra sends group object ids unless configured otherwise.
 */
export const SIGN_IN_PASSWORD = 'Emulator-Sign-In-1';
const CODE_TTL_MS = 5 * 60_000;

interface PendingCode {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  nonce: string | null;
  upn: string;
  expires: number;
}

const codes = new Map<string, PendingCode>();

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
];

function signInForm(params: URLSearchParams, problem: string | null): Reply {
  const hidden = AUTHORIZE_PARAMS.map(
    (k) => `<input type="hidden" name="${k}" value="${escape(params.get(k) ?? '')}">`,
  ).join('');
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body><form method="post"><h1>Sign in</h1>${problem ? `<p role="alert">${escape(problem)}</p>` : ''}${hidden}
<label>Email <input name="login" type="email" autocomplete="username"></label>
<label>Password <input name="passwd" type="password" autocomplete="current-password"></label>
<button type="submit" id="idSIButton9">Sign in</button></form></body></html>`;
  return { status: problem ? 400 : 200, body, contentType: 'text/html; charset=utf-8' };
}

function authorizeProblem(world: World, tenantKey: string, p: URLSearchParams): string | null {
  const tenant = world.tenant(tenantKey);
  if (!tenant) return `AADSTS90002: Tenant '${tenantKey}' not found.`;
  const app = world.apps.get(tenant.tenantId)!;
  if ((p.get('client_id') ?? '').toLowerCase() !== app.clientId.toLowerCase())
    return `AADSTS700016: Application with identifier '${p.get('client_id') ?? ''}' was not found in the directory.`;
  if (!p.get('redirect_uri'))
    return "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.";
  if (p.get('response_type') !== 'code') return 'AADSTS700054: response_type is not enabled for the application.';
  if (p.get('code_challenge') && p.get('code_challenge_method') !== 'S256')
    return 'AADSTS501491: Invalid code_challenge_method.';
  return null;
}

function authorize(world: World) {
  return (req: EmuRequest): Reply => {
    const params = req.method === 'POST' ? new URLSearchParams(req.body.toString('utf8')) : req.url.searchParams;
    const problem = authorizeProblem(world, req.params.tenant!, params);
    if (problem) return signInForm(params, problem);
    if (req.method === 'GET') return signInForm(params, null);
    const tenant = world.tenant(req.params.tenant!)!;
    const login = (params.get('login') ?? '').toLowerCase();
    const user = world.sim.tenants
      .find((t) => t.tenantId === tenant.tenantId)
      ?.users.find((u) => u.userPrincipalName.toLowerCase() === login);
    if (!user || params.get('passwd') !== SIGN_IN_PASSWORD)
      return signInForm(params, 'AADSTS50126: Error validating credentials due to invalid username or password.');
    const code = randomBytes(32).toString('base64url');
    codes.set(code, {
      tenantId: tenant.tenantId,
      clientId: params.get('client_id')!,
      redirectUri: params.get('redirect_uri')!,
      challenge: params.get('code_challenge'),
      nonce: params.get('nonce'),
      upn: user.userPrincipalName,
      expires: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(params.get('redirect_uri')!);
    target.searchParams.set('code', code);
    if (params.get('state')) target.searchParams.set('state', params.get('state')!);
    return { status: 302, headers: { location: target.toString() } };
  };
}

const invalidGrant = (text: string): AadError => ({ code: 70008, error: 'invalid_grant', status: 400, text });

/**
 * The authorization_code grant (called from the token endpoint): the code once, for the client and
 * redirect URI it was issued to, with the PKCE verifier whose S256 hash is the challenge.
 */
export function redeemCode(
  world: World,
  req: EmuRequest,
  f: URLSearchParams,
  client: { clientId: string | null; secret: string | null },
): Reply {
  const now = world.shownNow();
  const fail = (e: AadError): Reply => aadError(e, now, header(req, 'client-request-id'));
  const code = codes.get(f.get('code') ?? '');
  codes.delete(f.get('code') ?? '');
  if (!code || code.expires < Date.now())
    return fail(invalidGrant('The provided authorization code is invalid or has expired.'));
  const app = world.apps.get(code.tenantId)!;
  if ((client.clientId ?? '').toLowerCase() !== code.clientId.toLowerCase())
    return fail(AAD.unknownApp(client.clientId ?? '', code.tenantId));
  if (client.secret !== app.clientSecret) return fail(AAD.invalidSecret(app.clientId));
  if (f.get('redirect_uri') !== code.redirectUri)
    return fail(invalidGrant('The redirect URI does not match the one the code was issued to.'));
  const verifier = f.get('code_verifier') ?? '';
  if (code.challenge && createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
    return fail(
      invalidGrant(
        'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
      ),
    );
  return json(200, tokensFor(world, req, code));
}

function tokensFor(world: World, req: EmuRequest, code: PendingCode): Record<string, unknown> {
  const sim = world.sim.tenants.find((t) => t.tenantId === code.tenantId)!;
  const user = sim.users.find((u) => u.userPrincipalName === code.upn)!;
  const admins = world.globalAdminsAt(code.tenantId, world.now()).map((u) => u.toLowerCase());
  // Real time, not the simulation's: a person signs in now, and the client checks exp against its own clock.
  const nowS = Math.floor(Date.now() / 1000);
  const claims = {
    aud: code.clientId,
    iss: `${req.base}/${code.tenantId}/v2.0`,
    iat: nowS,
    nbf: nowS,
    exp: nowS + 3600,
    sub: createHash('sha256').update(`${code.clientId}|${user.id}`).digest('base64url').slice(0, 43),
    oid: user.id,
    tid: code.tenantId,
    name: user.displayName,
    preferred_username: user.userPrincipalName,
    groups: admins.includes(user.userPrincipalName.toLowerCase())
      ? ['tenantwatch-admins', 'tenantwatch-users']
      : ['tenantwatch-users'],
    ver: '2.0',
    ...(code.nonce ? { nonce: code.nonce } : {}),
  };
  const key = world.signingKey;
  const head = { typ: 'JWT', alg: 'RS256', kid: key.kid };
  return {
    token_type: 'Bearer',
    scope: 'openid profile email',
    expires_in: 3600,
    ext_expires_in: 3600,
    access_token: signJwt(
      head,
      { ...claims, aud: '00000003-0000-0000-c000-000000000000', scp: 'openid profile email' },
      key.privateKeyPem,
    ),
    id_token: signJwt(head, claims, key.privateKeyPem),
  };
}

export function signInRoutes(world: World): Route[] {
  const pattern = /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/authorize\/?$/;
  return [
    { method: 'GET', pattern, service: 'token', handler: authorize(world) },
    { method: 'POST', pattern, service: 'token', handler: authorize(world) },
  ];
}
