// The speaker never crashes and never leaks a session on anything a peer sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basicAttributes, encodeUpdate, MessageType } from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { parsePrefix } from '../../../src/net/prefix.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

let speaker: Speaker;
let port: number;
beforeAll(async () => {
  const s = await startSpeaker(
    { neighbors: [{ address: '127.0.0.71', asn: 65071 }], reconnect: { idleHoldMs: 0, maxIdleHoldMs: 0 } },
    false,
  ); // no idle hold: this test fails on purpose, fast
  speaker = s.speaker;
  port = s.port;
});
afterAll(async () => {
  await speaker.stop({ notify: false });
});

const frame = (type: number, body: Uint8Array): Buffer => {
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  Buffer.from(body).copy(b, 19);
  return b;
};

describe('robustness', () => {
  it('random messages after Established: the session survives or ends with a NOTIFICATION, the speaker stays sane', async () => {
    const good = encodeUpdate({
      attributes: basicAttributes({ asPath: [65071], nextHop: '192.0.2.71' }),
      nlri: [parsePrefix('10.71.0.0/24')],
    });
    const msgArb = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 200 })).map(([t, b]) => frame(t, b)),
      // a valid UPDATE with one byte changed
      fc.tuple(fc.integer({ min: 19, max: good.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const b = Buffer.from(good);
        b[i] = v;
        return b;
      }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)), // not even a header
    );
    await fc.assert(
      fc.asyncProperty(fc.array(msgArb, { minLength: 1, maxLength: 4 }), async (msgs) => {
        await until(() => !speaker.peer('127.0.0.71')?.state || speaker.peer('127.0.0.71')?.state === 'Idle', 'previous session gone');
        const p = await TestPeer.connect({ port, localAddress: '127.0.0.71', asn: 65071 });
        try {
          await p.establish();
          await until(() => speaker.peer('127.0.0.71')?.state === 'Established', 'Established');
          p.send(...msgs);
          p.send(frame(MessageType.KEEPALIVE, new Uint8Array()));
          // Give the speaker the messages, then check it is still answering on this connection or has closed it.
          await new Promise((r) => setTimeout(r, 10));
        } finally {
          p.close();
        }
        await until(() => speaker.peer('127.0.0.71')?.state === 'Idle', 'Idle after close');
        const st = speaker.peer('127.0.0.71');
        expect(st?.counters.accepted).toBe(0); // no GR: everything withdrawn
      }),
      { numRuns: 40 },
    );
    expect(speaker.peers()).toHaveLength(1);
  }, 120_000);

  it('garbage instead of an OPEN is answered with a header error and closed', async () => {
    await until(() => speaker.peer('127.0.0.71')?.state === 'Idle', 'idle');
    const p = await TestPeer.connect({ port, localAddress: '127.0.0.71', asn: 65071 });
    p.send(Buffer.alloc(40, 0x41));
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([1, 1]); // RFC 4271 §6.1 Connection Not Synchronized (bad marker)
    await p.waitClosed();
    p.close();
  });
});
