// The BGP speaker: listeners, neighbours (static + dynamic ranges), one Peer per neighbour, one event stream.
//
// Usage (daemon, tests, benchmarks):
//
//   const speaker = new Speaker({
//     asn: 65000, routerId: '192.0.2.1',
//     listen: [{ address: '127.0.0.1', port: 1179 }],          // port 0 = any free port, see speaker.addresses()
//     neighbors: [{ address: '127.0.0.12', asn: 65002 }],       // + port/active/localAddress/maxPrefix/holdTime...
//     dynamic: [{ range: '127.0.1.0/24', asns: { min: 65100, max: 65199 }, maxPeers: 50 }],
//     holdTime: 90,                                             // seconds; 0 or >= 3
//     clock: systemClock, logger,                               // optional (defaults: systemClock, silentLogger)
//   });
//   const off = speaker.on((ev) => { ... });                     // SpeakerEvent (src/bgp/events.ts), batched per UPDATE
//   await speaker.start();
//   speaker.peers();                                            // PeerStatus[] snapshots (state, counters, caps...)
//   speaker.counters('127.0.0.12')?.accepted;                  // O(1) live counters (the ingest benchmark polls these)
//   speaker.routeRefresh();                                     // ask every peer (or one: routeRefresh(addr)) to resend
//   speaker.setNeighbors(neighbors, dynamic);                   // config reload; unaffected sessions stay up
//   await speaker.stop({ notify: true, message: 'maintenance' }); // Cease 6/2 + RFC 9003 message to every peer
//
// Counters: `accepted` = paths currently in the peer's Adj-RIB-In (live, not stale); `received` = prefixes the
// peer announced; `withdrawn` = paths removed by its withdrawals; `stale` = paths kept under graceful restart or
// an enhanced route refresh. With no listener attached the speaker builds no per-prefix event objects at all
// (fastest ingest); attach a listener only if you consume events.
//
// Events: peer-up (PeerInfo.gracefulRestart = the peer's paths would be kept on session loss: its GR capability
// lists families); paths / withdrawals batched per UPDATE; end-of-rib; peer-down with `staleUntil` only when
// graceful restart applies (then the stale paths stay until End-of-RIB or the deadline, and their removal comes
// as a later withdrawals event). Without GR, peer-down is followed at once by the withdrawals of every path.
// stop() also emits peer-down + withdrawals for every peer: a daemon that must not act on them (no route deleted
// on shutdown) unsubscribes first.
// Neighbour options (StaticNeighbor / DynamicRange): maxPrefix {limit, action: 'reset' | 'warn'} per family,
// holdTime, gracefulRestart (helper on/off), maxRestartTime, description, group; dynamic ranges: asns as
// {list} | {min, max} | [{min, max}...], maxPeers. Reconnect damping applies to failures only (errors, refused
// OPENs, hold expiry), never to a peer that closes an Established session (restarts).
import type { Socket } from 'node:net';
import { systemClock, type Clock } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import type { SpeakerEvent, SpeakerListener } from './events.js';
import { canonicalAddressText, parseAddress } from '../net/address.js';
import { errorMessage, UserError } from '../base/errors.js';
import { DEFAULT_PACING, type ReconnectPacing } from './session/reconnect-pacing.js';
import { DEFAULT_GR_LIMITS, type GrLimits } from './session/graceful-restart.js';
import { BgpListener, type ListenAddress } from './session/listener.js';
import { localCapabilities, type LocalCapabilities } from './session/negotiate.js';
import { asnAllowed, NeighborTable, type DynamicRange, type StaticNeighbor } from './session/neighbors.js';
import { Peer, type PeerEnv } from './session/peer.js';
import type { PeerStatus } from './session/peer-status.js';
import { rejectSocket } from './session/connection-close.js';
import { CeaseSubcode } from './wire/constants.js';
import type { PeerCounters } from './session/peer-counters.js';
import type { AdjRibIn } from './session/adj-rib-in.js';
import { RangeCounters, registerSpeakerMetrics } from './speaker-metrics.js';
import { checkKeyCoverage, listenerKeys } from './session/md5-keys.js';

export type { PeerStatus } from './session/peer-status.js';
export type { StaticNeighbor, DynamicRange, MaxPrefix, PeerOptions, AsnSet } from './session/neighbors.js';
export type { ListenAddress } from './session/listener.js';

