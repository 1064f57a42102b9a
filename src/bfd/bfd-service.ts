// The set of BFD sessions of one process: declarative (setPeers), one session per peer address, demultiplexed by
// Your Discriminator or, before the remote knows ours, by source address (RFC 5880 §6.3). State changes go to
// listeners (the daemon feeds them to the health monitor); status and metrics per session.
//
//   const bfd = new BfdService({ listen: ['0.0.0.0'], logger, metrics });
//   bfd.onChange((peer, change) => ...);                        // Up, Down (diag), AdminDown
//   await bfd.setPeers([{ peer: '10.0.1.5', multihop: false, timers: { desiredMinTxUs: 300_000, ... } }]);
//   bfd.sessions();                                              // status per session
//   await bfd.stop();                                            // AdminDown to every peer, sockets closed
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import { errorMessage } from '../base/errors.js';
import { canonicalAddressText } from '../net/address.js';
import { diagText } from './constants.js';
import { BfdSession, type BfdSessionView, type BfdStateChange } from './session.js';
import type { BfdPeer, BfdPeerStatus } from './peer-status.js';
import { UdpBfdTransport, type BfdReceived, type BfdSender, type BfdTransport } from './udp-transport.js';
import { BfdMetrics } from './bfd-metrics.js';

export type BfdListener = (peer: string, change: BfdStateChange) => void;

export interface BfdServiceOptions {
  /** Receive addresses (default the wildcards of both families). */
  readonly listen?: readonly string[];
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Transport override (tests). */
  readonly transport?: (onPacket: (r: BfdReceived) => void, onDrop: (reason: string, from: string) => void) => BfdTransport;
}

interface Entry {
  readonly spec: BfdPeer;
  readonly session: BfdSession;
  readonly sender: BfdSender;
}

export class BfdService {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly transport: BfdTransport;
  private readonly byPeer = new Map<string, Entry>();
  private readonly byDiscr = new Map<number, Entry>();
  private readonly listeners = new Set<BfdListener>();
  private readonly metrics: BfdMetrics | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(o: BfdServiceOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.log = (o.logger ?? silentLogger).child({ component: 'bfd' });
    const onPacket = (r: BfdReceived): void => this.receive(r);
    const onDrop = (reason: string, from: string): void => this.drop(reason, from);
    this.transport = o.transport
      ? o.transport(onPacket, onDrop)
      : new UdpBfdTransport({ ...(o.listen ? { listen: o.listen } : {}), logger: this.log, onPacket, onDrop });
    this.metrics = o.metrics ? new BfdMetrics(o.metrics, () => this.sessions()) : undefined;
  }

