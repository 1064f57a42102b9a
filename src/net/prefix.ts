// The prefix value type shared by the codec, the RIB, policy, aggregation and VPC sync. Prefixes are canonical
// (host bits zero); addresses are unsigned bigints (see address.ts).
import { UserError } from '../base/errors.js';
import { familyBits, formatIpv4, formatIpv6, parseAddress, type Address, type Family } from './address.js';

export interface Prefix {
  readonly family: Family;
  /** Network address, host bits zero. */
  readonly addr: bigint;
  readonly len: number;
}

export class PrefixError extends UserError {
  constructor(message: string) {
    super('BAD_PREFIX', message);
  }
}

export function hostMask(family: Family, len: number): bigint {
  return (1n << BigInt(familyBits(family) - len)) - 1n;
}

export interface ParsePrefixOptions {
  /** Reject prefixes with host bits set (default true). When false, host bits are cleared. */
  readonly requireCanonical?: boolean;
}

/** Parses "a.b.c.d/n" or "x::/n". A bare address is a host prefix (/32 or /128). */
export function parsePrefix(text: string, opts: ParsePrefixOptions = {}): Prefix {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const a = parseAddress(addrText);
  const bits = familyBits(a.family);
  let len: number = bits;
  if (slash >= 0) {
    const lenText = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
      throw new PrefixError(`invalid prefix length in "${text}" (0..${bits})`);
    }
    len = Number(lenText);
  }
  const mask = hostMask(a.family, len);
  if ((a.addr & mask) !== 0n) {
    if (opts.requireCanonical ?? true) {
      const canon = formatPrefix({ family: a.family, addr: a.addr & ~mask, len });
      throw new PrefixError(`"${text}" has host bits set (did you mean ${canon}?)`);
    }
  }
  return { family: a.family, addr: a.addr & ~mask, len };
}

export function tryParsePrefix(text: string, opts: ParsePrefixOptions = {}): Prefix | undefined {
  try {
    return parsePrefix(text, opts);
  } catch {
    return undefined;
  }
}

export function formatPrefix(p: Prefix): string {
  return `${p.family === 'ipv4' ? formatIpv4(p.addr) : formatIpv6(p.addr)}/${p.len}`;
}

export function makePrefix(family: Family, addr: bigint, len: number): Prefix {
  return { family, addr: addr & ~hostMask(family, len), len };
}

/** True when `outer` covers `inner` (equal counts as covering). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.len > inner.len) return false;
  return (inner.addr & ~hostMask(outer.family, outer.len)) === outer.addr;
}

export function prefixContainsAddress(p: Prefix, a: Address): boolean {
  return p.family === a.family && (a.addr & ~hostMask(p.family, p.len)) === p.addr;
}

/** The item whose prefix is the longest to contain the address (a router's lookup), or undefined. */
export function longestMatch<T>(items: Iterable<T>, prefixOf: (item: T) => Prefix | undefined, a: Address): T | undefined {
  let best: T | undefined;
  let bestLen = -1;
  for (const item of items) {
    const p = prefixOf(item);
    if (p && p.len > bestLen && prefixContainsAddress(p, a)) {
      best = item;
      bestLen = p.len;
    }
  }
  return best;
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixContains(a, b) || prefixContains(b, a);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.len === b.len && a.addr === b.addr;
}

/** Total order: family (IPv4 first), then address, then length. */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  return a.len - b.len;
}

/** Number of addresses in the prefix. */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(familyBits(p.family) - p.len);
}
