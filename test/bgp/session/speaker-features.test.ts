// Active connects and connection collision (RFC 4271 §6.8), ADD-PATH, extended next hop, route refresh, reload.
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:net';
import {
  basicAttributes,
  decodeRouteRefresh,
  decodeUpdate,
  encodeRouteRefresh,
  encodeUpdate,
  MessageType,
  type Capability,
} from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import type { SpeakerEvent } from '../../../src/bgp/events.js';
import { DEFAULT_CAPS, listenAt, startSpeaker, TestPeer, until } from './support/test-peer.js';
import { Metrics } from '../../../src/base/metrics.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
  for (const s of servers.splice(0)) s.close();
});

const paths = (events: readonly SpeakerEvent[]) =>
  events.flatMap((e) => (e.type === 'paths' ? e.paths.map((p) => `${formatPrefix(p.prefix)}#${p.pathId} via ${p.nextHop}`) : []));
const caps = (asn: number, more: Capability[]): Capability[] => [
  ...DEFAULT_CAPS.map((c) => (c.type === 'four-octet-asn' ? { ...c, asn } : c)),
  ...more,
];

describe('active connect and collisions', () => {
  it('connects out to an active neighbour and reaches Established', async () => {
    const srv = await listenAt('127.0.0.51');
    servers.push(srv.server);
    const s = await startSpeaker({
      neighbors: [{ address: '127.0.0.51', asn: 65051, port: srv.port, active: true, localAddress: '127.0.0.50' }],
    });
    speakers.push(s.speaker);
    const sock = await until(() => srv.accepted[0], 'the speaker to connect');
    expect(sock.remoteAddress).toBe('127.0.0.50'); // bound to the configured local address
    const p = TestPeer.wrap(sock, { port: srv.port, localAddress: '127.0.0.51', asn: 65051 });
    peers.push(p);
    await p.establish();
    await until(() => s.speaker.peer('127.0.0.51')?.state === 'Established', 'Established');
  });

  it('collision: with the peer id higher, the connection we initiated is closed with 6/7', async () => {
    const srv = await listenAt('127.0.0.52');
    servers.push(srv.server);
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.52', asn: 65052, port: srv.port, active: true }] });
    speakers.push(s.speaker);
    const out = TestPeer.wrap(await until(() => srv.accepted[0], 'outbound connection'), {
      port: 0,
      localAddress: '127.0.0.52',
      asn: 65052,
      routerId: '127.0.0.52',
    });
    const inb = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.52', asn: 65052, routerId: '127.0.0.52' });
    peers.push(out, inb);
    await out.waitFor(MessageType.OPEN);
    await inb.waitFor(MessageType.OPEN);
    out.send(out.openMessage()); // speaker: outbound connection → OpenConfirm
    await out.waitFor(MessageType.KEEPALIVE);
    inb.send(inb.openMessage()); // collision detected on the inbound one
    const n = await out.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 7]); // 127.0.0.1 < 127.0.0.52: ours goes
    await inb.waitFor(MessageType.KEEPALIVE);
    inb.send(Buffer.from([...Array<number>(16).fill(0xff), 0, 19, 4]));
    await until(() => s.speaker.peer('127.0.0.52')?.state === 'Established', 'Established on the inbound connection');
    expect(inb.closed).toBe(false);
    expect(s.speaker.peer('127.0.0.52')?.counters.flaps).toBe(0);
  });

  it('collision with an Established session closes the newcomer', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.53', asn: 65053 }] });
    speakers.push(s.speaker);
    const first = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.53', asn: 65053 });
    peers.push(first);
    await first.establish();
    await until(() => s.speaker.peer('127.0.0.53')?.state === 'Established', 'Established');
    const second = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.53', asn: 65053 });
    peers.push(second);
    second.send(second.openMessage());
    const n = await second.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 7]);
    expect(s.speaker.peer('127.0.0.53')?.state).toBe('Established');
    expect(first.closed).toBe(false);
  });
});

