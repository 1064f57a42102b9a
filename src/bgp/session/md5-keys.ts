// TCP-MD5 (RFC 2385) keys as the listeners need them: one per static neighbour (a /32 or /128) and one per dynamic
// range (its prefix, like FRR's per-range password for `bgp listen range`). Pure: which keys, not how they get
// into the kernel (that is listener.ts and sockopt/).
import type { Family } from '../../net/address.js';
import { parseAddress } from '../../net/address.js';
import { formatPrefix, makePrefix, prefixContains, type Prefix } from '../../net/prefix.js';
import { UserError } from '../../base/errors.js';
import type { TcpMd5Key } from '../../sockopt/tcp-md5.js';
import { rangePrefix, type DynamicRange, type StaticNeighbor } from './neighbors.js';

const hostPrefix = (address: string): Prefix => {
  const a = parseAddress(address);
  return makePrefix(a.family, a.addr, a.family === 'ipv4' ? 32 : 128);
};

interface KeyedEntry {
  readonly prefix: Prefix;
  readonly what: string;
  readonly password: string | undefined;
}

function entries(neighbors: readonly StaticNeighbor[], ranges: readonly DynamicRange[]): KeyedEntry[] {
  return [
    ...neighbors.map((n) => ({ prefix: hostPrefix(n.address), what: `neighbour ${n.address}`, password: n.password })),
    ...ranges.map((r) => {
      const prefix = rangePrefix(r);
      return { prefix, what: `range ${formatPrefix(prefix)}`, password: r.password };
    }),
  ];
}

/**
 * The keys a listener of `family` installs. An IPv6 listener is dual-stack, so it also gets the IPv4 keys (the
 * kernel wants them v4-mapped: sockopt does that); an IPv4 listener gets only the IPv4 ones.
 */
export function listenerKeys(family: Family, neighbors: readonly StaticNeighbor[], ranges: readonly DynamicRange[]): TcpMd5Key[] {
  return entries(neighbors, ranges)
    .filter((e) => e.password !== undefined && (family === 'ipv6' || e.prefix.family === 'ipv4'))
    .map((e) => ({ prefix: e.prefix, key: Buffer.from(e.password ?? '', 'utf8') }));
}

/**
 * The kernel picks a key by longest match and cannot exempt an address inside a keyed range: a neighbour or range
 * without a password inside a range with one would need that range's key. Throws naming both.
 */
export function checkKeyCoverage(neighbors: readonly StaticNeighbor[], ranges: readonly DynamicRange[]): void {
  const all = entries(neighbors, ranges);
  for (const e of all) {
    if (e.password !== undefined) continue;
    const keyed = all.find((k) => k.password !== undefined && k.prefix.len < e.prefix.len && prefixContains(k.prefix, e.prefix));
    if (keyed)
      throw new UserError(
        'MD5_KEY_COVERAGE',
        `${e.what} has no password but lies inside ${keyed.what}, which has one: the kernel would demand that key from it`,
      );
  }
  for (const e of all) {
    const bytes = e.password === undefined ? 0 : Buffer.byteLength(e.password, 'utf8');
    if (e.password !== undefined && (bytes < 1 || bytes > 80))
      throw new UserError('MD5_KEY_LENGTH', `${e.what}: a TCP-MD5 password must be 1 to 80 bytes, not ${bytes}`);
  }
}

/** A stable identity of a key set entry, for diffs (the key bytes as hex: never logged). */
export const keyId = (k: TcpMd5Key): string => `${formatPrefix(k.prefix)} ${k.key.toString('hex')}`;