  onChange(listener: BfdListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes the sessions exactly these (by peer address); changed timers go through a Poll Sequence. */
  setPeers(peers: readonly BfdPeer[]): Promise<void> {
    const run = this.queue.then(() => this.apply(peers));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(peers: readonly BfdPeer[]): Promise<void> {
    if (this.stopped) return;
    const want = new Map(peers.map((p) => [canonicalAddressText(p.peer), { ...p, peer: canonicalAddressText(p.peer) }]));
    for (const [peer, e] of [...this.byPeer]) {
      const w = want.get(peer);
      if (!w || w.multihop !== e.spec.multihop) this.remove(peer, e);
    }
    for (const [peer, spec] of want) {
      const e = this.byPeer.get(peer);
      if (e) {
        e.session.setTimers(spec.timers);
        this.byPeer.set(peer, { ...e, spec });
        continue;
      }
      await this.transport.ensure(spec.multihop);
      await this.add(spec);
    }
  }

  private async add(spec: BfdPeer): Promise<void> {
    const sender = await this.transport.sender(spec.peer, spec.multihop);
    let discr = randomInt(1, 0x7fff_ffff);
    while (this.byDiscr.has(discr)) discr = randomInt(1, 0x7fff_ffff);
    const session = new BfdSession(spec.timers, {
      clock: this.clock,
      random: this.random,
      localDiscr: discr,
      send: (b) => sender.send(b),
      onState: (c) => this.changed(spec.peer, c),
    });
    const e: Entry = { spec, session, sender };
    this.byPeer.set(spec.peer, e);
    this.byDiscr.set(discr, e);
    session.start();
    this.log.info(
      { event: 'bfd_session_added', peer: spec.peer, multihop: spec.multihop, localPort: sender.localPort },
      `BFD session with ${spec.peer}${spec.multihop ? ' (multihop)' : ''} from port ${sender.localPort}`,
    );
  }

  /** AdminDown lingers a detection time in the background (RFC 5880 §6.8.16); the socket closes after it. */
  private remove(peer: string, e: Entry): void {
    this.byPeer.delete(peer);
    this.byDiscr.delete(e.session.view().localDiscr);
    void e.session.adminDown().then(() => e.sender.close());
    this.log.info({ event: 'bfd_session_removed', peer }, `BFD session with ${peer} removed`);
  }

  private receive(r: BfdReceived): void {
    // RFC 5880 §6.3 / §6.8.6: Your Discriminator selects the session; zero: the source address does (single hop:
    // one session per address here). The source must be the session's peer either way.
    const e = r.packet.yourDiscr !== 0 ? this.byDiscr.get(r.packet.yourDiscr) : this.byPeer.get(r.from);
    if (!e) return this.drop(r.packet.yourDiscr !== 0 ? 'unknown discriminator' : 'no session for this address', r.from);
    if (e.spec.peer !== r.from || e.spec.multihop !== r.multihop) return this.drop('discriminator of another peer', r.from);
    e.session.receive(r.packet);
  }

  private drop(reason: string, from: string): void {
    const kind = reason.includes('another peer')
      ? 'wrong_source'
      : reason.includes('session') || reason.includes('unknown')
        ? 'no_session'
        : 'invalid';
    this.metrics?.dropped(kind);
    this.log.debug({ event: 'bfd_packet_dropped', peer: from, reason }, `BFD packet from ${from} dropped: ${reason}`);
  }

  private changed(peer: string, c: BfdStateChange): void {
    const why = c.to === 'Up' ? '' : ` (${diagText(c.diag)}${c.remoteDiag ? `; remote: ${diagText(c.remoteDiag)}` : ''})`;
    const fields = { peer, from: c.from, to: c.to, diag: diagText(c.diag), remoteDiag: diagText(c.remoteDiag) };
    if (c.to === 'Up') this.log.info({ event: 'bfd_session_up', ...fields }, `BFD ${peer}: ${c.from} → Up`);
    else if (c.from === 'Up') this.log.warn({ event: 'bfd_session_down', ...fields }, `BFD ${peer}: Up → ${c.to}${why}`);
    else this.log.debug({ event: 'bfd_session_state', ...fields }, `BFD ${peer}: ${c.from} → ${c.to}${why}`);
    for (const l of this.listeners) {
      try {
        l(peer, c);
      } catch (err) {
        this.log.error({ event: 'listener_error', peer, err: errorMessage(err) }, `BFD listener failed: ${errorMessage(err)}`);
      }
    }
  }

  state(peer: string): BfdSessionView['state'] | undefined {
    return this.byPeer.get(canonicalAddressText(peer))?.session.currentState;
  }

  sessions(): BfdPeerStatus[] {
    return [...this.byPeer.values()].map((e) => ({
      peer: e.spec.peer,
      multihop: e.spec.multihop,
      localPort: e.sender.localPort,
      ...e.session.view(),
    }));
  }

  /** AdminDown to every peer (for at most `lingerMs`), then the sockets close. */
  async stop(lingerMs = 1000): Promise<void> {
    await this.queue;
    this.stopped = true;
    const all = [...this.byPeer.entries()];
    this.byPeer.clear();
    this.byDiscr.clear();
    const done = Promise.all(all.map(([, e]) => e.session.adminDown()));
    await Promise.race([done, new Promise<void>((r) => this.clock.setTimeout(r, lingerMs))]);
    for (const [, e] of all) {
      e.session.stop();
      e.sender.close();
    }
    await this.transport.close();
  }
}
