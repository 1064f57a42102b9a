// Who may talk to us: a static neighbour list plus dynamic ranges (FRR's `bgp listen range`), so autoscaled
// hosts need no config change. Pure matching, no I/O.
import { canonicalAddressText, parseAddress } from '../../net/address.js';
import { formatPrefix, parsePrefix, prefixContainsAddress, type Prefix } from '../../net/prefix.js';
import { UserError } from '../../base/errors.js';

export type MaxPrefixAction = 'reset' | 'warn';

export interface MaxPrefix {
  /** Most paths accepted per address family. */
  readonly limit: number;
  /** reset: NOTIFICATION 6/1 (RFC 4486); warn: stop accepting more and log once. */
  readonly action: MaxPrefixAction;
}

/** Per-peer options shared by static neighbours and dynamic ranges. */
export interface PeerOptions {
  readonly group?: string;
  readonly description?: string;
  /** Overrides the speaker's hold time for this peer (seconds; 0 or ≥ 3). */
  readonly holdTime?: number;
  readonly maxPrefix?: MaxPrefix;
  /** Upper bound on the restart time we grant a GR peer (seconds); default the speaker's. */
  readonly maxRestartTime?: number;
  /** Act as graceful-restart helper for this peer (default true). */
  readonly gracefulRestart?: boolean;
  /** TCP-MD5 key (RFC 2385), 1–80 bytes of UTF-8; for a range, one key for the whole prefix. Never logged. */
  readonly password?: string;
}

export interface StaticNeighbor extends PeerOptions {
  readonly address: string;
  readonly asn: number;
  /** Remote port for active connects (default 179). */
  readonly port?: number;
  /** Also connect out to this neighbour (we always accept inbound). */
  readonly active?: boolean;
  /** Local address to bind for active connects. */
  readonly localAddress?: string;
}

export type AsnRange = { readonly min: number; readonly max: number };
/** Allowed ASNs: an explicit list, one inclusive range, or several ranges (the config's `asns: [65001, "65010-65020"]`). */
export type AsnSet = { readonly list: readonly number[] } | AsnRange | readonly AsnRange[];

export interface DynamicRange extends PeerOptions {
  readonly range: Prefix | string;
  readonly asns: AsnSet;
  /** Most simultaneous peers from this range (FRR `bgp listen limit`, per range here). */
  readonly maxPeers?: number;
}

/** What a source address resolves to. */
export type NeighborMatch =
  | { readonly kind: 'static'; readonly neighbor: StaticNeighbor; readonly key: string }
  | { readonly kind: 'dynamic'; readonly range: DynamicRange; readonly rangeText: string; readonly key: string }
  | { readonly kind: 'reject'; readonly key: string; readonly reason: string };

const isRangeList = (set: AsnSet): set is readonly AsnRange[] => Array.isArray(set);

export function asnAllowed(set: AsnSet, asn: number): boolean {
  if (isRangeList(set)) return set.some((r) => asn >= r.min && asn <= r.max);
  return 'list' in set ? set.list.includes(asn) : asn >= set.min && asn <= set.max;
}

export function describeAsnSet(set: AsnSet): string {
  const r = (x: AsnRange): string => (x.min === x.max ? String(x.min) : `${x.min}-${x.max}`);
  if (isRangeList(set)) return set.map(r).join(',');
  return 'list' in set ? set.list.join(',') : r(set);
}

export const rangePrefix = (r: DynamicRange): Prefix => (typeof r.range === 'string' ? parsePrefix(r.range) : r.range);

/** Validated, indexed neighbour configuration. Build once per config (re)load. */
export class NeighborTable {
  readonly statics: ReadonlyMap<string, StaticNeighbor>;
  readonly ranges: readonly { readonly range: DynamicRange; readonly prefix: Prefix; readonly text: string }[];

  constructor(neighbors: readonly StaticNeighbor[], ranges: readonly DynamicRange[]) {
    const statics = new Map<string, StaticNeighbor>();
    for (const n of neighbors) {
      const key = canonicalAddressText(n.address);
      if (statics.has(key)) throw new UserError('DUPLICATE_NEIGHBOR', `neighbour ${key} is configured twice`);
      checkAsn(n.asn, `neighbour ${key}`);
      checkOptions(n, `neighbour ${key}`);
      statics.set(key, n);
    }
    this.statics = statics;
    // Most specific range first, like FRR: a /24 inside a /16 wins.
    this.ranges = ranges
      .map((range) => {
        const prefix = rangePrefix(range);
        checkOptions(range, `range ${formatPrefix(prefix)}`);
        return { range, prefix, text: formatPrefix(prefix) };
      })
      .sort((a, b) => b.prefix.len - a.prefix.len);
  }

  /**
   * Resolves a connection's source address. `dynamicCount(rangeText)` is the number of peers currently up or
   * connecting from that range (for maxPeers).
   */
  match(source: string, dynamicCount: (rangeText: string) => number): NeighborMatch {
    const key = canonicalAddressText(source);
    const st = this.statics.get(key);
    if (st) return { kind: 'static', neighbor: st, key };
    const addr = parseAddress(key);
    for (const r of this.ranges) {
      if (!prefixContainsAddress(r.prefix, addr)) continue;
      if (r.range.maxPeers !== undefined && dynamicCount(r.text) >= r.range.maxPeers) {
        return { kind: 'reject', key, reason: `range ${r.text} is at its limit of ${r.range.maxPeers} peers` };
      }
      return { kind: 'dynamic', range: r.range, rangeText: r.text, key };
    }
    return { kind: 'reject', key, reason: 'not a configured neighbour nor inside a listen range' };
  }
}

/** The ASN check of an OPEN (RFC 4271 §6.2 Bad Peer AS): undefined when acceptable, else the reason. */
export function checkPeerAsn(m: NeighborMatch, asn: number): string | undefined {
  if (m.kind === 'static') return asn === m.neighbor.asn ? undefined : `expected AS ${m.neighbor.asn}, got ${asn}`;
  if (m.kind === 'dynamic') {
    return asnAllowed(m.range.asns, asn) ? undefined : `AS ${asn} not allowed in range ${m.rangeText} (${describeAsnSet(m.range.asns)})`;
  }
  return m.reason;
}

function checkAsn(asn: number, what: string): void {
  if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) throw new UserError('BAD_ASN', `${what}: invalid ASN ${asn}`);
}

function checkOptions(o: PeerOptions, what: string): void {
  // RFC 4271 §4.2: a hold time is 0 or at least 3 seconds.
  if (
    o.holdTime !== undefined &&
    (!Number.isInteger(o.holdTime) || o.holdTime < 0 || o.holdTime > 65535 || o.holdTime === 1 || o.holdTime === 2)
  ) {
    throw new UserError('BAD_HOLD_TIME', `${what}: hold time ${o.holdTime} must be 0 or 3..65535 seconds`);
  }
  if (o.maxPrefix !== undefined && (!Number.isInteger(o.maxPrefix.limit) || o.maxPrefix.limit < 1)) {
    throw new UserError('BAD_MAX_PREFIX', `${what}: max-prefix limit ${o.maxPrefix.limit} must be a positive integer`);
  }
}
