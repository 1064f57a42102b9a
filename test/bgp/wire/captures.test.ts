// Every message of every captured session (test/fixtures/*.pcap) decodes to what tshark shows, re-encodes to the
// same bytes, and frames identically however the stream is cut.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCapture, summarize } from './capture-summary.js';
import {
  decodeMessage,
  decodeOpen,
  decodeUpdate,
  DEFAULT_CONTEXT,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  encodeUpdate,
  Framer,
  walkUpdate,
  type BgpMessage,
  type UpdateVisitor,
} from '../../../src/bgp/wire/index.js';
import { formatPrefix } from '../../../src/net/prefix.js';
import { formatIpv4, canonicalAddressText } from '../../../src/net/address.js';
import { readIpv6Prefix } from '../../../src/bgp/wire/index.js';

// Expected contents, checked against `tshark -r F -d tcp.port==1179,bgp -V` (prefixes, next hops, capabilities,
// End-of-RIB, NOTIFICATION codes). Prefix order is wire order.
const EXPECTED: Record<string, Record<string, string[]>> = {
  'bird-nhself.pcap': {
    '127.0.0.12': [
      'OPEN as=65002 hold=90 id=127.0.0.12 caps=mp(1/1),mp(2/1),rr,gr(flags=0,time=120),as4(65002),err,llgr()',
      'KEEPALIVE',
      'UPDATE +10.32.1.0/24 +10.32.2.0/24 +10.32.3.0/24 +10.32.0.0/24 origin=0 aspath=65002 nh=127.0.0.12',
      'EOR ipv4',
      'UPDATE +2001:db8:2:1::/64 +2001:db8:2::/64 mp-nh=2001:db8:ffff::12 origin=0 aspath=65002',
      'EOR ipv6',
      'UPDATE -10.32.3.0/24',
      'UPDATE -2001:db8:2:1::/64',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'bird.pcap': {
    '127.0.0.12': [
      'OPEN as=65002 hold=90 id=127.0.0.12 caps=mp(1/1),mp(2/1),rr,gr(flags=0,time=120),as4(65002),err,llgr()',
      'KEEPALIVE',
      'UPDATE +10.32.1.0/24 +10.32.2.0/24 +10.32.3.0/24 +10.32.0.0/24 origin=0 aspath=65002 nh=192.0.2.12',
      'EOR ipv4',
      'UPDATE +2001:db8:2:1::/64 +2001:db8:2::/64 mp-nh=2001:db8:ffff::12 origin=0 aspath=65002',
      'EOR ipv6',
      'UPDATE -10.32.3.0/24',
      'UPDATE -2001:db8:2:1::/64',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'exabgp-nhself.pcap': {
    '127.0.0.14': [
      'OPEN as=65004 hold=90 id=127.0.0.14 caps=mp(1/1),mp(2/1),as4(65004),ext-msg',
      'KEEPALIVE',
      'UPDATE +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 +10.64.3.0/24 origin=0 aspath=65004 nh=127.0.0.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=::ffff:127.0.0.14',
      'UPDATE +2001:db8:4:1::/64 origin=0 aspath=65004 mp-nh=::ffff:127.0.0.14',
      'EOR ipv4',
      'EOR ipv6',
      'UPDATE -10.64.3.0/24 +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 origin=0 aspath=65004 nh=127.0.0.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=::ffff:127.0.0.14',
      'UPDATE +2001:db8:4:1::/64 origin=0 aspath=65004 mp-nh=::ffff:127.0.0.14',
      'UPDATE +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 origin=0 aspath=65004 nh=127.0.0.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=::ffff:127.0.0.14',
      'UPDATE -2001:db8:4:1::/64 origin=0 aspath=65004',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'exabgp.pcap': {
    '127.0.0.14': [
      'OPEN as=65004 hold=90 id=127.0.0.14 caps=mp(1/1),mp(2/1),as4(65004),ext-msg',
      'KEEPALIVE',
      'UPDATE +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 +10.64.3.0/24 origin=0 aspath=65004 nh=192.0.2.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=2001:db8:ffff::14',
      'UPDATE +2001:db8:4:1::/64 origin=0 aspath=65004 mp-nh=2001:db8:ffff::14',
      'EOR ipv4',
      'EOR ipv6',
      'UPDATE -10.64.3.0/24 +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 origin=0 aspath=65004 nh=192.0.2.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=2001:db8:ffff::14',
      'UPDATE +2001:db8:4:1::/64 origin=0 aspath=65004 mp-nh=2001:db8:ffff::14',
      'UPDATE +10.64.0.0/24 +10.64.1.0/24 +10.64.2.0/24 origin=0 aspath=65004 nh=192.0.2.14',
      'UPDATE +2001:db8:4::/64 origin=0 aspath=65004 mp-nh=2001:db8:ffff::14',
      'UPDATE -2001:db8:4:1::/64 origin=0 aspath=65004',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'frr-nhself.pcap': {
    '127.0.0.13': [
      'OPEN as=65003 hold=90 id=127.0.0.13 caps=mp(1/1),mp(2/1),cisco-rr,rr,err,as4(65003),ext-msg,add-path(1/1:receive,2/1:receive),fqdn(testbed-frr),gr(flags=12,time=120),llgr(1/1F:0,2/1F:0)',
      'KEEPALIVE',
      'UPDATE +10.48.0.0/24 +10.48.3.0/24 +10.48.2.0/24 +10.48.1.0/24 origin=0 aspath=65003 nh=127.0.0.13 med=0',
      'UPDATE +2001:db8:3::/64 +2001:db8:3:1::/64 mp-nh=::ffff:127.0.0.13 origin=0 aspath=65003 med=0',
      'UPDATE -10.48.3.0/24',
      'UPDATE -2001:db8:3:1::/64',
      'NOTIFICATION 6/3',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'frr.pcap': {
    '127.0.0.13': [
      'OPEN as=65003 hold=90 id=127.0.0.13 caps=mp(1/1),mp(2/1),cisco-rr,rr,err,as4(65003),ext-msg,add-path(1/1:receive,2/1:receive),fqdn(testbed-frr),gr(flags=12,time=120),llgr(1/1F:0,2/1F:0)',
      'KEEPALIVE',
      'UPDATE +10.48.0.0/24 +10.48.3.0/24 +10.48.2.0/24 +10.48.1.0/24 origin=0 aspath=65003 nh=192.0.2.13 med=0',
      'UPDATE +2001:db8:3::/64 +2001:db8:3:1::/64 mp-nh=2001:db8:ffff::13 origin=0 aspath=65003 med=0',
      'UPDATE -10.48.3.0/24',
      'UPDATE -2001:db8:3:1::/64',
      'NOTIFICATION 6/3',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'gobgp-nhself.pcap': {
    '127.0.0.11': [
      'OPEN as=65001 hold=90 id=127.0.0.11 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65001),ext-nh(1/1:2)',
      'KEEPALIVE',
      'UPDATE +10.16.2.0/24 +10.16.3.0/24 +10.16.0.0/24 +10.16.1.0/24 origin=2 aspath=65001 nh=127.0.0.11',
      'UPDATE +2001:db8:1::/64 origin=2 aspath=65001 mp-nh=::ffff:127.0.0.11',
      'UPDATE +2001:db8:1:1::/64 origin=2 aspath=65001 mp-nh=::ffff:127.0.0.11',
      'UPDATE -10.16.3.0/24',
      'UPDATE -2001:db8:1:1::/64',
      'NOTIFICATION 6/3',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'gobgp.pcap': {
    '127.0.0.11': [
      'OPEN as=65001 hold=90 id=127.0.0.11 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65001),ext-nh(1/1:2)',
      'KEEPALIVE',
      'UPDATE +10.16.0.0/24 +10.16.1.0/24 +10.16.2.0/24 +10.16.3.0/24 origin=2 aspath=65001 nh=192.0.2.11',
      'UPDATE +2001:db8:1::/64 origin=2 aspath=65001 mp-nh=2001:db8:ffff::11',
      'UPDATE +2001:db8:1:1::/64 origin=2 aspath=65001 mp-nh=2001:db8:ffff::11',
      'UPDATE -10.16.3.0/24',
      'UPDATE -2001:db8:1:1::/64',
      'NOTIFICATION 6/3',
    ],
    '127.0.0.1': ['OPEN as=65000 hold=90 id=127.0.0.1 caps=rr,fqdn(vm),mp(1/1),mp(2/1),as4(65000),ext-nh(1/1:2)', 'KEEPALIVE'],
  },
  'rx-bird.pcap': {
    '127.0.0.12': [
      'OPEN as=65002 hold=90 id=127.0.0.12 caps=mp(1/1),mp(2/1),rr,gr(flags=0,time=120),as4(65002),err,llgr()',
      'KEEPALIVE',
      'UPDATE +10.32.1.0/24 +10.32.2.0/24 +10.32.3.0/24 +10.32.0.0/24 origin=0 aspath=65002 nh=192.0.2.12',
      'EOR ipv4',
      'UPDATE +2001:db8:2:1::/64 +2001:db8:2::/64 mp-nh=2001:db8:ffff::12 origin=0 aspath=65002',
      'EOR ipv6',
      'UPDATE -10.32.3.0/24',
      'UPDATE -2001:db8:2:1::/64',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': [
      'OPEN as=65000 hold=240 id=127.0.0.1 caps=mp(1/1),mp(2/1),rr,gr(flags=0,time=120),as4(65000),err,llgr()',
      'KEEPALIVE',
      'EOR ipv4',
      'EOR ipv6',
    ],
  },
  'rx-frr.pcap': {
    '127.0.0.12': [
      'OPEN as=65002 hold=90 id=127.0.0.12 caps=mp(1/1),mp(2/1),rr,gr(flags=0,time=120),as4(65002),err,llgr()',
      'KEEPALIVE',
      'UPDATE +10.32.1.0/24 +10.32.2.0/24 +10.32.3.0/24 +10.32.0.0/24 origin=0 aspath=65002 nh=192.0.2.12',
      'EOR ipv4',
      'UPDATE +2001:db8:2:1::/64 +2001:db8:2::/64 mp-nh=2001:db8:ffff::12 origin=0 aspath=65002',
      'EOR ipv6',
      'UPDATE -10.32.3.0/24',
      'UPDATE -2001:db8:2:1::/64',
      'NOTIFICATION 6/2',
    ],
    '127.0.0.1': [
      'OPEN as=65000 hold=180 id=127.0.0.1 caps=mp(1/1),mp(2/1),cisco-rr,rr,err,as4(65000),ext-msg,add-path(1/1:receive,2/1:receive),fqdn(testbed-rx-frr),gr(flags=12,time=120),llgr(1/1F:0,2/1F:0)',
      'KEEPALIVE',
      'EOR ipv4',
      'EOR ipv6',
    ],
  },
};

function reencode(m: BgpMessage): Buffer {
  switch (m.type) {
    case 'open':
      return encodeOpen(m.open);
    case 'update':
      return encodeUpdate(m.update);
    case 'notification':
      return encodeNotification(m.notification);
    case 'keepalive':
      return encodeKeepalive();
    case 'route-refresh':
      throw new Error('no route refresh in the captures');
  }
}

function frameInChunks(data: Buffer, sizes: readonly number[]): Buffer[] {
  const f = new Framer();
  const out: Buffer[] = [];
  let o = 0;
  let i = 0;
  while (o < data.length) {
    const n = sizes[i++ % sizes.length] as number;
    out.push(...f.push(data.subarray(o, o + n)));
    o += n;
  }
  expect(f.buffered).toBe(0);
  return out;
}

describe.each(Object.keys(EXPECTED))('capture %s', (file) => {
  const streams = decodeCapture(file);
  const expected = EXPECTED[file] as Record<string, string[]>;

  it('holds exactly the expected directions', () => {
    expect([...streams.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))('messages from %s decode to what tshark shows', (src) => {
    expect(streams.get(src)?.summary).toEqual(expected[src]);
  });

  it('every message re-encodes to the same bytes', () => {
    for (const s of streams.values()) {
      for (const m of s.messages) expect(reencode(decodeMessage(m, DEFAULT_CONTEXT)).toString('hex')).toBe(m.toString('hex'));
    }
  });

  it('frames identically when split at every byte boundary, byte by byte, and as captured', () => {
    for (const s of streams.values()) {
      const whole = s.messages.map((m) => m.toString('hex'));
      for (let k = 1; k < s.data.length; k++) {
        const f = new Framer();
        const got = [...f.push(s.data.subarray(0, k)), ...f.push(s.data.subarray(k))];
        expect(got.map((m) => m.toString('hex'))).toEqual(whole);
      }
      expect(frameInChunks(s.data, [1]).map((m) => m.toString('hex'))).toEqual(whole);
      expect(frameInChunks(s.data, s.chunks).map((m) => m.toString('hex'))).toEqual(whole);
    }
  });

  it('frames identically in random chunkings', () => {
    for (const s of streams.values()) {
      const whole = s.messages.map((m) => m.toString('hex'));
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 30 }), (sizes) => {
          expect(frameInChunks(s.data, sizes).map((m) => m.toString('hex'))).toEqual(whole);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('the visitor walk reports the same prefixes as the convenient decoder', () => {
    for (const s of streams.values()) {
      for (const m of s.messages) {
        if (m[18] !== 2) continue;
        const u = decodeUpdate(m, DEFAULT_CONTEXT);
        const seen: string[] = [];
        const v: UpdateVisitor = {
          header: () => {},
          announceIpv4: (a, l) => seen.push(`+${formatIpv4(a)}/${l}`),
          withdrawIpv4: (a, l) => seen.push(`-${formatIpv4(a)}/${l}`),
          announceIpv6: (b, o, l) => seen.push(`+${formatPrefix({ family: 'ipv6', addr: readIpv6Prefix(b, o, l), len: l })}`),
          withdrawIpv6: (b, o, l) => seen.push(`-${formatPrefix({ family: 'ipv6', addr: readIpv6Prefix(b, o, l), len: l })}`),
        };
        const h = walkUpdate(m, DEFAULT_CONTEXT, v);
        const want = [
          ...u.withdrawn.map((n) => `-${formatPrefix(n.prefix)}`),
          ...(u.mpUnreach?.nlri ?? []).map((n) => `-${formatPrefix(n.prefix)}`),
          ...u.nlri.map((n) => `+${formatPrefix(n.prefix)}`),
          ...(u.mpReach?.nlri ?? []).map((n) => `+${formatPrefix(n.prefix)}`),
        ];
        expect(seen).toEqual(want);
        expect(h.endOfRib).toBe(u.endOfRib);
      }
    }
  });
});

// Facts from TESTBED.md, asserted on the captures.
describe('what each implementation sends (TESTBED.md)', () => {
  const open = (file: string, src: string) => {
    const m = decodeCapture(file).get(src)?.messages[0];
    if (!m) throw new Error(`no OPEN from ${src} in ${file}`);
    return decodeOpen(m);
  };
  const types = (file: string, src: string) => open(file, src).capabilities.map((c) => c.type);
  const notifications = (file: string, src: string) =>
    (decodeCapture(file).get(src)?.messages ?? [])
      .map((m) => decodeMessage(m, DEFAULT_CONTEXT))
      .filter((m) => m.type === 'notification')
      .map(summarize);

  it('gobgpd: extended next hop (IPv4 over IPv6) and FQDN, no graceful restart, NOTIFICATION 6/3 on stop', () => {
    expect(types('gobgp.pcap', '127.0.0.11')).toEqual([
      'route-refresh',
      'fqdn',
      'multiprotocol',
      'multiprotocol',
      'four-octet-asn',
      'extended-next-hop',
    ]);
    expect(open('gobgp.pcap', '127.0.0.11').capabilities).toContainEqual({
      type: 'extended-next-hop',
      families: [{ afi: 1, safi: 1, nextHopAfi: 2 }],
    });
    expect(notifications('gobgp.pcap', '127.0.0.11')).toEqual(['NOTIFICATION 6/3']);
  });

  it('BIRD: graceful restart helper (R=0, 120 s), empty long-lived GR, enhanced route refresh, End-of-RIB v4 and v6, 6/2', () => {
    const o = open('bird.pcap', '127.0.0.12');
    expect(o.capabilities).toContainEqual({ type: 'graceful-restart', restartFlags: 0, restartTime: 120, families: [] });
    expect(o.capabilities).toContainEqual({ type: 'long-lived-gr', families: [] });
    expect(types('bird.pcap', '127.0.0.12')).toContain('enhanced-route-refresh');
    expect(types('bird.pcap', '127.0.0.12')).not.toContain('add-path');
    const s = decodeCapture('bird.pcap').get('127.0.0.12')?.summary ?? [];
    expect(s.filter((x) => x.startsWith('EOR'))).toEqual(['EOR ipv4', 'EOR ipv6']);
    expect(notifications('bird.pcap', '127.0.0.12')).toEqual(['NOTIFICATION 6/2']);
  });

  it('FRR: ADD-PATH receive v4+v6, GR with R and N bits, Cisco route refresh, MED 0, NOTIFICATIONs 6/3 then 6/2', () => {
    const o = open('frr.pcap', '127.0.0.13');
    expect(o.capabilities).toContainEqual({
      type: 'add-path',
      families: [
        { afi: 1, safi: 1, mode: 'receive' },
        { afi: 2, safi: 1, mode: 'receive' },
      ],
    });
    expect(o.capabilities).toContainEqual({ type: 'graceful-restart', restartFlags: 0b1100, restartTime: 120, families: [] });
    expect(o.capabilities).toContainEqual({ type: 'fqdn', hostname: 'testbed-frr', domain: '' });
    expect(types('frr.pcap', '127.0.0.13')).toContain('cisco-route-refresh');
    expect(types('frr.pcap', '127.0.0.13')).toContain('extended-message');
    const upd = decodeUpdate(decodeCapture('frr.pcap').get('127.0.0.13')?.messages[2] as Buffer, DEFAULT_CONTEXT);
    expect(upd.attributes).toContainEqual({ type: 'med', flags: 0x80, med: 0 });
    expect(notifications('frr.pcap', '127.0.0.13')).toEqual(['NOTIFICATION 6/3', 'NOTIFICATION 6/2']);
    expect(open('rx-frr.pcap', '127.0.0.1').holdTime).toBe(180);
  });

  it('ExaBGP: extended message, no route refresh, closes without NOTIFICATION', () => {
    expect(types('exabgp.pcap', '127.0.0.14')).toEqual(['multiprotocol', 'multiprotocol', 'four-octet-asn', 'extended-message']);
    expect(notifications('exabgp.pcap', '127.0.0.14')).toEqual([]);
    expect(open('rx-bird.pcap', '127.0.0.1').holdTime).toBe(240);
  });

  it('IPv4-mapped IPv6 next hops from gobgpd, FRR and ExaBGP (nhself) are understood as the IPv4 address', () => {
    for (const [file, src, nh] of [
      ['gobgp-nhself.pcap', '127.0.0.11', '127.0.0.11'],
      ['frr-nhself.pcap', '127.0.0.13', '127.0.0.13'],
      ['exabgp-nhself.pcap', '127.0.0.14', '127.0.0.14'],
    ] as const) {
      const msgs = decodeCapture(file).get(src)?.messages ?? [];
      const reach = msgs.map((m) => decodeMessage(m, DEFAULT_CONTEXT)).find((m) => m.type === 'update' && m.update.mpReach);
      const hop = reach?.type === 'update' ? reach.update.mpReach?.nextHop : undefined;
      expect(hop).toBe(`::ffff:${nh}`);
      expect(canonicalAddressText(hop as string)).toBe(nh);
    }
    // BIRD keeps its configured global next hop.
    expect(decodeCapture('bird-nhself.pcap').get('127.0.0.12')?.summary[4]).toContain('mp-nh=2001:db8:ffff::12');
  });
});
