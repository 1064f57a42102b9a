// A scripted BGP host for the demo, the failover benchmark and tests: connects actively to the controller from its
// own loopback address, sends OPEN (4-octet ASN, MP IPv4/IPv6, route refresh, optional graceful restart and
// hostname), keeps the session alive, announces and withdraws prefixes, and stops with or without a NOTIFICATION
// or dies abruptly (TCP reset). What it announces is remembered, so start() after kill() re-announces it all,
// the way a restarted BIRD would. It never accepts connections and ignores what the controller sends besides
// OPEN, KEEPALIVE and NOTIFICATION (the controller is receive-only).
import { connect, type Socket } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../../base/clock.js';
import { Bgp2vpcError } from '../../base/errors.js';
import { Framer } from '../../bgp/wire/framer.js';
import { MessageType } from '../../bgp/wire/constants.js';
import { decodeOpen } from '../../bgp/wire/open.js';
import { formatPrefix, parsePrefix, type Prefix } from '../../net/prefix.js';
import { type Family } from '../../net/address.js';
import { endOfRibMessage, keepaliveMessage, notificationMessage, openMessage, updateMessages, type Announcement } from './messages.js';

export interface SimHostOptions {
  /** Shown in logs and the demo. */
  readonly name?: string;
  /** The host's own address: the TCP source (127.0.x.y) and the default next hop. */
  readonly localAddress: string;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly asn: number;
  /** Default: localAddress. */
  readonly routerId?: string;
  /** Seconds; 0 or ≥ 3 (default 9). */
  readonly holdTime?: number;
  /** Graceful restart capability with this restart time in seconds (default: off). */
  readonly gracefulRestartTime?: number;
  readonly hostname?: string;
  readonly families?: readonly Family[];
  readonly clock?: Clock;
  /** Give up connecting after this long (default 5 s). */
  readonly connectTimeoutMs?: number;
}

export type SimHostState = 'idle' | 'connecting' | 'opensent' | 'openconfirm' | 'established' | 'closed';

export interface AnnounceOptions {
  readonly nextHop?: string;
  readonly localPref?: number;
  readonly med?: number;
  /** RFC 1997 communities as "asn:value". */
  readonly communities?: readonly string[];
}

export class SimHostError extends Bgp2vpcError {}

export interface SimHostEvents {
  established?: () => void;
  closed?: (reason: string) => void;
}

export class SimHost {
  readonly name: string;
  private socket: Socket | undefined;
  private stateValue: SimHostState = 'idle';
  private framer = new Framer();
  private keepaliveTimer: TimerHandle | undefined;
  private holdTimer: TimerHandle | undefined;
  private negotiatedHold = 0;
  private ibgp = false;
  private frozen = false;
  private readonly clock: Clock;
  /** Prefix text → announcement; replayed after a reconnect. */
  private readonly rib = new Map<string, Announcement>();
  readonly notificationsReceived: { code: number; subcode: number }[] = [];
  private listeners: SimHostEvents = {};
  /** Times the session reached Established. */
  sessions = 0;

  constructor(readonly opts: SimHostOptions) {
    this.name = opts.name ?? opts.localAddress;
    this.clock = opts.clock ?? systemClock;
  }

  get state(): SimHostState {
    return this.stateValue;
  }

  get announced(): readonly Announcement[] {
    return [...this.rib.values()];
  }

  on(events: SimHostEvents): void {
    this.listeners = { ...this.listeners, ...events };
  }

