// Sessions over real loopback sockets with our own encoder as the peer.
import { afterEach, describe, expect, it } from 'vitest';
import {
  basicAttributes,
  encodeEndOfRib,
  encodeKeepalive,
  encodeNotification,
  encodePackedIpv4Updates,
  encodeUpdate,
  MessageType,
} from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import type { SpeakerEvent } from '../../../src/bgp/events.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';
import { FakeClock } from '../../../src/base/clock.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

async function setup(neighborAsn = 65001, extra: Parameters<typeof startSpeaker>[0] = {}) {
  const s = await startSpeaker({ neighbors: [{ address: '127.0.0.21', asn: neighborAsn }], ...extra });
  speakers.push(s.speaker);
  return s;
}

async function peerAt(port: number, localAddress = '127.0.0.21', asn = 65001, more: { holdTime?: number } = {}) {
  const p = await TestPeer.connect({ port, localAddress, asn, ...more });
  peers.push(p);
  return p;
}

const v4 = (events: readonly SpeakerEvent[]) =>
  events.flatMap((e) =>
    e.type === 'paths' ? e.paths.map((p) => `${formatPrefix(p.prefix)} via ${p.nextHop}${p.stale ? ' stale' : ''}`) : [],
  );
const removed = (events: readonly SpeakerEvent[]) =>
  events.flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : []));

describe('speaker sessions over loopback', () => {
  it('reaches Established, negotiates, receives IPv4 and IPv6 paths and withdrawals', async () => {
    const { speaker, port, events } = await setup();
    const p = await peerAt(port);
    const open = await p.establish();
    expect(open.asn).toBe(65000);
    expect(open.holdTime).toBe(90);
    expect(open.capabilities.map((c) => c.type)).toEqual(
      expect.arrayContaining([
        'multiprotocol',
        'route-refresh',
        'enhanced-route-refresh',
        'four-octet-asn',
        'graceful-restart',
        'add-path',
        'extended-message',
        'extended-next-hop',
      ]),
    );
    await until(() => events.find((e) => e.type === 'peer-up'), 'peer-up');
    expect(events[0]).toEqual({
      type: 'peer-up',
      info: { peer: '127.0.0.21', asn: 65001, routerId: '127.0.0.21', families: ['ipv4', 'ipv6'], gracefulRestart: false },
    });

    const attrs = basicAttributes({ asPath: [65001], nextHop: '192.0.2.21', med: 5, communities: [65001 * 65536 + 7] });
    p.send(encodeUpdate({ attributes: attrs, nlri: [parsePrefix('10.21.0.0/24'), parsePrefix('10.21.1.0/24')] }));
    p.send(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65001] }),
        mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: '::ffff:127.0.0.21', nlri: [parsePrefix('2001:db8:21::/64')] },
      }),
    );
    await until(() => v4(events).length === 3, '3 paths');
    expect(v4(events)).toEqual(['10.21.0.0/24 via 192.0.2.21', '10.21.1.0/24 via 192.0.2.21', '2001:db8:21::/64 via 127.0.0.21']);
    const first = events.find((e) => e.type === 'paths');
    expect(first?.type === 'paths' && first.paths[0]).toMatchObject({
      peer: '127.0.0.21',
      peerAsn: 65001,
      pathId: 0,
      stale: false,
      attrs: { origin: 0, asPath: [65001], asPathLength: 1, med: 5, communities: [65001 * 65536 + 7] },
    });

    p.send(encodeUpdate({ withdrawn: [parsePrefix('10.21.0.0/24')] }));
    p.send(encodeUpdate({ mpUnreach: { type: 'mp-unreach', afi: 2, safi: 1, nlri: [parsePrefix('2001:db8:21::/64')] } }));
    await until(() => removed(events).length === 2, '2 withdrawals');
    expect(removed(events)).toEqual(['10.21.0.0/24', '2001:db8:21::/64']);

    const st = speaker.peer('127.0.0.21');
    expect(st).toMatchObject({ state: 'Established', asn: 65001, kind: 'static', holdTime: 90, families: ['ipv4', 'ipv6'] });
    expect(st?.counters).toMatchObject({ updates: 4, received: 3, withdrawn: 2, accepted: 1, ipv4: 1, ipv6: 0 });
    expect(speaker.counters('127.0.0.21')?.accepted).toBe(1);
    expect(st?.capabilities).toEqual(expect.arrayContaining(['ipv4-unicast', 'ipv6-unicast', '4-octet-asn', 'route-refresh']));
  });

  it('packed UPDATEs land in the Adj-RIB-In and End-of-RIB is reported', async () => {
    const { speaker, port, events } = await setup();
    const p = await peerAt(port);
    await p.establish();
    const prefixes = Array.from({ length: 5000 }, (_, i) => ({ addr: (10 << 24) + i, len: 32 }));
    const msgs = encodePackedIpv4Updates(prefixes, basicAttributes({ asPath: [65001], nextHop: '192.0.2.21' }));
    expect(msgs.length).toBeGreaterThan(1);
    p.send(...msgs, encodeEndOfRib('ipv4'));
    await until(() => events.find((e) => e.type === 'end-of-rib'), 'End-of-RIB');
    expect(speaker.counters('127.0.0.21')?.accepted).toBe(5000);
    expect(v4(events).length).toBe(5000);
  });

  it('a TCP close withdraws every path at once (no GR) and reports peer-down', async () => {
    const { speaker, port, events } = await setup();
    const p = await peerAt(port);
    await p.establish();
    p.send(encodeUpdate({ attributes: basicAttributes({ asPath: [65001], nextHop: '192.0.2.21' }), nlri: [parsePrefix('10.21.0.0/24')] }));
    await until(() => v4(events).length === 1, 'path');
    p.close();
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    expect(events.find((e) => e.type === 'peer-down')).toMatchObject({ type: 'peer-down', peer: '127.0.0.21', reason: 'tcp-closed' });
    expect(events.find((e) => e.type === 'peer-down')).not.toHaveProperty('staleUntil');
    expect(removed(events)).toEqual(['10.21.0.0/24']);
    expect(speaker.peer('127.0.0.21')).toMatchObject({ state: 'Idle', counters: { accepted: 0, flaps: 1 } });
  });

  it('a NOTIFICATION from the peer ends the session with that reason', async () => {
    const { port, events } = await setup();
    const p = await peerAt(port);
    await p.establish();
    p.send(encodeNotification({ code: 6, subcode: 2, shutdownMessage: 'bye' }));
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    const down = events.find((e) => e.type === 'peer-down');
    expect(down).toMatchObject({ reason: 'notification-received' });
    expect(down?.type === 'peer-down' && down.detail).toContain('bye');
  });

  it('an unknown source gets Cease / Connection Rejected (6/5)', async () => {
    const { port, events } = await setup();
    const p = await peerAt(port, '127.0.0.99', 65099);
    p.send(p.openMessage());
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 5]);
    await p.waitClosed();
    expect(events).toEqual([]);
  });

  it('an OPEN with the wrong ASN gets Bad Peer AS (2/2)', async () => {
    const { speaker, port } = await setup();
    const p = await peerAt(port, '127.0.0.21', 65009);
    p.send(p.openMessage());
    await p.waitFor(MessageType.OPEN);
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([2, 2]);
    await p.waitClosed();
    await until(() => speaker.peer('127.0.0.21')?.state === 'Idle', 'Idle');
    expect(speaker.peer('127.0.0.21')?.lastError).toContain('bad peer AS');
  });

  it('dynamic ranges accept allowed ASNs and refuse others', async () => {
    const { speaker, port, events } = await setup(65001, { dynamic: [{ range: '127.0.3.0/24', asns: { min: 65100, max: 65199 } }] });
    const ok = await peerAt(port, '127.0.3.7', 65150);
    await ok.establish();
    await until(() => events.find((e) => e.type === 'peer-up'), 'peer-up');
    expect(speaker.peer('127.0.3.7')).toMatchObject({ kind: 'dynamic', range: '127.0.3.0/24', asn: 65150, state: 'Established' });
    const bad = await peerAt(port, '127.0.3.8', 65001);
    bad.send(bad.openMessage());
    const n = await bad.waitNotification();
    expect([n.code, n.subcode]).toEqual([2, 2]);
  });

  it('stop() sends Cease / Administrative Shutdown with the RFC 9003 message', async () => {
    const { speaker, port } = await setup();
    const p = await peerAt(port);
    await p.establish();
    await until(() => speaker.peer('127.0.0.21')?.state === 'Established', 'Established');
    const stopping = speaker.stop({ message: 'maintenance window' });
    const n = await p.waitNotification();
    expect([n.code, n.subcode, n.shutdownMessage]).toEqual([6, 2, 'maintenance window']);
    p.close();
    await stopping;
  });

  it('keepalives flow at a third of the hold time (RFC 4271 §10), timed on the injected clock', async () => {
    const clock = new FakeClock(0);
    const { port } = await setup(65001, { holdTime: 9, clock });
    const p = await peerAt(port, '127.0.0.21', 65001, { holdTime: 9 });
    await p.establish(); // consumes the KEEPALIVE that confirms the OPEN, sent at fake time 0
    const keepalives = (): number => p.received.filter((m) => m[18] === MessageType.KEEPALIVE).length;
    const quiet = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 200)); // anything sent would have arrived over loopback by now
      expect(keepalives()).toBe(0);
    };
    // Negotiated hold time 9 s: the keepalive timer fires at 3 s, 6 s, … of fake time, never earlier.
    for (const at of [3000, 6000]) {
      clock.advance(at - 1 - clock.now());
      await quiet();
      clock.advance(1);
      await p.waitFor(MessageType.KEEPALIVE, `the keepalive at ${at} ms`, 5000);
      expect(keepalives()).toBe(0);
      p.send(encodeKeepalive()); // ours, so the speaker's hold timer (9 s) never expires
    }
  });
});

