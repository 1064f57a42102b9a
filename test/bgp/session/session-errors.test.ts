// Error handling over loopback: hold expiry, malformed UPDATEs, max-prefix, FSM errors.
import { afterEach, describe, expect, it } from 'vitest';
import { basicAttributes, encodeKeepalive, encodePackedIpv4Updates, encodeUpdate, MessageType } from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { FakeClock } from '../../../src/base/clock.js';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import type { SpeakerEvent } from '../../../src/bgp/events.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

async function connected(extra: Parameters<typeof startSpeaker>[0] = {}, holdTime = 90) {
  const s = await startSpeaker({ neighbors: [{ address: '127.0.0.31', asn: 65001 }], ...extra });
  speakers.push(s.speaker);
  const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.31', asn: 65001, holdTime });
  peers.push(p);
  await p.establish();
  await until(() => s.speaker.peer('127.0.0.31')?.state === 'Established', 'Established');
  return { ...s, p };
}

const nh = basicAttributes({ asPath: [65001], nextHop: '192.0.2.31' });
const hosts = (n: number, base = 10 << 24) => Array.from({ length: n }, (_, i) => ({ addr: base + i, len: 32 }));
const pathCount = (events: readonly SpeakerEvent[]) => events.reduce((n, e) => n + (e.type === 'paths' ? e.paths.length : 0), 0);

describe('session errors', () => {
  it('hold timer expiry (FakeClock) → NOTIFICATION 4/0 and paths withdrawn', async () => {
    const clock = new FakeClock(1_000_000);
    const { p, events } = await connected({ clock, holdTime: 9 }, 9);
    p.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.31.0.0/24')] }));
    await until(() => pathCount(events) === 1, 'path');
    clock.advance(3000); // keepalive timer (hold/3): the speaker sends one
    await p.waitFor(MessageType.KEEPALIVE, 'keepalive from the speaker');
    clock.advance(6001); // 9 s without anything from the peer
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([4, 0]);
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    expect(events.find((e) => e.type === 'peer-down')).toMatchObject({ reason: 'hold-timer-expired' });
    expect(
      events
        .filter((e) => e.type === 'withdrawals')
        .flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : [])),
    ).toEqual(['10.31.0.0/24']);
  });

  it('messages from the peer keep the hold timer alive', async () => {
    const clock = new FakeClock(0);
    const { p, speaker } = await connected({ clock, holdTime: 9 }, 9);
    for (let i = 0; i < 5; i++) {
      clock.advance(5000);
      expect(speaker.peer('127.0.0.31')?.state).toBe('Established');
      const seen = speaker.peer('127.0.0.31')?.messagesReceived ?? 0;
      p.send(encodeKeepalive());
      await until(() => (speaker.peer('127.0.0.31')?.messagesReceived ?? 0) > seen, 'the KEEPALIVE to reach the speaker');
    }
    expect(speaker.peer('127.0.0.31')?.state).toBe('Established');
  });

  it('an NLRI length over 32 → UPDATE Message Error / Invalid Network Field (3/10)', async () => {
    const { p, events } = await connected();
    const good = encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.31.0.0/24')] });
    const bad = Buffer.from(good);
    bad[bad.length - 4] = 33; // the NLRI's length octet: /24 → /33
    p.send(bad);
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([3, 10]);
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    expect(events.find((e) => e.type === 'peer-down')).toMatchObject({ reason: 'notification-sent' });
  });

  it('a malformed attribute list (3/1) resets the session', async () => {
    const { p } = await connected();
    const good = encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.31.0.0/24')] });
    const bad = Buffer.from(good);
    bad.writeUInt16BE(0xfff0, 21); // total path attribute length overruns the message
    p.send(bad);
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([3, 1]);
  });

  it('RFC 7606: a missing well-known attribute is treat-as-withdraw, the session stays up', async () => {
    const { p, events, speaker } = await connected();
    p.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.31.0.0/24')] }));
    await until(() => pathCount(events) === 1, 'path');
    // Same prefix again without ORIGIN: the earlier path must go, and no NOTIFICATION.
    p.send(encodeUpdate({ attributes: nh.filter((a) => a.type !== 'origin'), nlri: [parsePrefix('10.31.0.0/24')] }));
    await until(() => events.find((e) => e.type === 'withdrawals'), 'withdrawal');
    expect(speaker.peer('127.0.0.31')).toMatchObject({ state: 'Established', counters: { accepted: 0, treatAsWithdraw: 1 } });
    expect(p.received.filter((m) => m[18] === MessageType.NOTIFICATION)).toEqual([]);
  });

  it('an UPDATE before Established is an FSM error (5/1 in OpenSent)', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.32', asn: 65001 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.32', asn: 65001 });
    peers.push(p);
    await p.waitFor(MessageType.OPEN);
    p.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.31.0.0/24')] }));
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([5, 1]);
  });

  it('max-prefix reset: NOTIFICATION 6/1 with AFI/SAFI and the limit (RFC 4486)', async () => {
    const { p, events } = await connected({
      neighbors: [{ address: '127.0.0.31', asn: 65001, maxPrefix: { limit: 10, action: 'reset' } }],
    });
    p.send(...encodePackedIpv4Updates(hosts(11), nh));
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 1]);
    expect(n.data).toEqual(Buffer.from([0, 1, 1, 0, 0, 0, 10])); // AFI 1, SAFI 1, limit 10
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    const added = pathCount(events);
    const gone = events.reduce((k, e) => k + (e.type === 'withdrawals' ? e.removed.length : 0), 0);
    expect(added).toBe(10);
    expect(gone).toBe(10);
  });

  it('max-prefix warn: the first N are kept, the rest ignored, the session stays', async () => {
    const { p, speaker } = await connected({
      neighbors: [{ address: '127.0.0.31', asn: 65001, maxPrefix: { limit: 10, action: 'warn' } }],
    });
    p.send(...encodePackedIpv4Updates(hosts(15), nh));
    await until(() => speaker.counters('127.0.0.31')?.received === 15, 'all received');
    expect(speaker.peer('127.0.0.31')).toMatchObject({ state: 'Established', counters: { accepted: 10, rejected: 5 } });
    // Replacing an existing path is still allowed at the limit.
    p.send(encodeUpdate({ attributes: basicAttributes({ asPath: [65001], nextHop: '192.0.2.99' }), nlri: [parsePrefix('10.0.0.0/32')] }));
    await until(() => speaker.counters('127.0.0.31')?.received === 16, 'received');
    expect(speaker.counters('127.0.0.31')).toMatchObject({ accepted: 10, rejected: 5 });
  });
});

