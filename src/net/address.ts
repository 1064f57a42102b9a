// IP addresses as values: IPv4 and IPv6 as unsigned bigints (32 and 128 bits), parsed strictly and printed in
// canonical text (RFC 5952 for IPv6). The base of every layer that handles addresses.
import { UserError } from '../base/errors.js';

export type Family = 'ipv4' | 'ipv6';

export class AddressError extends UserError {
  constructor(message: string) {
    super('BAD_ADDRESS', message);
  }
}

export interface Address {
  readonly family: Family;
  readonly addr: bigint;
}

export const familyBits = (family: Family): 32 | 128 => (family === 'ipv4' ? 32 : 128);

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    if (part.length > 1 && part.startsWith('0')) return undefined; // no octal-looking octets
    const n = Number(part);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return BigInt(v);
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let tail4: bigint | undefined;
  // Embedded IPv4 in the last 32 bits (::ffff:1.2.3.4).
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > lastColon) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | tail4;
  return v;
}

/** Parses an IPv4 or IPv6 address. Throws AddressError with a one-line reason. */
export function parseAddress(text: string): Address {
  const t = text.trim();
  if (t.includes(':')) {
    const addr = parseIpv6(t);
    if (addr === undefined) throw new AddressError(`invalid IPv6 address "${text}"`);
    return { family: 'ipv6', addr };
  }
  const addr = parseIpv4(t);
  if (addr === undefined) throw new AddressError(`invalid IP address "${text}"`);
  return { family: 'ipv4', addr };
}

export function tryParseAddress(text: string): Address | undefined {
  try {
    return parseAddress(text);
  } catch {
    return undefined;
  }
}

export function formatIpv4(addr: number | bigint): string {
  const n = Number(addr);
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text form: lowercase, longest run (≥ 2) of zero groups compressed, first one on ties. */
export function formatIpv6(addr: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function formatAddress(a: Address): string {
  return a.family === 'ipv4' ? formatIpv4(a.addr) : formatIpv6(a.addr);
}

/** `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2) → the IPv4 address; anything else unchanged. */
export function unmapIpv4(a: Address): Address {
  if (a.family === 'ipv6' && a.addr >> 32n === 0xffffn) return { family: 'ipv4', addr: a.addr & 0xffffffffn };
  return a;
}

/** fe80::/10 */
export function isLinkLocal(a: Address): boolean {
  return a.family === 'ipv6' ? a.addr >> 118n === 0x3fan : a.addr >> 16n === 0xa9fen;
}

/** 127.0.0.0/8 or ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), IPv4-mapped included. */
export function isLoopback(a: Address): boolean {
  const u = unmapIpv4(a);
  return u.family === 'ipv4' ? u.addr >> 24n === 127n : u.addr === 1n;
}

/** Canonical text of an address given as text: `::FFFF:10.0.0.1` → `10.0.0.1`. */
export function canonicalAddressText(text: string): string {
  return formatAddress(unmapIpv4(parseAddress(text)));
}