export interface SpeakerOptions {
  readonly asn: number;
  /** BGP Identifier, dotted quad. */
  readonly routerId: string;
  readonly listen?: readonly ListenAddress[];
  readonly neighbors?: readonly StaticNeighbor[];
  readonly dynamic?: readonly DynamicRange[];
  /** Hold time we offer, seconds (default 90; 0 disables keepalives; 1–2 are invalid). */
  readonly holdTime?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Reconnect pacing (connect retry, idle hold). */
  readonly reconnect?: Partial<ReconnectPacing>;
  /** Graceful restart helper limits (seconds) and the restart time we advertise (default 120; null = no GR capability). */
  readonly gracefulRestart?: Partial<GrLimits> & { readonly advertiseRestartTime?: number | null };
  readonly addPathReceive?: boolean;
  /** Advertised in the FQDN capability. */
  readonly hostname?: string;
  /** Randomness for jitter, [0, 1) (tests pass a constant). */
  readonly random?: () => number;
}

export interface StopOptions {
  /** Send Cease / Administrative Shutdown (default true); false drops the connections silently. */
  readonly notify?: boolean;
  /** RFC 9003 shutdown communication. */
  readonly message?: string;
}

export type PeerCountersSnapshot = Readonly<PeerCounters> & { readonly accepted: number; readonly stale: number };

export class Speaker {
  private readonly env: PeerEnv;
  private readonly listenAt: readonly ListenAddress[];
  private table: NeighborTable;
  private readonly peerMap = new Map<string, Peer>();
  private readonly listeners: SpeakerListener[] = [];
  private servers: BgpListener[] = [];
  private started = false;
  private readonly logger: Logger;
  private readonly ranges = new RangeCounters();

  constructor(opts: SpeakerOptions) {
    const holdTime = opts.holdTime ?? 90;
    if (holdTime !== 0 && (holdTime < 3 || holdTime > 65535))
      throw new UserError('BAD_HOLD_TIME', `hold time ${holdTime} must be 0 or 3..65535 seconds (RFC 4271 §4.2)`);
    if (
      !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(opts.routerId) ||
      opts.routerId.split('.').some((x) => Number(x) > 255) ||
      opts.routerId === '0.0.0.0'
    ) {
      throw new UserError('BAD_ROUTER_ID', `router id "${opts.routerId}" must be a non-zero dotted quad (RFC 6286)`);
    }
    checkKeyCoverage(opts.neighbors ?? [], opts.dynamic ?? []);
    this.table = new NeighborTable(opts.neighbors ?? [], opts.dynamic ?? []);
    this.listenAt = opts.listen ?? [{ address: '0.0.0.0', port: 179 }];
    this.logger = (opts.logger ?? silentLogger).child({ component: 'bgp' });
    const advertise = opts.gracefulRestart?.advertiseRestartTime === undefined ? 120 : opts.gracefulRestart.advertiseRestartTime;
    const caps: LocalCapabilities = {
      asn: opts.asn,
      ...(opts.addPathReceive !== undefined ? { addPathReceive: opts.addPathReceive } : {}),
      ...(advertise !== null ? { gracefulRestartTime: advertise } : {}),
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
    };
    const gr: GrLimits = { ...DEFAULT_GR_LIMITS, ...stripUndefined(opts.gracefulRestart ?? {}) };
    this.env = {
      asn: opts.asn,
      routerId: opts.routerId,
      holdTime,
      capabilities: caps,
      open: { asn: opts.asn, routerId: opts.routerId, holdTime, capabilities: localCapabilities(caps) },
      clock: opts.clock ?? systemClock,
      logger: this.logger,
      pacing: { ...DEFAULT_PACING, ...stripUndefined(opts.reconnect ?? {}) },
      gr: { maxRestartTime: gr.maxRestartTime, stalePathTime: gr.stalePathTime, localNotification: gr.localNotification },
      random: opts.random ?? Math.random,
      emit: (ev) => this.emit(ev),
      hasListeners: () => this.listeners.length > 0,
      connectionEnded: (p, end) => this.ranges.connectionEnded(p, end),
    };
    if (opts.metrics) registerSpeakerMetrics(opts.metrics, () => [...this.peerMap.values()], this.ranges);
  }

