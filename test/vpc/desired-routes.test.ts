// DesiredRoutes and its prefix trie: exact contents after any sequence of changes (against a Map), a trie shape
// that depends only on the contents (incremental = built from scratch), and uniform summaries that are exact:
// collapsing every uniform subtree into one route forwards every address exactly as the routes do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, makePrefix, parsePrefix, prefixContains, type Prefix } from '../../src/net/prefix.js';
import type { Family } from '../../src/net/address.js';
import { DesiredRoutes, nodePrefix } from '../../src/vpc/desired-routes.js';
import { NONE } from '../../src/vpc/prefix-trie.js';

const P = parsePrefix;
const HOPS = ['10.0.1.1', '10.0.1.2', '10.0.1.3'];

/** Every node as the walk sees it, in walk order (prefix, route hop, uniform hop, failover flags). */
function shape(d: DesiredRoutes, family: Family): string[] {
  const t = d.trie(family);
  const out: string[] = [];
  t.walk((n) => {
    const text = (id: number): string => (id === NONE ? '-' : d.nextHopText(id));
    out.push(`${formatPrefix(nodePrefix(t, family, n.node))} ${text(n.hop)} u=${text(n.uniform)} f=${+n.failover}${+n.failoverBelow}`);
    return true;
  });
  return out;
}

/** Longest match of `addr` among (prefix, hop) pairs. */
function lookup(routes: readonly (readonly [Prefix, string])[], family: Family, addr: bigint): string | undefined {
  let best: [Prefix, string] | undefined;
  for (const [p, h] of routes) {
    if (prefixContains(p, makePrefix(family, addr, family === 'ipv4' ? 32 : 128)) && (!best || p.len > best[0].len)) best = [p, h];
  }
  return best?.[1];
}

/** The routes with every uniform subtree collapsed into its top node. */
function collapsed(d: DesiredRoutes, family: Family): [Prefix, string][] {
  const t = d.trie(family);
  const out: [Prefix, string][] = [];
  t.walk((n) => {
    if (n.uniform !== NONE) {
      out.push([nodePrefix(t, family, n.node), d.nextHopText(n.uniform)]);
      return false;
    }
    if (n.hop !== NONE) out.push([nodePrefix(t, family, n.node), d.nextHopText(n.hop)]);
    return true;
  });
  return out;
}

describe('DesiredRoutes', () => {
  it('applies change batches, counts next hops, and replaces the whole set by difference', () => {
    const d = new DesiredRoutes();
    d.apply([
      { prefix: P('10.200.0.0/24'), to: '10.0.1.1', failover: false },
      { prefix: P('10.200.1.0/24'), to: '10.0.1.1', failover: true },
      { prefix: P('fd00:200::/64'), to: '10.0.1.2', failover: false },
    ]);
    expect(d.size).toBe(3);
    expect(d.nextHops()).toEqual(['10.0.1.1', '10.0.1.2']);
    expect(d.get(P('10.200.1.0/24'))).toEqual({ nextHop: '10.0.1.1', failover: true });
    const v = d.version;
    d.apply([{ prefix: P('10.200.1.0/24'), to: '10.0.1.1', failover: true }]); // no change
    expect(d.version).toBe(v);
    d.apply([{ prefix: P('fd00:200::/64'), to: undefined, failover: false }]);
    expect(d.nextHops()).toEqual(['10.0.1.1']);
    d.replace([{ prefix: P('10.200.0.0/24'), nextHop: '10.0.1.3' }]);
    expect(d.list()).toEqual([{ prefix: P('10.200.0.0/24'), nextHop: '10.0.1.3', failover: false }]);
    expect(d.nextHops()).toEqual(['10.0.1.3']);
  });

  it('a subtree is uniform only when every address in it goes to one next hop', () => {
    const d = DesiredRoutes.of([
      { prefix: P('10.0.0.0/25'), nextHop: '10.0.1.1' },
      { prefix: P('10.0.0.128/25'), nextHop: '10.0.1.1' },
      { prefix: P('10.0.1.0/25'), nextHop: '10.0.1.1' }, // its sibling half is not covered
      { prefix: P('10.0.2.0/24'), nextHop: '10.0.1.2' },
      { prefix: P('10.0.2.7/32'), nextHop: '10.0.1.2', failover: true },
    ]);
    expect(shape(d, 'ipv4')).toEqual([
      '0.0.0.0/0 - u=- f=01',
      '10.0.0.0/22 - u=- f=01',
      '10.0.0.0/23 - u=- f=00',
      '10.0.0.0/24 - u=10.0.1.1 f=00',
      '10.0.0.0/25 10.0.1.1 u=10.0.1.1 f=00',
      '10.0.0.128/25 10.0.1.1 u=10.0.1.1 f=00',
      '10.0.1.0/25 10.0.1.1 u=10.0.1.1 f=00',
      '10.0.2.0/24 10.0.1.2 u=10.0.1.2 f=01',
      '10.0.2.7/32 10.0.1.2 u=10.0.1.2 f=11',
    ]);
  });

  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`after any changes: the contents of a Map, the shape of a fresh build, exact collapsing (${family})`, () => {
      // A 6-bit address space at the top of a /58 (IPv6) or /26 (IPv4): every address can be checked.
      const bits = family === 'ipv4' ? 32 : 128;
      const base = family === 'ipv4' ? P('10.9.8.0/26') : P('fd00:1:2:3::/122');
      const prefixArb = fc
        .integer({ min: 0, max: 6 })
        .chain((l) =>
          fc
            .integer({ min: 0, max: (1 << l) - 1 })
            .map((i) => makePrefix(family, base.addr + (BigInt(i) << BigInt(bits - base.len - l)), base.len + l)),
        );
      const opArb = fc.record({ prefix: prefixArb, hop: fc.integer({ min: -1, max: 2 }), failover: fc.boolean() });
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
          const d = new DesiredRoutes();
          const model = new Map<string, { prefix: Prefix; hop: string; failover: boolean }>();
          for (const o of ops) {
            const key = formatPrefix(o.prefix);
            if (o.hop < 0) {
              d.apply([{ prefix: o.prefix, to: undefined, failover: false }]);
              model.delete(key);
            } else {
              d.apply([{ prefix: o.prefix, to: HOPS[o.hop], failover: o.failover }]);
              model.set(key, { prefix: o.prefix, hop: HOPS[o.hop] as string, failover: o.failover });
            }
          }
          const want = [...model.values()]
            .sort((a, b) => (a.prefix.addr < b.prefix.addr ? -1 : a.prefix.addr > b.prefix.addr ? 1 : a.prefix.len - b.prefix.len))
            .map((r) => ({ prefix: r.prefix, nextHop: r.hop, failover: r.failover }));
          expect(d.list()).toEqual(want);
          expect(d.size).toBe(model.size);
          expect(d.nextHops().sort()).toEqual([...new Set(want.map((r) => r.nextHop))].sort());
          expect(shape(d, family)).toEqual(shape(DesiredRoutes.of(want), family));
          const routes = want.map((r) => [r.prefix, r.nextHop] as const);
          const coll = collapsed(d, family);
          for (let a = 0n; a < 64n; a++) {
            const addr = base.addr + a;
            expect(lookup(coll, family, addr)).toBe(lookup(routes, family, addr));
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
