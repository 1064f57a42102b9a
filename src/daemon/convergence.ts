// Initial convergence: when has the daemon heard enough to make its first EC2 write? Writing earlier would replace
// or delete routes of hosts that simply have not reconnected yet. Pure: events and clock readings in, a boolean out.
//
// Converged at the earlier of
//  - the settle deadline (start + settleMs), or
//  - "everyone said End-of-RIB": at least one peer is up, every up peer negotiated graceful restart and sent
//    End-of-RIB for each of its families (RFC 4724 §2), no peer came up for quietMs, and minMs has passed.
// Peers without graceful restart (gobgpd by default) never send End-of-RIB, so they hold the decision until the
// settle deadline. With `requirePeer` (BGP is configured), a settle deadline reached with no peer up does not count:
// after a restart every host may still be reconnecting (gobgpd retries after 5–8 s), and converging on an empty RIB
// would delete every route. Then the decision waits for the first peer (plus the quiet time) or for maxMs.
// The hosts our installed routes lead to (expect()) must be heard from before End-of-RIB may decide: a host is heard
// when one of its addresses is a next hop the route spec holds (from BGP or a spec file) or an up peer that sent
// End-of-RIB. Without it, a restart that sees two of three hosts back and done would delete the third host's
// routes while it is still reconnecting. When EC2 could not say which hosts those are (expectUnknown()), only the
// settle deadline decides.
import type { SpeakerEvent } from '../bgp/events.js';

export interface ConvergenceOptions {
  readonly settleMs: number;
  /** Never converge earlier than this after start, even when every peer sent End-of-RIB. */
  readonly minMs?: number;
  /** A new peer session resets this quiet period. */
  readonly quietMs?: number;
  /** Do not converge on the settle deadline while no peer is up (until maxMs). */
  readonly requirePeer?: boolean;
  /** Upper bound when requirePeer holds the decision (default 6 × settleMs, at least 60 s). */
  readonly maxMs?: number;
}

interface PeerProgress {
  readonly families: ReadonlySet<string>;
  readonly gr: boolean;
  readonly eor: Set<string>;
}

export class ConvergenceTracker {
  private readonly peers = new Map<string, PeerProgress>();
  private lastPeerUp: number;
  private done = false;
  private reasonText = '';
  /** Per installed host, its addresses; undefined: not known (yet). */
  private expected: readonly (readonly string[])[] | undefined = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly startedAt: number,
    private readonly opts: ConvergenceOptions,
  ) {
    this.lastPeerUp = startedAt;
  }

  observe(ev: SpeakerEvent, now: number): void {
    switch (ev.type) {
      case 'peer-up':
        this.peers.set(ev.info.peer, { families: new Set(ev.info.families), gr: ev.info.gracefulRestart, eor: new Set() });
        this.lastPeerUp = now;
        return;
      case 'peer-down':
        this.peers.delete(ev.peer);
        return;
      case 'end-of-rib':
        this.peers.get(ev.peer)?.eor.add(ev.family);
        return;
      case 'paths':
      case 'withdrawals':
        return;
      default: {
        const never: never = ev;
        return never;
      }
    }
  }

  /** The hosts the installed routes lead to (each a list of its addresses), as EC2 tells them. */
  expect(hosts: readonly (readonly string[])[]): void {
    this.expected = hosts;
  }

  /** EC2 could not say which hosts the installed routes lead to: End-of-RIB alone never decides. */
  expectUnknown(): void {
    this.expected = undefined;
  }

  /** Next hops the route spec now holds. */
  sawNextHops(nextHops: Iterable<string>): void {
    if (this.done) return;
    for (const nh of nextHops) this.seen.add(nh);
  }

  /** Installed hosts not heard from yet (undefined: not known). */
  unheard(): readonly (readonly string[])[] | undefined {
    return this.expected?.filter((ips) => !ips.some((ip) => this.seen.has(ip) || this.peers.has(ip)));
  }

  /** Checks (and latches) convergence at time `now`. */
  check(now: number): boolean {
    if (this.done) return true;
    const maxMs = this.opts.maxMs ?? Math.max(60_000, 6 * this.opts.settleMs);
    if (this.opts.requirePeer && now >= this.startedAt + maxMs) {
      this.done = true;
      this.reasonText = `no peer after ${maxMs}ms; converging with ${this.peers.size} peer(s) up`;
      return true;
    }
    if (now >= this.startedAt + this.opts.settleMs) {
      const waitingForPeer = this.opts.requirePeer === true && (this.peers.size === 0 || now < this.lastPeerUp + (this.opts.quietMs ?? 0));
      if (!waitingForPeer) {
        this.done = true;
        const unheard = this.unheard()?.length ?? 0;
        this.reasonText = `settle time ${this.opts.settleMs}ms elapsed with ${this.peers.size} peer(s) up${unheard ? `, ${unheard} installed host(s) not heard from` : ''}`;
        return true;
      }
    }
    if (now < this.startedAt + (this.opts.minMs ?? 0) || now < this.lastPeerUp + (this.opts.quietMs ?? 0)) return false;
    if (this.peers.size === 0) return false;
    for (const p of this.peers.values()) {
      if (!p.gr) return false;
      for (const f of p.families) if (!p.eor.has(f)) return false;
    }
    // Every up peer said End-of-RIB (so an installed host that is an up peer is done); each other installed host
    // must be a next hop the route spec holds.
    if (this.unheard()?.length !== 0) return false;
    this.done = true;
    this.reasonText = `End-of-RIB from all ${this.peers.size} peer(s)`;
    return true;
  }

  /** Milliseconds until the next moment check() could change its answer without a new event. */
  nextCheckIn(now: number): number {
    const maxMs = this.opts.maxMs ?? Math.max(60_000, 6 * this.opts.settleMs);
    const candidates = [
      this.startedAt + this.opts.settleMs,
      this.startedAt + (this.opts.minMs ?? 0),
      this.lastPeerUp + (this.opts.quietMs ?? 0),
      ...(this.opts.requirePeer ? [this.startedAt + maxMs] : []),
    ]
      .map((t) => t - now)
      .filter((d) => d > 0);
    return candidates.length ? Math.min(...candidates) : 0;
  }

  get converged(): boolean {
    return this.done;
  }

  get reason(): string {
    return this.reasonText;
  }
}
