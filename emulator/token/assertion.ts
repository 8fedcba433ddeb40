import { X509Certificate } from 'node:crypto';
import type { AppCredentials } from '../apps.js';
import { AAD, type AadError } from './errors.js';
import { decodeJwt, verifyJwtSignature } from './jwt.js';

/** Clock-skew allowance for nbf/exp of client assertions, as Entra ID tolerates a few minutes. */
export const ASSERTION_SKEW_SECONDS = 300;

/**
 * Checks a certificate client assertion (spec §1.3, behaviour 6): the thumbprint (x5t or x5t#S256) names
 * the app's registered certificate, the RS256/PS256 signature verifies against it, iss = sub = client id,
 * aud is this tenant's token endpoint, and now lies within nbf..exp (with a small skew allowance).
 * Returns null when the assertion is good, else the AADSTS error to answer with.
 */
export function checkAssertion(
  assertion: string,
  app: AppCredentials,
  acceptedAudiences: (aud: string) => boolean,
  nowMs: number,
): AadError | null {
  const jwt = decodeJwt(assertion);
  if (!jwt) return AAD.badAssertion('The client assertion is not a JWT.');
  const { header, payload } = jwt;
  const x5tS256 = header['x5t#S256'];
  const x5t = header.x5t;
  const known =
    (typeof x5tS256 === 'string' && x5tS256 === app.x5tS256) || (typeof x5t === 'string' && x5t === app.x5t);
  if (!known) return AAD.badAssertion('The key was not found.');
  if (header.alg !== 'RS256' && header.alg !== 'PS256')
    return AAD.badAssertion(`The algorithm ${String(header.alg)} is not supported.`);
  if (!verifyJwtSignature(jwt, new X509Certificate(app.certificatePem).publicKey))
    return AAD.badAssertion('The signature is invalid.');
  if (payload.iss !== app.clientId || payload.sub !== app.clientId)
    return AAD.badAssertion('The iss and sub claims must both be the client id.');
  if (typeof payload.aud !== 'string' || !acceptedAudiences(payload.aud))
    return AAD.badAssertion(`The audience '${String(payload.aud)}' is not this token endpoint.`);
  const nbf = typeof payload.nbf === 'number' ? payload.nbf : typeof payload.iat === 'number' ? payload.iat : null;
  const exp = typeof payload.exp === 'number' ? payload.exp : null;
  if (exp === null) return AAD.badAssertion('The exp claim is missing.');
  // Valid at the emulator's time, or at real time: msal-node stamps assertions with Date.now(), which a
  // virtual emulator clock does not move, so a client under test would otherwise never get in.
  const within = (ms: number): boolean =>
    ms / 1000 <= exp + ASSERTION_SKEW_SECONDS && (nbf === null || ms / 1000 >= nbf - ASSERTION_SKEW_SECONDS);
  if (!within(nowMs) && !within(Date.now())) return AAD.assertionTime(nowMs, nbf ?? exp, exp);
  return null;
}
