// The aggregator against a brute-force oracle on tiny address spaces: validity, exact minimality, least damage
// under a budget, and fewest routes among the least-damage tables.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oracle, oracleMaxShared, oracleMinimum } from './oracle.js';
import { check, run, tinyCase, tinyTable } from './tiny-cases.js';
import { fromPrefix, type TinyRoute } from './tiny-space.js';

const scale = (bits: number): bigint => 1n << BigInt(32 - bits);

// Thousands of brute-force cases: generous timeouts for a loaded 2-core machine.
describe('aggregate vs brute force', { timeout: 180_000 }, () => {
  it('exact mode: valid and exactly as small as the smallest valid table', () => {
    fc.assert(
      fc.property(tinyCase(4, 4), (c) => {
        const res = run(c);
        expect(check(c, res.routes)).toBe(0);
        expect(res.damage.addresses).toBe(0n);
        const min = oracleMinimum(c, c.routes.length);
        expect(res.routes.length).toBe(min);
        expect(res.optimum).toBe(min);
      }),
      { numRuns: 1000, seed: 4242 },
    );
  });

  it('exact mode on a 5-bit space', () => {
    fc.assert(
      fc.property(tinyCase(5, 3), (c) => {
        const res = run(c);
        expect(check(c, res.routes)).toBe(0);
        expect(res.routes.length).toBe(oracleMinimum(c, c.routes.length));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('budget mode: least damage, then fewest routes, never covering forbidden space', () => {
    fc.assert(
      fc.property(
        tinyCase(4, 5).chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 0, max: Math.max(0, c.routes.length - 1) }))),
        ([c, budget]) => {
          const res = run(c, budget);
          expect(res.routes.length).toBeLessThanOrEqual(budget);
          const damaged = check(c, res.routes);
          expect(res.damage.addresses).toBe(BigInt(damaged) * scale(c.bits));
          const { minDamage } = oracle(c, budget);
          const best = Math.min(...minDamage);
          expect(damaged).toBe(best);
          expect(res.routes.length).toBe(minDamage.indexOf(best));
          const perPrefix = res.damage.prefixes.reduce((s, p) => s + p.addresses, 0n);
          expect(perPrefix).toBe(res.damage.addresses);
        },
      ),
      { numRuns: 1500, seed: 99 },
    );
  });

  it('with a previous table: still minimal, and shares as many routes with it as any minimal table can', () => {
    fc.assert(
      fc.property(
        tinyCase(4, 4).chain((c) => fc.tuple(fc.constant(c), tinyTable(c.bits), fc.boolean())),
        ([c, randomPrev, fromChurn]) => {
          // Either a random previous table, or the table of the same input with one route's target changed.
          let previous: TinyRoute[] = randomPrev;
          if (fromChurn && c.routes.length > 0) {
            const churned = { ...c, routes: c.routes.map((r, i) => (i === 0 ? { ...r, target: r.target === 'a' ? 'b' : 'a' } : r)) };
            previous = run(churned).routes.map((r) => ({ ...fromPrefix(r.prefix, c.bits), target: r.target }));
          }
          const res = run(c, undefined, previous);
          expect(check(c, res.routes)).toBe(0);
          const min = oracleMinimum(c, c.routes.length);
          expect(res.routes.length).toBe(min);
          const prevAt = new Map(previous.map((r) => [`${r.x}/${r.len}`, r.target]));
          const shared = res.routes.filter((r) => {
            const t = fromPrefix(r.prefix, c.bits);
            return prevAt.get(`${t.x}/${t.len}`) === r.target;
          }).length;
          expect(shared).toBe(oracleMaxShared(c, min, previous));
        },
      ),
      { numRuns: 1000, seed: 31337 },
    );
  });
});
