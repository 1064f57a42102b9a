// Measures a placed table against the trie: which announced addresses go to the wrong target or to no route, per
// input prefix, and whether any route covers forbidden space (which would be a bug, so it throws).
import { Bgp2vpcError } from '../base/errors.js';
import { comparePrefixes, type Prefix } from '../net/prefix.js';
import type { PlacedRoute } from './ortc.js';
import { FORBIDDEN, NO_TARGET, type Trie } from './trie.js';
import type { AggRoute, AggregateDamage } from './types.js';

export class AggregateInternalError extends Bgp2vpcError {
  constructor(message: string) {
    super('AGG_INTERNAL', message);
  }
}

export function evaluateTable(trie: Trie, table: readonly PlacedRoute[]): AggregateDamage {
  const n = trie.size;
  const at = new Int32Array(n).fill(NO_TARGET);
  const filler = new Int32Array(2 * n).fill(NO_TARGET);
  for (const r of table) {
    if (r.side < 0) at[r.node] = r.target;
    else filler[2 * r.node + r.side] = r.target;
  }
  const res = new Int32Array(n);
  const perOwner = new Map<number, bigint>();
  const damage = (v: number, region: number, depth: number): void => {
    const f = trie.fill[v] as number;
    if (f < 0) {
      if (f === FORBIDDEN && region !== NO_TARGET) {
        throw new AggregateInternalError(`a route covers forbidden space below node ${v}`);
      }
      return;
    }
    if (region === f) return;
    const o = trie.owner[v] as number;
    perOwner.set(o, (perOwner.get(o) ?? 0n) + (1n << BigInt(trie.bits - depth)));
  };
  for (let v = 0; v < n; v++) {
    const inherited = v === 0 ? NO_TARGET : (res[trie.parent[v] as number] as number);
    const here = (at[v] as number) !== NO_TARGET ? (at[v] as number) : inherited;
    res[v] = here;
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    const d = trie.depth[v] as number;
    if (c0 < 0 && c1 < 0) {
      damage(v, here, d);
      continue;
    }
    for (const side of [0, 1] as const) {
      if ((side === 0 ? c0 : c1) >= 0) continue;
      const fr = filler[2 * v + side] as number;
      damage(v, fr !== NO_TARGET ? fr : here, d + 1);
    }
  }
  let addresses = 0n;
  const prefixes: { prefix: Prefix; target: string; addresses: bigint }[] = [];
  for (const [o, a] of [...perOwner.entries()].sort((x, y) => x[0] - y[0])) {
    addresses += a;
    const r = trie.announced[o] as AggRoute;
    prefixes.push({ prefix: r.prefix, target: r.target, addresses: a });
  }
  prefixes.sort((x, y) => comparePrefixes(x.prefix, y.prefix));
  return { addresses, prefixes };
}
