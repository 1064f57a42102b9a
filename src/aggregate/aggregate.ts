// The aggregator: the minimal exact table when it fits the budget (or, given spare routes, the installed table
// mended, when that saves writes), else the least-damage table of at most
// `budget` routes. Pure, synchronous and deterministic. See DESIGN.md "Aggregation".
import type { Family } from '../net/address.js';
import type { Prefix } from '../net/prefix.js';
import { evaluateTable } from './evaluate.js';
import { leastDamageTable } from './least-damage.js';
import { ortcSets, ortcTable, type PlacedRoute } from './ortc.js';
import { ortcTableClosestTo } from './previous-match.js';
import { repairPrevious } from './repair.js';
import { AggregateInputError, NO_TARGET, buildTrie, nodePrefix, type Trie } from './trie.js';
import type { AggregateInput, AggregateResult, AggRoute } from './types.js';

/** The placed routes as prefixes, sorted by address then length (a pre-order walk of the trie gives that order). */
function toRoutes(trie: Trie, placed: readonly PlacedRoute[]): AggRoute[] {
  // slot[3v]: route on v; slot[3v+1], slot[3v+2]: routes on v's missing children.
  const slot = new Int32Array(3 * trie.size).fill(NO_TARGET);
  for (const r of placed) slot[3 * r.node + r.side + 1] = r.target;
  const out: AggRoute[] = [];
  const emit = (v: number, side: -1 | 0 | 1): void => {
    const t = slot[3 * v + side + 1] as number;
    if (t !== NO_TARGET) out.push({ prefix: nodePrefix(trie, v, side), target: trie.targets[t] as string });
  };
  const stack = [0];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    emit(v, -1);
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    if (c0 < 0) emit(v, 0);
    if (c1 < 0) {
      // The right filler comes after the whole left subtree: emit it when the walk gets there.
      if (c0 >= 0) stack.push(~v);
      else emit(v, 1);
    } else stack.push(c1);
    if (c0 >= 0) stack.push(c0);
    while (stack.length > 0 && (stack[stack.length - 1] as number) < 0) emit(~(stack.pop() as number), 1);
  }
  return out;
}

const NO_DAMAGE = { addresses: 0n, prefixes: [] } as const;

function checkBudget(budget: number | undefined): void {
  if (budget === undefined) return;
  if (!Number.isSafeInteger(budget) || budget < 0) {
    throw new AggregateInputError('AGG_BAD_BUDGET', `route budget must be a non-negative integer, got ${budget}`);
  }
}

const routeKey = (r: AggRoute): string => `${r.prefix.addr}/${r.prefix.len}`;

/** EC2 writes to go from `previous` to `next`: one per created, re-targeted or deleted route. */
export function writesBetween(previous: readonly AggRoute[], next: readonly AggRoute[]): number {
  const before = new Map(previous.map((r) => [routeKey(r), r.target]));
  let writes = 0;
  for (const r of next) {
    const k = routeKey(r);
    if (before.get(k) !== r.target) writes++;
    before.delete(k);
  }
  return writes + before.size;
}

/** The minimal exact table, or (with spare routes) the mended previous table when that costs fewer writes. */
function exactTableFor(input: AggregateInput, trie: Trie, sets: ReturnType<typeof ortcSets>): AggRoute[] {
  const previous = input.previous ?? [];
  if (previous.length === 0) return toRoutes(trie, ortcTable(trie, sets));
  const closest = ortcTableClosestTo(trie, sets);
  const minimal = toRoutes(trie, closest);
  const spare = input.spare ?? 0;
  if (spare <= 0) return minimal;
  const mended = repairPrevious(trie, closest);
  const limit = Math.min(input.budget ?? Infinity, sets.optimum + spare);
  if (mended.length > limit) return minimal;
  // Exact by construction; checked anyway (O(trie)), and the minimal table wins on any doubt.
  if (evaluateTable(trie, mended).addresses !== 0n) return minimal;
  const routes = toRoutes(trie, mended);
  return writesBetween(previous, routes) < writesBetween(previous, minimal) ? routes : minimal;
}

export function aggregate(input: AggregateInput): AggregateResult {
  checkBudget(input.budget);
  const trie = buildTrie(input);
  const sets = ortcSets(trie);
  const budget = input.budget;
  if (budget === undefined || sets.optimum <= budget) {
    // The exact table damages nothing (the oracle and interval-checker tests hold it to that).
    return { family: input.family, routes: exactTableFor(input, trie, sets), optimum: sets.optimum, damage: NO_DAMAGE };
  }
  const placed = leastDamageTable(trie, budget);
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
