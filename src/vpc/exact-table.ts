// The trivial "aggregator": one route per announced prefix, no merging. Used by tests that want to see the
// announced prefixes verbatim in the table, and as the fallback when no aggregator is injected. Over budget it
// keeps the shortest prefixes (most addresses) and reports the dropped ones as damage.
import type { AggRoute, AggregateInput, AggregateResult } from '../aggregate/types.js';
import { comparePrefixes, formatPrefix, prefixSize } from '../net/prefix.js';

export function exactTable(input: AggregateInput): AggregateResult {
  const byKey = new Map<string, AggRoute>();
  for (const r of input.routes) if (r.prefix.family === input.family) byKey.set(formatPrefix(r.prefix), r);
  const all = [...byKey.values()];
  const budget = input.budget ?? Infinity;
  let kept = all;
  let dropped: AggRoute[] = [];
  if (all.length > budget) {
    const bySize = [...all].sort((a, b) => a.prefix.len - b.prefix.len || comparePrefixes(a.prefix, b.prefix));
    kept = bySize.slice(0, Math.max(0, budget));
    dropped = bySize.slice(Math.max(0, budget));
  }
  kept = [...kept].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  const prefixes = dropped.map((r) => ({ prefix: r.prefix, target: r.target, addresses: prefixSize(r.prefix) }));
  return {
    family: input.family,
    routes: kept,
    optimum: all.length,
    damage: { addresses: prefixes.reduce((s, p) => s + p.addresses, 0n), prefixes },
  };
}
