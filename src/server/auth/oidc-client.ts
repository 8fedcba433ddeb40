import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as client from 'openid-client';
import { AppError } from '../../core/errors.js';
import type { OidcGroupRule, OidcIdentity, OidcPending, OidcProvider } from './oidc.js';

/**
 * OpenID Connect sign-in with openid-client (v6): discovery, authorization code + PKCE (S256), state
 * and nonce, and id-token validation against the issuer's JWKS — all openid-client's, none hand-made.
 * Works with Entra ID (`https://login.microsoftonline.com/TENANT/v2.0`) and any conforming issuer.
 */
export interface OidcSettings {
  /** The issuer URL (its /.well-known/openid-configuration is read). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The id-token claim that names the person (default preferred_username; `oid` is stable in Entra). */
  claim?: string;
  groupRules?: OidcGroupRule[];
  /** Extra CA (PEM) to trust besides the system roots (the emulator's, a private issuer's). */
  ca?: string | null;
  /** Shown on the sign-in button. */
  name?: string;
}

/** fetch over node:https with an extra CA trusted in addition to the system roots (never instead of checks). */
function fetchTrusting(ca: string): client.CustomFetch {
  const trusted = [...rootCertificates, ca];
  return (url, options) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      new Headers(options.headers).forEach((v, k) => (headers[k] = v));
      const req = httpsRequest(url, { method: options.method, headers, ca: trusted }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: h }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      options.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
      if (typeof options.body === 'string' || options.body instanceof Uint8Array) req.end(options.body);
      else if (options.body instanceof URLSearchParams) req.end(options.body.toString());
      else req.end();
    });
}

export async function openidProvider(settings: OidcSettings): Promise<OidcProvider> {
  const customFetch = settings.ca ? fetchTrusting(settings.ca) : undefined;
  let config: client.Configuration;
  try {
    config = await client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      client.ClientSecretPost(settings.clientSecret),
      customFetch ? { [client.customFetch]: customFetch } : undefined,
    );
  } catch (e) {
    throw new AppError(
      'CONFIG_INVALID',
      `The OpenID Connect issuer ${settings.issuer} cannot be read: ${(e as Error).message}`,
      {
        hint: 'Check --oidc-issuer (for Entra ID: https://login.microsoftonline.com/TENANT-ID/v2.0) and the network',
        cause: e,
      },
    );
  }
  if (customFetch) config[client.customFetch] = customFetch;
  const claim = settings.claim ?? 'preferred_username';
  return {
    name: settings.name ?? 'single sign-on',
    groupRules: settings.groupRules ?? [],
    async start(redirectUri: string) {
      const pending: OidcPending = {
        codeVerifier: client.randomPKCECodeVerifier(),
        state: client.randomState(),
        nonce: client.randomNonce(),
        redirectUri,
        createdAt: Date.now(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.toString(), pending };
    },
    async finish(callbackUrl: URL, pending: OidcPending): Promise<OidcIdentity> {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      return identityFrom(tokens.claims(), claim);
    },
  };
}

/**
 * The person an id token names: linked by the issuer and subject (`issuer|sub:SUBJECT`), named by the claim's value
 * (also the `issuer|value` link an admin writes), with the token's groups. An email the issuer itself calls
 * unverified (`email_verified: false`, which Google, Okta, Keycloak and others send) is refused as the name: many
 * issuers let a person type any address, and the first sign-in links to the console account of that name (ADR
 * 0019), so an unverified address could take over someone's account. Entra ID sends no such claim and is unaffected.
 */
export function identityFrom(claims: client.IDToken | undefined, claim: string): OidcIdentity {
  const value = claims?.[claim];
  if (!claims || typeof value !== 'string' || !value) {
    throw new AppError('SIGNIN_FAILED', `The identity provider's id token has no "${claim}" claim`, {
      hint: 'Choose another --oidc-claim (preferred_username, email, oid)',
    });
  }
  if (typeof claims.sub !== 'string' || !claims.sub) {
    throw new AppError('SIGNIN_FAILED', 'The identity provider\'s id token has no "sub" claim', {
      hint: 'The issuer is not an OpenID Connect provider as configured: check --oidc-issuer',
    });
  }
  if (claim === 'email' && (claims.email_verified === false || claims.email_verified === 'false')) {
    throw new AppError('SIGNIN_FAILED', 'The identity provider says this email address is not verified', {
      hint: 'Verify the address at the identity provider, or have an admin choose another --oidc-claim (sub, oid)',
    });
  }
  const groups = Array.isArray(claims.groups) ? claims.groups.map(String) : [];
  return { externalId: subjectLink(claims.iss, claims.sub), claimId: `${claims.iss}|${value}`, name: value, groups };
}

/** The link of an issuer's subject, as a sign-in writes it on the account. */
export const subjectLink = (issuer: string, subject: string): string => `${issuer}|sub:${subject}`;
