// Random tiny cases and tables for the brute-force tests (oracle.test.ts, spare.test.ts), the aggregator run on
// them, and an address-by-address check of its table.
import fc from 'fast-check';
import { expect } from 'vitest';
import { aggregate } from '../../src/aggregate/aggregate.js';
import type { AggRoute } from '../../src/aggregate/types.js';
import { DC, FORBID, fromPrefix, lookup, requirements, toPrefix, type TinyCase, type TinyRoute } from './tiny-space.js';

export const tinyCase = (maxBits: number, maxRoutes: number): fc.Arbitrary<TinyCase> =>
  fc.integer({ min: 2, max: maxBits }).chain((bits) => {
    const prefix = fc
      .integer({ min: 0, max: bits })
      .chain((len) => fc.record({ x: fc.integer({ min: 0, max: (1 << len) - 1 }), len: fc.constant(len) }));
    return fc.record({
      bits: fc.constant(bits),
      routes: fc
        .uniqueArray(fc.record({ p: prefix, target: fc.constantFrom('a', 'b', 'c') }), {
          maxLength: maxRoutes,
          selector: (r) => `${r.p.x}/${r.p.len}`,
        })
        .map((rs) => rs.map((r): TinyRoute => ({ x: r.p.x, len: r.p.len, target: r.target }))),
      cluster: fc.array(prefix, { maxLength: 2 }),
    });
  });

export function run(c: TinyCase, budget?: number, previous?: readonly TinyRoute[], spare?: number) {
  return aggregate({
    family: 'ipv4',
    routes: c.routes.map((r) => ({ prefix: toPrefix(r, c.bits), target: r.target })),
    cluster: c.cluster.map((p) => toPrefix(p, c.bits)),
    ...(budget !== undefined ? { budget } : {}),
    ...(previous !== undefined ? { previous: previous.map((r) => ({ prefix: toPrefix(r, c.bits), target: r.target })) } : {}),
    ...(spare !== undefined ? { spare } : {}),
  });
}

/** Checks the table address by address; returns the damaged address count (in tiny addresses). */
export function check(c: TinyCase, routes: readonly AggRoute[]): number {
  const table = routes.map((r) => ({ ...fromPrefix(r.prefix, c.bits), target: r.target }));
  expect(new Set(table.map((r) => `${r.x}/${r.len}`)).size).toBe(table.length);
  const req = requirements(c);
  let damaged = 0;
  for (let a = 0; a < 1 << c.bits; a++) {
    const got = lookup(table, a, c.bits);
    const need = req[a] as string;
    if (need === FORBID) expect(got, `address ${a} is outside the cluster`).toBeUndefined();
    else if (need !== DC && got !== need) damaged++;
  }
  return damaged;
}

/** A random previous table: up to 5 routes, targets a–c and z (a target no input uses). */
export const tinyTable = (bits: number): fc.Arbitrary<TinyRoute[]> =>
  fc.uniqueArray(
    fc.integer({ min: 0, max: bits }).chain((len) =>
      fc.record({
        x: fc.integer({ min: 0, max: (1 << len) - 1 }),
        len: fc.constant(len),
        target: fc.constantFrom('a', 'b', 'c', 'z'),
      }),
    ),
    { maxLength: 5, selector: (r) => `${r.x}/${r.len}` },
  );
