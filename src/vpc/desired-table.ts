// From the daemon's chosen next hops to the desired routes of one table and family: resolve next hops to ENIs,
// compute the family's budget (limit − routes we do not own − headroom), and let the aggregator fit the routes
// into it. Pure: the ENI lookup is a synchronous function over the resolver's cache. The cost is the number of
// routes handed to the aggregator: with `collapse`, subtrees of one ENI count once (see DesiredRoutes).
import type { AggRoute, AggregateDamage, AggregateInput, AggregateResult } from '../aggregate/types.js';
import { comparePrefixes, makePrefix, prefixContains, type Prefix } from '../net/prefix.js';
import { familyBits, type Family } from '../net/address.js';
import { insideCluster, isOwnedRoute, routeBudget, type Ownership } from './ownership.js';
import type { ActualRoute, DesiredTableRoute } from './types.js';
import { nodePrefix, type DesiredRoutes } from './desired-routes.js';
import { NONE } from './prefix-trie.js';

export type AggregateFn = (input: AggregateInput) => AggregateResult;

export interface DesiredTableInput {
  readonly family: Family;
  /** The daemon's routes (all families; this function reads its own). */
  readonly routes: DesiredRoutes;
  /** Next hop (canonical IP text) → ENI ID, undefined when unresolved. */
  readonly eniOf: (nextHop: string) => string | undefined;
  readonly actual: readonly ActualRoute[];
  readonly ownership: Ownership;
  readonly routeLimit: number;
  readonly headroom: number;
  /** Routes the table may carry above the minimum to save writes (AggregateInput.spare). */
  readonly spareRoutes: number;
  readonly aggregate: AggregateFn;
  /**
   * Hand the aggregator one route for every subtree whose routes send all of its addresses to one ENI, instead of
   * each route (exact for the minimal and least-damage tables, which depend only on where each address goes; a
   * million /32s of one host become a handful). Off for a one-route-per-prefix table.
   */
  readonly collapse: boolean;
}

export interface DesiredTable {
  readonly family: Family;
  readonly routes: readonly DesiredTableRoute[];
  readonly budget: number;
  readonly optimum: number;
  readonly damage: AggregateDamage;
  /** Next hops without an ENI (yet); an owned route at exactly the prefix of one of their routes is kept as it is. */
  readonly unresolvedNextHops: readonly string[];
  /** Routes outside every cluster CIDR: never written. */
  readonly outsideCluster: readonly Prefix[];
  /** Routes handed to the aggregator (after collapsing). */
  readonly inputRoutes: number;
}

const NO_DAMAGE: AggregateDamage = { addresses: 0n, prefixes: [] };
const keyOf = (p: Prefix): string => `${p.addr}/${p.len}`;

/** Everything a desired table needs besides the aggregator's answer (see prepareDesiredTable). */
export interface PreparedTable {
  readonly family: Family;
  /** What to hand the aggregator; undefined when there is nothing to aggregate. */
  readonly input: AggregateInput | undefined;
  readonly budget: number;
  readonly failovers: readonly AggRoute[];
  readonly announced: ReadonlySet<string>;
  readonly unresolvedNextHops: readonly string[];
  readonly outsideCluster: readonly Prefix[];
}

/** The desired table, the aggregator run in this thread (tests; small tables). */
export function desiredTable(i: DesiredTableInput): DesiredTable {
  const p = prepareDesiredTable(i);
  return finishDesiredTable(p, p.input ? i.aggregate(p.input) : emptyResult(p.family), i);
}

export function emptyResult(family: Family): AggregateResult {
  return { family, routes: [], optimum: 0, damage: NO_DAMAGE };
}

/** Step 1: resolve, budget and collapse into the aggregator's input (cheap: the size of the collapsed input). */
export function prepareDesiredTable(i: DesiredTableInput): PreparedTable {
  const own = i.ownership;
  const family = i.family;
  const cluster = own.clusterCidrs.filter((c) => c.family === family);
  const budget = routeBudget(own, i.actual, family, i.routeLimit, i.headroom);

  const owned: { prefix: Prefix; eni: string }[] = [];
  const previous: AggRoute[] = [];
  for (const r of i.actual) {
    if (r.destination?.family !== family || !isOwnedRoute(own, r) || r.target.kind !== 'eni') continue;
    owned.push({ prefix: r.destination, eni: r.target.networkInterfaceId });
    previous.push({ prefix: r.destination, target: r.target.networkInterfaceId });
  }

  // ENI per next-hop id, looked up once per call.
  const store = i.routes;
  const enis: (string | undefined)[] = [];
  for (let id = 0; id < store.hopIdLimit; id++) {
    const text = store.nextHopText(id);
    enis.push(text === '' ? undefined : i.eniOf(text));
  }

  const input: AggRoute[] = [];
  const failovers: AggRoute[] = [];
  const announced = new Set<string>();
  const unresolved = new Set<number>();
  const outsideCluster: Prefix[] = [];
  const add = (prefix: Prefix, target: string, failover: boolean, exact: boolean): void => {
    const r = { prefix, target };
    input.push(r);
    if (failover) failovers.push(r);
    if (exact) announced.add(keyOf(prefix));
  };
  const t = store.trie(family);
  t.walk((n) => {
    let p: Prefix | undefined;
    if (i.collapse && n.uniform !== NONE) {
      p = nodePrefix(t, family, n.node);
      if (insideCluster(own, p)) {
        const eni = enis[n.uniform];
        // An unresolved subtree adds nothing here: its kept routes are found from the owned routes below.
        if (eni === undefined) unresolved.add(n.uniform);
        else add(p, eni, n.failoverBelow, n.hop !== NONE);
        return false;
      }
    }
    if (n.hop === NONE) return true;
    p ??= nodePrefix(t, family, n.node);
    if (!insideCluster(own, p)) outsideCluster.push(p);
    else {
      const eni = enis[n.hop];
      if (eni === undefined) unresolved.add(n.hop);
      else add(p, eni, n.failover, true);
    }
    return true;
  });
  // A route whose next hop has no ENI keeps the owned route at exactly its prefix until the route spec decides
  // otherwise (a restart must not delete it while the lookup is pending).
  for (const o of owned) {
    const key = store.key(o.prefix);
    const id = t.get(key, o.prefix.len);
    if (id !== NONE && enis[id] === undefined) add(o.prefix, o.eni, t.failoverOf(key, o.prefix.len), true);
  }

  return {
    family,
    input: input.length === 0 ? undefined : { family, routes: input, cluster, budget, previous, spare: i.spareRoutes },
    budget,
    failovers,
    announced,
    unresolvedNextHops: [...unresolved].map((id) => store.nextHopText(id)).sort(),
    outsideCluster,
  };
}

