// A connection's received messages, handled in slices so that one busy peer cannot hold the event loop: libuv
// reads a socket up to 32 times per poll (2 MiB of UPDATEs, seconds of route processing at a million prefixes),
// and meanwhile no timer fires: other peers' keepalives and hold timers, probes, the API. After SLICE_MS of
// handling, the socket is paused (TCP flow control holds the peer back) and the rest waits for the next turn of
// the loop (setImmediate), after timers and other I/O have run. Order is kept: later data queues behind.
// The budget is our own CPU time in this turn, not protocol time, so it reads performance.now() and not the
// injected Clock; a test's fake clock has no say in how long the CPU takes.
import type { Socket } from 'node:net';

/** CPU time one connection may take in one turn of the event loop. */
export const SLICE_MS = 10;

export class Inbox {
  private queue: Buffer[] = [];
  private head = 0;
  private scheduled = false;
  private paused = false;
  private closed = false;
  /** Handled after the queue drains (a framing error found behind the messages already framed). */
  private trailer: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    /** Handles one message; returns false when the connection is done (the rest is dropped). */
    private readonly handle: (m: Buffer) => boolean,
  ) {}

  /** Queues messages (and an action to run after them) and handles what fits in this turn. */
  push(msgs: Buffer[], after?: () => void): void {
    if (this.closed) return;
    if (this.head === this.queue.length) {
      this.queue = msgs;
      this.head = 0;
    } else {
      for (const m of msgs) this.queue.push(m);
    }
    if (after) this.trailer = after;
    if (!this.scheduled) this.drain();
  }

  /** Drops what is queued (the connection ended). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.trailer = undefined;
  }

  private drain(): void {
    this.scheduled = false;
    const deadline = performance.now() + SLICE_MS;
    const q = this.queue;
    while (this.head < q.length && !this.closed) {
      const m = q[this.head++] as Buffer;
      if (!this.handle(m)) {
        this.close();
        return;
      }
      if (performance.now() >= deadline && this.head < q.length) {
        // Out of time: hold the peer back and carry on after the timers and other I/O of this turn.
        if (!this.paused && !this.socket.destroyed) {
          this.socket.pause();
          this.paused = true;
        }
        this.scheduled = true;
        setImmediate(() => this.drain());
        return;
      }
    }
    if (this.closed) return;
    this.queue = [];
    this.head = 0;
    if (this.paused) {
      this.paused = false;
      if (!this.socket.destroyed) this.socket.resume();
    }
    const t = this.trailer;
    this.trailer = undefined;
    t?.();
  }
}
