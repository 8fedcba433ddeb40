import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../core/errors.js';

/**
 * Password hashing with node's scrypt and a random salt per user. The hash string carries its own
 * cost parameters (`scrypt$N$r$p$salt$hash`, base64url), so raising the cost later still verifies
 * passwords hashed before.
 */
const COST = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1_024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/** Refuses a password too short to resist guessing (NIST 800-63B asks at least 8; we ask 12). */
export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('BAD_INPUT', `The password is shorter than ${MIN_PASSWORD_LENGTH} characters`, {
      hint: `Choose a passphrase of at least ${MIN_PASSWORD_LENGTH} characters`,
    });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('BAD_INPUT', `The password is longer than ${MAX_PASSWORD_LENGTH} characters`, {
      hint: 'Choose a shorter passphrase',
    });
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordStrength(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; a malformed stored hash never matches. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real check takes when the user does not exist (or has no password), so the
 * answer's timing does not tell which names are accounts.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hashPassword('x'.repeat(MIN_PASSWORD_LENGTH));
  await verifyPassword(password, await dummy);
  return false;
}
