import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../core/errors.js';
import { ensureFolder } from './folders.js';

/**
 * Tenant secrets (client secrets, private keys) at rest: encrypted with AES-256-GCM under a key kept
 * apart from the database — a 0600 file (Locations.secretKeyFile) or TENANTWATCH_SECRET_KEY — or not
 * stored at all but referenced (`env:NAME`, `file:PATH`). A copied database alone reveals nothing.
 * Plain secrets never reach a log or an error message: `redact` scrubs them from any text shown.
 */
const PREFIX = 'enc:v1:';

/** The 32-byte key: TENANTWATCH_SECRET_KEY (base64 or hex), else the key file, created on first use with 0600. */
export function loadSecretKey(
  keyFile: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { create?: boolean } = {},
): Buffer {
  const fromEnv = env.TENANTWATCH_SECRET_KEY;
  if (fromEnv) return decodeKey(fromEnv.trim(), 'TENANTWATCH_SECRET_KEY');
  if (!existsSync(keyFile)) {
    if (!options.create) {
      throw new AppError(
        'SECRET_KEY',
        `The secret key file ${keyFile} does not exist, so stored secrets cannot be read`,
        { hint: 'Restore the key file (or set TENANTWATCH_SECRET_KEY), or register the tenant again' },
      );
    }
    ensureFolder(dirname(keyFile));
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(keyFile).mode & 0o077;
  if (mode !== 0) chmodSync(keyFile, 0o600);
  return decodeKey(readFileSync(keyFile, 'utf8').trim(), keyFile);
}

function decodeKey(text: string, where: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32)
    throw new AppError('SECRET_KEY', `The secret key in ${where} is not 32 bytes (base64 or hex)`, {
      hint: 'Generate one with: openssl rand -base64 32',
    });
  return key;
}

export function sealSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function openSecret(sealed: string, key: Buffer): string {
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new AppError('SECRET_KEY', 'A stored secret cannot be decrypted with this secret key', {
      hint: 'The key file or TENANTWATCH_SECRET_KEY changed since the tenant was added: restore it, or add the tenant again',
      cause: e,
    });
  }
}

/**
 * The plain secret a stored credential stands for: sealed (`enc:v1:`), `env:NAME` or `file:PATH`.
 * `key` is only asked for when the credential is sealed. `whose` names the credential in messages (a
 * tenant's, or a sink's: "the secret of sink siem").
 */
export function resolveSecret(
  stored: string,
  key: () => Buffer,
  env: NodeJS.ProcessEnv = process.env,
  whose = "the tenant's secret",
): string {
  if (isSealed(stored)) return openSecret(stored, key());
  if (stored.startsWith('env:')) {
    const name = stored.slice(4);
    const value = env[name];
    if (!value)
      throw new AppError('SECRET_MISSING', `The environment variable ${name} holding ${whose} is not set`, {
        hint: `Set ${name} before running tenantwatch`,
      });
    return value;
  }
  if (stored.startsWith('file:')) {
    const path = stored.slice(5);
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (e) {
      throw new AppError('SECRET_MISSING', `The secret file ${path} cannot be read`, {
        hint: 'Check the path and its permissions',
        cause: e,
      });
    }
  }
  throw new AppError('SECRET_MISSING', 'The tenant has no usable stored credential', {
    hint: 'Register it again with tenantwatch tenant add',
  });
}

/** Replaces every occurrence of each secret (and its first line, for PEM keys) in `text`. */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('[redacted]');
    for (const line of s.split('\n'))
      if (line.length >= 16 && !line.startsWith('-----')) out = out.split(line).join('[redacted]');
  }
  return out;
}
