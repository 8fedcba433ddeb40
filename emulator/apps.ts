import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimTenant } from './sim/types.js';
import { makeCertificate, newRsaKeyPair } from './tls.js';

/**
 * App registration credentials of each simulated tenant. The simulator gives the client id and secret
 * (seeded); the protocol side adds a certificate and key per app, made on first start and kept in the
 * state folder (behaviour 6 verifies client assertions against it).
 */
export interface AppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Hex SHA-1 / SHA-256 of the certificate DER (what msal-node's configuration takes). */
  thumbprint: string;
  thumbprintSha256: string;
  /** base64url forms as they appear in a JWT header's x5t / x5t#S256. */
  x5t: string;
  x5tS256: string;
}

function thumbprints(
  certificatePem: string,
): Pick<AppCredentials, 'thumbprint' | 'thumbprintSha256' | 'x5t' | 'x5tS256'> {
  const der = new X509Certificate(certificatePem).raw;
  const sha1 = createHash('sha1').update(der).digest();
  const sha256 = createHash('sha256').update(der).digest();
  return {
    thumbprint: sha1.toString('hex').toUpperCase(),
    thumbprintSha256: sha256.toString('hex').toUpperCase(),
    x5t: sha1.toString('base64url'),
    x5tS256: sha256.toString('base64url'),
  };
}

export async function ensureAppCredentials(stateDir: string, tenant: SimTenant): Promise<AppCredentials> {
  const dir = join(stateDir, 'apps');
  const file = join(dir, `${tenant.tenantId}.json`);
  let pems: { certificatePem: string; privateKeyPem: string };
  if (existsSync(file)) {
    pems = JSON.parse(readFileSync(file, 'utf8')) as typeof pems;
  } else {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = await newRsaKeyPair();
    const certificatePem = makeCertificate({ subjectCn: `tenantwatch-${tenant.domain}`, keys, years: 2 });
    pems = { certificatePem, privateKeyPem: keys.privateKeyPem };
    writeFileSync(file, JSON.stringify(pems), { mode: 0o600 });
  }
  return {
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    ...pems,
    ...thumbprints(pems.certificatePem),
  };
}

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** The key the token service signs access tokens with (published in the JWKS). */
export async function ensureSigningKey(stateDir: string): Promise<SigningKey> {
  const file = join(stateDir, 'token-signing-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SigningKey;
  const keys = await newRsaKeyPair();
  const kid = createHash('sha256').update(keys.publicKeyPem).digest('base64url').slice(0, 27);
  const key: SigningKey = { kid, ...keys };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}
