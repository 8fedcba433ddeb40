import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console's bearer secrets: session ids, API tokens and CSRF tokens. The store keeps only
 * SHA-256 hashes of session ids and token secrets, so a copy of the database cannot be replayed.
 */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** What the sessions table keeps for a session id. */
export function sessionKey(sessionId: string): string {
  return sha256(`session:${sessionId}`);
}

/**
 * The CSRF token of a session: derived from its id with a different label, so it is bound to the
 * session (a token stolen from one session is useless in another) and needs no storage, yet reveals
 * nothing of the id or of the stored hash.
 */
export function csrfFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('csrf').digest('base64url');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const TOKEN_PATTERN = /^tw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new API token: `tw_<id>_<secret>`; the id finds the row, the secret is checked against its hash. */
export function newApiToken(): { token: string; id: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `tw_${id}_${secret}`, id, hash: sha256(secret) };
}

export function parseApiToken(token: string): { id: string; hash: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1]!, hash: sha256(m[2]!) } : null;
}

/** Patterns of the secrets above, for tests that grep outputs and logs for leaks. */
export const SECRET_PATTERNS = [TOKEN_PATTERN.source.slice(1, -1)];
