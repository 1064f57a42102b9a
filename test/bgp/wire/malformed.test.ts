// Every malformed case of RFC 4271 §6.1 and §6.3 with the handling RFC 7606 §3–§7 gives it: exact code,
// subcode, data and action. (OPEN errors, §6.2, are in open.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  BgpMessageError,
  checkHeader,
  decodeKeepalive,
  decodeRouteRefresh,
  decodeUpdate,
  DEFAULT_CONTEXT,
  Framer,
  walkUpdate,
  type DecodeContext,
  type UpdateMessage,
} from '../../../src/bgp/wire/index.js';
import { formatIpv4 } from '../../../src/net/address.js';
import { attr, AS_PATH_65001, hex, MANDATORY, msg, NEXT_HOP_192_0_2_1, ORIGIN_IGP, update } from './hex.js';

const TWO_OCTET: DecodeContext = { ...DEFAULT_CONTEXT, fourOctetAsn: false };
const NLRI = '18 0a0001'; // 10.0.1.0/24

function thrown(fn: () => unknown): BgpMessageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BgpMessageError);
    expect((e as BgpMessageError).code).toBe('BGP_MESSAGE_ERROR');
    return e as BgpMessageError;
  }
  throw new Error('expected a BgpMessageError');
}

function expectReset(fn: () => unknown, code: number, subcode: number, data?: string): void {
  const e = thrown(fn);
  expect([e.notificationCode, e.notificationSubcode, e.action]).toEqual([code, subcode, 'session-reset']);
  if (data !== undefined) expect(e.data.toString('hex')).toBe(data);
}

function taw(u: UpdateMessage, subcode: number, attribute?: number): void {
  expect(u.treatAsWithdraw).toMatchObject({ action: 'treat-as-withdraw', code: 3, subcode });
  if (attribute !== undefined) expect(u.treatAsWithdraw?.attribute).toBe(attribute);
}

function discarded(u: UpdateMessage, subcode: number, attribute: number): void {
  expect(u.treatAsWithdraw).toBeUndefined();
  expect(u.discarded).toEqual([expect.objectContaining({ action: 'attribute-discard', code: 3, subcode, attribute })]);
  expect(u.attributes.some((a) => a.type === 'unknown' && a.code === attribute)).toBe(false);
}

describe('message header (RFC 4271 §6.1)', () => {
  const frame = (b: Buffer) => new Framer().push(b);

  it('a marker that is not all ones → 1/1 Connection Not Synchronized', () => {
    const m = msg(4);
    m[3] = 0;
    expectReset(() => frame(m), 1, 1, '');
  });
  it('length below 19 → 1/2 Bad Message Length, data = the length field', () => {
    const m = msg(4);
    m.writeUInt16BE(18, 16);
    expectReset(() => frame(m), 1, 2, '0012');
  });
  it('length above 4096 → 1/2; accepted after RFC 8654 extended messages', () => {
    const big = msg(2, '0000 0000', '20 0a000001'.repeat(820)); // 4123 bytes of UPDATE
    expectReset(() => frame(big), 1, 2, '101b');
    const f = new Framer();
    f.setExtendedMessages(true);
    expect(f.push(big)).toHaveLength(1);
  });
  it('an OPEN above 4096 bytes is refused even with extended messages (RFC 8654 §4)', () => {
    const h = hex('ff'.repeat(16), '1001', '01');
    const f = new Framer();
    f.setExtendedMessages(true);
    expectReset(() => f.push(h), 1, 2, '1001');
  });
  it('unknown type → 1/3 Bad Message Type, data = the type', () => {
    expectReset(() => frame(msg(6)), 1, 3, '06');
    expectReset(() => frame(msg(0)), 1, 3, '00');
  });
  it('per-type minimum lengths → 1/2 (OPEN 29, UPDATE 23, NOTIFICATION 21, KEEPALIVE exactly 19)', () => {
    expectReset(() => frame(msg(1, '04 fde8 005a 0a000001')), 1, 2, '001c');
    expectReset(() => frame(msg(2, '0000')), 1, 2, '0015');
    expectReset(() => frame(msg(3, '06')), 1, 2, '0014');
    expectReset(() => frame(msg(4, '00')), 1, 2, '0014');
    expectReset(() => decodeKeepalive(msg(4, '00')), 1, 2, '0014');
  });
  it('checkHeader reports the length of a good header', () => {
    expect(checkHeader(msg(4), 0, 4096)).toBe(19);
  });
  it('the framer hands out messages before a bad header, then stays failed', () => {
    const bad = msg(9);
    const f = new Framer();
    const got = f.push(Buffer.concat([msg(4), bad]));
    expect(got).toHaveLength(1);
    expect(f.error?.notificationSubcode).toBe(3);
    expectReset(() => f.push(msg(4)), 1, 3, '09');
  });
});

