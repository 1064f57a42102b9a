// Graceful restart helper over loopback (RFC 4724 §4.2): drop TCP → stale → reconnect + End-of-RIB → sweep;
// restart timer expiry → sweep; a Cease is not a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { basicAttributes, encodeEndOfRib, encodeNotification, encodeUpdate, type Capability } from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { FakeClock } from '../../../src/base/clock.js';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import type { SpeakerEvent } from '../../../src/bgp/events.js';
import { DEFAULT_CAPS, startSpeaker, TestPeer, until } from './support/test-peer.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

const GR = (restarting: boolean, forwarding = true): Capability => ({
  type: 'graceful-restart',
  restartFlags: restarting ? 0x8 : 0,
  restartTime: 60,
  families: [
    { afi: 1, safi: 1, forwardingPreserved: forwarding },
    { afi: 2, safi: 1, forwardingPreserved: forwarding },
  ],
});
const caps = (gr: Capability): Capability[] => [...DEFAULT_CAPS.map((c) => (c.type === 'four-octet-asn' ? { ...c, asn: 65001 } : c)), gr];
const nh = basicAttributes({ asPath: [65001], nextHop: '192.0.2.41' });
const removedOf = (events: readonly SpeakerEvent[]) =>
  events.flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : []));

async function grSetup(clock?: FakeClock) {
  const s = await startSpeaker({
    neighbors: [{ address: '127.0.0.41', asn: 65001 }],
    ...(clock ? { clock } : {}),
    gracefulRestart: { maxRestartTime: 120 },
  });
  speakers.push(s.speaker);
  const connectPeer = async (restarting: boolean, forwarding = true) => {
    const p = await TestPeer.connect({
      port: s.port,
      localAddress: '127.0.0.41',
      asn: 65001,
      capabilities: caps(GR(restarting, forwarding)),
    });
    peers.push(p);
    await p.establish();
    await until(() => s.speaker.peer('127.0.0.41')?.state === 'Established', 'Established');
    return p;
  };
  return { ...s, connectPeer };
}

describe('graceful restart helper', () => {
  it('TCP drop → stale; reconnect + End-of-RIB → only what was not re-announced is withdrawn', async () => {
    const { speaker, events, connectPeer } = await grSetup();
    const p1 = await connectPeer(false);
    p1.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24'), parsePrefix('10.41.1.0/24')] }));
    p1.send(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65001] }),
        mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: '2001:db8:ffff::41', nlri: [parsePrefix('2001:db8:41::/64')] },
      }),
    );
    await until(() => speaker.counters('127.0.0.41')?.accepted === 3, '3 paths');
    p1.close(); // abrupt: no NOTIFICATION
    const down = await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    expect(down).toMatchObject({ reason: 'tcp-closed' });
    expect(down.type === 'peer-down' && typeof down.staleUntil).toBe('number');
    expect(removedOf(events)).toEqual([]);
    expect(speaker.peer('127.0.0.41')).toMatchObject({ state: 'Idle', counters: { accepted: 0, stale: 3 } });
    expect(speaker.adjRibIn('127.0.0.41')?.isStale(parsePrefix('10.41.0.0/24'))).toBe(true);

    const p2 = await connectPeer(true);
    p2.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24')] }));
    await until(() => speaker.counters('127.0.0.41')?.accepted === 1, 'the re-announced path');
    expect(speaker.counters('127.0.0.41')?.stale).toBe(2);
    p2.send(encodeEndOfRib('ipv4'));
    await until(() => removedOf(events).length === 1, 'IPv4 sweep');
    expect(removedOf(events)).toEqual(['10.41.1.0/24']);
    p2.send(encodeEndOfRib('ipv6'));
    await until(() => removedOf(events).length === 2, 'IPv6 sweep');
    expect(removedOf(events)).toEqual(['10.41.1.0/24', '2001:db8:41::/64']);
    expect(speaker.peer('127.0.0.41')).toMatchObject({ counters: { accepted: 1, stale: 0 } });
    expect(speaker.peer('127.0.0.41')).not.toHaveProperty('staleUntil');
    expect(events.filter((e) => e.type === 'end-of-rib').map((e) => (e.type === 'end-of-rib' ? e.family : ''))).toEqual(['ipv4', 'ipv6']);
  });

  it('the restart timer expiring sweeps every stale path (FakeClock)', async () => {
    const clock = new FakeClock(0);
    const { speaker, events, connectPeer } = await grSetup(clock);
    const p1 = await connectPeer(false);
    p1.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24')] }));
    await until(() => speaker.counters('127.0.0.41')?.accepted === 1, 'path');
    p1.close();
    const down = await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    expect(down).toMatchObject({ staleUntil: 60_000 }); // the peer's 60 s, under our 120 s cap
    clock.advance(59_999);
    expect(removedOf(events)).toEqual([]);
    clock.advance(1);
    expect(removedOf(events)).toEqual(['10.41.0.0/24']);
    expect(speaker.counters('127.0.0.41')?.stale).toBe(0);
  });

  it('a restarted peer without the F bit loses its stale paths at once', async () => {
    const { speaker, events, connectPeer } = await grSetup();
    const p1 = await connectPeer(false);
    p1.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24')] }));
    await until(() => speaker.counters('127.0.0.41')?.accepted === 1, 'path');
    p1.close();
    await until(() => events.find((e) => e.type === 'peer-down'), 'peer-down');
    await connectPeer(true, false);
    await until(() => removedOf(events).length === 1, 'sweep');
    expect(removedOf(events)).toEqual(['10.41.0.0/24']);
  });

  it('a Cease NOTIFICATION is a real stop: paths withdrawn at once', async () => {
    const { speaker, events, connectPeer } = await grSetup();
    const p1 = await connectPeer(false);
    p1.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24')] }));
    await until(() => speaker.counters('127.0.0.41')?.accepted === 1, 'path');
    p1.send(encodeNotification({ code: 6, subcode: 2 }));
    await until(() => removedOf(events).length === 1, 'withdrawal');
    const down = events.find((e) => e.type === 'peer-down');
    expect(down).toMatchObject({ reason: 'notification-received' });
    expect(down).not.toHaveProperty('staleUntil');
  });

  it('a new OPEN while the GR session is still up replaces it and keeps the paths stale', async () => {
    const { speaker, events, connectPeer } = await grSetup();
    const p1 = await connectPeer(false);
    p1.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.0.0/24'), parsePrefix('10.41.1.0/24')] }));
    await until(() => speaker.counters('127.0.0.41')?.accepted === 2, 'paths');
    const p2 = await connectPeer(true); // p1's socket is still open: the peer "rebooted" without a FIN
    await p1.waitClosed();
    expect(events.find((e) => e.type === 'peer-down')).toMatchObject({ reason: 'tcp-closed' });
    expect(speaker.counters('127.0.0.41')?.stale).toBe(2);
    p2.send(encodeUpdate({ attributes: nh, nlri: [parsePrefix('10.41.1.0/24')] }), encodeEndOfRib('ipv4'), encodeEndOfRib('ipv6'));
    await until(() => removedOf(events).length === 1, 'sweep');
    expect(removedOf(events)).toEqual(['10.41.0.0/24']);
  });
});
