import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * The emulator's TLS material: a CA and a server certificate signed by it, made on first start and
 * reused afterwards (kept in the state folder). Clients trust the CA file through NODE_EXTRA_CA_CERTS or
 * a `ca` option; nothing ever turns verification off. The server certificate names 127.0.0.1, localhost
 * and every real service host of every cloud, so an unmodified client can be pointed here with a
 * hosts-file entry. Keys come from node:crypto (forge's key generation is slow); forge builds the X.509.
 */
export const SERVICE_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.windows.net',
  'manage.office.com',
  'manage-gcc.office.com',
  'manage.office365.us',
  'manage.protection.apps.mil',
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'outlook.office365.com',
  'outlook.office365.us',
  'webmail.apps.mil',
] as const;

export interface TlsMaterial {
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A fresh RSA-2048 key pair. Asynchronous (libuv thread pool) so the first start makes its eight or so
 * keys in parallel: one at a time they took most of the 5-second start budget on a busy machine.
 */
export async function newRsaKeyPair(): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

interface CertSpec {
  subjectCn: string;
  keys: KeyPairPem;
  issuer?: { cn: string; privateKeyPem: string };
  ca?: boolean;
  altNames?: { type: number; value?: string; ip?: string }[];
  years: number;
}

/** Builds and signs one certificate (self-signed when no issuer is given). */
export function makeCertificate(spec: CertSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.keys.publicKeyPem);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = Date.now();
  // Real time on purpose: TLS peers check validity against their own clock, not the emulator's.
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + spec.years * 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: spec.subjectCn }]);
  cert.setIssuer([{ name: 'commonName', value: spec.issuer?.cn ?? spec.subjectCn }]);
  const extensions: object[] = spec.ca
    ? [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
    : [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      ];
  if (spec.altNames) extensions.push({ name: 'subjectAltName', altNames: spec.altNames });
  cert.setExtensions(extensions);
  const signer = forge.pki.privateKeyFromPem(spec.issuer?.privateKeyPem ?? spec.keys.privateKeyPem);
  cert.sign(signer, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const CA_CN = 'tenantwatch emulator CA';

/** Loads the CA and server certificate from the state folder, creating them on first start. */
export async function ensureTls(stateDir: string): Promise<TlsMaterial> {
  const dir = join(stateDir, 'tls');
  const files = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };
  if (Object.values(files).every((f) => existsSync(f))) {
    return {
      caFile: files.ca,
      caPem: readFileSync(files.ca, 'utf8'),
      certPem: readFileSync(files.cert, 'utf8'),
      keyPem: readFileSync(files.key, 'utf8'),
    };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [caKeys, serverKeys] = await Promise.all([newRsaKeyPair(), newRsaKeyPair()]);
  const caPem = makeCertificate({ subjectCn: CA_CN, keys: caKeys, ca: true, years: 10 });
  const altNames = [
    { type: 7, ip: '127.0.0.1' },
    { type: 2, value: 'localhost' },
    ...SERVICE_HOSTS.map((value) => ({ type: 2, value })),
  ];
  const certPem = makeCertificate({
    subjectCn: '127.0.0.1',
    keys: serverKeys,
    issuer: { cn: CA_CN, privateKeyPem: caKeys.privateKeyPem },
    altNames,
    years: 5,
  });
  writeFileSync(files.caKey, caKeys.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.key, serverKeys.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.cert, certPem);
  writeFileSync(files.ca, caPem);
  return { caFile: files.ca, caPem, certPem, keyPem: serverKeys.privateKeyPem };
}