describe('ROUTE-REFRESH length (RFC 7313 §5)', () => {
  it('a ROUTE-REFRESH that is not 23 bytes → 7/1, data = the whole message', () => {
    const m = msg(5, '0001 00 01 00');
    expect(new Framer().push(m)).toHaveLength(1);
    expectReset(() => decodeRouteRefresh(m), 7, 1, m.toString('hex'));
  });
});

describe('UPDATE lengths and NLRI: session reset (RFC 4271 §6.3, RFC 7606 §5.3)', () => {
  it('Withdrawn Routes Length overrunning the message → 3/1 Malformed Attribute List', () => {
    expectReset(() => decodeUpdate(msg(2, '0005 0000'), DEFAULT_CONTEXT), 3, 1);
    expectReset(() => decodeUpdate(msg(2, '0003 000000'), DEFAULT_CONTEXT), 3, 1); // no room for the attribute length
  });
  it('Total Attribute Length overrunning the message → 3/1', () => {
    expectReset(() => decodeUpdate(msg(2, '0000 0009', ORIGIN_IGP), DEFAULT_CONTEXT), 3, 1);
  });
  it('NLRI prefix length above 32 → 3/10 Invalid Network Field', () => {
    expectReset(() => decodeUpdate(update('', MANDATORY, '21 0a000001 00'), DEFAULT_CONTEXT), 3, 10);
  });
  it('NLRI prefix overrunning the message → 3/10', () => {
    expectReset(() => decodeUpdate(update('', MANDATORY, '18 0a00'), DEFAULT_CONTEXT), 3, 10);
  });
  it('withdrawn routes checked like NLRI (RFC 7606 §3 (g)) → 3/10', () => {
    expectReset(() => decodeUpdate(update('21 0a000001 00', ''), DEFAULT_CONTEXT), 3, 10);
    expectReset(() => decodeUpdate(update('20 0a00', ''), DEFAULT_CONTEXT), 3, 10);
  });
  it('ADD-PATH NLRI truncated inside the path identifier → 3/10', () => {
    const ctx = { ...DEFAULT_CONTEXT, addPath: { ipv4: true, ipv6: false } };
    expectReset(() => decodeUpdate(update('', MANDATORY, '000000'), ctx), 3, 10);
  });
  it('unrecognized well-known attribute → 3/2, data = the attribute', () => {
    const a = attr(0x40, 99, 'ab');
    expectReset(() => decodeUpdate(update('', MANDATORY + a, NLRI), DEFAULT_CONTEXT), 3, 2, a);
  });
  it('MP_REACH_NLRI or MP_UNREACH_NLRI twice → 3/1 (RFC 7606 §3 (g))', () => {
    const un = attr(0x80, 15, '0002 01');
    expectReset(() => decodeUpdate(update('', un + un), DEFAULT_CONTEXT), 3, 1);
    const re = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00');
    expectReset(() => decodeUpdate(update('', ORIGIN_IGP + AS_PATH_65001 + re + re), DEFAULT_CONTEXT), 3, 1);
  });
  it('MP_REACH_NLRI that cannot be parsed → 3/9 Optional Attribute Error, data = the attribute (RFC 7606 §7.11)', () => {
    const short = attr(0x80, 14, '0002 01 00');
    expectReset(() => decodeUpdate(update('', short), DEFAULT_CONTEXT), 3, 9, short);
    const badNh = attr(0x80, 14, '0002 01 05 0000000000 00'); // 5-byte next hop for IPv6
    expectReset(() => decodeUpdate(update('', badNh), DEFAULT_CONTEXT), 3, 9, badNh);
    const nhOverrun = attr(0x80, 14, '0002 01 20 20010db8000000000000000000000001');
    expectReset(() => decodeUpdate(update('', nhOverrun), DEFAULT_CONTEXT), 3, 9);
    const badNlri = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 81 00');
    expectReset(() => decodeUpdate(update('', ORIGIN_IGP + AS_PATH_65001 + badNlri), DEFAULT_CONTEXT), 3, 9, badNlri);
  });
  it('MP_UNREACH_NLRI that cannot be parsed → 3/9 (RFC 7606 §7.12)', () => {
    expectReset(() => decodeUpdate(update('', attr(0x80, 15, '0002')), DEFAULT_CONTEXT), 3, 9);
    expectReset(() => decodeUpdate(update('', attr(0x80, 15, '0002 01 40 20010db8')), DEFAULT_CONTEXT), 3, 9);
  });
});

