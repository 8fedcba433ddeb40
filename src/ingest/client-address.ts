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
