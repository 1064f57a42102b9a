// Replays what real gobgpd 3.10, BIRD 2.0.12, FRR 8.4.4 and ExaBGP 4.2 sent (test/fixtures/*.pcap, peer → receiver
// direction) into the speaker over loopback from the peer's own address, and checks the event stream.
// Expected values come from tshark and TESTBED.md, written out by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOpen } from '../../../src/bgp/wire/index.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { formatPrefix } from '../../../src/net/prefix.js';
import type { SpeakerEvent } from '../../../src/bgp/events.js';
import { readTcpStreams } from '../../support/pcap.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

interface Expect {
  readonly file: string;
  readonly peer: string;
  readonly hostname?: string;
  readonly gracefulRestart: boolean;
  readonly v4: readonly string[];
  readonly v4nh: string;
  readonly v6: readonly string[];
  readonly v6nh: string;
  readonly med?: number;
  readonly withdrawn: readonly string[];
  readonly eor: readonly string[];
  readonly down: string;
}

const plan = (n: number, peer: string, file: string, nh4: string, nh6: string, extra: Partial<Expect>): Expect => ({
  file,
  peer,
  gracefulRestart: false,
  v4: [0, 1, 2, 3].map((i) => `10.${n}.${i}.0/24`),
  v4nh: nh4,
  v6: [`2001:db8:${n / 16}::/64`, `2001:db8:${n / 16}:1::/64`],
  v6nh: nh6,
  withdrawn: [`10.${n}.3.0/24`, `2001:db8:${n / 16}:1::/64`],
  eor: [],
  down: '',
  ...extra,
});

const CASES: readonly Expect[] = [
  plan(16, '127.0.0.11', 'gobgp', '192.0.2.11', '2001:db8:ffff::11', {
    hostname: 'vm',
    down: 'notification-received Cease / Peer De-configured (6/3)',
  }),
  plan(16, '127.0.0.11', 'gobgp-nhself', '127.0.0.11', '127.0.0.11', {
    hostname: 'vm',
    down: 'notification-received Cease / Peer De-configured (6/3)',
  }),
  plan(32, '127.0.0.12', 'bird', '192.0.2.12', '2001:db8:ffff::12', {
    eor: ['ipv4', 'ipv6'],
    down: 'notification-received Cease / Administrative Shutdown (6/2)',
  }),
  // BIRD refuses IPv4-mapped next hops and keeps its configured IPv6 next hop (TESTBED.md gotcha 2).
  plan(32, '127.0.0.12', 'bird-nhself', '127.0.0.12', '2001:db8:ffff::12', {
    eor: ['ipv4', 'ipv6'],
    down: 'notification-received Cease / Administrative Shutdown (6/2)',
  }),
  plan(48, '127.0.0.13', 'frr', '192.0.2.13', '2001:db8:ffff::13', {
    hostname: 'testbed-frr',
    med: 0,
    down: 'notification-received Cease / Peer De-configured (6/3)',
  }),
  plan(48, '127.0.0.13', 'frr-nhself', '127.0.0.13', '127.0.0.13', {
    hostname: 'testbed-frr',
    med: 0,
    down: 'notification-received Cease / Peer De-configured (6/3)',
  }),
  // ExaBGP closes without a NOTIFICATION; its config reload re-announces everything.
  plan(64, '127.0.0.14', 'exabgp', '192.0.2.14', '2001:db8:ffff::14', {
    eor: ['ipv4', 'ipv6'],
    down: 'tcp-closed connection closed by peer',
  }),
  plan(64, '127.0.0.14', 'exabgp-nhself', '127.0.0.14', '127.0.0.14', {
    eor: ['ipv4', 'ipv6'],
    down: 'tcp-closed connection closed by peer',
  }),
];

describe('captured sessions of real implementations', () => {
  for (const c of CASES) {
    it(`${c.file}: Established, paths with the right next hops, withdrawals, ${c.down.split(' ')[0]}`, async () => {
      const stream = readTcpStreams(new URL(`../../fixtures/${c.file}.pcap`, import.meta.url).pathname).find((s) => s.dstPort === 1179);
      if (!stream) throw new Error('no peer → receiver stream in the capture');
      expect(stream.src).toBe(c.peer);
      const open = decodeOpen(stream.data.subarray(0, stream.data.readUInt16BE(16)));
      const s = await startSpeaker({ neighbors: [{ address: c.peer, asn: open.asn }] });
      speakers.push(s.speaker);
      const p = await TestPeer.connect({ port: s.port, localAddress: c.peer, asn: open.asn });
      peers.push(p);
      // Replay with the original segmentation.
      let off = 0;
      for (const n of stream.chunks) {
        p.send(stream.data.subarray(off, off + n));
        off += n;
      }
      if (c.down.startsWith('tcp-closed')) {
        await until(() => s.events.filter((e) => e.type === 'withdrawals').length >= 2, 'the last withdrawal');
        p.socket.end();
      }
      const down = await until(() => s.events.find((e) => e.type === 'peer-down'), 'peer-down');
      const ev = s.events;
      const up = ev.find((e) => e.type === 'peer-up');
      expect(up?.type === 'peer-up' && up.info).toEqual({
        peer: c.peer,
        asn: open.asn,
        routerId: c.peer,
        ...(c.hostname ? { hostname: c.hostname } : {}),
        families: ['ipv4', 'ipv6'],
        gracefulRestart: c.gracefulRestart, // BIRD/FRR advertise GR helper-only (no families): nothing kept
      });
      const seen = new Set(
        ev.flatMap((e: SpeakerEvent) => (e.type === 'paths' ? e.paths.map((x) => `${formatPrefix(x.prefix)} via ${x.nextHop}`) : [])),
      );
      expect([...seen].sort()).toEqual([...c.v4.map((x) => `${x} via ${c.v4nh}`), ...c.v6.map((x) => `${x} via ${c.v6nh}`)].sort());
      const meds = new Set(ev.flatMap((e) => (e.type === 'paths' ? e.paths.map((x) => x.attrs.med) : [])));
      expect([...meds]).toEqual([c.med]);
      const downAt = ev.indexOf(down);
      const withdrawnBefore = ev
        .slice(0, downAt)
        .flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : []));
      expect(withdrawnBefore).toEqual(c.withdrawn);
      expect(ev.filter((e) => e.type === 'end-of-rib').map((e) => (e.type === 'end-of-rib' ? e.family : ''))).toEqual(c.eor);
      expect(down.type === 'peer-down' && `${down.reason} ${down.detail}`).toBe(c.down);
      // Session loss without GR: every remaining path withdrawn at once.
      const after = ev.slice(downAt).flatMap((e) => (e.type === 'withdrawals' ? e.removed.map((r) => formatPrefix(r.prefix)) : []));
      const remaining = [...c.v4, ...c.v6].filter((x) => !c.withdrawn.includes(x));
      expect(after.sort()).toEqual(remaining.sort());
      expect(s.speaker.peer(c.peer)?.counters).toMatchObject({ accepted: 0, stale: 0, withdrawn: 2, flaps: 1 });
    });
  }
});
