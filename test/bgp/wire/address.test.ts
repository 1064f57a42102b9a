// Wire address text: the codec's byte formatter agrees with src/net/address.ts (RFC 5952) on every address.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipv4Text, ipv6Text, isIpv4Mapped } from '../../../src/bgp/wire/index.js';
import { formatIpv6, formatIpv4 } from '../../../src/net/address.js';
import { hex } from './hex.js';

describe('address text', () => {
  it('RFC 5952 examples', () => {
    expect(ipv6Text(hex('20010db8000000000000000000000001'), 0)).toBe('2001:db8::1');
    expect(ipv6Text(hex('00000000000000000000000000000000'), 0)).toBe('::');
    expect(ipv6Text(hex('00000000000000000000000000000001'), 0)).toBe('::1');
    expect(ipv6Text(hex('20010db8000000010000000000000000'), 0)).toBe('2001:db8:0:1::');
    expect(ipv6Text(hex('20010db8000000010001000100010001'), 0)).toBe('2001:db8:0:1:1:1:1:1'); // a single 0 is not compressed
    expect(ipv6Text(hex('20010000000000010000000000000001'), 0)).toBe('2001:0:0:1::1'); // the longer run wins
    expect(ipv6Text(hex('20010db8000000000001000000000001'), 0)).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(ipv6Text(hex('fe800000000000000000000000000001'), 0)).toBe('fe80::1');
  });

  it('IPv4-mapped addresses are written ::ffff:a.b.c.d', () => {
    const b = hex('00000000000000000000ffff7f00000b');
    expect(isIpv4Mapped(b, 0)).toBe(true);
    expect(ipv6Text(b, 0)).toBe('::ffff:127.0.0.11');
  });

  it('agrees with formatIpv6 on every non-mapped address', () => {
    const group = fc.constantFrom(0, 0, 0, 1, 0xabcd, 0xffff);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
        const b = Buffer.alloc(16);
        let v = 0n;
        g.forEach((x, i) => {
          b.writeUInt16BE(x, 2 * i);
          v = (v << 16n) | BigInt(x);
        });
        fc.pre(v >> 32n !== 0xffffn);
        expect(ipv6Text(b, 0)).toBe(formatIpv6(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('IPv4 text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(n, 0);
        expect(ipv4Text(b, 0)).toBe(formatIpv4(n));
      }),
      { numRuns: 500 },
    );
  });
});
