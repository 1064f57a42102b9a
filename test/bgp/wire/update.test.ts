// UPDATE: a hand-built vector per attribute (comment per field), NLRI forms, MP_REACH/MP_UNREACH, ADD-PATH,
// End-of-RIB, encoders.
import { describe, expect, it } from 'vitest';
import {
  decodeUpdate,
  encodeUpdate,
  encodeEndOfRib,
  encodePackedIpv4Updates,
  encodePackedIpv4Withdrawals,
  basicAttributes,
  walkUpdate,
  DEFAULT_CONTEXT,
  type DecodeContext,
  type PathAttribute,
  type UpdateVisitor,
} from '../../../src/bgp/wire/index.js';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import { formatIpv4 } from '../../../src/net/address.js';
import { attr, hex, MANDATORY, update } from './hex.js';

const TWO_OCTET: DecodeContext = { ...DEFAULT_CONTEXT, fourOctetAsn: false };
const ADD_PATH: DecodeContext = { ...DEFAULT_CONTEXT, addPath: { ipv4: true, ipv6: true } };
const p = (t: string) => parsePrefix(t);

describe('path attributes, one vector each', () => {
  // [name, attribute hex, decoded, context]
  const vectors: [string, string, PathAttribute, DecodeContext?][] = [
    ['ORIGIN INCOMPLETE', attr(0x40, 1, '02'), { type: 'origin', flags: 0x40, origin: 2 }],
    [
      'AS_PATH 4-octet: SEQUENCE [65001 4200000000], SET {1 2}',
      attr(0x40, 2, '02 02 0000fde9 fa56ea00' /* SEQ, 2 ASNs */ + '01 02 00000001 00000002' /* SET, 2 ASNs */),
      {
        type: 'as-path',
        flags: 0x40,
        segments: [
          { type: 'sequence', asns: [65001, 4200000000] },
          { type: 'set', asns: [1, 2] },
        ],
      },
    ],
    [
      'AS_PATH 2-octet with confederation segments',
      attr(0x40, 2, '03 01 fde8' /* CONFED_SEQ [65000] */ + '04 01 fde7' /* CONFED_SET {64999} */ + '02 01 5ba0' /* SEQ [23456] */),
      {
        type: 'as-path',
        flags: 0x40,
        segments: [
          { type: 'confed-sequence', asns: [65000] },
          { type: 'confed-set', asns: [64999] },
          { type: 'sequence', asns: [23456] },
        ],
      },
      TWO_OCTET,
    ],
    ['empty AS_PATH (iBGP origination)', attr(0x40, 2, ''), { type: 'as-path', flags: 0x40, segments: [] }],
    ['NEXT_HOP 192.0.2.1', attr(0x40, 3, 'c0000201'), { type: 'next-hop', flags: 0x40, nextHop: '192.0.2.1' }],
    ['MED 100', attr(0x80, 4, '00000064'), { type: 'med', flags: 0x80, med: 100 }],
    ['LOCAL_PREF 200', attr(0x40, 5, '000000c8'), { type: 'local-pref', flags: 0x40, localPref: 200 }],
    ['ATOMIC_AGGREGATE', attr(0x40, 6, ''), { type: 'atomic-aggregate', flags: 0x40 }],
    [
      'AGGREGATOR 4-octet: AS 65536, 10.0.0.9',
      attr(0xc0, 7, '00010000 0a000009'),
      { type: 'aggregator', flags: 0xc0, asn: 65536, address: '10.0.0.9' },
    ],
    [
      'AGGREGATOR 2-octet: AS 65000, 10.0.0.9',
      attr(0xc0, 7, 'fde8 0a000009'),
      { type: 'aggregator', flags: 0xc0, asn: 65000, address: '10.0.0.9' },
      TWO_OCTET,
    ],
    [
      'COMMUNITIES 65000:1, NO_EXPORT',
      attr(0xc0, 8, 'fde80001 ffffff01'),
      { type: 'communities', flags: 0xc0, communities: [0xfde80001, 0xffffff01] },
    ],
    ['ORIGINATOR_ID 10.0.0.7', attr(0x80, 9, '0a000007'), { type: 'originator-id', flags: 0x80, originatorId: '10.0.0.7' }],
    [
      'CLUSTER_LIST 10.0.0.1 10.0.0.2',
      attr(0x80, 10, '0a000001 0a000002'),
      { type: 'cluster-list', flags: 0x80, clusterIds: ['10.0.0.1', '10.0.0.2'] },
    ],
    [
      'EXTENDED COMMUNITIES route target 65000:100',
      attr(0xc0, 16, '0002 fde8 00000064' /* type 0x00 sub 0x02, AS 65000, value 100 */),
      { type: 'extended-communities', flags: 0xc0, communities: ['0002fde800000064'] },
    ],
    [
      'AS4_PATH [4200000000] on a 2-octet session',
      attr(0xc0, 17, '02 01 fa56ea00'),
      { type: 'as4-path', flags: 0xc0, segments: [{ type: 'sequence', asns: [4200000000] }] },
      TWO_OCTET,
    ],
    [
      'AS4_AGGREGATOR 4200000000, 10.0.0.9 on a 2-octet session',
      attr(0xc0, 18, 'fa56ea00 0a000009'),
      { type: 'as4-aggregator', flags: 0xc0, asn: 4200000000, address: '10.0.0.9' },
      TWO_OCTET,
    ],
    [
      'LARGE COMMUNITIES 65000:1:2',
      attr(0xc0, 32, '0000fde8 00000001 00000002'),
      { type: 'large-communities', flags: 0xc0, communities: [[65000, 1, 2]] },
    ],
    [
      'unknown optional transitive attribute 99, partial, kept raw',
      attr(0xe0, 99, 'deadbeef'),
      { type: 'unknown', flags: 0xe0, code: 99, value: hex('deadbeef') },
    ],
    ['extended-length ORIGIN (flag 0x10) is accepted and kept', attr(0x50, 1, '00'), { type: 'origin', flags: 0x50, origin: 0 }],
  ];

  it.each(vectors)('%s', (_name, a, decoded, ctx = DEFAULT_CONTEXT) => {
    const m = update('', a);
    const u = decodeUpdate(m, ctx);
    expect(u.attributes).toEqual([decoded]);
    expect(u.discarded).toEqual([]);
    expect(u.treatAsWithdraw).toBeUndefined();
    expect(encodeUpdate(u, ctx).toString('hex')).toBe(m.toString('hex'));
  });

  it('encoders use the standard flags when none are given', () => {
    const m = encodeUpdate({
      attributes: [
        { type: 'med', med: 5 },
        { type: 'communities', communities: [1] },
        { type: 'origin', origin: 0 },
      ],
    });
    expect(m.subarray(23).toString('hex')).toBe(attr(0x80, 4, '00000005') + attr(0xc0, 8, '00000001') + attr(0x40, 1, '00'));
  });

  it('an attribute longer than 255 bytes gets the Extended Length flag', () => {
    const communities = Array.from({ length: 70 }, (_, i) => i);
    const m = encodeUpdate({ attributes: [{ type: 'communities', communities }] });
    expect(m.subarray(23, 27).toString('hex')).toBe('d0' /* optional transitive + extended length */ + '08' + '0118' /* 280 */);
    expect(decodeUpdate(m, DEFAULT_CONTEXT).attributes).toEqual([{ type: 'communities', flags: 0xd0, communities }]);
  });
});