describe('reconnect damping (idle hold)', () => {
  it('repeated failures get an idle hold (6/5); a peer that merely restarts is never refused', async () => {
    const s = await startSpeaker({
      neighbors: [
        { address: '127.0.0.33', asn: 65001 },
        { address: '127.0.0.34', asn: 65001 },
      ],
      reconnect: { idleHoldMs: 60_000 },
    });
    speakers.push(s.speaker);
    // 127.0.0.33 keeps sending the wrong ASN: 2/2, 2/2, then refused during the idle hold.
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.33', asn: 65099 });
      peers.push(p);
      p.send(p.openMessage());
      const n = await p.waitNotification();
      codes.push(`${n.code}/${n.subcode}`);
      await p.waitClosed();
      await until(() => s.speaker.peer('127.0.0.33')?.state === 'Idle', 'Idle');
    }
    expect(codes).toEqual(['2/2', '2/2', '6/5']);
    // 127.0.0.34 restarts three times in a row (TCP close after Established): always accepted.
    for (let i = 0; i < 3; i++) {
      const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.34', asn: 65001 });
      peers.push(p);
      await p.establish();
      await until(() => s.speaker.peer('127.0.0.34')?.state === 'Established', 'Established');
      p.close();
      await until(() => s.speaker.peer('127.0.0.34')?.state === 'Idle', 'Idle');
    }
    expect(s.speaker.peer('127.0.0.34')?.counters.flaps).toBe(3);
  });
});
