// One neighbour: its connections (at most one inbound and one outbound while they race, RFC 4271 §6.8), its
// Adj-RIB-In, counters, reconnect pacing and graceful-restart state. Sessions report here (SessionOwner);
// the peer turns that into SpeakerEvents.
import type { Socket } from 'node:net';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { SpeakerEvent } from '../events.js';
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';
import { errorMessage } from '../../base/errors.js';
import { AdjRibIn } from './adj-rib-in.js';
import { decodeRouteRefresh, encodeEndOfRib, encodeRouteRefresh, walkUpdate, type DecodeContext, type OpenMessage } from '../wire/index.js';
import {
  connectRetryDelay,
  initialPacing,
  mayConnect,
  onConnectionEnd,
  type ReconnectPacing,
  type PacingState,
  type EndKind,
} from './reconnect-pacing.js';
import { resolveCollision } from './collision.js';
import type { FsmState } from './fsm.js';
import { retainOnSessionLoss, type GrLimits } from './graceful-restart.js';
import { StalePaths } from './stale-paths.js';
import { ActiveConnector } from './active-connect.js';
import { rejectSocket, shutdownData, waitClosed } from './connection-close.js';
import { negotiate, type LocalCapabilities, type Negotiated } from './negotiate.js';
import { checkPeerAsn, type NeighborMatch, type PeerOptions } from './neighbors.js';
import { PeerCounters } from './peer-counters.js';
import { Session, type LocalOpen, type OpenVerdict, type SessionEnd, type SessionOwner } from './session.js';
import { UpdateIngest } from './update-ingest.js';
import { Afi, afiOf, CeaseSubcode, ErrorCode, OpenSubcode, Safi } from '../wire/constants.js';

/** What every peer shares, provided by the speaker. */
export interface PeerEnv {
  readonly asn: number;
  readonly routerId: string;
  readonly holdTime: number;
  readonly capabilities: LocalCapabilities;
  readonly open: LocalOpen;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pacing: ReconnectPacing;
  readonly gr: GrLimits;
  readonly random: () => number;
  emit(ev: SpeakerEvent): void;
  hasListeners(): boolean;
}

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

export class Peer implements SessionOwner {
  readonly rib = new AdjRibIn();
  readonly counters = new PeerCounters();
  readonly log: Logger;
  private readonly ingest: UpdateIngest;
  private readonly sessions = new Set<Session>();
  private readonly negotiatedBySession = new Map<Session, Negotiated>();
  /** Sessions we closed ourselves for collision or replacement: not failures. */
  private readonly quietEnds = new WeakSet<Session>();
  private est: Session | undefined;
  private neg: Negotiated | undefined;
  private ctx: DecodeContext = { fourOctetAsn: true, addPath: { ipv4: false, ipv6: false }, extendedMessages: false };
  private pacing: PacingState = initialPacing;
  private readonly connector: ActiveConnector;
  private readonly stale: StalePaths;
  private lastChange: number;
  private lastError: string | undefined;
  private learntAsn: number | undefined;
  private stopping = false;

  constructor(
    readonly key: string,
    public match: Extract<NeighborMatch, { kind: 'static' | 'dynamic' }>,
    private readonly env: PeerEnv,
  ) {
    this.log = env.logger.child({ peer: key });
    this.lastChange = env.clock.now();
    this.ingest = new UpdateIngest(key, 0, this.rib, this.counters, this.log);
    this.connector = new ActiveConnector(env.clock, env.pacing.connectRetryMs);
    this.stale = new StalePaths(
      this.rib,
      env.clock,
      this.log,
      (removed) => this.env.emit({ type: 'withdrawals', peer: this.key, removed }),
      () => this.env.gr.stalePathTime,
    );
  }

  get options(): PeerOptions {
    return this.match.kind === 'static' ? this.match.neighbor : this.match.range;
  }
  get isEstablished(): boolean {
    return this.est !== undefined;
  }
  /** Connections in progress or up. */
  get busy(): boolean {
    return this.sessions.size > 0 || this.connector.connecting;
  }
  /** Idle, no stale paths and no timers: a dynamic peer in this state can be forgotten. */
  get idle(): boolean {
    return !this.busy && this.rib.size === 0 && this.rib.staleCount === 0;
  }
  /**
   * A dynamic peer that can be forgotten: idle and holding nothing for 5 minutes (its status and last error stay
   * visible that long), and not in an idle hold we must remember.
   */
  prunable(now: number): boolean {
    return this.idle && this.stale.staleUntil === undefined && mayConnect(this.pacing, now) && now - this.lastChange >= 300_000;
  }
  get negotiated(): Negotiated | undefined {
    return this.neg;
  }

