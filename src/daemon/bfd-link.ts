// BFD between the route spec and the health gate: one BFD session per next hop whose peer group has `bfd` on (the
// route spec says which next hops exist and their group: BGP peers' next hops, and route-spec next hops of the
// default group). A session that was Up and goes Down marks the next hop unhealthy at once (a flap for damping;
// the health gate fails the routes over) and, with resetSession, resets the BGP session of the peer at that
// address (Cease / BFD Down, RFC 9384). Up again lifts the mark; so does the host switching BFD off
// (AdminDown: not a failure, RFC 5882 §3.2) or the next hop going away. A session that never came up gates
// nothing: a host without BFD keeps working on probes and BGP alone (as BIRD and FRR treat it).
import type { Logger } from '../base/log.js';
import { errorMessage } from '../base/errors.js';
import { isLinkLocal, parseAddress } from '../net/address.js';
import type { BfdService } from '../bfd/bfd-service.js';
import type { BfdStateChange, BfdTimers } from '../bfd/session.js';
import { diagText } from '../bfd/constants.js';
import type { BfdPeer, BfdPeerStatus } from '../bfd/peer-status.js';
import type { BfdSessionApiView } from '../api/views.js';

export interface BfdGroup {
  readonly multihop: boolean;
  readonly timers: BfdTimers;
  readonly resetSession: boolean;
}

export interface BfdLinkParts {
  readonly bfd: BfdService;
  /** The route spec's next hops with their group, and a subscription to changes of that set. */
  nextHopTargets(): readonly { readonly nextHop: string; readonly group: string }[];
  onNextHops(listener: () => void): () => void;
  /** The current health monitor's liveness input (a reload may replace the monitor). */
  setLiveness(nextHop: string, downReason: string | undefined): void;
  /** Resets a peer's Established session (Cease subcode, reason); false when there is none. */
  resetPeer(address: string, reason: string): boolean;
  readonly logger: Logger;
}

export class BfdLink {
  private groups: ReadonlyMap<string, BfdGroup>;
  /** Next hops marked down by BFD, with the reason given to the health monitor. */
  private readonly downs = new Map<string, string>();
  private groupOf = new Map<string, string>();
  private offNextHops: (() => void) | undefined;
  private pending = false;
  private readonly log: Logger;

  constructor(
    private readonly parts: BfdLinkParts,
    groups: ReadonlyMap<string, BfdGroup>,
  ) {
    this.groups = groups;
    this.log = parts.logger.child({ component: 'bfd' });
  }

  start(): void {
    this.parts.bfd.onChange((peer, c) => this.onBfd(peer, c));
    this.offNextHops = this.parts.onNextHops(() => this.scheduleSync());
    this.sync();
  }

  /** Config reload: new per-group settings (sessions added, removed or re-timed). */
  setGroups(groups: ReadonlyMap<string, BfdGroup>): void {
    this.groups = groups;
    this.sync();
  }

  /** A new health monitor took over (reload): give it the current BFD verdicts. */
  resync(): void {
    for (const [nh, reason] of this.downs) this.parts.setLiveness(nh, reason);
  }

  async stop(): Promise<void> {
    this.offNextHops?.();
    await this.parts.bfd.stop();
  }

  /** Next-hop changes come in batches; one sync per turn of the event loop. */
  private scheduleSync(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.sync();
    });
  }

  private sync(): void {
    const peers: BfdPeer[] = [];
    const groupOf = new Map<string, string>();
    for (const t of this.parts.nextHopTargets()) {
      const g = this.groups.get(t.group);
      if (!g) continue;
      const a = parseAddress(t.nextHop);
      if (a.family === 'ipv6' && isLinkLocal(a)) continue; // needs an interface: not supported
      groupOf.set(t.nextHop, t.group);
      peers.push({ peer: t.nextHop, multihop: g.multihop, timers: g.timers });
    }
    this.groupOf = groupOf;
    for (const nh of [...this.downs.keys()]) {
      if (groupOf.has(nh)) continue;
      this.downs.delete(nh);
      this.parts.setLiveness(nh, undefined); // no session any more: BFD has nothing to say about it
    }
    this.parts.bfd
      .setPeers(peers)
      .catch((err: unknown) => this.log.error({ event: 'bfd_error', err: errorMessage(err) }, `BFD sessions: ${errorMessage(err)}`));
  }

  private onBfd(nextHop: string, c: BfdStateChange): void {
    if (c.to === 'Up') return this.lift(nextHop);
    if (c.to !== 'Down') return; // our own AdminDown (stopping)
    if (c.remoteState === 'AdminDown') {
      this.log.info({ event: 'bfd_admin_down', peer: nextHop }, `BFD ${nextHop}: switched off on the host; not a failure (RFC 5882 §3.2)`);
      return this.lift(nextHop);
    }
    if (c.from !== 'Up' || this.downs.has(nextHop)) return; // never came up: gates nothing
    const reason = `BFD down (${diagText(c.diag)})`;
    this.downs.set(nextHop, reason);
    this.parts.setLiveness(nextHop, reason);
    const g = this.groups.get(this.groupOf.get(nextHop) ?? '');
    if (g?.resetSession) this.parts.resetPeer(nextHop, reason);
  }

  private lift(nextHop: string): void {
    if (!this.downs.delete(nextHop)) return;
    this.parts.setLiveness(nextHop, undefined);
  }
}

/** The API's view of the BFD sessions (GET /api/v1/bfd). */
export function bfdView(sessions: readonly BfdPeerStatus[], now: number): BfdSessionApiView[] {
  return sessions.map((s) => ({
    peer: s.peer,
    multihop: s.multihop,
    state: s.state,
    remoteState: s.remoteState,
    diagnostic: diagText(s.localDiag),
    remoteDiagnostic: diagText(s.remoteDiag),
    txIntervalMs: s.txIntervalMs,
    detectionTimeMs: s.detectionTimeMs,
    remoteMultiplier: s.remoteDetectMult,
    sinceSeconds: Math.floor((now - s.since) / 1000),
    flaps: s.flaps,
    received: s.rx,
    sent: s.tx,
  }));
}