describe('capabilities in use', () => {
  it('ADD-PATH receive: the same prefix with two path ids is two paths', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.54', asn: 65054 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.54',
      asn: 65054,
      capabilities: caps(65054, [{ type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'send' }] }]),
    });
    peers.push(p);
    await p.establish();
    const ctx = { fourOctetAsn: true, addPath: { ipv4: true, ipv6: false }, extendedMessages: false };
    const pfx = parsePrefix('10.54.0.0/24');
    p.send(
      encodeUpdate({ attributes: basicAttributes({ asPath: [65054], nextHop: '192.0.2.1' }), nlri: [{ prefix: pfx, pathId: 1 }] }, ctx),
    );
    p.send(
      encodeUpdate({ attributes: basicAttributes({ asPath: [65054], nextHop: '192.0.2.2' }), nlri: [{ prefix: pfx, pathId: 2 }] }, ctx),
    );
    await until(() => paths(s.events).length === 2, 'two paths');
    expect(paths(s.events)).toEqual(['10.54.0.0/24#1 via 192.0.2.1', '10.54.0.0/24#2 via 192.0.2.2']);
    p.send(encodeUpdate({ withdrawn: [{ prefix: pfx, pathId: 1 }] }, ctx));
    await until(() => s.events.find((e) => e.type === 'withdrawals'), 'withdrawal');
    expect(s.speaker.peer('127.0.0.54')?.capabilities).toContain('add-path-rx:ipv4');
    expect(s.speaker.counters('127.0.0.54')?.accepted).toBe(1);
  });

  it('RFC 8950: an IPv6 next hop for IPv4 NLRI is kept as IPv6; link-local-only IPv6 next hops fall back to the peer', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.55', asn: 65055 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.55',
      asn: 65055,
      capabilities: caps(65055, [{ type: 'extended-next-hop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }]),
    });
    peers.push(p);
    await p.establish();
    const a = basicAttributes({ asPath: [65055] });
    p.send(
      encodeUpdate({
        attributes: a,
        mpReach: { type: 'mp-reach', afi: 1, safi: 1, nextHop: '2001:db8:ffff::55', nlri: [parsePrefix('10.55.0.0/24')] },
      }),
    );
    p.send(
      encodeUpdate({
        attributes: a,
        mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: 'fe80::1', nlri: [parsePrefix('2001:db8:55::/64')] },
      }),
    );
    await until(() => paths(s.events).length === 2, 'two paths');
    expect(paths(s.events)).toEqual(['10.55.0.0/24#0 via 2001:db8:ffff::55', '2001:db8:55::/64#0 via 127.0.0.55']);
    expect(s.speaker.peer('127.0.0.55')?.capabilities).toContain('extended-next-hop');
  });

  it('one UPDATE with NLRI-field IPv4 (NEXT_HOP) and MP_REACH IPv4 (RFC 8950 IPv6 next hop) keeps each next hop', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.59', asn: 65059 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.59',
      asn: 65059,
      capabilities: caps(65059, [{ type: 'extended-next-hop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }]),
    });
    peers.push(p);
    await p.establish();
    p.send(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65059], nextHop: '192.0.2.59' }),
        nlri: [parsePrefix('10.59.0.0/24'), parsePrefix('10.59.2.0/24')],
        mpReach: { type: 'mp-reach', afi: 1, safi: 1, nextHop: '2001:db8:ffff::59', nlri: [parsePrefix('10.59.1.0/24')] },
      }),
    );
    await until(() => paths(s.events).length === 3, 'three paths');
    expect(paths(s.events).sort()).toEqual([
      '10.59.0.0/24#0 via 192.0.2.59',
      '10.59.1.0/24#0 via 2001:db8:ffff::59',
      '10.59.2.0/24#0 via 192.0.2.59',
    ]);
  });

  it('a peer without MP capabilities gets IPv4 unicast only (RFC 4760 §8)', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.56', asn: 65056 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.56',
      asn: 65056,
      capabilities: [{ type: 'four-octet-asn', asn: 65056 }],
    });
    peers.push(p);
    await p.establish();
    const up = await until(() => s.events.find((e) => e.type === 'peer-up'), 'peer-up');
    expect(up.type === 'peer-up' && up.info.families).toEqual(['ipv4']);
  });

  it('sends End-of-RIB for every negotiated family once Established (RFC 4724 §2: our initial update is empty)', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.58', asn: 65058 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.58', asn: 65058 });
    peers.push(p);
    await p.establish();
    const eors = [await p.waitFor(MessageType.UPDATE), await p.waitFor(MessageType.UPDATE)];
    expect(
      eors.map((m) => decodeUpdate(m, { fourOctetAsn: true, addPath: { ipv4: false, ipv6: false }, extendedMessages: false }).endOfRib),
    ).toEqual(['ipv4', 'ipv6']);
  });

  it('routeRefresh() sends ROUTE-REFRESH per negotiated family', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.57', asn: 65057 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.57', asn: 65057 });
    peers.push(p);
    await p.establish();
    await until(() => s.speaker.peer('127.0.0.57')?.state === 'Established', 'Established');
    expect(s.speaker.routeRefresh()).toBe(1);
    const rr = [
      decodeRouteRefresh(await p.waitFor(MessageType.ROUTE_REFRESH)),
      decodeRouteRefresh(await p.waitFor(MessageType.ROUTE_REFRESH)),
    ];
    expect(rr.map((r) => [r.afi, r.safi, r.subtype])).toEqual([
      [1, 1, 'request'],
      [2, 1, 'request'],
    ]);
  });
});