  /** Subscribes to the event stream; returns the unsubscribe function. */
  on(listener: SpeakerListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(ev: SpeakerEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        // A consumer's bug must not take sessions down; log it where it surfaced.
        this.logger.error(
          { event: 'listener_error', err: errorMessage(err), type: ev.type },
          `speaker event listener failed: ${errorMessage(err)}`,
        );
      }
    }
  }

  /** Binds every listen address, then starts active connects. Rejects (and closes what it opened) on a bind error. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      for (const at of this.listenAt) {
        const keys = listenerKeys(parseAddress(at.address).family, ...this.keyed());
        this.servers.push(await BgpListener.open(at, (s) => this.accept(s), this.logger, keys));
      }
    } catch (err) {
      await Promise.all(this.servers.map((s) => s.close()));
      this.servers = [];
      this.started = false;
      throw new UserError('BGP_LISTEN_FAILED', `cannot listen for BGP: ${errorMessage(err)}`, { cause: err });
    }
    for (const [key, n] of this.table.statics) this.ensureStatic(key, n).startActive();
  }

  /** The bound listen addresses (the real port when 0 was asked). */
  addresses(): { address: string; port: number }[] {
    return this.servers.map((s) => ({ address: s.address, port: s.port }));
  }

  private ensureStatic(key: string, n: StaticNeighbor): Peer {
    let p = this.peerMap.get(key);
    if (!p) {
      p = new Peer(key, { kind: 'static', neighbor: n, key }, this.env);
      this.peerMap.set(key, p);
    }
    return p;
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress;
    if (!this.started || remote === undefined) {
      socket.destroy();
      return;
    }
    let m;
    try {
      m = this.table.match(remote, (range) => this.dynamicCount(range));
    } catch (err) {
      this.logger.warn({ event: 'connection_rejected', peer: remote, reason: errorMessage(err) }, `connection from ${remote} refused`);
      rejectSocket(socket, CeaseSubcode.CONNECTION_REJECTED);
      return;
    }
    if (m.kind === 'reject') {
      // RFC 4486 §4: Cease / Connection Rejected. Sent without OPEN: real peers in OpenSent log it as such.
      this.logRejected(m.key, m.reason);
      rejectSocket(socket, CeaseSubcode.CONNECTION_REJECTED);
      return;
    }
    let peer = this.peerMap.get(m.key);
    if (!peer) {
      if (m.kind === 'dynamic') this.pruneDynamic();
      peer = new Peer(m.key, m, this.env);
      this.peerMap.set(m.key, peer);
    } else if (m.kind === 'dynamic' && peer.match.kind === 'dynamic' && peer.match.range !== m.range) {
      peer.reconfigure(m);
    }
    peer.acceptInbound(socket);
  }

  /** Unknown sources retry every second or so: log the first refusal, then one line a minute with the count. */
  private readonly rejectLog = new Map<string, { at: number; suppressed: number }>();

  private logRejected(source: string, reason: string): void {
    const now = this.env.clock.now();
    const r = this.rejectLog.get(source);
    if (r && now - r.at < 60_000) {
      r.suppressed++;
      return;
    }
    if (this.rejectLog.size >= 10_000) this.rejectLog.clear();
    const again = r && r.suppressed > 0 ? ` (${r.suppressed} more refusals in the last minute)` : '';
    this.rejectLog.set(source, { at: now, suppressed: 0 });
    this.logger.warn({ event: 'connection_rejected', peer: source, reason }, `connection from ${source} refused: ${reason}${again}`);
  }

  private dynamicCount(rangeText: string): number {
    let n = 0;
    for (const p of this.peerMap.values()) if (p.match.kind === 'dynamic' && p.match.rangeText === rangeText && p.busy) n++;
    return n;
  }

  /** Snapshots of every known peer (static ones always; dynamic ones while connected or holding paths). */
  peers(): PeerStatus[] {
    this.pruneDynamic();
    return [...this.peerMap.values()].map((p) => p.status());
  }

  peer(address: string): PeerStatus | undefined {
    return this.peerMap.get(canonicalAddressText(address))?.status();
  }

  /**
   * Resets a peer's Established session with NOTIFICATION Cease `subcode` (BFD Down is 10, RFC 9384) and the
   * reason in the log; its paths go as on any session loss. False when it has none.
   */
  resetPeer(address: string, subcode: number, reason: string): boolean {
    const p = this.peerMap.get(canonicalAddressText(address));
    if (!p?.isEstablished) return false;
    this.logger.warn({ event: 'peer_reset', peer: p.key, subcode, reason }, `${p.key}: session reset (${reason})`);
    return p.resetEstablished(subcode, reason);
  }

  /** O(1) live counters of a peer (the object is updated in place; do not keep it across peer removal). */
  counters(address: string): PeerCountersSnapshot | undefined {
    const p = this.peerMap.get(address) ?? this.peerMap.get(canonicalAddressText(address));
    if (!p) return undefined;
    const c = p.counters;
    const rib = p.routes.rib;
    return Object.create(c, {
      accepted: { get: () => rib.size, enumerable: true },
      stale: { get: () => rib.staleCount, enumerable: true },
    }) as PeerCountersSnapshot;
  }

  /** The Adj-RIB-In of a peer (read it, do not change it). */
  adjRibIn(address: string): AdjRibIn | undefined {
    return this.peerMap.get(canonicalAddressText(address))?.routes.rib;
  }

  /** Asks one peer, or every Established peer, to resend its routes (RFC 2918). Returns how many were asked. */
  routeRefresh(address?: string): number {
    const targets =
      address === undefined
        ? [...this.peerMap.values()]
        : [this.peerMap.get(canonicalAddressText(address))].filter((p): p is Peer => p !== undefined);
    let n = 0;
    for (const p of targets) if (p.requestRouteRefresh()) n++;
    return n;
  }

  /**
   * Config reload. Removed neighbours get Cease 6/3 (de-configured); a changed ASN or address family resets with
   * 6/6 (other configuration change); other option changes (max-prefix, description, active) apply in place.
   * Dynamic peers are re-matched against the new ranges.
   */
  setNeighbors(neighbors: readonly StaticNeighbor[], dynamic: readonly DynamicRange[]): void {
    checkKeyCoverage(neighbors, dynamic);
    const next = new NeighborTable(neighbors, dynamic);
    this.table = next;
    this.applyKeys();
    for (const [key, p] of [...this.peerMap]) {
      const m = next.match(key, (r) => this.dynamicCount(r));
      if (m.kind === 'reject' || m.kind !== p.match.kind) {
        this.removePeer(key, p, CeaseSubcode.PEER_DECONFIGURED, 'neighbour removed from the configuration');
        continue;
      }
      const asnChanged =
        m.kind === 'static' && p.match.kind === 'static'
          ? m.neighbor.asn !== p.match.neighbor.asn
          : m.kind === 'dynamic' && p.status().asn !== undefined && !asnAllowed(m.range.asns, p.status().asn as number);
      if (asnChanged) {
        this.removePeer(key, p, CeaseSubcode.OTHER_CONFIG_CHANGE, 'neighbour ASN changed');
        continue;
      }
      p.reconfigure(m);
    }
    if (this.started) for (const [key, n] of next.statics) if (!this.peerMap.has(key)) this.ensureStatic(key, n).startActive();
  }

  private keyed(): [StaticNeighbor[], DynamicRange[]] {
    return [[...this.table.statics.values()], this.table.ranges.map((r) => r.range)];
  }

  /**
   * TCP-MD5 keys after a reload: listeners get the new set (new connections need the new key); established
   * sessions keep the key they were accepted or connected with, so rotating a key drops no session (rotate the
   * host's key before its next reconnect).
   */
  private applyKeys(): void {
    for (const s of this.servers) {
      const r = s.setKeys(listenerKeys(s.family, ...this.keyed()));
      if (r.set + r.deleted > 0)
        this.logger.info(
          { event: 'md5_keys_changed', listen: s.address, set: r.set, deleted: r.deleted },
          `TCP-MD5 keys on ${s.address}: ${r.set} set, ${r.deleted} deleted (established sessions keep theirs)`,
        );
    }
  }

  private removePeer(key: string, p: Peer, subcode: number, why: string): void {
    this.peerMap.delete(key);
    this.logger.info({ event: 'peer_removed', peer: key, reason: why }, `${key}: ${why}`);
    p.stop(subcode, why).catch((err: unknown) =>
      this.logger.error({ event: 'peer_stop_failed', peer: key, err: errorMessage(err) }, 'stopping a peer failed'),
    );
  }

  private pruneDynamic(): void {
    const now = this.env.clock.now();
    for (const [key, p] of this.peerMap) if (p.match.kind === 'dynamic' && p.prunable(now)) this.peerMap.delete(key);
  }

  /** Stops every session (Cease 6/2 with the message unless notify is false) and closes the listeners. */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const closing = this.servers.map((s) => s.close());
    await Promise.all(
      [...this.peerMap.values()].map((p) => withTimeout(p.stop(CeaseSubcode.ADMIN_SHUTDOWN, opts.message, opts.notify ?? true), 3000)),
    );
    for (const s of this.servers) s.destroyAll();
    await Promise.all(closing);
    this.servers = [];
    this.peerMap.clear();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (t = setTimeout(resolve, ms)))]);
  if (t) clearTimeout(t);
}
