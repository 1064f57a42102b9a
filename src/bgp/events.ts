// What the BGP speaker tells the rest of the program. This is the contract between src/bgp (producer) and
// src/rib (route spec, consumer). Keep it small and stable.
import type { Prefix } from '../net/prefix.js';

/** Path attributes the route spec and policy care about, decoded. Shared by every prefix of one UPDATE. */
export interface PathAttributes {
  readonly origin: 0 | 1 | 2; // IGP, EGP, INCOMPLETE
  /** AS_PATH flattened to ASNs (AS4_PATH already merged, RFC 6793 §4.2.3). */
  readonly asPath: readonly number[];
  /** Path length for best-path comparison: AS_SEQUENCE counts each ASN, an AS_SET counts 1, confed segments 0. */
  readonly asPathLength: number;
  readonly med?: number;
  readonly localPref?: number;
  /** RFC 1997 communities as unsigned 32-bit numbers (asn << 16 | value). */
  readonly communities: readonly number[];
  /** RFC 8092 large communities as [global, local1, local2]. */
  readonly largeCommunities: readonly (readonly [number, number, number])[];
  /** RFC 4360 extended communities, 8 bytes each, as lowercase hex. */
  readonly extendedCommunities: readonly string[];
}

/** One path received from a peer. */
export interface BgpPath {
  /** Peer identity: the peer's address in canonical text ("10.0.0.5", "2001:db8::5"). */
  readonly peer: string;
  readonly peerAsn: number;
  /** ADD-PATH path identifier (RFC 7911), 0 when not negotiated. */
  readonly pathId: number;
  readonly prefix: Prefix;
  /** Next hop in canonical text; IPv4-mapped IPv6 already turned into IPv4; link-local ignored. */
  readonly nextHop: string;
  readonly attrs: PathAttributes;
  /** Set while the peer is restarting under graceful restart (RFC 4724 §4.2). */
  readonly stale: boolean;
}

export type PeerDownReason =
  'notification-received' | 'notification-sent' | 'hold-timer-expired' | 'tcp-closed' | 'admin-shutdown' | 'error';

export interface PeerInfo {
  readonly peer: string;
  readonly asn: number;
  readonly routerId: string;
  readonly hostname?: string;
  readonly families: readonly ('ipv4' | 'ipv6')[];
  readonly gracefulRestart: boolean;
}

/** The speaker's single event stream. Paths arrive batched (one batch per UPDATE or per timer action). */
export type SpeakerEvent =
  | { readonly type: 'peer-up'; readonly info: PeerInfo }
  | {
      readonly type: 'peer-down';
      readonly peer: string;
      readonly reason: PeerDownReason;
      readonly detail: string;
      /** Graceful restart applies: paths stay (stale) until this deadline (ms, injected clock) or End-of-RIB. */
      readonly staleUntil?: number;
    }
  /** Paths added or changed (same peer + prefix + pathId replaces). */
  | { readonly type: 'paths'; readonly peer: string; readonly paths: readonly BgpPath[] }
  /** Paths removed: withdrawals, session loss without GR, stale paths swept after End-of-RIB or restart timeout. */
  | {
      readonly type: 'withdrawals';
      readonly peer: string;
      readonly removed: readonly { readonly prefix: Prefix; readonly pathId: number }[];
    }
  | { readonly type: 'end-of-rib'; readonly peer: string; readonly family: 'ipv4' | 'ipv6' };

export type SpeakerListener = (event: SpeakerEvent) => void;