/** Step 2: the aggregator's answer (from this thread or a worker) made into the table's desired routes. */
export function finishDesiredTable(
  p: PreparedTable,
  res: AggregateResult,
  i: Pick<DesiredTableInput, 'actual' | 'ownership' | 'family'>,
): DesiredTable {
  const out = avoidForeignDestinations(res.routes, p.announced, i);
  const carries = failoverCarriers(out, p.failovers);
  const routes = out.map((r, k): DesiredTableRoute => ({
    prefix: r.prefix,
    networkInterfaceId: r.target,
    // An output route carries a failover when it now sends some failed-over prefix's space to its new target.
    failover: carries[k] as boolean,
  }));
  return {
    family: p.family,
    routes,
    budget: p.budget,
    optimum: res.optimum,
    damage: res.damage,
    unresolvedNextHops: p.unresolvedNextHops,
    outsideCluster: p.outsideCluster,
    inputRoutes: p.input?.routes.length ?? 0,
  };
}

/**
 * For each output route: does it overlap a failed-over input route with the same target? Failovers are grouped by
 * target and sorted by address, so each output route costs a binary search (inputs inside it) and one set lookup
 * per prefix length in use (inputs covering it).
 */
function failoverCarriers(routes: readonly AggRoute[], failovers: readonly AggRoute[]): boolean[] {
  if (failovers.length === 0) return routes.map(() => false);
  const byTarget = new Map<string, AggRoute[]>();
  const covering = new Set<string>();
  const lens = new Set<number>();
  for (const f of failovers) {
    let list = byTarget.get(f.target);
    if (!list) byTarget.set(f.target, (list = []));
    list.push(f);
    covering.add(`${f.target} ${keyOf(f.prefix)}`);
    lens.add(f.prefix.len);
  }
  // By address, the longest first at one address: the first failover at or after r's address is inside r if any is.
  const order = (a: AggRoute, b: AggRoute): number =>
    a.prefix.addr < b.prefix.addr ? -1 : a.prefix.addr > b.prefix.addr ? 1 : b.prefix.len - a.prefix.len;
  for (const list of byTarget.values()) list.sort(order);
  return routes.map((r) => {
    const list = byTarget.get(r.target);
    if (!list) return false;
    // A failover inside r: the first one at or after r's address starts before r's end.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as AggRoute).prefix.addr < r.prefix.addr) lo = mid + 1;
      else hi = mid;
    }
    const next = list[lo];
    if (next && prefixContains(r.prefix, next.prefix)) return true;
    // A failover covering r: r's address cut to each failover length.
    for (const len of lens) {
      if (len > r.prefix.len) continue;
      if (covering.has(`${r.target} ${keyOf(makePrefix(r.prefix.family, r.prefix.addr, len))}`)) return true;
    }
    return false;
  });
}

/**
 * An aggregate whose destination happens to equal a foreign route's (say two announced /25s merged into the /24
 * a NAT route holds) could never be created, and its space would be lost. Such an aggregate is split into its
 * two halves, which route exactly the same addresses. A route announced as exactly that prefix is left as it is:
 * the planner reports it as a conflict rather than overriding the foreign route with more specific halves.
 */
function avoidForeignDestinations(
  routes: readonly AggRoute[],
  announced: ReadonlySet<string>,
  i: Pick<DesiredTableInput, 'actual' | 'ownership' | 'family'>,
): AggRoute[] {
  const key = keyOf;
  const foreign = new Set<string>();
  for (const r of i.actual) if (r.destination?.family === i.family && !isOwnedRoute(i.ownership, r)) foreign.add(key(r.destination));
  if (foreign.size === 0) return [...routes];
  const bits = familyBits(i.family);
  const out: AggRoute[] = [];
  const todo = [...routes];
  for (let guard = 0; todo.length > 0 && guard < 10_000; guard++) {
    const r = todo.pop() as AggRoute;
    const k = key(r.prefix);
    if (!foreign.has(k) || announced.has(k) || r.prefix.len >= bits) {
      out.push(r);
      continue;
    }
    const len = r.prefix.len + 1;
    const half = 1n << BigInt(bits - len);
    todo.push({ prefix: makePrefix(i.family, r.prefix.addr, len), target: r.target });
    todo.push({ prefix: makePrefix(i.family, r.prefix.addr + half, len), target: r.target });
  }
  out.push(...todo);
  return out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}
