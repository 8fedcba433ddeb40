import { header, type EmuRequest } from '../http.js';
import type { World } from '../world.js';
import { decodeJwt, verifyJwtSignature } from './jwt.js';
import { audienceIsFor, type Api } from './resources.js';

/**
 * Checks the bearer token an API request carries: scheme (case-insensitive, peers send "bearer"),
 * the emulator's signature, audience of the right API, expiry against the emulator clock. Each API turns
 * a failure into its own error shape (behaviours 9, 30, 35).
 */
export interface BearerClaims {
  tid: string;
  appid: string;
  roles: string[];
  exp: number;
}

export type BearerResult =
  { ok: true; claims: BearerClaims } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'audience' };

export function checkBearer(world: World, req: EmuRequest, api: Api): BearerResult {
  const auth = header(req, 'authorization');
  const m = auth ? /^bearer\s+(\S+)$/i.exec(auth.trim()) : null;
  if (!m) return { ok: false, reason: 'missing' };
  const jwt = decodeJwt(m[1]!);
  if (!jwt || jwt.header.alg !== 'RS256' || !verifyJwtSignature(jwt, world.signingKey.publicKeyPem))
    return { ok: false, reason: 'invalid' };
  const p = jwt.payload;
  if (typeof p.tid !== 'string' || typeof p.exp !== 'number') return { ok: false, reason: 'invalid' };
  // Tokens were stamped with the skewed time the client saw; compare on the same scale.
  if (p.exp * 1000 <= world.shownNow()) return { ok: false, reason: 'expired' };
  if (!audienceIsFor(p.aud, api)) return { ok: false, reason: 'audience' };
  const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
  return { ok: true, claims: { tid: p.tid, appid: typeof p.appid === 'string' ? p.appid : '', roles, exp: p.exp } };
}