  /** Connects and completes the OPEN exchange; resolves at Established, after re-announcing everything remembered. */
  start(): Promise<void> {
    if (this.stateValue !== 'idle' && this.stateValue !== 'closed') {
      return Promise.reject(new SimHostError('SIM_BUSY', `${this.name}: already ${this.stateValue}`));
    }
    this.framer = new Framer();
    this.frozen = false;
    this.stateValue = 'connecting';
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error): void => {
        if (settled) return;
        settled = true;
        connectTimer.cancel();
        if (err) reject(err);
        else resolve();
      };
      const connectTimer = this.clock.setTimeout(() => {
        this.teardown('connect timeout');
        done(new SimHostError('SIM_CONNECT_TIMEOUT', `${this.name}: no session after ${this.opts.connectTimeoutMs ?? 5000}ms`));
      }, this.opts.connectTimeoutMs ?? 5000);
      const sock = connect({ host: this.opts.remoteHost, port: this.opts.remotePort, localAddress: this.opts.localAddress });
      this.socket = sock;
      sock.setNoDelay(true);
      sock.on('connect', () => {
        this.stateValue = 'opensent';
        sock.write(
          openMessage({
            asn: this.opts.asn,
            holdTime: this.opts.holdTime ?? 9,
            routerId: this.opts.routerId ?? this.opts.localAddress,
            families: this.opts.families ?? ['ipv4', 'ipv6'],
            ...(this.opts.gracefulRestartTime !== undefined ? { gracefulRestartTime: this.opts.gracefulRestartTime } : {}),
            ...(this.opts.hostname !== undefined ? { hostname: this.opts.hostname } : {}),
          }),
        );
      });
      sock.on('data', (chunk: Buffer) => {
        if (this.socket !== sock) return;
        try {
          for (const msg of this.framer.push(chunk)) this.onMessage(msg, () => done());
        } catch (err) {
          this.teardown(`bad message from controller: ${(err as Error).message}`);
          done(err as Error);
        }
      });
      sock.on('error', (err) => {
        if (this.socket !== sock) return;
        this.teardown(`socket error: ${err.message}`);
        done(new SimHostError('SIM_SOCKET', `${this.name}: ${err.message}`, { cause: err }));
      });
      sock.on('close', () => {
        if (this.socket !== sock) return;
        const last = this.notificationsReceived.at(-1);
        this.teardown('connection closed by controller');
        done(
          new SimHostError(
            'SIM_CLOSED',
            `${this.name}: connection closed before Established${last ? ` (NOTIFICATION ${last.code}/${last.subcode})` : ''}`,
          ),
        );
      });
    });
  }

  private onMessage(msg: Buffer, established: () => void): void {
    if (this.frozen) return;
    const type = msg[18];
    this.restartHoldTimer();
    switch (type) {
      case MessageType.OPEN: {
        const open = decodeOpen(msg);
        // RFC 4271 §4.2: the smaller hold time wins; keepalives at a third of it.
        this.negotiatedHold = Math.min(open.holdTime, this.opts.holdTime ?? 9);
        this.ibgp = open.asn === this.opts.asn;
        this.stateValue = 'openconfirm';
        this.send(keepaliveMessage());
        return;
      }
      case MessageType.KEEPALIVE:
        if (this.stateValue === 'openconfirm') {
          this.stateValue = 'established';
          this.sessions++;
          this.scheduleKeepalive();
          this.replay();
          established();
          this.listeners.established?.();
        }
        return;
      case MessageType.NOTIFICATION:
        this.notificationsReceived.push({ code: msg[19] ?? 0, subcode: msg[20] ?? 0 });
        return;
      default:
        return; // UPDATE / ROUTE-REFRESH: the controller sends none; nothing to do
    }
  }

  private restartHoldTimer(): void {
    this.holdTimer?.cancel();
    if (this.negotiatedHold <= 0) return;
    this.holdTimer = this.clock.setTimeout(() => {
      // RFC 4271 §6.5: Hold Timer Expired.
      this.send(notificationMessage(4, 0));
      this.teardown('hold timer expired');
    }, this.negotiatedHold * 1000);
  }

  private scheduleKeepalive(): void {
    this.keepaliveTimer?.cancel();
    if (this.negotiatedHold <= 0) return;
    this.keepaliveTimer = this.clock.setTimeout(
      () => {
        if (this.stateValue !== 'established') return;
        this.send(keepaliveMessage());
        this.scheduleKeepalive();
      },
      (this.negotiatedHold * 1000) / 3,
    );
  }

  private send(buf: Buffer): void {
    if (this.frozen) return;
    const s = this.socket;
    if (s && !s.destroyed && s.writable) s.write(buf);
  }

  private replay(): void {
    const all = [...this.rib.values()];
    for (const m of updateMessages(all, [], this.ibgp)) this.send(m);
    if (this.opts.gracefulRestartTime !== undefined) {
      for (const f of this.opts.families ?? ['ipv4', 'ipv6']) this.send(endOfRibMessage(f));
    }
  }

  /** Announces prefixes (remembered across reconnects); sent at once when Established. */
  announce(prefixes: readonly (string | Prefix)[], opts: AnnounceOptions = {}): void {
    const list: Announcement[] = prefixes.map((p) => {
      const prefix = typeof p === 'string' ? parsePrefix(p) : p;
      const nextHop =
        opts.nextHop ??
        (prefix.family === 'ipv4' || this.opts.localAddress.includes(':') ? this.opts.localAddress : `::ffff:${this.opts.localAddress}`);
      return {
        prefix,
        nextHop,
        asn: this.opts.asn,
        ...(opts.localPref !== undefined ? { localPref: opts.localPref } : {}),
        ...(opts.med !== undefined ? { med: opts.med } : {}),
        ...(opts.communities !== undefined ? { communities: opts.communities } : {}),
      };
    });
    for (const a of list) this.rib.set(formatPrefix(a.prefix), a);
    if (this.stateValue === 'established') for (const m of updateMessages(list, [], this.ibgp)) this.send(m);
  }

  withdraw(prefixes: readonly (string | Prefix)[]): void {
    const list: Prefix[] = [];
    for (const p of prefixes) {
      const prefix = typeof p === 'string' ? parsePrefix(p) : p;
      if (this.rib.delete(formatPrefix(prefix))) list.push(prefix);
    }
    if (this.stateValue === 'established' && list.length) for (const m of updateMessages([], list, this.ibgp)) this.send(m);
  }

  /** Graceful stop: NOTIFICATION Cease / Administrative Shutdown (RFC 4486 §4, 6/2), then FIN. */
  async stop(opts: { notify?: boolean } = {}): Promise<void> {
    const s = this.socket;
    if (!s || this.stateValue === 'closed' || this.stateValue === 'idle') return;
    if (opts.notify ?? true) this.send(notificationMessage(6, 2));
    this.teardownTimers();
    this.socket = undefined;
    this.stateValue = 'closed';
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
      // A peer that never closes its side must not hold us up.
      const t = setTimeout(() => s.destroy(), 1000);
      t.unref();
    });
    this.listeners.closed?.('stopped');
  }

  /**
   * Goes silent without closing anything (a powered-off or partitioned host): no more KEEPALIVEs, incoming data
   * ignored, the connection left open. The controller notices only by its hold timer or its health probes.
   * kill() afterwards releases the socket.
   */
  freeze(): void {
    if (this.stateValue !== 'established') return;
    this.teardownTimers();
    this.frozen = true;
  }

  /** Dies abruptly: TCP reset, no NOTIFICATION (a crashed or powered-off host). */
  kill(): void {
    const s = this.socket;
    if (!s) return;
    s.resetAndDestroy();
    this.teardown('killed');
  }

  private teardownTimers(): void {
    this.keepaliveTimer?.cancel();
    this.holdTimer?.cancel();
    this.keepaliveTimer = undefined;
    this.holdTimer = undefined;
  }

  private teardown(reason: string): void {
    const s = this.socket;
    this.teardownTimers();
    this.socket = undefined;
    const was = this.stateValue;
    this.stateValue = 'closed';
    if (s && !s.destroyed) s.destroy();
    if (was !== 'closed') this.listeners.closed?.(reason);
  }
}
