// Outbound TCP connects for neighbours marked active: one attempt at a time, a connect timeout on the injected
// clock, and a timer for the next attempt. The peer decides when (backoff); this only does the socket work.
// With a TCP-MD5 key the socket is made with the key in place before connect() (sockopt/md5-sockets.ts); note that
// a signed SYN to a closed port gets no RST, so such a connect fails by timeout rather than ECONNREFUSED.
import { connect as netConnect, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../base/clock.js';
import { parseAddress } from '../../net/address.js';
import { md5ClientSocket } from '../../sockopt/md5-sockets.js';
import type { StaticNeighbor } from './neighbors.js';

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string;
  /** TCP-MD5 key (RFC 2385) for this peer. */
  readonly md5Key?: string;
}

/** Where and how to dial a static neighbour (port 179 unless set; its local address and TCP-MD5 key if any). */
export function connectTarget(address: string, n: StaticNeighbor): ConnectTarget {
  return {
    host: address,
    port: n.port ?? 179,
    ...(n.localAddress ? { localAddress: n.localAddress } : {}),
    ...(n.password !== undefined ? { md5Key: n.password } : {}),
  };
}

export class ActiveConnector {
  private timer: TimerHandle | undefined;
  private pending: Socket | undefined;
  private setupFailure: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** A connect is in flight. */
  get connecting(): boolean {
    return this.pending !== undefined;
  }

  /** Runs `attempt` after `delayMs` (replacing any earlier schedule). */
  schedule(delayMs: number, attempt: () => void): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, delayMs);
  }

  /** Connects; exactly one of the callbacks runs (none after cancel()). */
  connect(to: ConnectTarget, connected: (socket: Socket) => void, failed: (err: Error) => void): void {
    const where = { host: to.host, port: to.port, ...(to.localAddress ? { localAddress: to.localAddress } : {}) };
    let sock: Socket;
    if (to.md5Key === undefined) sock = netConnect(where);
    else {
      try {
        sock = md5ClientSocket(parseAddress(to.host), Buffer.from(to.md5Key, 'utf8'));
      } catch (err) {
        // Reported like any connect failure, after this call returns (cancel() drops it).
        const e = err instanceof Error ? err : new Error(String(err));
        this.setupFailure = this.clock.setTimeout(() => {
          this.setupFailure = undefined;
          failed(e);
        }, 0);
        return;
      }
      sock.connect(where);
    }
    this.pending = sock;
    const timeout = this.clock.setTimeout(() => sock.destroy(new Error('connect timeout')), this.timeoutMs);
    const fail = (err: Error): void => {
      timeout.cancel();
      if (this.pending !== sock) return;
      this.pending = undefined;
      failed(err);
    };
    sock.once('error', fail);
    sock.once('connect', () => {
      timeout.cancel();
      sock.off('error', fail);
      if (this.pending !== sock) {
        sock.destroy();
        return;
      }
      this.pending = undefined;
      connected(sock);
    });
  }

  /** Cancels the scheduled attempt and drops a connect in flight. */
  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.setupFailure?.cancel();
    this.setupFailure = undefined;
    const p = this.pending;
    this.pending = undefined;
    p?.destroy();
  }

  /** Cancels only the scheduled attempt. */
  cancelScheduled(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