  // ---- connections ------------------------------------------------------------------------------------------

  /** An inbound connection from this peer's address (the listener matched it). */
  acceptInbound(socket: Socket): void {
    const now = this.env.clock.now();
    if (this.stopping || !mayConnect(this.pacing, now)) {
      const why = this.stopping
        ? 'peer is being removed'
        : `idle hold after ${this.pacing.failures} failures, ${Math.ceil((this.pacing.idleUntil - now) / 1000)} s left`;
      this.log.warn({ event: 'connection_rejected', reason: why }, `connection from ${this.key} refused: ${why}`);
      rejectSocket(socket, CeaseSubcode.CONNECTION_REJECTED); // RFC 4486 §4
      return;
    }
    this.startSession(socket, false);
  }

  /** Begins active connects for neighbours marked active. */
  startActive(): void {
    if (this.match.kind === 'static' && this.match.neighbor.active) this.scheduleConnect(0);
  }

  private scheduleConnect(delay: number): void {
    if (this.stopping || this.match.kind !== 'static' || !this.match.neighbor.active) return;
    this.connector.schedule(Math.max(delay, this.pacing.idleUntil - this.env.clock.now()), () => this.connectOut());
  }

  private connectOut(): void {
    if (this.stopping || this.match.kind !== 'static' || this.est || this.connector.connecting) return;
    if ([...this.sessions].some((s) => s.outbound)) return;
    const n = this.match.neighbor;
    this.connector.connect(
      { host: this.key, port: n.port ?? 179, ...(n.localAddress ? { localAddress: n.localAddress } : {}) },
      (sock) => (this.stopping ? sock.destroy() : this.startSession(sock, true)),
      (err) => {
        this.lastError = `connect: ${errorMessage(err)}`;
        this.pacing = onConnectionEnd(this.env.pacing, this.pacing, this.env.clock.now(), undefined);
        this.log.debug({ event: 'connect_failed', err: errorMessage(err) }, `connect to ${this.key} failed`);
        this.scheduleConnect(connectRetryDelay(this.env.pacing, Math.max(0, this.pacing.failures - 1), this.env.random()));
      },
    );
  }

  private startSession(socket: Socket, outbound: boolean): void {
    // Bound the race: a peer that keeps opening connections replaces its own older, unfinished one.
    for (const s of this.sessions) {
      if (s.outbound === outbound && s !== this.est && (s.state === 'OpenSent' || s.state === 'Active' || s.state === 'Connect')) {
        this.quietEnds.add(s);
        s.reset(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION, 'replaced by a newer connection from the same peer'); // RFC 4486 §4
      }
    }
    const holdTime = this.options.holdTime ?? this.env.holdTime;
    const open: LocalOpen = holdTime === this.env.open.holdTime ? this.env.open : { ...this.env.open, holdTime };
    const s = new Session({
      socket,
      outbound,
      local: open,
      clock: this.env.clock,
      logger: this.log,
      owner: this,
      connectRetryMs: this.env.pacing.connectRetryMs,
    });
    this.sessions.add(s);
    s.start();
  }

  // ---- SessionOwner -----------------------------------------------------------------------------------------

