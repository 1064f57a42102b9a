// The aggregator: the minimal exact table when it fits the budget, else the least-damage table of at most
// `budget` routes. Pure, synchronous and deterministic. See DESIGN.md "Aggregation".
import { comparePrefixes, type Family, type Prefix } from '../rib/prefix.js';
import { evaluateTable } from './evaluate.js';
import { leastDamageTable } from './least-damage.js';
import { ortcSets, ortcTable, type PlacedRoute } from './ortc.js';
import { AggregateInputError, buildTrie, nodePrefix, type Trie } from './trie.js';
import type { AggregateInput, AggregateResult, AggRoute } from './types.js';

function toRoutes(trie: Trie, placed: readonly PlacedRoute[]): AggRoute[] {
  const out = placed.map((r) => ({ prefix: nodePrefix(trie, r.node, r.side), target: trie.targets[r.target] as string }));
  out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  return out;
}

function checkBudget(budget: number | undefined): void {
  if (budget === undefined) return;
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new AggregateInputError('AGG_BAD_BUDGET', `route budget must be a non-negative integer, got ${budget}`);
  }
}

export function aggregate(input: AggregateInput): AggregateResult {
  checkBudget(input.budget);
  const trie = buildTrie(input);
  const sets = ortcSets(trie);
  const budget = input.budget;
  if (budget === undefined || sets.optimum <= budget) {
    const placed = ortcTable(trie, sets);
    // The exact table never damages anything; evaluating it anyway guards the invariant cheaply.
    const damage = evaluateTable(trie, placed);
    if (damage.addresses !== 0n) throw new Error('internal: the exact table damages announced addresses');
    return { family: input.family, routes: toRoutes(trie, placed), optimum: sets.optimum, damage };
  }
  const placed = leastDamageTable(trie, sets, budget);
  return {
    family: input.family,
    routes: toRoutes(trie, placed),
    optimum: sets.optimum,
    damage: evaluateTable(trie, placed),
  };
}

export interface AggregateAllOptions {
  readonly ipv4Budget?: number | undefined;
  readonly ipv6Budget?: number | undefined;
  readonly previous?: readonly AggRoute[] | undefined;
}

/** Both families in one call, each with its own budget. Results: IPv4 first, then IPv6. */
export function aggregateAll(
  routes: readonly AggRoute[],
  cluster: readonly Prefix[],
  opts: AggregateAllOptions = {},
): { readonly ipv4: AggregateResult; readonly ipv6: AggregateResult } {
  const run = (family: Family, budget: number | undefined): AggregateResult => {
    const previous = opts.previous?.filter((r) => r.prefix.family === family);
    return aggregate({
      family,
      routes: routes.filter((r) => r.prefix.family === family),
      cluster: cluster.filter((c) => c.family === family),
      ...(budget !== undefined ? { budget } : {}),
      ...(previous !== undefined ? { previous } : {}),
    });
  };
  return { ipv4: run('ipv4', opts.ipv4Budget), ipv6: run('ipv6', opts.ipv6Budget) };
}
