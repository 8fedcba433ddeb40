import { generateKeyPair, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/**
 * TLS test material and local HTTPS listeners on 127.0.0.1, for tests of the HTTP client and of the
 * clients built on it: a CA the client is told to trust, a server certificate it signed for 127.0.0.1 and
 * localhost, one it signed for another host name, and one from a CA nobody trusts. RSA key generation is
 * the slow part on a busy machine, so the set is made once and kept in the temporary folder for the next
 * test process (test material only: these keys protect nothing).
 */
export interface TestPki {
  /** The CA to give the client (`ca` option). */
  caPem: string;
  /** Signed by the CA, for 127.0.0.1 and localhost. */
  good: { cert: string; key: string };
  /** Signed by the CA, for elsewhere.example only. */
  wrongHost: { cert: string; key: string };
  /** For 127.0.0.1, self-signed: no CA the client trusts vouches for it. */
  untrusted: { cert: string; key: string };
}

const keyPair = promisify(generateKeyPair);

async function rsa(): Promise<{ privateKey: string; publicKey: string }> {
  return keyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

function certificate(o: {
  cn: string;
  publicKey: string;
  signer: { cn: string; privateKey: string };
  ca?: boolean;
  altNames?: { type: number; value?: string; ip?: string }[];
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(o.publicKey);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  // Real time on purpose: the TLS peer checks validity against the system clock.
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: o.cn }]);
  cert.setIssuer([{ name: 'commonName', value: o.signer.cn }]);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: o.altNames ?? [] },
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(o.signer.privateKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

let made: Promise<TestPki> | null = null;
const CACHE = join(tmpdir(), `tenantwatch-test-pki-v1-${process.getuid?.() ?? 'user'}.json`);

export function testPki(): Promise<TestPki> {
  made ??= cached() ?? generate().then(keep);
  return made;
}

function cached(): Promise<TestPki> | null {
  try {
    const pki = JSON.parse(readFileSync(CACHE, 'utf8')) as TestPki & { until: number };
    // Certificates are valid a year; remake them well before.
    return pki.until > Date.now() && pki.good?.cert ? Promise.resolve(pki) : null;
  } catch {
    return null;
  }
}

function keep(pki: TestPki): TestPki {
  try {
    const tmp = `${CACHE}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ ...pki, until: Date.now() + 180 * 86_400_000 }), { mode: 0o600 });
    renameSync(tmp, CACHE);
  } catch {
    // no cache: the next process makes its own
  }
  return pki;
}

async function generate(): Promise<TestPki> {
  const [caKeys, leaf] = await Promise.all([rsa(), rsa()]);
  const ca = { cn: 'tenantwatch test CA', privateKey: caKeys.privateKey };
  // Self-signed: an issuer nobody was told to trust (and one key pair fewer to make).
  const rogue = { cn: '127.0.0.1', privateKey: leaf.privateKey };
  const local: { type: number; value?: string; ip?: string }[] = [
    { type: 7, ip: '127.0.0.1' },
    { type: 2, value: 'localhost' },
  ];
  const leafFor = (signer: typeof ca, altNames: typeof local) => ({
    cert: certificate({ cn: altNames[0]?.value ?? '127.0.0.1', publicKey: leaf.publicKey, signer, altNames }),
    key: leaf.privateKey,
  });
  return {
    caPem: certificate({ cn: ca.cn, publicKey: caKeys.publicKey, signer: ca, ca: true }),
    good: leafFor(ca, local),
    wrongHost: leafFor(ca, [{ type: 2, value: 'elsewhere.example' }]),
    untrusted: leafFor(rogue, local),
  };
}

export interface Listener {
  /** https://127.0.0.1:port */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 (a free port) with the given certificate. */
export async function listen(
  tls: { cert: string; key: string },
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Listener & { server: Server }> {
  const server = createServer(tls, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    origin: `https://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface Recorder extends Listener {
  /** TCP connections opened to it (a TLS handshake that failed counts too). */
  connections: number;
  requests: { method: string; url: string; authorization: string | null }[];
}

/**
 * A second listener that writes down everything it receives. Its certificate is trusted, so a client
 * that wrongly sent a request here would complete it, and the token would be in `requests`.
 */
export async function recorder(pki: TestPki): Promise<Recorder> {
  const seen: Pick<Recorder, 'connections' | 'requests'> = { connections: 0, requests: [] };
  const l = await listen(pki.good, (req, res) => {
    seen.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization ?? null,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"value":[]}');
  });
  l.server.on('connection', () => seen.connections++);
  return Object.assign(seen, { origin: l.origin, port: l.port, close: () => l.close() });
}
