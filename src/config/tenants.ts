import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import forge from 'node-forge';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { MsalTokenProvider, type AppCredential } from '../microsoft/auth.js';
import { createHttpClient } from '../net/http.js';
import type { ClosableHttpClient } from '../net/types.js';
import { CLOUDS, endpointsFor, type Cloud, type TenantConnection } from '../microsoft/types.js';
import type { TenantRow } from '../store/contract.js';
import { loadSecretKey, resolveSecret, sealSecret } from './secrets.js';

/**
 * Registered tenants: validating what a person typed into a TenantRow (secrets sealed or referenced,
 * never stored in clear), and turning a row back into a live TenantConnection (HTTPS client with the
 * tenant's extra CA, msal token provider, endpoints of its cloud or base URL).
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type CredentialInput =
  | { kind: 'secret'; secret: string }
  /** `env:NAME` or `file:/abs/path`: the secret itself is not stored. */
  | { kind: 'secret-ref'; ref: string }
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: string };

export interface TenantInput {
  name: string;
  tenantId: string;
  clientId: string;
  cloud?: string;
  baseUrl?: string | null;
  caFile?: string | null;
  publisherId?: string | null;
  domain?: string | null;
  credential: CredentialInput;
}

function guid(value: string, flag: string): string {
  if (!GUID.test(value.trim()))
    throw new AppError('BAD_INPUT', `${flag} "${value}" is not a GUID`, {
      hint: `Copy ${flag} from the app registration's overview page (8-4-4-4-12 hex digits)`,
    });
  return value.trim().toLowerCase();
}

/** A DNS name such as contoso.com or contoso.onmicrosoft.com: a URL, an address or a phrase was stored as typed. */
function domainName(value: string): string {
  const name = value.trim().toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(name))
    throw new AppError('BAD_INPUT', `--domain "${value}" is not a domain name`, {
      hint: 'Give the primary domain alone, e.g. contoso.com or contoso.onmicrosoft.com',
    });
  return name;
}

export function parseCloud(value: string | undefined): Cloud {
  const cloud = (value ?? 'commercial').toLowerCase();
  if (!(CLOUDS as readonly string[]).includes(cloud))
    throw new AppError('BAD_INPUT', `--cloud "${value}" is not a known cloud`, {
      hint: `Use one of ${CLOUDS.join(', ')}`,
    });
  return cloud as Cloud;
}

function baseUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new AppError('BAD_INPUT', `--base-url "${value}" is not a URL`, { hint: 'Give e.g. https://127.0.0.1:8443' });
  }
  if (u.protocol !== 'https:')
    throw new AppError('BAD_INPUT', `--base-url must be https (got ${u.protocol})`, {
      hint: 'Microsoft services and the emulator are HTTPS only; trust a private CA with --ca-file',
    });
  return u.origin;
}

export function buildTenantRow(
  input: TenantInput,
  key: () => Buffer,
  now: number,
  existing?: TenantRow | null,
): TenantRow {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.name))
    throw new AppError('BAD_INPUT', `Tenant name "${input.name}" is not usable`, {
      hint: 'Use letters, digits, dot, dash or underscore (up to 64), starting with a letter or digit',
    });
  if (GUID.test(input.name))
    throw new AppError('BAD_INPUT', 'A tenant name cannot be a GUID', { hint: 'Pick a short name such as contoso' });
  const cred = input.credential;
  if (cred.kind === 'certificate') validateKeyPair(cred.certificatePem, cred.privateKeyPem);
  if (cred.kind === 'secret-ref' && !/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/.test(cred.ref))
    throw new AppError('BAD_INPUT', `"${cred.ref}" is not a secret reference`, {
      hint: 'Use --secret-env NAME or --secret-file PATH',
    });
  if (cred.kind === 'secret' && !cred.secret.trim())
    throw new AppError('SECRET_MISSING', 'The client secret is empty', {
      hint: 'Give the secret value from the app registration',
    });
  return {
    name: input.name,
    tenantId: guid(input.tenantId, '--tenant-id'),
    clientId: guid(input.clientId, '--client-id'),
    domain: input.domain ? domainName(input.domain) : null,
    cloud: parseCloud(input.cloud),
    authKind: cred.kind === 'certificate' ? 'certificate' : 'secret',
    credential:
      cred.kind === 'secret-ref'
        ? cred.ref
        : sealSecret(cred.kind === 'secret' ? cred.secret.trim() : cred.privateKeyPem, key()),
    certificatePem: cred.kind === 'certificate' ? cred.certificatePem : null,
    publisherId: input.publisherId ? guid(input.publisherId, '--publisher-id') : null,
    baseUrl: baseUrl(input.baseUrl),
    caFile: input.caFile ? resolve(input.caFile) : null,
    addedAt: existing?.addedAt ?? now,
    updatedAt: now,
  };
}