describe('speaker options', () => {
  it('rejects invalid hold times and router ids as user errors', async () => {
    const { Speaker } = await import('../../../src/bgp/speaker.js');
    expect(() => new Speaker({ asn: 65000, routerId: '127.0.0.1', holdTime: 2 })).toThrow(/hold time 2/);
    expect(() => new Speaker({ asn: 65000, routerId: '0.0.0.0' })).toThrow(/router id/);
    expect(() => new Speaker({ asn: 65000, routerId: '1.2.3' })).toThrow(/router id/);
  });

  it('start() fails with a user error when the address is taken, and can be retried', async () => {
    const { port, speaker } = await startSpeaker();
    speakers.push(speaker);
    const { Speaker } = await import('../../../src/bgp/speaker.js');
    const other = new Speaker({ asn: 65000, routerId: '127.0.0.1', listen: [{ address: '127.0.0.1', port }] });
    await expect(other.start()).rejects.toThrow(/cannot listen for BGP/);
  });
});

describe('refusal logging', () => {
  it('an unknown source retrying is logged once a minute, not per attempt', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../../src/base/log.js');
    const logger = createLogger({
      level: 'info',
      destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream,
    });
    const { speaker, port } = await startSpeaker({ logger });
    speakers.push(speaker);
    for (let i = 0; i < 3; i++) {
      const p = await peerAt(port, '127.0.0.98', 65098);
      await p.waitNotification();
      await p.waitClosed();
    }
    expect(lines.filter((l) => l.includes('connection_rejected'))).toHaveLength(1);
  });
});