describe('treat-as-withdraw (RFC 7606 §2, §3, §4, §7)', () => {
  const dec = (attrs: string, ctx: DecodeContext = DEFAULT_CONTEXT) => decodeUpdate(update('', attrs, NLRI), ctx);

  it('missing well-known mandatory attributes → 3/3 with the attribute code (RFC 7606 §3 (d))', () => {
    taw(dec(AS_PATH_65001 + NEXT_HOP_192_0_2_1), 3, 1);
    taw(dec(ORIGIN_IGP + NEXT_HOP_192_0_2_1), 3, 2);
    taw(dec(ORIGIN_IGP + AS_PATH_65001), 3, 3);
    const mp = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 40 20010db800010000');
    taw(decodeUpdate(update('', AS_PATH_65001 + mp), DEFAULT_CONTEXT), 3, 1);
    expect(decodeUpdate(update('', ORIGIN_IGP + AS_PATH_65001 + mp), DEFAULT_CONTEXT).treatAsWithdraw).toBeUndefined();
    expect(decodeUpdate(update('', attr(0x40, 1, '00')), DEFAULT_CONTEXT).treatAsWithdraw).toBeUndefined(); // nothing announced
  });
  it('Optional/Transitive flags in conflict → 3/4 (RFC 7606 §3 (c))', () => {
    taw(dec(attr(0xc0, 1, '00') + AS_PATH_65001 + NEXT_HOP_192_0_2_1), 4, 1); // ORIGIN marked optional
    taw(dec(MANDATORY + attr(0x40, 4, '00000000')), 4, 4); // MED marked well-known
    taw(dec(MANDATORY + attr(0x80, 8, '00000001')), 4, 8); // COMMUNITIES not transitive
  });
  it('ORIGIN: wrong length → 3/5, undefined value → 3/6 (§7.1)', () => {
    taw(dec(attr(0x40, 1, '0000') + AS_PATH_65001 + NEXT_HOP_192_0_2_1), 5, 1);
    taw(dec(attr(0x40, 1, '03') + AS_PATH_65001 + NEXT_HOP_192_0_2_1), 6, 1);
  });
  it('AS_PATH malformed → 3/11 (§7.2; RFC 7607 §2 for AS 0)', () => {
    const rest = ORIGIN_IGP + NEXT_HOP_192_0_2_1;
    taw(dec(rest + attr(0x40, 2, '05 01 0000fde9')), 11, 2); // segment type 5
    taw(dec(rest + attr(0x40, 2, '02 00')), 11, 2); // zero-length segment
    taw(dec(rest + attr(0x40, 2, '02 02 0000fde9')), 11, 2); // overrun
    taw(dec(rest + attr(0x40, 2, '02')), 11, 2); // truncated segment header
    taw(dec(rest + attr(0x40, 2, '02 01 00000000')), 11, 2); // AS 0
    taw(dec(rest + attr(0x40, 2, '02 02 fde9'), TWO_OCTET), 11, 2); // 2-octet overrun
  });
  it('NEXT_HOP: wrong length → 3/5; not a unicast address → 3/8 (§7.3)', () => {
    const rest = ORIGIN_IGP + AS_PATH_65001;
    taw(dec(rest + attr(0x40, 3, 'c000020100')), 5, 3);
    taw(dec(rest + attr(0x40, 3, '00000000')), 8, 3);
    taw(dec(rest + attr(0x40, 3, 'e0000001')), 8, 3);
    taw(dec(rest + attr(0x40, 3, 'ffffffff')), 8, 3);
    expect(dec(rest + attr(0x40, 3, '7f00000b')).treatAsWithdraw).toBeUndefined(); // 127.0.0.11 is fine (testbed)
  });
  it('a malformed NEXT_HOP in an MP-only UPDATE is only discarded (RFC 4760 §3: it should be ignored there)', () => {
    const mp = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 40 20010db800010000');
    const u = decodeUpdate(update('', ORIGIN_IGP + AS_PATH_65001 + attr(0x40, 3, '00000000') + mp), DEFAULT_CONTEXT);
    discarded(u, 8, 3);
    expect(u.mpReach?.nlri).toHaveLength(1);
  });
  it('MED and LOCAL_PREF of the wrong length → 3/5 (§7.4, §7.5)', () => {
    taw(dec(MANDATORY + attr(0x80, 4, '000000')), 5, 4);
    taw(dec(MANDATORY + attr(0x40, 5, '0000')), 5, 5);
  });
  it('COMMUNITIES of length 0 or not a multiple of 4 → 3/5 (§7.8)', () => {
    taw(dec(MANDATORY + attr(0xc0, 8, '')), 5, 8);
    taw(dec(MANDATORY + attr(0xc0, 8, '0000000100')), 5, 8);
  });
  it('ORIGINATOR_ID and CLUSTER_LIST of the wrong length → 3/5 (§7.9, §7.10)', () => {
    taw(dec(MANDATORY + attr(0x80, 9, '0a0000')), 5, 9);
    taw(dec(MANDATORY + attr(0x80, 10, '0a0000010a00')), 5, 10);
    taw(dec(MANDATORY + attr(0x80, 10, '')), 5, 10);
  });
  it('EXTENDED COMMUNITIES not a multiple of 8 → 3/5 (§7.14); LARGE COMMUNITIES not a multiple of 12 (RFC 8092 §6)', () => {
    taw(dec(MANDATORY + attr(0xc0, 16, '00020000000064')), 5, 16);
    taw(dec(MANDATORY + attr(0xc0, 32, '0000fde8000000010000000200')), 5, 32);
  });
  it('an attribute overrunning the attribute field → 3/5, NLRI still located (RFC 7606 §4)', () => {
    const body = hex('0000', '0008', ORIGIN_IGP, '40 02 09 02', NLRI); // AS_PATH claims 9 bytes, 1 present
    const u = decodeUpdate(msg(2, body.toString('hex')), DEFAULT_CONTEXT);
    taw(u, 5, 2);
    expect(u.nlri).toHaveLength(1);
  });
  it('fewer than 3 bytes left for an attribute header → 3/1 (RFC 7606 §4)', () => {
    const body = hex('0000', '0006', ORIGIN_IGP, '4001', NLRI);
    taw(decodeUpdate(msg(2, body.toString('hex')), DEFAULT_CONTEXT), 1);
  });
  it('MP_REACH_NLRI with conflicting flags: NLRI still parsed so they can be withdrawn', () => {
    const mp = attr(0xc0, 14, '0002 01 10 20010db8000000000000000000000001 00 40 20010db800010000');
    const m = update('', ORIGIN_IGP + AS_PATH_65001 + mp);
    const u = decodeUpdate(m, DEFAULT_CONTEXT);
    taw(u, 4, 14);
    expect(u.mpReach?.nlri).toHaveLength(1);
  });
  it('walkUpdate delivers the announcements of a treat-as-withdraw UPDATE as withdrawals', () => {
    const mp = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 40 20010db800010000');
    const m = update('', attr(0x40, 1, '07') + AS_PATH_65001 + NEXT_HOP_192_0_2_1 + mp, NLRI);
    const seen: string[] = [];
    const h = walkUpdate(m, DEFAULT_CONTEXT, {
      header: () => seen.push('header'),
      announceIpv4: (a, l) => seen.push(`+${formatIpv4(a)}/${l}`),
      withdrawIpv4: (a, l) => seen.push(`-${formatIpv4(a)}/${l}`),
      announceIpv6: (_b, _o, l) => seen.push(`+v6/${l}`),
      withdrawIpv6: (_b, _o, l) => seen.push(`-v6/${l}`),
    });
    expect(h.treatAsWithdraw?.subcode).toBe(6);
    expect(seen).toEqual(['header', '-10.0.1.0/24', '-v6/64']);
  });
});

