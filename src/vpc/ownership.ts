// Ownership: which routes bgp2vpc may ever change, and whether a route table is ours to write.
//
// A route is ours iff (1) its destination is a CIDR inside one of the cluster CIDRs, (2) its target is an ENI
// or an instance, and (3) it was created by CreateRoute (not propagated, not the table's own `local` route).
// `local`, IGW, NAT, TGW, peering, endpoint and gateway routes are never ours, whatever their destination, and
// a route to an ENI outside the cluster CIDRs belongs to someone else too. Pure functions, no I/O.
import { prefixContains, type Prefix } from '../net/prefix.js';
import { type Family } from '../net/address.js';
import type { ActualRoute } from './types.js';

export const CLAIM_TAG = 'bgp2vpc:cluster';

export interface Ownership {
  readonly clusterCidrs: readonly Prefix[];
}

export function insideCluster(own: Ownership, p: Prefix): boolean {
  return own.clusterCidrs.some((c) => prefixContains(c, p));
}

export function isOwnedRoute(own: Ownership, r: ActualRoute): boolean {
  if (r.destination === undefined) return false;
  if (r.origin === 'EnableVgwRoutePropagation' || r.origin === 'CreateRouteTable') return false;
  if (r.target.kind !== 'eni' && r.target.kind !== 'instance') return false;
  return insideCluster(own, r.destination);
}

/** The ENI or instance ID an active route of ours targets; undefined for any other route. */
export function activeOwnedTarget(own: Ownership, r: ActualRoute): string | undefined {
  if (r.state !== 'active' || !isOwnedRoute(own, r)) return undefined;
  return r.target.kind === 'eni' ? r.target.networkInterfaceId : r.target.kind === 'instance' ? r.target.instanceId : undefined;
}

/** The ENIs and instances that active routes of ours target (each once). */
export function installedTargets(own: Ownership, routes: Iterable<ActualRoute>): { enis: string[]; instances: string[] } {
  const enis = new Set<string>();
  const instances = new Set<string>();
  for (const r of routes) {
    const id = activeOwnedTarget(own, r);
    if (id !== undefined) (r.target.kind === 'eni' ? enis : instances).add(id);
  }
  return { enis: [...enis], instances: [...instances] };
}

/**
 * Routes that count against the table's quota (per family): neither propagated routes (the quota is on
 * "non-propagated routes") nor the table's own `local` routes count, as in the emulator (src/sim/ec2).
 */
export function countsAgainstLimit(r: ActualRoute): boolean {
  return r.origin !== 'EnableVgwRoutePropagation' && r.origin !== 'CreateRouteTable' && r.target.kind !== 'local';
}

export type ClaimState = { readonly kind: 'ours' } | { readonly kind: 'unclaimed' } | { readonly kind: 'foreign'; readonly owner: string };

/** Reads the claim tag of a table. */
export function claimState(tags: Readonly<Record<string, string>>, clusterName: string): ClaimState {
  const owner = tags[CLAIM_TAG];
  if (owner === undefined) return { kind: 'unclaimed' };
  if (owner === clusterName) return { kind: 'ours' };
  return { kind: 'foreign', owner };
}

/**
 * Route budget for one table and family: the configured limit minus every counted route we do not own minus
 * the headroom, never negative. This is what the aggregator may use.
 */
export function routeBudget(own: Ownership, routes: readonly ActualRoute[], family: Family, routeLimit: number, headroom: number): number {
  let foreign = 0;
  for (const r of routes) {
    if (r.destination?.family !== family || !countsAgainstLimit(r)) continue;
    if (!isOwnedRoute(own, r)) foreign++;
  }
  return Math.max(0, routeLimit - foreign - headroom);
}
