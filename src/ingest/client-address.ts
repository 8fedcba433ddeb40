import { canonicalIp } from '../core/ip.js';

/**
 * Client address parsing for every spelling seen in the corpus (schema.md quirk 4, ecs-mapping.md §4):
 * `1.2.3.4`, `1.2.3.4:8085`, `[2001:db8::1]:443`, `[2001:db8::1]`, `[1.2.3.4]`, `::ffff:1.2.3.4`
 * (stored as plain IPv4: core/ip.ts convention), `FE80::`, `host (1.2.3.4)`, `[host (1.2.3.4)]`,
 * host names (no address), empty and `<null>`.
 * A port is kept when it is written with the address or host (`[host]:443`, `host:443`).
 */
export interface ClientAddress {
  ip: string | null;
  port: number | null;
}

const NONE: ClientAddress = { ip: null, port: null };
const BRACKETED = /^\[([^\]]*)\](?::(\d{1,5}))?$/;
const HOST_PORT = /^([^:\s[\]]+):(\d{1,5})$/;
const HOST_PAREN = /^\[?[^()\s]*\s*\(([^()]+)\)\]?$/;

export function parseClientAddress(value: unknown): ClientAddress {
  if (typeof value !== 'string') return NONE;
  const quick = plainIpv4(value);
  if (quick) return quick;
  let parsed = recent.get(value);
  if (parsed === undefined) {
    parsed = parseGeneral(value);
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(value, parsed);
  }
  return parsed;
}

/**
 * Addresses recently parsed by the general path (IPv6, brackets, host names): a tenant's records come
 * from a few thousand addresses, and canonicalizing an IPv6 one (regexes, RFC 5952 compression) was 4%
 * of the parse worker's time in the import bench (ADR 0034). Results are immutable, so they are shared.
 */
const recent = new Map<string, ClientAddress>();
const RECENT_MAX = 50_000;

function parseGeneral(value: string): ClientAddress {
  const text = value.trim();
  if (text === '' || text === '<null>' || text.toLowerCase() === 'null') return NONE;
  const direct = canonicalIp(text);
  if (direct) return { ip: direct, port: null };
  const paren = HOST_PAREN.exec(text);
  if (paren) return { ip: canonicalIp(paren[1]!), port: null };
  const bracketed = BRACKETED.exec(text);
  if (bracketed) return { ip: canonicalIp(bracketed[1]!), port: toPort(bracketed[2]) };
  const hostPort = HOST_PORT.exec(text);
  if (hostPort) return { ip: canonicalIp(hostPort[1]!), port: toPort(hostPort[2]) };
  return NONE;
}

function toPort(text: string | undefined): number | null {
  if (text === undefined) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/**
 * The common spellings `a.b.c.d` and `a.b.c.d:port` (already canonical: no leading zeros), read
 * character by character; anything else (null here) takes the general path above. Most records carry
 * one of these, and the general path's regexes and isIP calls were 8% of an import's CPU.
 */
function plainIpv4(text: string): ClientAddress | null {
  const n = text.length;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(i) !== 46) return null;
      i++;
    }
    const start = i;
    let value = 0;
    for (; i < n && i - start < 4; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
    }
    const length = i - start;
    if (length === 0 || length > 3 || value > 255 || (length > 1 && text.charCodeAt(start) === 48)) return null;
  }
  if (i === n) return { ip: text, port: null };
  if (text.charCodeAt(i) !== 58 || n - i < 2 || n - i > 6) return null;
  let port = 0;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    port = port * 10 + c;
  }
  return port <= 65535 ? { ip: text.slice(0, text.indexOf(':')), port } : null;
}
