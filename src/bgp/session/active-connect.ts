// Outbound TCP connects for neighbours marked active: one attempt at a time, a connect timeout on the injected
// clock, and a timer for the next attempt. The peer decides when (backoff); this only does the socket work.
import { connect as netConnect, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../base/clock.js';

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string;
}

export class ActiveConnector {
  private timer: TimerHandle | undefined;
  private pending: Socket | undefined;

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
    const sock = netConnect({ host: to.host, port: to.port, ...(to.localAddress ? { localAddress: to.localAddress } : {}) });
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
