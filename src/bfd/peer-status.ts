// What the BFD service is asked to run, and what it shows of each session.
import type { BfdSessionView, BfdTimers } from './session.js';

export interface BfdPeer {
  readonly peer: string;
  /** RFC 5883 (UDP 4784, no TTL check) instead of RFC 5881. */
  readonly multihop: boolean;
  readonly timers: BfdTimers;
}

export interface BfdPeerStatus extends BfdSessionView {
  readonly peer: string;
  readonly multihop: boolean;
  readonly localPort: number;
}
