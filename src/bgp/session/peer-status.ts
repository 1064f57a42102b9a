// What the speaker shows of one peer: a read-only snapshot built by Peer.status() for speaker.peers(), the API and
// the benchmarks.
import type { Family } from '../../net/address.js';
import type { FsmState } from './fsm.js';
import type { PeerCounters } from './peer-counters.js';

/** A read-only snapshot of one peer (speaker.peers()). */
export interface PeerStatus {
  readonly peer: string;
  readonly kind: 'static' | 'dynamic';
  /** Configured ASN (static) or the one learnt from OPEN (dynamic). */
  readonly asn: number | undefined;
  readonly range?: string;
  readonly group?: string;
  readonly description?: string;
  readonly state: FsmState;
  readonly routerId?: string;
  readonly hostname?: string;
  readonly holdTime?: number;
  /** Milliseconds in the current state (up or down), injected clock. */
  readonly uptimeMs: number;
  readonly capabilities: readonly string[];
  readonly families: readonly Family[];
  readonly counters: Readonly<PeerCounters> & {
    readonly accepted: number;
    readonly stale: number;
    readonly ipv4: number;
    readonly ipv6: number;
  };
  readonly lastError?: string;
  /** Messages received on the current connection (0 when none). */
  readonly messagesReceived: number;
  /** Graceful restart in progress: stale paths kept until this time (ms, injected clock) or End-of-RIB. */
  readonly staleUntil?: number;
}
