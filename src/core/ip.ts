import { BlockList, isIP } from 'node:net';
import type { IpFilter } from './search-query.js';

/**
 * Address conventions (documented in docs/adr/0011-normalization-rules.md):
 * - IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is stored and matched as the plain IPv4 address, because the
 *   same client shows up in both spellings across workloads and a search for the IPv4 must find both.
 * - IPv6 is stored in its canonical compressed lower-case form.
 */
export function canonicalIp(text: string): string | null {
  let value = text.trim();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const zone = value.indexOf('%');
  if (zone > 0) value = value.slice(0, zone);
  const family = isIP(value);
  if (family === 4)
    return value
      .split('.')
      .map((p) => String(Number(p)))
      .join('.');
  if (family !== 6) return null;
  const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  return compressIpv6(value);
}

function compressIpv6(value: string): string {
  // Expand to eight groups, then compress the longest run of zero groups (RFC 5952).
  let head = value.toLowerCase();
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(head);
  if (v4) {
    const n = v4[1]!.split('.').map(Number);
    head =
      head.slice(0, -v4[1]!.length) + ((n[0]! << 8) | n[1]!).toString(16) + ':' + ((n[2]! << 8) | n[3]!).toString(16);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = left ? left.split(':') : [];
  const r = right !== undefined && right !== '' ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  const parts = groups.map((g) => parseInt(g || '0', 16).toString(16));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return parts.join(':');
  return parts.slice(0, bestStart).join(':') + '::' + parts.slice(bestStart + bestLen).join(':');
}

/** Parses a person's IP filter: an address (with or without port) or a CIDR block. Null when neither. */
export function parseIpFilter(text: string): IpFilter | null {
  const value = text.trim();
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const network = canonicalIp(value.slice(0, slash));
    const prefixText = value.slice(slash + 1);
    if (!network || !/^\d{1,3}$/.test(prefixText)) return null;
    const family = isIP(network) as 4 | 6;
    const prefix = Number(prefixText);
    if (prefix > (family === 4 ? 32 : 128)) return null;
    return { kind: 'cidr', network, prefix, family };
  }
  const direct = canonicalIp(value);
  if (direct) return { kind: 'address', address: direct };
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value) ?? /^\[([^\]]+)\]:\d+$/.exec(value);
  const address = withPort ? canonicalIp(withPort[1]!) : null;
  return address ? { kind: 'address', address } : null;
}

/** True when the (canonical) address matches the filter. */
export function ipMatches(address: string | null, filter: IpFilter): boolean {
  if (!address) return false;
  if (filter.kind === 'address') return address === filter.address;
  const family = isIP(address);
  if (family !== filter.family) return false;
  const list = new BlockList();
  list.addSubnet(filter.network, filter.prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The inclusive numeric bounds of an IPv4 CIDR block, for stores that compare integers. */
export function ipv4CidrBounds(network: string, prefix: number): [number, number] {
  const base = ipv4ToNumber(network);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(base / size) * size;
  return [start, start + size - 1];
}

export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}