describe('attribute discard (RFC 7606 §2, §3 (g), §7; RFC 6793 §6)', () => {
  const dec = (attrs: string, ctx: DecodeContext = DEFAULT_CONTEXT) => decodeUpdate(update('', MANDATORY + attrs, NLRI), ctx);

  it('ATOMIC_AGGREGATE with a value → discarded, 3/5 (§7.6)', () => {
    discarded(dec(attr(0x40, 6, '00')), 5, 6);
  });
  it('AGGREGATOR of the wrong length → discarded, 3/5 (§7.7)', () => {
    discarded(dec(attr(0xc0, 7, '0000fde90a0000')), 5, 7);
    const mand2 = ORIGIN_IGP + attr(0x40, 2, '02 01 fde9') + NEXT_HOP_192_0_2_1;
    discarded(decodeUpdate(update('', mand2 + attr(0xc0, 7, '0000fde90a000001'), NLRI), TWO_OCTET), 5, 7); // 8 bytes, 2-octet session
  });
  it('AGGREGATOR with AS 0 → discarded (RFC 7607 §2)', () => {
    discarded(dec(attr(0xc0, 7, '000000000a000001')), 9, 7);
  });
  it('AS4_PATH / AS4_AGGREGATOR on a 4-octet session → discarded (RFC 6793 §6)', () => {
    discarded(dec(attr(0xc0, 17, '02 01 0000fde9')), 9, 17);
    discarded(dec(attr(0xc0, 18, '0000fde9 0a000001')), 9, 18);
  });
  it('malformed AS4_PATH / AS4_AGGREGATOR on a 2-octet session → discarded (RFC 6793 §6)', () => {
    const mand2 = ORIGIN_IGP + attr(0x40, 2, '02 01 5ba0') + NEXT_HOP_192_0_2_1;
    const d2 = (a: string) => decodeUpdate(update('', mand2 + a, NLRI), TWO_OCTET);
    discarded(d2(attr(0xc0, 17, '02 02 0000fde9')), 9, 17);
    discarded(d2(attr(0xc0, 17, '02 01 00000000')), 9, 17);
    discarded(d2(attr(0xc0, 18, '0000fde9 0a00')), 5, 18);
  });
  it('a repeated attribute: the first is kept, the others discarded (§3 (g))', () => {
    const u = dec(attr(0xc0, 8, '00000001') + attr(0xc0, 8, '00000002'));
    expect(u.attributes.filter((a) => a.type === 'communities')).toEqual([{ type: 'communities', flags: 0xc0, communities: [1] }]);
    expect(u.discarded).toEqual([expect.objectContaining({ action: 'attribute-discard', subcode: 1, attribute: 8 })]);
  });
  it('with a discard and a treat-as-withdraw, the stronger action wins (§3 (f))', () => {
    const u = dec(attr(0x40, 6, '00') + attr(0x80, 4, '00'));
    taw(u, 5, 4);
    expect(u.discarded).toHaveLength(1);
  });
});
