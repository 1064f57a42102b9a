// Internal state of the route spec: prefixes, their candidates, next hops and peers. Mutable on purpose (the
// route spec owns it and updates it in place for speed); nothing outside src/rib sees these objects.
import type { Prefix } from '../net/prefix.js';
import type { PathAttributes } from '../bgp/events.js';
import type { LazySet, RefCounts } from './lazy-collections.js';
import type { PolicyVerdict } from '../policy/import-policy.js';
import type { Rankable } from './ranking.js';
import type { ChangeReason } from './chosen.js';

/** A prefix's per-AZ choices (az-views.ts). */
export interface AzViewState {
  /** The view's current choice per AZ. */
  readonly choice: Map<string, string>;
  /** AZs whose choice was emitted as an override (differs from the default). */
  readonly overrides: Set<string>;
}

export type SpecSource = 'file' | 'http' | 'static';

export interface NextHopState {
  readonly text: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly addr: bigint;
  /** Numeric sort key: the IPv4 address, or the top 53 bits of the IPv6 one. */
  readonly key: number;
  healthy: boolean;
  /** When `healthy` last changed (clock ms). */
  since: number;
  reason: string;
  /** "next hop unhealthy: <reason>", kept with `reason` so 10k failovers share one string. */
  downText: string;
  /** Health-check group (from the first candidate's policy verdict). */
  group: string;
  /** Prefix entries that have at least one candidate via this next hop, with the count of such candidates. */
  readonly refs: RefCounts<PrefixEntry>;
}

export interface PeerState {
  readonly peer: string;
  asn: number;
  up: boolean;
  /** The speaker's graceful-restart deadline from the last session loss (shown by explain; the speaker sweeps). */
  staleUntil: number | undefined;
  /** Every path of this peer (a path is found through its prefix entry: entry.cands, peer and path id). */
  readonly paths: LazySet<BgpCandidate>;
}

interface CandidateBase extends Rankable {
  nh: NextHopState;
  readonly entry: PrefixEntry;
  addedAt: number;
  verdict: PolicyVerdict;
  // Rankable fields, refreshed before each ranking.
  nextHop: string;
  nhFamily: 'ipv4' | 'ipv6';
  nhAddr: bigint;
  nhKey: number;
  localPref: number;
  asPathLength: number;
  med: number;
  neighborAs: number | undefined;
  priority: number;
  eligible: boolean;
  eligibleSince: number;
  az: string | undefined;
}

export interface BgpCandidate extends CandidateBase {
  readonly source: 'bgp';
  readonly peer: PeerState;
  /** ADD-PATH path identifier (RFC 7911), 0 without ADD-PATH. */
  readonly pathId: number;
  /** The path's attributes (shared by every prefix of its UPDATE); the BgpPath itself is not kept. */
  attrs: PathAttributes;
  peerAsn: number;
  stale: boolean;
}

export interface SpecCandidate extends CandidateBase {
  readonly source: SpecSource;
  /** Position in the list for this prefix (0 = most preferred). */
  readonly index: number;
}

export type Candidate = BgpCandidate | SpecCandidate;

export interface PrefixEntry {
  readonly key: PrefixKey;
  readonly prefix: Prefix;
  /** Usually one candidate: allocated exactly (a growing array would keep 16 spare slots per prefix). */
  cands: Candidate[];
  chosen: string | undefined;
  /** The current choice was reached because the previous one became ineligible. */
  failover: boolean;
  /** How the current choice came about (or why the last one is kept), and the one-line detail. */
  reasonKind: ChangeReason | 'keep-last' | '';
  reason: string;
  /** Set while queued for re-ranking. */
  dirty: boolean;
  /** Candidates' MEDs differ (refreshed at every re-rank; every MED change re-ranks). */
  medVaries: boolean;
  /** Per-AZ choices (az-views.ts), while the prefix has several candidates and route tables serve AZs. */
  azViews: AzViewState | undefined;
  /** The views were armed once (a later arming starts from the default choice). */
  azArmed: boolean;
}

/** A compact, unique key per prefix: a number for IPv4 (address × 64 + length, exact below 2^53), text for IPv6. */
export type PrefixKey = number | string;

export function prefixKey(p: Prefix): PrefixKey {
  return p.family === 'ipv4' ? Number(p.addr) * 64 + p.len : `6:${p.addr.toString(36)}/${p.len}`;
}