describe('NLRI and withdrawn routes', () => {
  it('IPv4 prefixes of every byte length; trailing host bits are cleared (RFC 4271 §4.3)', () => {
    const nlri =
      '00' /* 0.0.0.0/0 */ +
      '08 0a' /* 10.0.0.0/8 */ +
      '10 ac10' /* 172.16.0.0/16 */ +
      '18 c00002' /* 192.0.2.0/24 */ +
      '20 c0000201' /* 192.0.2.1/32 */ +
      '1c c00002ff'; /* 192.0.2.255/28 → 192.0.2.240/28 */
    const u = decodeUpdate(update('', MANDATORY, nlri), DEFAULT_CONTEXT);
    expect(u.nlri.map((n) => formatPrefix(n.prefix))).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
      '172.16.0.0/16',
      '192.0.2.0/24',
      '192.0.2.1/32',
      '192.0.2.240/28',
    ]);
    expect(u.nlri.every((n) => n.pathId === 0)).toBe(true);
  });

  it('IPv6 prefixes of lengths 0, 15 and 65: host bits cleared', () => {
    const u = decodeUpdate(
      update('', attr(0x80, 15, '0002 01' + '00' /* ::/0 */ + '0f 2001' /* 2001::/15 → 2000::/15 */ + '41 20010db800000000ff' /* /65 */)),
      DEFAULT_CONTEXT,
    );
    expect(u.mpUnreach?.nlri.map((n) => formatPrefix(n.prefix))).toEqual(['::/0', '2000::/15', '2001:db8:0:0:8000::/65']);
  });

  it('withdrawals without attributes', () => {
    const u = decodeUpdate(update('18 0a0001' /* 10.0.1.0/24 */ + '20 0a000202' /* 10.0.2.2/32 */, ''), DEFAULT_CONTEXT);
    expect(u.withdrawn.map((n) => formatPrefix(n.prefix))).toEqual(['10.0.1.0/24', '10.0.2.2/32']);
    expect(u.endOfRib).toBeUndefined();
  });

  it('ADD-PATH path identifiers (RFC 7911 §3) in withdrawn routes and NLRI', () => {
    const m = update('00000007 18 0a0001' /* path 7, 10.0.1.0/24 */, MANDATORY, '00000001 20 0a000001' /* path 1, 10.0.0.1/32 */);
    const u = decodeUpdate(m, ADD_PATH);
    expect(u.withdrawn).toEqual([{ prefix: p('10.0.1.0/24'), pathId: 7 }]);
    expect(u.nlri).toEqual([{ prefix: p('10.0.0.1/32'), pathId: 1 }]);
    expect(encodeUpdate(u, ADD_PATH).equals(m)).toBe(true);
  });
});

