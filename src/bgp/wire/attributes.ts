// Path attribute values (RFC 4271 §4.3 and the RFCs that add attributes), as a discriminated union.
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';

/** AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3). */
export type AsPathSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  readonly asns: readonly number[];
}

/** One prefix of an UPDATE; pathId is the RFC 7911 path identifier, 0 when ADD-PATH is not in use. */
export interface Nlri {
  readonly prefix: Prefix;
  readonly pathId: number;
}

/**
 * Every attribute carries the flags byte it arrived with (`flags`); encoders use the standard flags when it
 * is absent, and set the Extended Length bit when the value needs it.
 */
interface Base {
  readonly flags?: number;
}

export interface MpReachAttribute extends Base {
  readonly type: 'mp-reach';
  readonly afi: number;
  readonly safi: number;
  /** Global next hop: dotted quad for a 4-byte next hop, IPv6 text otherwise (`::ffff:a.b.c.d` when mapped). */
  readonly nextHop: string;
  /** Second (link-local) IPv6 next hop of a 32-byte next hop field (RFC 2545 §3). */
  readonly nextHopLinkLocal?: string;
  readonly nlri: readonly Nlri[];
}

export interface MpUnreachAttribute extends Base {
  readonly type: 'mp-unreach';
  readonly afi: number;
  readonly safi: number;
  readonly nlri: readonly Nlri[];
}

export type PathAttribute =
  | (Base & { readonly type: 'origin'; readonly origin: 0 | 1 | 2 }) // RFC 4271 §5.1.1
  | (Base & { readonly type: 'as-path'; readonly segments: readonly AsPathSegment[] }) // RFC 4271 §5.1.2
  | (Base & { readonly type: 'next-hop'; readonly nextHop: string }) // RFC 4271 §5.1.3
  | (Base & { readonly type: 'med'; readonly med: number }) // RFC 4271 §5.1.4
  | (Base & { readonly type: 'local-pref'; readonly localPref: number }) // RFC 4271 §5.1.5
  | (Base & { readonly type: 'atomic-aggregate' }) // RFC 4271 §5.1.6
  | (Base & { readonly type: 'aggregator'; readonly asn: number; readonly address: string }) // RFC 4271 §5.1.7
  | (Base & { readonly type: 'communities'; readonly communities: readonly number[] }) // RFC 1997
  | (Base & { readonly type: 'originator-id'; readonly originatorId: string }) // RFC 4456 §8
  | (Base & { readonly type: 'cluster-list'; readonly clusterIds: readonly string[] }) // RFC 4456 §8
  | MpReachAttribute // RFC 4760 §3
  | MpUnreachAttribute // RFC 4760 §4
  /** RFC 4360: 8-byte values as 16 lowercase hex digits. */
  | (Base & { readonly type: 'extended-communities'; readonly communities: readonly string[] })
  | (Base & { readonly type: 'as4-path'; readonly segments: readonly AsPathSegment[] }) // RFC 6793 §3
  | (Base & { readonly type: 'as4-aggregator'; readonly asn: number; readonly address: string }) // RFC 6793 §3
  /** RFC 8092: [global administrator, local data 1, local data 2]. */
  | (Base & { readonly type: 'large-communities'; readonly communities: readonly (readonly [number, number, number])[] })
  | { readonly type: 'unknown'; readonly flags: number; readonly code: number; readonly value: Buffer };

export type PathAttributeType = PathAttribute['type'];

/** What an UPDATE's callbacks need to know about an MP_REACH_NLRI, without its NLRI. */
export interface MpReachInfo {
  readonly afi: number;
  readonly safi: number;
  readonly family: Family;
  readonly nextHop: string;
  readonly nextHopLinkLocal?: string;
}

export interface MpUnreachInfo {
  readonly afi: number;
  readonly safi: number;
  readonly family: Family;
}