describe('enhanced route refresh (RFC 7313)', () => {
  it('BoRR marks the family stale, EoRR withdraws what was not re-advertised', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.63', asn: 65063 }] });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.63',
      asn: 65063,
      capabilities: caps(65063, [{ type: 'enhanced-route-refresh' }]),
    });
    peers.push(p);
    await p.establish();
    const a = basicAttributes({ asPath: [65063], nextHop: '192.0.2.63' });
    p.send(encodeUpdate({ attributes: a, nlri: [parsePrefix('10.63.0.0/24'), parsePrefix('10.63.1.0/24')] }));
    p.send(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65063] }),
        mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: '2001:db8::63', nlri: [parsePrefix('2001:db8:63::/64')] },
      }),
    );
    await until(() => s.speaker.counters('127.0.0.63')?.accepted === 3, 'paths');
    expect(s.speaker.routeRefresh('127.0.0.63')).toBe(1);
    await p.waitFor(MessageType.ROUTE_REFRESH);
    p.send(encodeRouteRefresh(1, 1, 'borr'), encodeUpdate({ attributes: a, nlri: [parsePrefix('10.63.1.0/24')] }));
    await until(() => s.speaker.counters('127.0.0.63')?.stale === 1, 'one stale path (IPv6 untouched)');
    p.send(encodeRouteRefresh(1, 1, 'eorr'));
    await until(() => s.events.find((e) => e.type === 'withdrawals'), 'withdrawal');
    const gone = s.events.flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : []));
    expect(gone).toEqual(['10.63.0.0/24']);
    expect(s.speaker.counters('127.0.0.63')).toMatchObject({ accepted: 2, stale: 0 });
  });
});

describe('config reload', () => {
  it('keeps unaffected sessions, applies new options in place, de-configures removed neighbours with 6/3', async () => {
    const s = await startSpeaker({
      neighbors: [
        { address: '127.0.0.58', asn: 65058 },
        { address: '127.0.0.59', asn: 65059 },
      ],
    });
    speakers.push(s.speaker);
    const a = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.58', asn: 65058 });
    const b = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.59', asn: 65059 });
    peers.push(a, b);
    await a.establish();
    await b.establish();
    await until(() => s.speaker.peers().filter((x) => x.state === 'Established').length === 2, 'both up');
    s.speaker.setNeighbors([{ address: '127.0.0.58', asn: 65058, description: 'kept', maxPrefix: { limit: 5, action: 'warn' } }], []);
    const n = await b.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 3]);
    expect(s.speaker.peer('127.0.0.58')).toMatchObject({ state: 'Established', description: 'kept' });
    expect(s.speaker.peer('127.0.0.59')).toBeUndefined();
    expect(a.received.filter((m) => m[18] === MessageType.NOTIFICATION)).toEqual([]);
  });

  it('a changed ASN resets the session with 6/6', async () => {
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.60', asn: 65060 }] });
    speakers.push(s.speaker);
    const a = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.60', asn: 65060 });
    peers.push(a);
    await a.establish();
    await until(() => s.speaker.peer('127.0.0.60')?.state === 'Established', 'up');
    s.speaker.setNeighbors([{ address: '127.0.0.60', asn: 65061 }], []);
    const n = await a.waitNotification();
    expect([n.code, n.subcode]).toEqual([6, 6]);
    expect(s.speaker.peer('127.0.0.60')).toMatchObject({ asn: 65061, state: 'Idle' });
  });
});

describe('metrics', () => {
  it('per-peer series are read from the counters at scrape time and vanish with the peer', async () => {
    const metrics = new Metrics();
    const s = await startSpeaker({ neighbors: [{ address: '127.0.0.62', asn: 65062 }], metrics });
    speakers.push(s.speaker);
    const p = await TestPeer.connect({ port: s.port, localAddress: '127.0.0.62', asn: 65062 });
    peers.push(p);
    await p.establish();
    p.send(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65062], nextHop: '192.0.2.62' }),
        nlri: [parsePrefix('10.62.0.0/24'), parsePrefix('10.62.1.0/24')],
      }),
    );
    await until(() => s.speaker.counters('127.0.0.62')?.accepted === 2, 'paths');
    const text = await metrics.text();
    expect(text).toContain('bgp2vpc_bgp_session_established{peer="127.0.0.62"} 1');
    expect(text).toContain('bgp2vpc_bgp_paths{peer="127.0.0.62"} 2');
    expect(text).toContain('bgp2vpc_bgp_prefixes_received_total{peer="127.0.0.62"} 2');
    expect(text).toContain('bgp2vpc_bgp_updates_received_total{peer="127.0.0.62"} 1');
    s.speaker.setNeighbors([], []);
    expect(await metrics.text()).not.toContain('peer="127.0.0.62"');
  });
});