describe('MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760)', () => {
  it('IPv6 unicast with global and link-local next hops (RFC 2545 §3)', () => {
    const mp = attr(
      0x90,
      14,
      '0002 01' + // AFI 2, SAFI 1
        '20' + // next hop length 32
        '20010db8ffff00000000000000000001' + // global 2001:db8:ffff::1
        'fe800000000000000000000000000001' + // link-local fe80::1
        '00' + // reserved
        '40 20010db800010000' + // 2001:db8:1::/64
        '80 20010db8000200000000000000000005', // 2001:db8:2::5/128
    );
    const m = update('', mp + attr(0x40, 1, '00') + attr(0x40, 2, ''));
    const u = decodeUpdate(m, DEFAULT_CONTEXT);
    expect(u.mpReach).toEqual({
      type: 'mp-reach',
      flags: 0x90,
      afi: 2,
      safi: 1,
      nextHop: '2001:db8:ffff::1',
      nextHopLinkLocal: 'fe80::1',
      nlri: [
        { prefix: p('2001:db8:1::/64'), pathId: 0 },
        { prefix: p('2001:db8:2::5/128'), pathId: 0 },
      ],
    });
    expect(u.treatAsWithdraw).toBeUndefined(); // NEXT_HOP is not required for MP-only UPDATEs
    expect(encodeUpdate(u).equals(m)).toBe(true);
  });

  it('IPv4-mapped IPv6 next hop is recognised (::ffff:a.b.c.d)', () => {
    const mp = attr(0x80, 14, '0002 01 10 00000000000000000000ffff7f00000b 00 40 20010db800010000');
    const u = decodeUpdate(update('', mp + attr(0x40, 1, '00') + attr(0x40, 2, '')), DEFAULT_CONTEXT);
    expect(u.mpReach?.nextHop).toBe('::ffff:127.0.0.11');
  });

  it('RFC 8950: IPv4 NLRI with an IPv6 next hop', () => {
    const mp = attr(0x80, 14, '0001 01 10 20010db8ffff00000000000000000011 00 18 0a1000' /* 10.16.0.0/24 */);
    const m = update('', attr(0x40, 1, '00') + attr(0x40, 2, '') + mp);
    const u = decodeUpdate(m, DEFAULT_CONTEXT);
    expect(u.mpReach).toMatchObject({ afi: 1, safi: 1, nextHop: '2001:db8:ffff::11', nlri: [{ prefix: p('10.16.0.0/24'), pathId: 0 }] });
    expect(encodeUpdate(u).equals(m)).toBe(true);
    const seen: string[] = [];
    walkUpdate(m, DEFAULT_CONTEXT, {
      header: (h) => seen.push(`nh ${h.mpReach?.nextHop}`),
      announceIpv4: (a, l) => seen.push(`${formatIpv4(a)}/${l}`),
      withdrawIpv4: () => seen.push('w'),
      announceIpv6: () => seen.push('6'),
      withdrawIpv6: () => seen.push('w6'),
    });
    expect(seen).toEqual(['nh 2001:db8:ffff::11', '10.16.0.0/24']);
  });

  it('section() tells NLRI-field prefixes (NEXT_HOP) from MP_REACH prefixes (MP next hop) in one UPDATE', () => {
    const mp = attr(0x80, 14, '0001 01 10 20010db8ffff00000000000000000011 00 18 0a1000' /* 10.16.0.0/24 via v6 */);
    const m = update('18 0a0900' /* withdraw 10.9.0.0/24 */, MANDATORY + mp, '18 0a2000' /* 10.32.0.0/24 via NEXT_HOP */);
    const seen: string[] = [];
    walkUpdate(m, DEFAULT_CONTEXT, {
      header: () => {},
      section: (part) => seen.push(part),
      announceIpv4: (a, l) => seen.push(`+${formatIpv4(a)}/${l}`),
      withdrawIpv4: (a, l) => seen.push(`-${formatIpv4(a)}/${l}`),
      announceIpv6: () => {},
      withdrawIpv6: () => {},
    });
    expect(seen).toEqual(['withdrawn', '-10.9.0.0/24', 'nlri', '+10.32.0.0/24', 'mp-reach', '+10.16.0.0/24']);
  });

  it('MP_UNREACH_NLRI IPv6 with ADD-PATH', () => {
    const m = update('', attr(0x80, 15, '0002 01' + '00000003 30 20010db80001' /* path 3, 2001:db8:1::/48 */));
    const u = decodeUpdate(m, ADD_PATH);
    expect(u.mpUnreach?.nlri).toEqual([{ prefix: p('2001:db8:1::/48'), pathId: 3 }]);
    expect(encodeUpdate(u, ADD_PATH).equals(m)).toBe(true);
  });

  it('MP attributes of other AFI/SAFI are kept raw', () => {
    const mp = attr(0x80, 14, '0001 80 0c 000000000000000000000000 00' /* VPNv4, 12-byte next hop, no NLRI */);
    const u = decodeUpdate(update('', mp), DEFAULT_CONTEXT);
    expect(u.mpReach).toBeUndefined();
    expect(u.attributes).toEqual([{ type: 'unknown', flags: 0x80, code: 14, value: hex('0001 80 0c 000000000000000000000000 00') }]);
  });
});

