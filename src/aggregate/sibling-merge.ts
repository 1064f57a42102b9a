// Baseline for comparison (benchmarks and tests): classic sibling merging as route daemons and CIDR tools do it.
// Two sibling prefixes with the same target become their parent (unless the parent is itself a route with another
// target), and a route whose nearest covering route has the same target is dropped. Repeated to a fixed point.
// It never covers space no input covered, so it needs no cluster CIDRs, and it is not minimal.
import { familyBits } from '../net/address.js';
import { type Prefix } from '../net/prefix.js';
import type { AggRoute } from './types.js';

const key = (addr: bigint, len: number): string => `${addr}/${len}`;

export function siblingMerge(routes: readonly AggRoute[]): AggRoute[] {
  if (routes.length === 0) return [];
  const family = (routes[0] as AggRoute).prefix.family;
  const bits = familyBits(family);
  const table = new Map<string, { prefix: Prefix; target: string }>();
  for (const r of routes) table.set(key(r.prefix.addr, r.prefix.len), { prefix: r.prefix, target: r.target });

  const coveringTarget = (p: Prefix): string | undefined => {
    for (let len = p.len - 1; len >= 0; len--) {
      const mask = ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
      const hit = table.get(key(p.addr & mask, len));
      if (hit) return hit.target;
    }
    return undefined;
  };

  let changed = true;
  while (changed) {
    changed = false;
    const byLen = [...table.values()].sort((a, b) => b.prefix.len - a.prefix.len);
    for (const r of byLen) {
      const k = key(r.prefix.addr, r.prefix.len);
      if (table.get(k) !== r) continue;
      if (coveringTarget(r.prefix) === r.target) {
        table.delete(k);
        changed = true;
        continue;
      }
      if (r.prefix.len === 0) continue;
      const bit = 1n << BigInt(bits - r.prefix.len);
      const sib = table.get(key(r.prefix.addr ^ bit, r.prefix.len));
      if (!sib || sib.target !== r.target) continue;
      const parentAddr = r.prefix.addr & ~bit;
      const parentKey = key(parentAddr, r.prefix.len - 1);
      const parent = table.get(parentKey);
      if (parent && parent.target !== r.target) continue;
      table.delete(k);
      table.delete(key(sib.prefix.addr, sib.prefix.len));
      table.set(parentKey, { prefix: { family, addr: parentAddr, len: r.prefix.len - 1 }, target: r.target });
      changed = true;
    }
  }
  return [...table.values()];
}
