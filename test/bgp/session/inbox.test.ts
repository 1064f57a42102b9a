// The inbox hands messages to the session in slices: a connection that brings more work than one slice pauses its
// socket and lets timers and other I/O run before it continues, in order.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Inbox, SLICE_MS } from '../../../src/bgp/session/inbox.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  calls: string[] = [];
  pause(): this {
    this.calls.push('pause');
    return this;
  }
  resume(): this {
    this.calls.push('resume');
    return this;
  }
}

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const msg = (i: number): Buffer => Buffer.from([i]);

describe('Inbox', () => {
  it('handles what is queued at once when it fits in a slice', () => {
    const sock = new FakeSocket();
    const seen: number[] = [];
    const inbox = new Inbox(sock as unknown as Socket, (m) => (seen.push(m[0] as number), true));
    let after = false;
    inbox.push([msg(1), msg(2)], () => (after = true));
    expect(seen).toEqual([1, 2]);
    expect(after).toBe(true);
    expect(sock.calls).toEqual([]);
  });

  it('past its slice, pauses the socket, lets a timer run, and continues in order; later data queues behind', async () => {
    const sock = new FakeSocket();
    const seen: (number | string)[] = [];
    const inbox = new Inbox(sock as unknown as Socket, (m) => {
      seen.push(m[0] as number);
      busy(SLICE_MS / 2 + 1);
      return true;
    });
    setTimeout(() => seen.push('timer'), 0);
    const done = new Promise<void>((resolve) => inbox.push([1, 2, 3, 4, 5, 6].map(msg), resolve));
    expect(seen.length).toBeLessThan(6); // a slice ended before the queue did
    expect(sock.calls).toEqual(['pause']);
    inbox.push([msg(7)]); // arrives while paused: behind the rest
    await done;
    const numbers = seen.filter((x) => typeof x === 'number');
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.indexOf('timer')).toBeGreaterThan(0);
    expect(seen.indexOf('timer')).toBeLessThan(seen.length - 1); // the timer ran between slices
    expect(sock.calls).toEqual(['pause', 'resume']);
  });

  it('drops the rest when the handler ends the connection, and after close()', () => {
    const sock = new FakeSocket();
    const seen: number[] = [];
    const inbox = new Inbox(sock as unknown as Socket, (m) => (seen.push(m[0] as number), m[0] !== 2));
    let after = false;
    inbox.push([1, 2, 3].map(msg), () => (after = true));
    expect(seen).toEqual([1, 2]);
    expect(after).toBe(false);
    inbox.push([msg(4)]);
    expect(seen).toEqual([1, 2]);
  });
});