describe('End-of-RIB (RFC 4724 §2)', () => {
  it('IPv4: an UPDATE with nothing in it', () => {
    const m = encodeEndOfRib('ipv4');
    expect(m.toString('hex')).toBe('ff'.repeat(16) + '0017' + '02' + '0000' + '0000');
    expect(decodeUpdate(m, DEFAULT_CONTEXT).endOfRib).toBe('ipv4');
  });
  it('IPv6: only an empty MP_UNREACH_NLRI', () => {
    const m = encodeEndOfRib('ipv6');
    expect(m.subarray(19).toString('hex')).toBe('0000' + '0006' + '800f03' + '000201');
    expect(decodeUpdate(m, DEFAULT_CONTEXT).endOfRib).toBe('ipv6');
    const seen: string[] = [];
    walkUpdate(m, DEFAULT_CONTEXT, {
      header: (h) => seen.push(String(h.endOfRib)),
      announceIpv4() {},
      withdrawIpv4() {},
      announceIpv6() {},
      withdrawIpv6() {},
    });
    expect(seen).toEqual(['ipv6']);
  });
  it('a withdrawal-only UPDATE is not End-of-RIB', () => {
    expect(decodeUpdate(update('', attr(0x80, 15, '0002 01 40 20010db800010000')), DEFAULT_CONTEXT).endOfRib).toBeUndefined();
  });
});

