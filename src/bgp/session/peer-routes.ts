// The routes of one peer: its Adj-RIB-In, UPDATE ingest (with max-prefix), and the stale-path lifecycle of
// graceful restart and enhanced route refresh, turned into the speaker's events. The peer (peer.ts) owns the
// connections and calls in here when a session comes up, delivers a message, or goes down.
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { Family } from '../../net/address.js';
import type { SpeakerEvent } from '../events.js';
import { Afi, afiOf, Safi } from '../wire/constants.js';
import { DEFAULT_CONTEXT, type DecodeContext } from '../wire/decode-context.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import { walkUpdate } from '../wire/update-decode.js';
import { AdjRibIn } from './adj-rib-in.js';
import type { PeerGracefulRestart, RetainDecision } from './graceful-restart.js';
import type { Negotiated } from './negotiate.js';
import type { MaxPrefix } from './neighbors.js';
import type { PeerCounters } from './peer-counters.js';
import { StalePaths } from './stale-paths.js';
import { UpdateIngest } from './update-ingest.js';

export interface PeerRoutesEnv {
  readonly clock: Clock;
  readonly log: Logger;
  emit(ev: SpeakerEvent): void;
  hasListeners(): boolean;
  /** Seconds a re-established peer gets to send End-of-RIB / EoRR. */
  stalePathTime(): number;
}

/** A max-prefix limit was crossed: the session must be reset with this NOTIFICATION data. */
export interface MaxPrefixExceeded {
  readonly family: Family;
  readonly limit: number;
  /** RFC 4486 §4: AFI (2 octets), SAFI (1), the upper bound (4). */
  readonly data: Buffer;
}

export class PeerRoutes {
  readonly rib = new AdjRibIn();
  private readonly ingest: UpdateIngest;
  private readonly stale: StalePaths;
  private ctx: DecodeContext = DEFAULT_CONTEXT;

  constructor(
    private readonly key: string,
    counters: PeerCounters,
    private readonly env: PeerRoutesEnv,
  ) {
    this.ingest = new UpdateIngest(key, 0, this.rib, counters, env.log);
    this.stale = new StalePaths(
      this.rib,
      env.clock,
      env.log,
      (removed) => env.emit({ type: 'withdrawals', peer: key, removed }),
      () => env.stalePathTime(),
    );
  }

  /** Graceful restart in progress: stale paths kept until this time (ms, injected clock) or End-of-RIB. */
  get staleUntil(): number | undefined {
    return this.stale.staleUntil;
  }

  set maxPrefix(m: MaxPrefix | undefined) {
    this.ingest.maxPrefix = m;
  }

  /** The session is Established with what both sides negotiated. */
  sessionUp(peerAsn: number, n: Negotiated, gr: PeerGracefulRestart | undefined, maxPrefix: MaxPrefix | undefined): void {
    this.ctx = { fourOctetAsn: n.fourOctetAsn, addPath: n.addPath, extendedMessages: n.extendedMessage };
    this.ingest.sessionUp(peerAsn, n.fourOctetAsn);
    this.ingest.maxPrefix = maxPrefix;
    // RFC 4724 §4.2: the peer is back; stop the restart timer and sweep what it cannot have kept.
    this.stale.sessionUp(gr, n.families);
  }

  /** RFC 4724 §4.2: the session went down under graceful restart; the paths stay, stale. Returns the deadline. */
  keepStale(retain: RetainDecision, isBack: () => boolean): number {
    this.ingest.maxPrefix = undefined;
    return this.stale.sessionLost(retain, isBack);
  }

  /** One UPDATE (throws BgpMessageError for session-reset errors). Returns what to reset for, if anything. */
  update(msg: Buffer): MaxPrefixExceeded | undefined {
    this.ingest.wantEvents = this.env.hasListeners();
    this.ingest.msg = msg;
    const header = walkUpdate(msg, this.ctx, this.ingest);
    this.ingest.msg = undefined;
    const r = this.ingest.take(header);
    if (r.withdrawn.length > 0) this.env.emit({ type: 'withdrawals', peer: this.key, removed: r.withdrawn });
    if (r.paths.length > 0) this.env.emit({ type: 'paths', peer: this.key, paths: r.paths });
    if (r.endOfRib) {
      this.stale.endOfRib(r.endOfRib);
      this.env.log.debug({ event: 'end_of_rib', family: r.endOfRib }, `End-of-RIB ${r.endOfRib}`);
      this.env.emit({ type: 'end-of-rib', peer: this.key, family: r.endOfRib });
    }
    this.stale.afterUpdate();
    if (!r.maxPrefixExceeded) return undefined;
    const { family, limit } = r.maxPrefixExceeded;
    const data = Buffer.alloc(7);
    data.writeUInt16BE(afiOf(family), 0);
    data.writeUInt8(Safi.UNICAST, 2);
    data.writeUInt32BE(limit, 3);
    return { family, limit, data };
  }

  /**
   * RFC 7313 §4: BoRR/EoRR frame the peer's re-advertisement after our request: mark the family stale, then
   * sweep what was not re-advertised. A plain request needs no answer: we advertise nothing (RFC 2918 §4).
   */
  routeRefresh(rr: RouteRefreshMessage): void {
    if (rr.safi !== Safi.UNICAST || (rr.afi !== Afi.IPV4 && rr.afi !== Afi.IPV6)) return;
    const family: Family = rr.afi === Afi.IPV4 ? 'ipv4' : 'ipv6';
    if (rr.subtype === 'borr') this.stale.beginRefresh(family);
    else if (rr.subtype === 'eorr') this.stale.endRefresh(family);
  }

  /** Every path goes now (session loss without graceful restart, stop). */
  withdrawAll(): void {
    this.ingest.maxPrefix = undefined;
    this.stale.reset();
    const removed = this.rib.keys();
    this.rib.clear();
    if (removed.length > 0) this.env.emit({ type: 'withdrawals', peer: this.key, removed });
  }
}
