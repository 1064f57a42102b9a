import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalAddressText, formatIpv6, parseAddress, unmapIpv4 } from '../../src/net/address.js';
import { comparePrefixes, formatPrefix, longestMatch, parsePrefix, prefixContains } from '../../src/net/prefix.js';

describe('prefix', () => {
  it('parses and formats IPv4 and IPv6', () => {
    expect(formatPrefix(parsePrefix('10.244.1.0/24'))).toBe('10.244.1.0/24');
    expect(formatPrefix(parsePrefix('10.0.0.5'))).toBe('10.0.0.5/32');
    expect(formatPrefix(parsePrefix('2001:DB8::/32'))).toBe('2001:db8::/32');
    expect(formatPrefix(parsePrefix('::/0'))).toBe('::/0');
    expect(formatPrefix(parsePrefix('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('rejects host bits unless asked to clear them', () => {
    expect(() => parsePrefix('10.1.2.3/16')).toThrow(/host bits set \(did you mean 10.1.0.0\/16\?\)/);
    expect(formatPrefix(parsePrefix('10.1.2.3/16', { requireCanonical: false }))).toBe('10.1.0.0/16');
  });

  it.each(['10.0.0.256', '10.0.0', '10.0.0.0/33', '::1/129', '1:2:3:4:5:6:7:8:9', '1::2::3', 'x', '', '010.0.0.1', '10.0.0.0/'])(
    'rejects %s',
    (bad) => {
      expect(() => parsePrefix(bad)).toThrow();
    },
  );

  it('formats IPv6 per RFC 5952', () => {
    expect(formatIpv6(parseAddress('2001:db8:0:0:1:0:0:1').addr)).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(parseAddress('2001:db8:0:1:1:1:1:1').addr)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(1n)).toBe('::1');
  });

  it('understands IPv4-mapped IPv6 next hops', () => {
    expect(canonicalAddressText('::ffff:127.0.0.11')).toBe('127.0.0.11');
    expect(canonicalAddressText('::FFFF:7f00:b')).toBe('127.0.0.11');
    expect(unmapIpv4(parseAddress('2001:db8::1')).family).toBe('ipv6');
  });

  it('containment and order', () => {
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parsePrefix('10.1.0.0/16'))).toBe(true);
    expect(prefixContains(parsePrefix('10.1.0.0/16'), parsePrefix('10.0.0.0/8'))).toBe(false);
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parsePrefix('2001:db8::/32'))).toBe(false);
    expect(comparePrefixes(parsePrefix('10.0.0.0/8'), parsePrefix('10.0.0.0/16'))).toBeLessThan(0);
    expect(comparePrefixes(parsePrefix('2001:db8::/32'), parsePrefix('10.0.0.0/16'))).toBeGreaterThan(0);
  });

  it('text round trip is the identity (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, len) => {
        const p = parsePrefix(`${ip}/${len}`, { requireCanonical: false });
        expect(parsePrefix(formatPrefix(p))).toEqual(p);
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (ip, len) => {
        const p = parsePrefix(`${ip}/${len}`, { requireCanonical: false });
        expect(parsePrefix(formatPrefix(p))).toEqual(p);
      }),
    );
  });
});

describe('longestMatch', () => {
  const table = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '0.0.0.0/0', '2001:db8::/32', 'pl-0123'];
  const lookup = (addr: string) => longestMatch(table, (d) => (d.startsWith('pl-') ? undefined : parsePrefix(d)), parseAddress(addr));

  it('picks the longest prefix containing the address, per family, skipping items without a prefix', () => {
    expect(lookup('10.1.2.3')).toBe('10.1.2.0/24');
    expect(lookup('10.1.3.3')).toBe('10.1.0.0/16');
    expect(lookup('10.2.0.1')).toBe('10.0.0.0/8');
    expect(lookup('192.0.2.1')).toBe('0.0.0.0/0');
    expect(lookup('2001:db8::1')).toBe('2001:db8::/32');
    expect(lookup('2001:db9::1')).toBeUndefined(); // no IPv6 default route; the IPv4 one does not count
  });

  it('is independent of the order of the items', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(table, { minLength: table.length }),
        fc.constantFrom('10.1.2.3', '10.1.3.3', '10.2.0.1', '192.0.2.1'),
        (t, a) => {
          const got = longestMatch(t, (d) => (d.startsWith('pl-') ? undefined : parsePrefix(d)), parseAddress(a));
          expect(got).toBe(lookup(a));
        },
      ),
    );
  });
});