function validateKeyPair(certificatePem: string, privateKeyPem: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch (e) {
    throw new AppError('BAD_INPUT', 'The certificate is not a PEM X.509 certificate', {
      hint: 'Give --certificate cert.pem (or a .pfx) and --key key.pem',
      cause: e,
    });
  }
  let ok = false;
  try {
    ok = cert.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppError('BAD_INPUT', 'The private key does not belong to the certificate (or is not a PEM key)', {
      hint: 'Give the key the certificate was created with',
    });
}

/** Certificate + key from files: PEM pair, or a PFX/PKCS#12 (password optional), converted with node-forge. */
export function readCertificateFiles(
  certFile: string,
  keyFile: string | undefined,
  pfxPassword: string | undefined,
): { certificatePem: string; privateKeyPem: string } {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new AppError('FILE_NOT_FOUND', `Cannot read ${path}`, { hint: 'Check the path', cause: e });
    }
  };
  const bytes = read(certFile);
  if (bytes.includes('-----BEGIN CERTIFICATE-----')) {
    if (!keyFile)
      throw new AppError('USAGE', '--key KEY.pem is needed with a PEM certificate', {
        hint: 'Or give a .pfx that holds both',
      });
    const text = bytes.toString('utf8');
    return {
      certificatePem: text.slice(text.indexOf('-----BEGIN CERTIFICATE-----')),
      privateKeyPem: read(keyFile).toString('utf8'),
    };
  }
  try {
    const p12 = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary'))),
      pfxPassword ?? '',
    );
    const certBag = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]?.[0];
    const keyBag =
      p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]?.[0] ??
      p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!]?.[0];
    if (!certBag?.cert || !keyBag?.key) throw new Error('the PFX holds no certificate or no private key');
    return {
      certificatePem: forge.pki.certificateToPem(certBag.cert),
      privateKeyPem: forge.pki.privateKeyToPem(keyBag.key),
    };
  } catch (e) {
    throw new AppError(
      'BAD_INPUT',
      `${certFile} is neither a PEM certificate nor a readable PFX: ${(e as Error).message}`,
      { hint: 'Give the PFX password with --pfx-password-env VAR, or a PEM certificate and --key', cause: e },
    );
  }
}

/** What `tenant show` and `tenant list` print: everything but the credential. */
export function publicView(row: TenantRow): Record<string, unknown> {
  const endpoints = endpointsFor(row.cloud, row.baseUrl);
  const credential =
    row.credential.startsWith('env:') || row.credential.startsWith('file:')
      ? row.credential.replace(/^(env|file):/, '$1 ')
      : 'encrypted';
  return {
    name: row.name,
    tenantId: row.tenantId,
    domain: row.domain,
    clientId: row.clientId,
    cloud: row.cloud,
    auth: row.authKind,
    credential,
    certificateThumbprint: row.certificatePem
      ? new X509Certificate(row.certificatePem).fingerprint256.replace(/:/g, '')
      : null,
    publisherId: row.publisherId,
    baseUrl: row.baseUrl,
    caFile: row.caFile,
    login: endpoints.login,
    management: endpoints.management,
    graph: endpoints.graph,
    exchange: endpoints.exchange,
    addedAt: new Date(row.addedAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export interface ConnectOptions {
  keyFile: string;
  env?: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  maxSockets?: number;
}

export interface LiveConnection extends TenantConnection {
  /** Plain secrets in use, for redaction of anything shown (never logged). */
  readonly secrets: readonly string[];
  close(): void;
}

/** A registered tenant as a live connection: the credential is decrypted in memory only. */
export function connectTenant(row: TenantRow, options: ConnectOptions): LiveConnection {
  const endpoints = endpointsFor(row.cloud, row.baseUrl);
  let ca: string | null = null;
  if (row.caFile) {
    try {
      ca = readFileSync(row.caFile, 'utf8');
    } catch (e) {
      throw new AppError('FILE_NOT_FOUND', `The CA file ${row.caFile} of tenant ${row.name} cannot be read`, {
        hint: 'Fix the path with tenantwatch tenant add … --ca-file F',
        cause: e,
      });
    }
  }
  const http: ClosableHttpClient = createHttpClient({
    ca,
    ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
  });
  const secret = resolveSecret(row.credential, () => loadSecretKeyLazy(options), options.env);
  const credential: AppCredential =
    row.authKind === 'certificate'
      ? { kind: 'certificate', certificatePem: row.certificatePem ?? '', privateKeyPem: secret }
      : { kind: 'secret', secret };
  const tokens = new MsalTokenProvider({
    tenantId: row.tenantId,
    clientId: row.clientId,
    endpoints,
    credential,
    http,
    clock: options.clock,
    logger: options.logger,
  });
  return {
    tenantId: row.tenantId,
    endpoints,
    tokens,
    http,
    publisherId: row.publisherId,
    secrets: [secret],
    close: () => http.close(),
  };
}

function loadSecretKeyLazy(options: ConnectOptions): Buffer {
  return loadSecretKey(options.keyFile, options.env ?? process.env);
}
