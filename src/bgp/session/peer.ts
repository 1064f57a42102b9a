// One neighbour: its connections (at most one inbound and one outbound while they race, RFC 4271 §6.8), OPEN
// checks, reconnect pacing and counters. Sessions report here (SessionOwner); its routes (Adj-RIB-In, ingest,
// graceful restart) are peer-routes.ts, which turns them into SpeakerEvents.
import type { Socket } from 'node:net';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { SpeakerEvent } from '../events.js';
import { errorMessage } from '../../base/errors.js';
import { decodeRouteRefresh, encodeEndOfRib, encodeRouteRefresh, type OpenMessage } from '../wire/index.js';
import {
  connectRetryDelay,
  endKind,
  initialPacing,
  mayConnect,
  onConnectionEnd,
  type PacingState,
  type ReconnectPacing,
} from './reconnect-pacing.js';
import { resolveCollision } from './collision.js';
import { retainOnSessionLoss, type GrLimits } from './graceful-restart.js';
import { ActiveConnector, connectTarget } from './active-connect.js';
import { rejectSocket, shutdownData, waitClosed } from './connection-close.js';
import { negotiate, type LocalCapabilities, type Negotiated } from './negotiate.js';
import type { NeighborMatch, PeerOptions } from './neighbors.js';
import { checkOpenIdentity } from './open-checks.js';
import type { PeerStatus } from './peer-status.js';
import { PeerCounters } from './peer-counters.js';
import { Session, type LocalOpen, type OpenVerdict, type SessionEnd, type SessionOwner } from './session.js';
import type { FsmState } from './fsm.js';
import { PeerRoutes } from './peer-routes.js';
import { afiOf, CeaseSubcode, ErrorCode, Safi } from '../wire/constants.js';

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
  /** Every connection's end, for the speaker's per-range counters. */
  connectionEnded?(peer: Peer, end: SessionEnd): void;
}

export class Peer implements SessionOwner {
  readonly counters = new PeerCounters();
  readonly log: Logger;
  readonly routes: PeerRoutes;
  private readonly sessions = new Set<Session>();
  private readonly negotiatedBySession = new Map<Session, Negotiated>();
  /** Sessions we closed ourselves for collision or replacement: not failures. */
  private readonly quietEnds = new WeakSet<Session>();
  private est: Session | undefined;
  private neg: Negotiated | undefined;
  private pacing: PacingState = initialPacing;
  private readonly connector: ActiveConnector;
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
    this.connector = new ActiveConnector(env.clock, env.pacing.connectRetryMs);
    this.routes = new PeerRoutes(key, this.counters, {
      clock: env.clock,
      log: this.log,
      emit: (ev) => env.emit(ev),
      hasListeners: () => env.hasListeners(),
      stalePathTime: () => env.gr.stalePathTime,
    });
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
  /** The FSM state of each open connection (usually one; two during a collision). */
  connectionStates(): FsmState[] {
    return [...this.sessions].map((s) => s.state);
  }
  /** Idle, no stale paths and no timers: a dynamic peer in this state can be forgotten. */
  get idle(): boolean {
    return !this.busy && this.routes.rib.size === 0 && this.routes.rib.staleCount === 0;
  }
  /** A dynamic peer that can be forgotten: idle, holding nothing for 5 min (status stays visible), no idle hold. */
  prunable(now: number): boolean {
    return this.idle && this.routes.staleUntil === undefined && mayConnect(this.pacing, now) && now - this.lastChange >= 300_000;
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
      connectTarget(this.key, n),
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
    const refused = checkOpenIdentity(this.match, this.env, open);
    if (refused) {
      this.log.warn({ event: 'open_rejected', asn: open.asn, routerId: open.routerId }, `OPEN from ${this.key} refused: ${refused.detail}`);
      return refused;
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
    this.routes.sessionUp(open.asn, n, this.options.gracefulRestart === false ? undefined : n.gracefulRestart, this.options.maxPrefix);
  }

  update(s: Session, msg: Buffer): void {
    if (s !== this.est) return;
    const over = this.routes.update(msg); // throws BgpMessageError for session-reset errors
    if (!over) return;
    this.log.warn(
      { event: 'max_prefix', family: over.family, limit: over.limit, action: 'reset' },
      `${over.family} max-prefix limit ${over.limit} exceeded: resetting the session`,
    );
    s.reset(ErrorCode.CEASE, CeaseSubcode.MAX_PREFIXES, `max-prefix ${over.limit} exceeded (${over.family})`, over.data);
  }

  routeRefresh(s: Session, msg: Buffer): void {
    const rr = decodeRouteRefresh(msg); // RFC 7313 §5: a bad length throws 7/1 and resets the session
    if (s === this.est && this.neg?.enhancedRouteRefresh) this.routes.routeRefresh(rr);
  }

  closed(s: Session, end: SessionEnd): void {
    this.sessions.delete(s);
    this.negotiatedBySession.delete(s);
    const now = this.env.clock.now();
    const quiet = this.quietEnds.has(s);
    this.env.connectionEnded?.(this, end);
    if (end.reason === 'notification-received') this.counters.notificationsReceived++;
    else if (end.notification) this.counters.notificationsSent++;
    if (s === this.est) {
      const n = this.neg;
      this.est = undefined;
      this.counters.flaps++;
      this.lastChange = now;
      this.lastError = `${end.reason}: ${end.detail}`;
      const gr = this.options.gracefulRestart === false ? undefined : n?.gracefulRestart;
      const limits =
        this.options.maxRestartTime !== undefined ? { ...this.env.gr, maxRestartTime: this.options.maxRestartTime } : this.env.gr;
      const retain = this.stopping ? undefined : retainOnSessionLoss(gr, limits, end.reason, end.notification);
      this.log.warn(
        { event: 'session_down', reason: end.reason, detail: end.detail, gracefulRestart: retain !== undefined },
        `session with ${this.key} down: ${end.reason} (${end.detail})`,
      );
      const down = { type: 'peer-down', peer: this.key, reason: end.reason, detail: end.detail } as const;
      if (retain) this.env.emit({ ...down, staleUntil: this.routes.keepStale(retain, () => this.est !== undefined) });
      else {
        this.env.emit(down); // then the withdrawals of every path
        this.routes.withdrawAll();
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
    if (this.est) this.routes.maxPrefix = this.options.maxPrefix;
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
    this.routes.withdrawAll();
    await Promise.all(closing);
  }

  /** Resets the Established session with Cease `subcode` (BFD saw the peer go down: 10, RFC 9384). */
  resetEstablished(subcode: number, reason: string): boolean {
    const est = this.est;
    est?.reset(ErrorCode.CEASE, subcode, reason);
    return est !== undefined;
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
        accepted: this.routes.rib.size,
        stale: this.routes.rib.staleCount,
        ipv4: this.routes.rib.ipv4Count,
        ipv6: this.routes.rib.ipv6Count,
      },
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      messagesReceived: s?.messagesReceived ?? 0,
      ...(this.routes.staleUntil !== undefined ? { staleUntil: this.routes.staleUntil } : {}),
    };
  }
}
