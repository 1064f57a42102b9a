// Realistic and adversarial shapes, each output checked by the independent interval checker; comparisons with
// the naive table and with sibling merging; the Weave case; stability against a previous table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, aggregateAll } from '../../src/aggregate/aggregate.js';
import { siblingMerge } from '../../src/aggregate/sibling-merge.js';
import type { AggRoute, AggregateResult } from '../../src/aggregate/types.js';
import { parsePrefix, type Prefix } from '../../src/net/prefix.js';
import { checkTable } from './interval-check.js';
import { alternating, calicoBlocks, hostRanges, ipv6, overlapping, podCidrs, vips, type Shape } from './shapes.js';

const shapes: Shape[] = [
  podCidrs(200, 1),
  calicoBlocks(1500, 60, 2),
  vips(800, 40, 3),
  hostRanges(60, 4),
  overlapping(64, 600, 5),
  ipv6(200, 30, 6, 56),
  alternating(600),
];

const run = (s: Shape, budget?: number, previous?: readonly AggRoute[]): AggregateResult =>
  aggregate({
    family: s.family,
    routes: s.routes,
    cluster: s.cluster,
    ...(budget !== undefined ? { budget } : {}),
    ...(previous !== undefined ? { previous } : {}),
  });

const p = (t: string): Prefix => parsePrefix(t);

describe.each(shapes)('$name', { timeout: 60_000 }, (s) => {
  it('exact: valid, no damage, never larger than sibling merge or the naive table', () => {
    const res = run(s);
    const c = checkTable(s.family, s.routes, s.cluster, res.routes);
    expect(c).toEqual({ damaged: 0n, forbiddenCovered: 0n, duplicates: 0 });
    expect(res.optimum).toBe(res.routes.length);
    const merged = siblingMerge(s.routes);
    expect(checkTable(s.family, s.routes, [], merged)).toEqual({ damaged: 0n, forbiddenCovered: 0n, duplicates: 0 });
    expect(res.routes.length).toBeLessThanOrEqual(merged.length);
    expect(merged.length).toBeLessThanOrEqual(s.routes.length);
    // Without cluster CIDRs (nothing may be covered beyond the announcements) it is still no worse.
    const strict = aggregate({ family: s.family, routes: s.routes, cluster: [] });
    expect(checkTable(s.family, s.routes, [], strict.routes).forbiddenCovered).toBe(0n);
    expect(strict.routes.length).toBeLessThanOrEqual(merged.length);
  });

  it('budget: at most the budget, damage as reported, never outside the cluster, more budget never hurts', () => {
    const optimum = run(s).optimum;
    let last: bigint | undefined;
    for (const budget of [0, 1, 5, Math.floor(optimum / 2), optimum - 1].filter((b, i, a) => b >= 0 && a.indexOf(b) === i)) {
      const res = run(s, budget);
      expect(res.routes.length).toBeLessThanOrEqual(budget);
      const c = checkTable(s.family, s.routes, s.cluster, res.routes);
      expect(c.forbiddenCovered).toBe(0n);
      expect(c.duplicates).toBe(0);
      expect(res.damage.addresses).toBe(c.damaged);
      expect(res.damage.prefixes.reduce((sum, x) => sum + x.addresses, 0n)).toBe(c.damaged);
      if (budget < optimum) expect(c.damaged).toBeGreaterThan(0n);
      if (last !== undefined) expect(c.damaged).toBeLessThanOrEqual(last);
      last = c.damaged;
    }
  });
});

