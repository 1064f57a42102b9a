// From the daemon's chosen next hops to the desired routes of one table and family: resolve next hops to ENIs,
// compute the family's budget (limit − routes we do not own − headroom), and let the aggregator fit the routes
// into it. Pure: the ENI lookup is a synchronous function over the resolver's cache.
import type { AggRoute, AggregateDamage, AggregateInput, AggregateResult } from '../aggregate/types.js';
import { comparePrefixes, makePrefix, prefixContains, prefixesOverlap, type Prefix } from '../net/prefix.js';
import { familyBits, type Family } from '../net/address.js';
import { insideCluster, isOwnedRoute, routeBudget, type Ownership } from './ownership.js';
import type { ActualRoute, DesiredRoute, DesiredTableRoute } from './types.js';

export type AggregateFn = (input: AggregateInput) => AggregateResult;

export interface DesiredTableInput {
  readonly family: Family;
  /** The daemon's routes (all families; this function keeps its own). */
  readonly routes: readonly DesiredRoute[];
  /** Next hop (canonical IP text) → ENI ID, undefined when unresolved. */
  readonly eniOf: (nextHop: string) => string | undefined;
  readonly actual: readonly ActualRoute[];
  readonly ownership: Ownership;
  readonly routeLimit: number;
  readonly headroom: number;
  readonly aggregate: AggregateFn;
}

export interface DesiredTable {
  readonly family: Family;
  readonly routes: readonly DesiredTableRoute[];
  readonly budget: number;
  readonly optimum: number;
  readonly damage: AggregateDamage;
  /** Routes whose next hop has no ENI (yet); an owned route at exactly their prefix is kept as it is. */
  readonly unresolved: readonly DesiredRoute[];
  /** Routes outside every cluster CIDR: never written. */
  readonly outsideCluster: readonly Prefix[];
}

const NO_DAMAGE: AggregateDamage = { addresses: 0n, prefixes: [] };

export function desiredTable(i: DesiredTableInput): DesiredTable {
  const own = i.ownership;
  const cluster = own.clusterCidrs.filter((c) => c.family === i.family);
  const budget = routeBudget(own, i.actual, i.family, i.routeLimit, i.headroom);

  const ownedByPrefix = new Map<string, ActualRoute>();
  const previous: AggRoute[] = [];
  for (const r of i.actual) {
    if (r.destination?.family !== i.family || !isOwnedRoute(own, r) || r.target.kind !== 'eni') continue;
    ownedByPrefix.set(`${r.destination.addr}/${r.destination.len}`, r);
    previous.push({ prefix: r.destination, target: r.target.networkInterfaceId });
  }

  const input: AggRoute[] = [];
  const failovers: AggRoute[] = [];
  const unresolved: DesiredRoute[] = [];
  const outsideCluster: Prefix[] = [];
  const byPrefix = new Map<string, DesiredRoute>(); // one next hop per prefix: the last one given wins
  for (const d of i.routes) if (d.prefix.family === i.family) byPrefix.set(`${d.prefix.addr}/${d.prefix.len}`, d);
  for (const d of byPrefix.values()) {
    if (!insideCluster(own, d.prefix)) {
      outsideCluster.push(d.prefix);
      continue;
    }
    let target = i.eniOf(d.nextHop);
    if (target === undefined) {
      unresolved.push(d);
      const kept = ownedByPrefix.get(`${d.prefix.addr}/${d.prefix.len}`);
      if (kept?.target.kind !== 'eni') continue;
      target = kept.target.networkInterfaceId; // keep the last route until the route spec decides otherwise
    }
    const r = { prefix: d.prefix, target };
    input.push(r);
    if (d.failover) failovers.push(r);
  }

  const res: AggregateResult =
    input.length === 0
      ? { family: i.family, routes: [], optimum: 0, damage: NO_DAMAGE }
      : i.aggregate({ family: i.family, routes: input, cluster, budget, previous });

  const routes = avoidForeignDestinations(res.routes, input, i).map((r): DesiredTableRoute => ({
    prefix: r.prefix,
    networkInterfaceId: r.target,
    // An output route carries a failover when it now sends some failed-over prefix's space to its new target.
    failover: failovers.some((f) => f.target === r.target && (prefixContains(r.prefix, f.prefix) || prefixesOverlap(r.prefix, f.prefix))),
  }));
  return { family: i.family, routes, budget, optimum: res.optimum, damage: res.damage, unresolved, outsideCluster };
}

/**
 * An aggregate whose destination happens to equal a foreign route's (say two announced /25s merged into the /24
 * a NAT route holds) could never be created, and its space would be lost. Such an aggregate is split into its
 * two halves, which route exactly the same addresses. A route announced as exactly that prefix is left as it is:
 * the planner reports it as a conflict rather than overriding the foreign route with more specific halves.
 */
function avoidForeignDestinations(routes: readonly AggRoute[], input: readonly AggRoute[], i: DesiredTableInput): AggRoute[] {
  const key = (p: Prefix): string => `${p.addr}/${p.len}`;
  const foreign = new Set<string>();
  for (const r of i.actual) if (r.destination?.family === i.family && !isOwnedRoute(i.ownership, r)) foreign.add(key(r.destination));
  if (foreign.size === 0) return [...routes];
  const announced = new Set(input.map((r) => key(r.prefix)));
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