describe('encoders', () => {
  it('basicAttributes + encodeUpdate give the expected bytes', () => {
    const m = encodeUpdate({ attributes: basicAttributes({ asPath: [65001], nextHop: '192.0.2.1', med: 0 }), nlri: [p('10.0.0.0/24')] });
    expect(m.subarray(19).toString('hex')).toBe(
      '0000' + // no withdrawn routes
        '001b' + // 27 bytes of attributes
        '40010100' + // ORIGIN IGP
        '40020602010000fde9' + // AS_PATH SEQ [65001]
        '400304c0000201' + // NEXT_HOP 192.0.2.1
        '80040400000000' + // MED 0
        '180a0000', // 10.0.0.0/24
    );
  });

  it('2-octet sessions get AS_TRANS for 4-octet ASNs (RFC 6793 §4.2.2)', () => {
    const m = encodeUpdate({ attributes: basicAttributes({ asPath: [4200000000] }) }, TWO_OCTET);
    expect(m.subarray(23).toString('hex')).toBe('40010100' + '400204' + '0201' + '5ba0');
  });

  it('packs about 800 /32s per 4096-byte UPDATE and decodes them back in order', () => {
    const prefixes = Array.from({ length: 2000 }, (_, i) => ({ addr: 0x0a000000 + i, len: 32 }));
    const msgs = encodePackedIpv4Updates(prefixes, basicAttributes({ asPath: [65001], nextHop: '192.0.2.1' }));
    expect(msgs.length).toBe(3);
    expect(msgs.every((m) => m.length <= 4096)).toBe(true);
    const got: number[] = [];
    const v: UpdateVisitor = { header() {}, announceIpv4: (a) => got.push(a), withdrawIpv4() {}, announceIpv6() {}, withdrawIpv6() {} };
    for (const m of msgs) walkUpdate(m, DEFAULT_CONTEXT, v);
    expect(got).toEqual(prefixes.map((x) => x.addr));
    expect(decodeUpdate(msgs[0] as Buffer, DEFAULT_CONTEXT).nlri.length).toBeGreaterThanOrEqual(800);
  });

  it('packs withdrawals, with ADD-PATH ids when negotiated', () => {
    const msgs = encodePackedIpv4Withdrawals([p('10.0.0.0/8'), p('10.1.0.0/16')], { ctx: ADD_PATH, pathId: 9 });
    expect(msgs.length).toBe(1);
    expect(decodeUpdate(msgs[0] as Buffer, ADD_PATH).withdrawn).toEqual([
      { prefix: p('10.0.0.0/8'), pathId: 9 },
      { prefix: p('10.1.0.0/16'), pathId: 9 },
    ]);
  });

  it('refuses what cannot be encoded', () => {
    expect(() => encodePackedIpv4Updates([p('10.0.0.0/8')], basicAttributes({ asPath: [] }))).toThrow(/NEXT_HOP/);
    expect(() => encodeUpdate({ nlri: [p('2001:db8::/32')] })).toThrow(/ipv6 prefix/);
    const many = Array.from({ length: 2000 }, (_, i) => ({ family: 'ipv4' as const, addr: BigInt(i), len: 32 }));
    expect(() => encodeUpdate({ nlri: many })).toThrow(expect.objectContaining({ code: 'BGP_ENCODE_ERROR' }));
    expect(encodeUpdate({ nlri: many }, { ...DEFAULT_CONTEXT, extendedMessages: true }).length).toBe(19 + 4 + 2000 * 5);
  });
});
