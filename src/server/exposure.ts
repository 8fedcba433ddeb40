import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { AppError } from '../core/errors.js';

/**
 * Whether the console may listen where it is asked to (issue 16: safe to put on a server). Off loopback
 * it must not hand every tenant's audit log to whoever reaches the port: it needs accounts, and it
 * needs TLS — its own (--tls-cert/--tls-key) or a proxy's in front (--behind-tls-proxy).
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

export interface Exposure {
  host: string;
  accounts: number;
  tls: boolean;
  behindTlsProxy: boolean;
  /** --trust-proxy addresses: a reverse proxy forwards to this console. */
  trustProxy?: readonly string[];
}

/** A proxy in front: even on a loopback bind, whoever reaches the proxy reaches the console. */
export function behindProxy(e: Pick<Exposure, 'behindTlsProxy' | 'trustProxy'>): boolean {
  return e.behindTlsProxy || Boolean(e.trustProxy?.length);
}

export function checkExposure(e: Exposure): void {
  if (isLoopback(e.host) && !behindProxy(e)) return;
  if (isLoopback(e.host) && e.accounts === 0) {
    throw new AppError(
      'UNSAFE_BIND',
      'Refusing to serve behind a proxy: no account exists (anyone reaching the proxy would read every tenant)',
      {
        hint: 'Add an administrator first: tenantwatch user add NAME --role admin --password-env VAR',
      },
    );
  }
  if (isLoopback(e.host)) return;
  const missing = [
    e.accounts === 0 && 'no account exists (anyone reaching the port would read every tenant)',
    !e.tls && !e.behindTlsProxy && 'there is no TLS (passwords and sessions would cross the network in clear)',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length === 0) return;
  throw new AppError('UNSAFE_BIND', `Refusing to serve on ${e.host}: ${missing.join(', and ')}`, {
    hint: exposureHint(e.accounts === 0, !e.tls && !e.behindTlsProxy),
  });
}

/**
 * What to do, as one sentence that reads right whichever is missing: with accounts present it began
 * "then serve with …" (a "then" after nothing) after the CLI's ". ".
 */
function exposureHint(noAccount: boolean, noTls: boolean): string {
  const tls = 'serve with --tls-cert FILE --tls-key FILE, or with --behind-tls-proxy when a TLS proxy is in front';
  const steps = [
    noAccount && 'Add an administrator first: tenantwatch user add NAME --role admin --password-env VAR',
    noTls && (noAccount ? `then ${tls}` : tls.charAt(0).toUpperCase() + tls.slice(1)),
  ].filter((s): s is string => typeof s === 'string');
  return [...steps, 'or keep the default --host 127.0.0.1 for use on this machine only'].join('; ');
}

/**
 * --trust-proxy values: IP addresses or CIDR blocks only. (fastify also takes `true` or a hop count,
 * which would believe a forwarded address from any client: not offered.)
 */
export function parseTrustProxy(values: readonly string[]): string[] {
  return values.map((v) => {
    const [address, bits, extra] = v.trim().split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !okBits || extra !== undefined) {
      throw new AppError('USAGE', `--trust-proxy ${v.slice(0, 100)} is not an IP address or CIDR block`, {
        hint: "Give the reverse proxy's own address as the console sees it, e.g. --trust-proxy 127.0.0.1 or 10.0.0.0/8",
      });
    }
    return v.trim();
  });
}

/**
 * The host names the console answers to besides loopback (the DNS-rebinding guard in server/auth):
 * the bound address, this machine's own addresses and name when it binds them all, and --allow-host.
 */
export function allowedHostsFor(host: string, extra: readonly string[]): string[] {
  const own = isWildcard(host)
    ? [
        hostname(),
        ...Object.values(networkInterfaces())
          .flat()
          .map((i) => (i?.family === 'IPv6' ? `[${i.address}]` : (i?.address ?? ''))),
      ]
    : [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host];
  return [...new Set([...own, ...extra].filter(Boolean))];
}

/** The URL people open: a wildcard bind is shown by this machine's name, not an address it never names. */
export function servedUrl(host: string, port: number, tls: boolean): string {
  const shown = isWildcard(host) ? hostname() : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shown}:${port}/`;
}