  checkOpen(s: Session, open: OpenMessage): OpenVerdict {
    const badAs = checkPeerAsn(this.match, open.asn);
    if (badAs !== undefined) {
      this.log.warn({ event: 'open_rejected', asn: open.asn }, `OPEN from ${this.key} refused: bad peer AS (${badAs})`);
      return { ok: false, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.BAD_PEER_AS, detail: `bad peer AS: ${badAs}` }; // RFC 4271 §6.2
    }
    // RFC 6286 §2.2: the BGP Identifier is a non-zero 32-bit value; equal to ours is only an error for iBGP.
    if (open.routerId === '0.0.0.0' || (open.asn === this.env.asn && open.routerId === this.env.routerId)) {
      return {
        ok: false,
        code: ErrorCode.OPEN_MESSAGE,
        subcode: OpenSubcode.BAD_BGP_IDENTIFIER,
        data: Buffer.from(open.routerId.split('.').map(Number)),
        detail: `bad BGP identifier ${open.routerId}`,
      };
    }
    for (const other of this.sessions) {
      if (other === s || other.done) continue;
      // RFC 4724 §4.2: a new OPEN while a GR-capable session is up means the peer restarted: the old one goes.
      if (other === this.est && this.neg?.gracefulRestart && this.options.gracefulRestart !== false) {
        this.log.info({ event: 'peer_restarted' }, `${this.key} opened a new session while the old one was up: graceful restart`);
        other.abort('peer restarted (new OPEN under graceful restart)'); // closed as a TCP failure: paths go stale
        continue;
      }
      const loser = resolveCollision(
        this.env.routerId,
        open.routerId,
        { state: 'OpenConfirm', outbound: s.outbound },
        { state: other.state, outbound: other.outbound },
      );
      if (loser === 'fresh') {
        this.quietEnds.add(s);
        this.log.info(
          { event: 'collision', closed: s.outbound ? 'outbound' : 'inbound' },
          'connection collision: closing the new connection (RFC 4271 §6.8)',
        );
        return { ok: false, code: ErrorCode.CEASE, subcode: CeaseSubcode.CONNECTION_COLLISION, detail: 'connection collision resolution' };
      }
      if (loser === 'other') {
        this.quietEnds.add(other);
        this.log.info(
          { event: 'collision', closed: other.outbound ? 'outbound' : 'inbound' },
          'connection collision: closing the older connection (RFC 4271 §6.8)',
        );
        other.reset(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION, 'connection collision resolution');
      }
    }
    return { ok: true };
  }

  opened(s: Session, open: OpenMessage): void {
    const n = negotiate(this.env.capabilities, open);
    this.negotiatedBySession.set(s, n);
    s.setExtendedMessages(n.extendedMessage);
  }

  established(s: Session): void {
    const n = this.negotiatedBySession.get(s);
    const open = s.open;
    if (!n || !open) return;
    this.est = s;
    this.neg = n;
    this.learntAsn = open.asn;
    this.ctx = { fourOctetAsn: n.fourOctetAsn, addPath: n.addPath, extendedMessages: n.extendedMessage };
    this.ingest.sessionUp(open.asn, n.fourOctetAsn);
    this.ingest.maxPrefix = this.options.maxPrefix;
    this.lastChange = this.env.clock.now();
    this.connector.cancelScheduled();
    this.log.info(
      { event: 'session_up', asn: open.asn, routerId: open.routerId, holdTime: s.holdTime, capabilities: n.names },
      `session with ${this.key} (AS ${open.asn}) established`,
    );
    this.env.emit({
      type: 'peer-up',
      info: {
        peer: this.key,
        asn: open.asn,
        routerId: open.routerId,
        ...(n.hostname ? { hostname: n.hostname } : {}),
        families: n.families,
        // True when this peer's paths would be kept on session loss: a GR capability listing families (RFC 4724
        // §4.2). A helper-only capability with no families (BIRD/FRR defaults) keeps nothing.
        gracefulRestart: this.options.gracefulRestart !== false && (n.gracefulRestart?.families.length ?? 0) > 0,
      },
    });
    // RFC 4724 §2/§4.2: we are receive-only, so our initial update is empty and complete at once: End-of-RIB per
    // negotiated family right away. A restarting peer (BIRD in recovery mode) waits for it before sending its
    // routes, and BIRD delays its first UPDATE without it.
    for (const f of n.families) s.send(encodeEndOfRib(f));
    // RFC 4724 §4.2: the peer is back; stop the restart timer and sweep what it cannot have kept.
    this.stale.sessionUp(this.options.gracefulRestart === false ? undefined : n.gracefulRestart, n.families);
  }

