// Spare routes (AggregateInput.spare, vpc.spareRoutes): the installed table mended instead of re-minimised. Checked
// address by address on tiny spaces against the brute-force requirements, and on the workload that showed the
// problem (bench:sync): one VIP moving among 20 hosts cost up to 19 writes with the minimal table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, writesBetween } from '../../src/aggregate/aggregate.js';
import { evaluateTable } from '../../src/aggregate/evaluate.js';
import { ortcSets } from '../../src/aggregate/ortc.js';
import { ortcTableClosestTo } from '../../src/aggregate/previous-match.js';
import { repairPrevious } from '../../src/aggregate/repair.js';
import { buildTrie } from '../../src/aggregate/trie.js';
import type { AggRoute } from '../../src/aggregate/types.js';
import { makePrefix, parsePrefix } from '../../src/net/prefix.js';
import { check, run, tinyCase, tinyTable } from './tiny-cases.js';
import { fromPrefix, toPrefix, type TinyRoute } from './tiny-space.js';

const asTiny = (routes: readonly AggRoute[], bits: number): TinyRoute[] =>
  routes.map((r) => ({ ...fromPrefix(r.prefix, bits), target: r.target }));

describe('aggregate with spare routes (brute force)', { timeout: 180_000 }, () => {
  it('the mended table itself is exact: no damage, nothing forbidden covered (aggregate() would fall back silently)', () => {
    fc.assert(
      fc.property(
        tinyCase(4, 4).chain((c) => fc.tuple(fc.constant(c), tinyTable(c.bits))),
        ([c, previous]) => {
          const trie = buildTrie({
            family: 'ipv4',
            routes: c.routes.map((r) => ({ prefix: toPrefix(r, c.bits), target: r.target })),
            cluster: c.cluster.map((p) => toPrefix(p, c.bits)),
            previous: previous.map((r) => ({ prefix: toPrefix(r, c.bits), target: r.target })),
          });
          const mended = repairPrevious(trie, ortcTableClosestTo(trie, ortcSets(trie)));
          expect(evaluateTable(trie, mended).addresses).toBe(0n); // throws on a route over forbidden space
        },
      ),
      { numRuns: 3000, seed: 99 },
    );
  });

  it('exact, within min(budget, optimum + spare), never more writes than the minimal table; spare 0 changes nothing', () => {
    fc.assert(
      fc.property(
        tinyCase(4, 4).chain((c) =>
          fc.tuple(fc.constant(c), tinyTable(c.bits), fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })),
        ),
        ([c, randomPrev, fromChurn, spare, extraBudget]) => {
          // Either a random previous table, or the table of the same input with one route's target changed.
          let previous: TinyRoute[] = randomPrev;
          if (fromChurn && c.routes.length > 0) {
            const churned = { ...c, routes: c.routes.map((r, i) => (i === 0 ? { ...r, target: r.target === 'a' ? 'b' : 'a' } : r)) };
            previous = asTiny(run(churned).routes, c.bits);
          }
          const optimum = run(c).optimum;
          const budget = optimum + extraBudget;
          const minimal = run(c, budget, previous, 0);
          const res = run(c, budget, previous, spare);
          expect(check(c, res.routes)).toBe(0);
          expect(res.routes.length).toBeLessThanOrEqual(Math.min(budget, optimum + spare));
          const prev = previous.map((r) => ({ prefix: toPrefix(r, c.bits), target: r.target }));
          expect(writesBetween(prev, res.routes)).toBeLessThanOrEqual(writesBetween(prev, minimal.routes));
          expect(minimal).toEqual(run(c, budget, previous));
        },
      ),
      { numRuns: 3000, seed: 4242 },
    );
  });

  it('a changed host prefix (no more specifics) costs one write while the mended table is within the spare routes', () => {
    fc.assert(
      fc.property(tinyCase(4, 5), fc.nat(), fc.constantFrom('a', 'b', 'c'), (c, pick, to) => {
        const hosts = c.routes.filter((r) => r.len === c.bits);
        const moved = hosts[pick % Math.max(1, hosts.length)];
        // The moved prefix's host keeps another prefix (a VIP moving away from a host whose pod stays): with its
        // host gone from the input, every route to it would need mending too.
        fc.pre(moved !== undefined && moved.target !== to && c.routes.some((r) => r !== moved && r.target === moved.target));
        if (moved === undefined) return;
        const before = run(c);
        const after = { ...c, routes: c.routes.map((r) => (r === moved ? { ...r, target: to } : r)) };
        // 16 spare routes: more than any table of this space holds, so the limit never forces the minimal table.
        const res = run(after, undefined, asTiny(before.routes, c.bits), 16);
        expect(check(after, res.routes)).toBe(0);
        expect(writesBetween(before.routes, res.routes)).toBe(1);
      }),
      { numRuns: 2000, seed: 777 },
    );
  });
});

describe('aggregate with spare routes (VIPs moving among 20 hosts)', () => {
  const cluster = [parsePrefix('10.0.0.0/8')];
  const pod = (i: number) => makePrefix('ipv4', (10n << 24n) | (100n << 16n) | (BigInt(i) << 8n), 24);
  const vip = (j: number) => makePrefix('ipv4', (10n << 24n) | (200n << 16n) | BigInt(j), 32);
  /** 20 hosts with a pod /24 each and 20 VIPs; 400 moves of one VIP to the next host. Writes per move. */
  function moves(spare: number): number[] {
    const owner = Array.from({ length: 20 }, (_, j) => j);
    const input = (): AggRoute[] => [
      ...Array.from({ length: 20 }, (_, i) => ({ prefix: pod(i), target: `eni-${i}` })),
      ...owner.map((h, j) => ({ prefix: vip(j), target: `eni-${h}` })),
    ];
    let table = aggregate({ family: 'ipv4', routes: input(), cluster, budget: 50 }).routes;
    const writes: number[] = [];
    for (let k = 0; k < 400; k++) {
      owner[k % 20] = ((owner[k % 20] as number) + 1) % 20;
      const next = aggregate({ family: 'ipv4', routes: input(), cluster, budget: 50, previous: table, spare }).routes;
      writes.push(writesBetween(table, next));
      table = next;
    }
    return writes;
  }

  it('with 16 spare routes (the default), every move is one write; the minimal table costs more than twice that', () => {
    expect(moves(16)).toEqual(new Array(400).fill(1));
    const minimal = moves(0);
    expect(minimal.reduce((a, b) => a + b, 0)).toBeGreaterThan(800);
    expect(Math.max(...minimal)).toBeGreaterThan(10);
  });

  it('a route to a host that is gone is re-targeted where it still serves (one ReplaceRoute), not deleted and re-made', () => {
    const P = parsePrefix;
    // Installed: the /16 to a (gone now) with b's pod as a more specific; b now also holds the VIP.
    const previous = [
      { prefix: P('10.70.0.0/16'), target: 'eni-a' },
      { prefix: P('10.70.2.0/24'), target: 'eni-b' },
    ];
    const routes = [
      { prefix: P('10.70.2.0/24'), target: 'eni-b' },
      { prefix: P('10.70.200.10/32'), target: 'eni-b' },
    ];
    const res = aggregate({ family: 'ipv4', routes, cluster: [P('10.70.0.0/16')], budget: 50, previous, spare: 16 });
    expect(res.routes).toEqual([
      { prefix: P('10.70.0.0/16'), target: 'eni-b' },
      { prefix: P('10.70.2.0/24'), target: 'eni-b' },
    ]);
    expect(writesBetween(previous, res.routes)).toBe(1);
  });
});
