import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AdjRibIn, type RibAttrs } from '../../../src/bgp/session/adj-rib-in.js';
import { formatPrefix, parsePrefix, type Prefix } from '../../../src/net/prefix.js';

const attrs = (nh: string): RibAttrs => ({
  nextHop: nh,
  attrs: { origin: 0, asPath: [65001], asPathLength: 1, communities: [], largeCommunities: [], extendedCommunities: [] },
});
const A = attrs('192.0.2.1');
const B = attrs('192.0.2.2');
const p = (s: string): Prefix => parsePrefix(s);
const keyText = (k: { prefix: Prefix; pathId: number }) => `${formatPrefix(k.prefix)}#${k.pathId}`;

describe('AdjRibIn', () => {
  it('adds, replaces (implicit withdraw) and deletes, counting per family', () => {
    const rib = new AdjRibIn();
    expect(rib.set(p('10.0.0.0/24'), 0, A)).toBe(true);
    expect(rib.set(p('10.0.0.0/24'), 0, B)).toBe(false); // replaced
    expect(rib.get(p('10.0.0.0/24'))).toBe(B);
    expect(rib.set(p('10.0.0.0/25'), 0, A)).toBe(true); // other length, other key
    expect(rib.set(p('255.255.255.255/32'), 0, A)).toBe(true); // top of the address space (negative int32 key)
    expect(rib.set(p('2001:db8::/64'), 0, A)).toBe(true);
    expect([rib.ipv4Count, rib.ipv6Count, rib.size]).toEqual([3, 1, 4]);
    expect(rib.delete(p('10.0.0.0/24'))).toBe(true);
    expect(rib.delete(p('10.0.0.0/24'))).toBe(false);
    expect(rib.delete(p('2001:db8::/64'))).toBe(true);
    expect([rib.ipv4Count, rib.ipv6Count]).toEqual([2, 0]);
    expect(rib.keys().map(keyText).sort()).toEqual(['10.0.0.0/25#0', '255.255.255.255/32#0']);
  });

  it('ADD-PATH: the same prefix with different path ids are different paths', () => {
    const rib = new AdjRibIn();
    expect(rib.set(p('10.1.0.0/16'), 1, A)).toBe(true);
    expect(rib.set(p('10.1.0.0/16'), 2, B)).toBe(true);
    expect(rib.set(p('2001:db8::/48'), 7, A)).toBe(true);
    expect(rib.set(p('2001:db8::/48'), 8, B)).toBe(true);
    expect(rib.size).toBe(4);
    expect(rib.get(p('10.1.0.0/16'), 2)).toBe(B);
    expect(rib.delete(p('10.1.0.0/16'), 1)).toBe(true);
    expect(rib.get(p('10.1.0.0/16'), 1)).toBeUndefined();
    expect(rib.keys().map(keyText).sort()).toEqual(['10.1.0.0/16#2', '2001:db8::/48#7', '2001:db8::/48#8']);
  });

  it('graceful restart: stale, re-announced, swept per family', () => {
    const rib = new AdjRibIn();
    for (const s of ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.3/32', '2001:db8::1/128', '2001:db8::2/128']) rib.set(p(s), 0, A);
    rib.markAllStale();
    expect([rib.size, rib.staleCount, rib.familyTotal('ipv4')]).toEqual([0, 5, 3]);
    expect(rib.isStale(p('10.0.0.1/32'))).toBe(true);
    expect(rib.get(p('10.0.0.1/32'))).toBe(A); // still usable while stale
    expect(rib.set(p('10.0.0.1/32'), 0, B)).toBe(false); // re-announced: not new, no longer stale
    expect(rib.isStale(p('10.0.0.1/32'))).toBe(false);
    expect(rib.set(p('10.0.0.9/32'), 0, B)).toBe(true);
    expect(rib.delete(p('10.0.0.2/32'))).toBe(true); // withdrawing a stale path works
    expect(rib.set(p('2001:db8::1/128'), 0, B)).toBe(false);
    expect([rib.ipv4Count, rib.ipv6Count, rib.staleCount]).toEqual([2, 1, 2]);
    expect(rib.sweepStale('ipv4').map(keyText)).toEqual(['10.0.0.3/32#0']);
    expect(rib.staleCount).toBe(1);
    expect(rib.sweepStale('ipv6').map(keyText)).toEqual(['2001:db8::2/128#0']);
    expect(rib.staleCount).toBe(0);
    expect(rib.sweepStale()).toEqual([]);
    expect(rib.keys().map(keyText).sort()).toEqual(['10.0.0.1/32#0', '10.0.0.9/32#0', '2001:db8::1/128#0']);
  });

  it('a restart during a restart keeps the older stale paths stale', () => {
    const rib = new AdjRibIn();
    rib.set(p('10.0.0.1/32'), 0, A);
    rib.markAllStale();
    rib.set(p('10.0.0.2/32'), 0, A);
    rib.markAllStale();
    expect(rib.staleCount).toBe(2);
    expect(rib.sweepStale().map(keyText).sort()).toEqual(['10.0.0.1/32#0', '10.0.0.2/32#0']);
    expect(rib.size).toBe(0);
  });

  it('a stale path announced again leaves the stale count before the next refresh marks the rest (fast-check counterexample)', () => {
    // GR: both paths stale; 10/8 is re-announced (live, not stale); a Route Refresh of IPv4 then marks it stale again.
    const rib = new AdjRibIn();
    const p8 = parsePrefix('10.0.0.0/8');
    const p0 = parsePrefix('0.0.0.0/0');
    rib.set(p8, 0, B);
    rib.set(p0, 0, B);
    rib.markAllStale();
    expect(rib.set(p8, 0, B)).toBe(false);
    expect([rib.size, rib.staleCount]).toEqual([1, 1]);
    rib.markAllStale('ipv4');
    expect([rib.size, rib.staleCount, rib.familyTotal('ipv4')]).toEqual([0, 2, 2]);
    expect(rib.sweepStale('ipv4').map(keyText).sort()).toEqual(['0.0.0.0/0#0', '10.0.0.0/8#0']);
    expect([rib.size, rib.staleCount]).toEqual([0, 0]);
  });

  it('matches a reference model under random operations', () => {
    // A small pool makes collisions (replace, re-announce, double delete) frequent; random prefixes cover keys.
    const pool = [
      '10.0.0.0/8',
      '10.0.0.0/24',
      '0.0.0.0/0',
      '255.255.255.255/32',
      '128.0.0.1/32',
      '2001:db8::/32',
      '::/0',
      'ffff::1/128',
    ].map(p);
    const prefixArb = fc
      .oneof(
        fc.constantFrom(...pool),
        fc
          .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
          .map(([a, l]) => ({ family: 'ipv4' as const, addr: BigInt(a), len: l })),
        fc
          .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
          .map(([a, l]) => ({ family: 'ipv6' as const, addr: a, len: l })),
      )
      .map((x) => parsePrefix(`${formatPrefix(x).split('/')[0]}/${x.len}`, { requireCanonical: false }));
    const op = fc.tuple(
      fc.constantFrom('set', 'del', 'stale', 'stale4', 'stale6', 'sweep', 'sweep4'),
      fc.constantFrom(0, 1, 2),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(op, prefixArb), { maxLength: 60 }), (ops) => {
        const rib = new AdjRibIn();
        const live = new Map<string, RibAttrs>();
        const stale = new Map<string, RibAttrs>();
        for (const [[kind, pathId, which], pfx] of ops) {
          const k = `${formatPrefix(pfx)}#${pathId}`;
          const v = which ? A : B;
          if (kind === 'set') {
            const isNew = !live.has(k) && !stale.has(k);
            expect(rib.set(pfx, pathId, v)).toBe(isNew);
            stale.delete(k);
            live.set(k, v);
          } else if (kind === 'del') {
            expect(rib.delete(pfx, pathId)).toBe(live.delete(k) || stale.delete(k));
          } else if (kind === 'stale' || kind === 'stale4' || kind === 'stale6') {
            const fam = kind === 'stale4' ? 'ipv4' : kind === 'stale6' ? 'ipv6' : undefined;
            rib.markAllStale(fam);
            for (const [kk, vv] of [...live]) {
              if (fam === undefined || (fam === 'ipv4') === !kk.includes(':')) {
                stale.set(kk, vv);
                live.delete(kk);
              }
            }
          } else if (kind === 'sweep4') {
            const v4 = [...stale.keys()].filter((kk) => !kk.includes(':'));
            expect(rib.sweepStale('ipv4').map(keyText).sort()).toEqual(v4.sort());
            for (const kk of v4) stale.delete(kk);
          } else {
            expect(rib.sweepStale().map(keyText).sort()).toEqual([...stale.keys()].sort());
            stale.clear();
          }
          expect(rib.size).toBe(live.size);
          expect(rib.staleCount).toBe(stale.size);
        }
        expect(rib.keys().map(keyText).sort()).toEqual([...live.keys(), ...stale.keys()].sort());
      }),
      { numRuns: 500 },
    );
  });
});