describe('comparisons and special cases', { timeout: 60_000 }, () => {
  it('sibling merge is worse on mixed inputs', () => {
    for (const s of [hostRanges(60, 4), alternating(600), calicoBlocks(1500, 60, 2)]) {
      const ours = run(s).routes.length;
      const merged = siblingMerge(s.routes).length;
      expect(merged, s.name).toBeGreaterThan(ours);
    }
  });

  it('the Weave case: one host range split into aligned blocks collapses to one route inside the cluster', () => {
    // 10.32.0.0 - 10.32.5.255 (not aligned) announced as a /22 and a /23.
    const routes = [
      { prefix: p('10.32.0.0/22'), target: 'i-a' },
      { prefix: p('10.32.4.0/23'), target: 'i-a' },
    ];
    expect(run({ name: 'w', family: 'ipv4', routes, cluster: [p('10.32.0.0/12')] }).routes).toEqual([
      { prefix: p('10.32.0.0/12'), target: 'i-a' },
    ]);
    // Without cluster CIDRs nothing else may be covered, so the two blocks stay.
    expect(run({ name: 'w', family: 'ipv4', routes, cluster: [] }).routes).toHaveLength(2);
    // Blocks of a range that is itself a CIDR merge back into it even without cluster CIDRs.
    const split = ['10.32.0.0/24', '10.32.1.0/25', '10.32.1.128/26', '10.32.1.192/26', '10.32.2.0/23'].map((t) => ({
      prefix: p(t),
      target: 'i-b',
    }));
    expect(run({ name: 'w', family: 'ipv4', routes: split, cluster: [] }).routes).toEqual([{ prefix: p('10.32.0.0/22'), target: 'i-b' }]);
  });

  it('the Weave case at scale: hosts with contiguous ranges at arbitrary boundaries', () => {
    const s = hostRanges(60, 4);
    const res = run(s);
    // Every boundary between two hosts costs a few routes (it is not aligned), but far fewer than the blocks.
    expect(res.routes.length).toBeLessThan(s.routes.length / 2);
    expect(res.routes.length).toBeLessThan(siblingMerge(s.routes).length / 2);
  });

  it('a churned host changes few routes when the previous table is given', () => {
    const s = calicoBlocks(1500, 60, 7);
    const before = run(s).routes;
    const churnedHost = 'i-000005';
    const churned: Shape = { ...s, routes: s.routes.map((r) => (r.target === churnedHost ? { ...r, target: 'i-ffffff' } : r)) };
    const key = (r: AggRoute): string => `${r.prefix.addr}/${r.prefix.len}=${r.target}`;
    const changes = (a: readonly AggRoute[], b: readonly AggRoute[]): number => {
      const sa = new Set(a.map(key));
      const sb = new Set(b.map(key));
      return [...sa].filter((k) => !sb.has(k)).length + [...sb].filter((k) => !sa.has(k)).length;
    };
    const withPrev = run(churned, undefined, before).routes;
    const without = run(churned).routes;
    expect(withPrev.length).toBe(without.length);
    const hostRoutes = before.filter((r) => r.target === churnedHost).length;
    // Each route of the churned host is replaced (one removal, one addition); nothing else should move.
    expect(changes(before, withPrev)).toBeLessThanOrEqual(2 * hostRoutes);
    expect(changes(before, withPrev)).toBeLessThanOrEqual(changes(before, without));
  });

  it('aggregateAll runs each family with its own budget', () => {
    const v4 = podCidrs(40, 9);
    const v6 = ipv6(40, 10, 9, 56);
    const res = aggregateAll([...v4.routes, ...v6.routes], [...v4.cluster, ...v6.cluster], { ipv4Budget: 3, ipv6Budget: 1000 });
    expect(res.ipv4.routes.length).toBeLessThanOrEqual(3);
    expect(res.ipv6.damage.addresses).toBe(0n);
    expect(res.ipv6.routes.every((r) => r.prefix.family === 'ipv6')).toBe(true);
  });

  it('is deterministic: same input in another order gives the same table', () => {
    const s = overlapping(64, 600, 11);
    const shuffled = [...s.routes].reverse();
    expect(run({ ...s, routes: shuffled }).routes).toEqual(run(s).routes);
    expect(run({ ...s, routes: shuffled }, 20).routes).toEqual(run(s, 20).routes);
  });

  it('edge cases: empty input, budget 0, cluster /0, host routes, budget at the optimum', () => {
    expect(aggregate({ family: 'ipv4', routes: [], cluster: [] })).toEqual({
      family: 'ipv4',
      routes: [],
      optimum: 0,
      damage: { addresses: 0n, prefixes: [] },
    });
    const two = [
      { prefix: p('10.0.0.0/24'), target: 'a' },
      { prefix: p('10.0.0.7/32'), target: 'b' },
    ];
    const none = aggregate({ family: 'ipv4', routes: two, cluster: [], budget: 0 });
    expect(none.routes).toEqual([]);
    expect(none.damage.addresses).toBe(256n);
    expect(none.damage.prefixes).toEqual([
      { prefix: p('10.0.0.0/24'), target: 'a', addresses: 255n },
      { prefix: p('10.0.0.7/32'), target: 'b', addresses: 1n },
    ]);
    // With everything don't-care the whole space can go to one host, and the VIP stays.
    expect(aggregate({ family: 'ipv4', routes: two, cluster: [p('0.0.0.0/0')] }).routes).toEqual([
      { prefix: p('0.0.0.0/0'), target: 'a' },
      { prefix: p('10.0.0.7/32'), target: 'b' },
    ]);
    expect(aggregate({ family: 'ipv6', routes: [{ prefix: p('2001:db8::1/128'), target: 'x' }], cluster: [p('::/0')] }).routes).toEqual([
      { prefix: p('::/0'), target: 'x' },
    ]);
    // A budget equal to the optimum gives the exact table; one less loses the cheapest address.
    const exact = aggregate({ family: 'ipv4', routes: two, cluster: [], budget: 2 });
    expect(exact.damage.addresses).toBe(0n);
    const one = aggregate({ family: 'ipv4', routes: two, cluster: [], budget: 1 });
    expect(one.routes).toEqual([{ prefix: p('10.0.0.0/24'), target: 'a' }]);
    expect(one.damage).toEqual({ addresses: 1n, prefixes: [{ prefix: p('10.0.0.7/32'), target: 'b', addresses: 1n }] });
  });

  it('rejects conflicting duplicates and other families with exact codes', () => {
    const base = { family: 'ipv4' as const, cluster: [] };
    expect(() =>
      aggregate({
        ...base,
        routes: [
          { prefix: p('10.0.0.0/24'), target: 'a' },
          { prefix: p('10.0.0.0/24'), target: 'b' },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'AGG_CONFLICT' }));
    expect(() => aggregate({ ...base, routes: [{ prefix: p('fd00::/64'), target: 'a' }] })).toThrow(
      expect.objectContaining({ code: 'AGG_FAMILY_MISMATCH' }),
    );
    expect(() => aggregate({ ...base, routes: [], budget: -1 })).toThrow(expect.objectContaining({ code: 'AGG_BAD_BUDGET' }));
    // The same prefix twice with the same target is fine.
    expect(
      aggregate({
        ...base,
        routes: [
          { prefix: p('10.0.0.0/24'), target: 'a' },
          { prefix: p('10.0.0.0/24'), target: 'a' },
        ],
      }).routes,
    ).toHaveLength(1);
  });

  it('random overlapping inputs in both families: valid, damage as reported, no better sibling merge', () => {
    const family = fc.constantFrom('ipv4' as const, 'ipv6' as const);
    const arb = family.chain((f) => {
      const bits = f === 'ipv4' ? 32 : 128;
      const base = f === 'ipv4' ? 10n << 24n : 0xfd00n << 112n;
      // Prefixes inside base/(bits-12) (4096 addresses), lengths from /(bits-12) to /bits.
      const prefix = fc
        .record({ off: fc.bigInt({ min: 0n, max: (1n << 12n) - 1n }), extra: fc.integer({ min: 0, max: 12 }) })
        .map(({ off, extra }) => {
          const len = bits - 12 + extra;
          const addr = base + (off & ~((1n << BigInt(12 - extra)) - 1n));
          return { family: f, addr, len } as Prefix;
        });
      return fc.record({
        f: fc.constant(f),
        routes: fc.array(fc.record({ prefix, target: fc.constantFrom('a', 'b', 'c', 'd') }), { maxLength: 40 }),
        cluster: fc.array(prefix, { maxLength: 3 }),
        budget: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      });
    });
    fc.assert(
      fc.property(arb, ({ f, routes, cluster, budget }) => {
        // Keep one target per prefix (the first), as a route spec would.
        const seen = new Set<string>();
        const uniq = routes.filter((r) => {
          const k = `${r.prefix.addr}/${r.prefix.len}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        const res = aggregate({ family: f, routes: uniq, cluster, ...(budget !== undefined ? { budget } : {}) });
        const c = checkTable(f, uniq, cluster, res.routes);
        expect(c.forbiddenCovered).toBe(0n);
        expect(c.duplicates).toBe(0);
        expect(res.damage.addresses).toBe(c.damaged);
        if (budget === undefined || res.optimum <= budget) {
          expect(c.damaged).toBe(0n);
          expect(res.routes.length).toBe(res.optimum);
          expect(res.optimum).toBeLessThanOrEqual(siblingMerge(uniq).length);
        } else expect(res.routes.length).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 400, seed: 2024 },
    );
  });
});