  update(s: Session, msg: Buffer): void {
    if (s !== this.est) return;
    this.ingest.wantEvents = this.env.hasListeners();
    this.ingest.msg = msg;
    const header = walkUpdate(msg, this.ctx, this.ingest); // throws BgpMessageError for session-reset errors
    this.ingest.msg = undefined;
    const r = this.ingest.take(header);
    if (r.withdrawn.length > 0) this.env.emit({ type: 'withdrawals', peer: this.key, removed: r.withdrawn });
    if (r.paths.length > 0) this.env.emit({ type: 'paths', peer: this.key, paths: r.paths });
    if (r.endOfRib) {
      this.stale.endOfRib(r.endOfRib);
      this.log.debug({ event: 'end_of_rib', family: r.endOfRib }, `End-of-RIB ${r.endOfRib}`);
      this.env.emit({ type: 'end-of-rib', peer: this.key, family: r.endOfRib });
    }
    this.stale.afterUpdate();
    if (r.maxPrefixExceeded) {
      const { family, limit } = r.maxPrefixExceeded;
      // RFC 4486 §4: data = AFI (2), SAFI (1), upper bound (4).
      const data = Buffer.alloc(7);
      data.writeUInt16BE(afiOf(family), 0);
      data.writeUInt8(Safi.UNICAST, 2);
      data.writeUInt32BE(limit, 3);
      this.log.warn(
        { event: 'max_prefix', family, limit, action: 'reset' },
        `${family} max-prefix limit ${limit} exceeded: resetting the session`,
      );
      s.reset(ErrorCode.CEASE, CeaseSubcode.MAX_PREFIXES, `max-prefix ${limit} exceeded (${family})`, data);
    }
  }

  routeRefresh(s: Session, msg: Buffer): void {
    // A request needs no answer: we advertise no routes (RFC 2918 §4 would resend nothing). BoRR/EoRR frame the
    // peer's re-advertisement after our request (RFC 7313 §4): mark the family stale, then sweep what was not
    // re-advertised.
    const rr = decodeRouteRefresh(msg); // RFC 7313 §5: a bad length throws 7/1 and resets the session
    if (s !== this.est || !this.neg?.enhancedRouteRefresh || rr.safi !== Safi.UNICAST || (rr.afi !== Afi.IPV4 && rr.afi !== Afi.IPV6))
      return;
    const family: Family = rr.afi === Afi.IPV4 ? 'ipv4' : 'ipv6';
    if (rr.subtype === 'borr') this.stale.beginRefresh(family);
    else if (rr.subtype === 'eorr') this.stale.endRefresh(family);
  }

  closed(s: Session, end: SessionEnd): void {
    this.sessions.delete(s);
    this.negotiatedBySession.delete(s);
    const now = this.env.clock.now();
    const quiet = this.quietEnds.has(s);
    if (end.reason === 'notification-received') this.counters.notificationsReceived++;
    else if (end.notification) this.counters.notificationsSent++;
    if (s === this.est) {
      const n = this.neg;
      this.est = undefined;
      this.counters.flaps++;
      this.lastChange = now;
      this.lastError = `${end.reason}: ${end.detail}`;
      this.ingest.maxPrefix = undefined;
      const gr = this.options.gracefulRestart === false ? undefined : n?.gracefulRestart;
      const limits =
        this.options.maxRestartTime !== undefined ? { ...this.env.gr, maxRestartTime: this.options.maxRestartTime } : this.env.gr;
      const retain = this.stopping ? undefined : retainOnSessionLoss(gr, limits, end.reason, end.notification);
      this.log.warn(
        { event: 'session_down', reason: end.reason, detail: end.detail, gracefulRestart: retain !== undefined },
        `session with ${this.key} down: ${end.reason} (${end.detail})`,
      );
      if (retain) {
        const staleUntil = this.stale.sessionLost(retain, () => this.est !== undefined);
        this.env.emit({ type: 'peer-down', peer: this.key, reason: end.reason, detail: end.detail, staleUntil });
      } else {
        this.env.emit({ type: 'peer-down', peer: this.key, reason: end.reason, detail: end.detail });
        this.withdrawAll();
      }
    } else if (!quiet && end.reason !== 'admin-shutdown') {
      this.lastError = `${end.reason}: ${end.detail}`;
      this.log.info(
        { event: 'connection_closed', reason: end.reason, detail: end.detail },
        `connection with ${this.key} closed before Established: ${end.detail}`,
      );
    }
    if (!quiet) this.pacing = onConnectionEnd(this.env.pacing, this.pacing, now, s.establishedAt, endKind(end));
    if (!this.est && !this.stopping)
      this.scheduleConnect(connectRetryDelay(this.env.pacing, Math.max(0, this.pacing.failures - 1), this.env.random()));
  }

