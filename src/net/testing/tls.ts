import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

/**
 * TLS test material and local HTTPS listeners on 127.0.0.1, for tests of the HTTP client and of the
 * clients built on it: a CA the client is told to trust, a server certificate it signed for 127.0.0.1 and
 * localhost, one it signed for another host name, and one from a CA nobody trusts. Made once per process
 * (RSA key generation is the slow part).
 */
export interface TestPki {
  /** The CA to give the client (`ca` option). */
  caPem: string;
  /** Signed by the CA, for 127.0.0.1 and localhost. */
  good: { cert: string; key: string };
  /** Signed by the CA, for elsewhere.example only. */
  wrongHost: { cert: string; key: string };
  /** For 127.0.0.1, signed by a CA the client does not trust. */
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

export function testPki(): Promise<TestPki> {
  made ??= (async () => {
    const [caKeys, rogueKeys, leaf] = await Promise.all([rsa(), rsa(), rsa()]);
    const ca = { cn: 'tenantwatch test CA', privateKey: caKeys.privateKey };
    const rogue = { cn: 'nobody trusts this CA', privateKey: rogueKeys.privateKey };
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
  })();
  return made;
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