  // ---- routes -----------------------------------------------------------------------------------------------

  private withdrawAll(): void {
    this.stale.reset();
    const removed: { prefix: Prefix; pathId: number }[] = this.rib.keys();
    this.rib.clear();
    if (removed.length > 0) this.env.emit({ type: 'withdrawals', peer: this.key, removed });
  }

  // ---- control ----------------------------------------------------------------------------------------------

  /** Asks the peer to resend its routes (RFC 2918), per negotiated family. False when it cannot. */
  requestRouteRefresh(): boolean {
    const s = this.est;
    const n = this.neg;
    if (!s || !n?.routeRefresh) return false;
    for (const f of n.families) s.send(encodeRouteRefresh(afiOf(f), Safi.UNICAST));
    this.log.info({ event: 'route_refresh_sent', families: n.families }, 'ROUTE-REFRESH sent');
    return true;
  }

  /** New options for the same neighbour (config reload): applied to the running session where possible. */
  reconfigure(match: Extract<NeighborMatch, { kind: 'static' | 'dynamic' }>): void {
    const wasActive = this.match.kind === 'static' && this.match.neighbor.active;
    this.match = match;
    if (this.est) this.ingest.maxPrefix = this.options.maxPrefix;
    const nowActive = match.kind === 'static' && match.neighbor.active;
    if (nowActive && !wasActive && !this.est) this.scheduleConnect(0);
    if (!nowActive) this.connector.cancelScheduled();
  }

  /**
   * Stops every connection with Cease `subcode` (2 shutdown, 3 de-configured, 6 other config change) and the
   * RFC 9003 message; `notify` false drops the sockets without NOTIFICATION. Paths are withdrawn.
   */
  async stop(subcode: number = CeaseSubcode.ADMIN_SHUTDOWN, message?: string, notify = true): Promise<void> {
    this.stopping = true;
    this.connector.cancel();
    const closing = [...this.sessions].map((s) => waitClosed(s.socket));
    const data = shutdownData(message);
    for (const s of [...this.sessions]) {
      if (notify) s.stop(subcode, data);
      else s.socket.destroy();
    }
    this.withdrawAll();
    await Promise.all(closing);
  }

  /** A stopped peer may be started again (config reload re-adding it). */
  restart(): void {
    this.stopping = false;
    this.startActive();
  }

  status(): PeerStatus {
    const now = this.env.clock.now();
    const s = this.est ?? [...this.sessions].at(-1);
    const n = this.neg;
    const open = this.est?.open;
    const asn = this.match.kind === 'static' ? this.match.neighbor.asn : this.learntAsn;
    const o = this.options;
    return {
      peer: this.key,
      kind: this.match.kind,
      asn,
      ...(this.match.kind === 'dynamic' ? { range: this.match.rangeText } : {}),
      ...(o.group !== undefined ? { group: o.group } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
      state: s?.state ?? (this.connector.connecting ? 'Connect' : 'Idle'),
      ...(open ? { routerId: open.routerId } : {}),
      ...(this.est && n?.hostname ? { hostname: n.hostname } : {}),
      ...(this.est ? { holdTime: this.est.holdTime } : {}),
      uptimeMs: now - this.lastChange,
      capabilities: this.est && n ? n.names : [],
      families: this.est && n ? n.families : [],
      counters: {
        ...this.counters,
        accepted: this.rib.size,
        stale: this.rib.staleCount,
        ipv4: this.rib.ipv4Count,
        ipv6: this.rib.ipv6Count,
      },
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      messagesReceived: s?.messagesReceived ?? 0,
      ...(this.stale.staleUntil !== undefined ? { staleUntil: this.stale.staleUntil } : {}),
    };
  }
}

/** Damping class of a connection's end (reconnect-pacing.ts EndKind). */
function endKind(end: SessionEnd): EndKind {
  if (end.reason === 'admin-shutdown') return 'admin';
  if (
    end.wasEstablished &&
    (end.reason === 'tcp-closed' || (end.reason === 'notification-received' && end.notification?.code === ErrorCode.CEASE))
  )
    return 'clean';
  return 'failure';
}
