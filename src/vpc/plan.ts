// The planner: a pure diff of the desired routes of one table against what EC2 holds, restricted to the routes
// we own. No I/O, no clock; the reconciler applies the ops in the order given.
//
// Rules:
// - A target change is exactly one ReplaceRoute (atomic, make-before-break), never a delete + create.
// - A destination held by a route we do not own is never created over, replaced or deleted: it is reported as a
//   conflict. The same goes for desired destinations outside the cluster CIDRs or inside a VPC CIDR.
// - Order: failover replaces (old target dead or blackholed) → creates (failover-flagged first) that fit in the
//   table's free quota → cosmetic replaces (aggregation reshuffles) → deletes → creates that only fit once the
//   deletes made room. Deletes come last whenever the quota allows it.
// - Idempotent: once the ops are applied, planning again yields no ops.
// - A blackholed route whose desired target is the same dead ENI cannot be repaired by us: it is reported in
//   `stuck` (the health hook tells the route spec to choose another next hop) and left alone.
import { comparePrefixes, formatPrefix, prefixContains, type Prefix } from '../net/prefix.js';
import { type Family } from '../net/address.js';
import { countsAgainstLimit, insideCluster, isOwnedRoute, type Ownership } from './ownership.js';
import { targetId, type ActualRoute, type DesiredTableRoute, type RouteTarget } from './types.js';

export type ReplaceReason = 'failover' | 'blackhole' | 'unhealthy-target' | 'target-changed';

export type PlanOp =
  | { readonly kind: 'create'; readonly prefix: Prefix; readonly networkInterfaceId: string; readonly failover: boolean }
  | {
      readonly kind: 'replace';
      readonly prefix: Prefix;
      readonly networkInterfaceId: string;
      /** The current target's ID (ENI or instance). */
      readonly from: string;
      readonly reason: ReplaceReason;
    }
  | { readonly kind: 'delete'; readonly prefix: Prefix; readonly from: string };

export type PlanConflict =
  | { readonly kind: 'foreign-route'; readonly prefix: Prefix; readonly existing: RouteTarget }
  | { readonly kind: 'outside-cluster'; readonly prefix: Prefix }
  | { readonly kind: 'inside-vpc-cidr'; readonly prefix: Prefix; readonly vpcCidr: Prefix };

export interface Plan {
  readonly tableId: string;
  readonly ops: readonly PlanOp[];
  readonly conflicts: readonly PlanConflict[];
  /** Owned routes that are blackholed towards the very target we still want: only a new next hop can fix them. */
  readonly stuck: readonly { readonly prefix: Prefix; readonly networkInterfaceId: string }[];
  /** Creates that do not fit in the quota even after the deletes (they will fail with RouteLimitExceeded). */
  readonly overLimit: number;
}

export interface PlanInput {
  readonly tableId: string;
  readonly desired: readonly DesiredTableRoute[];
  readonly actual: readonly ActualRoute[];
  readonly ownership: Ownership;
  /** The table's quota per family (EC2 default 500 since June 2025); a number applies to both families. */
  readonly routeLimit: number | Readonly<Record<Family, number>>;
  /** VPC CIDRs: destinations equal to or inside them are refused by EC2 (unless a subnet CIDR), never planned. */
  readonly vpcCidrs?: readonly Prefix[];
  /** ENI/instance IDs known to be dead or unhealthy: replacing away from them is a failover. */
  readonly unhealthyTargets?: ReadonlySet<string>;
}

const key = (p: Prefix): string => formatPrefix(p);

/** The ENI a target resolves to, when known (Describe shows both IDs for an ENI attached to an instance). */
function targetEni(t: RouteTarget): string | undefined {
  return t.kind === 'eni' ? t.networkInterfaceId : undefined;
}

function isDeadTarget(t: RouteTarget, unhealthy: ReadonlySet<string> | undefined): boolean {
  if (!unhealthy) return false;
  if (t.kind === 'eni') return unhealthy.has(t.networkInterfaceId) || (t.instanceId !== undefined && unhealthy.has(t.instanceId));
  return t.kind === 'instance' && unhealthy.has(t.instanceId);
}

export function plan(input: PlanInput): Plan {
  const { ownership: own } = input;
  const actualByKey = new Map<string, ActualRoute>();
  for (const r of input.actual) if (r.destination) actualByKey.set(key(r.destination), r);

  const desiredByKey = new Map<string, DesiredTableRoute>();
  const conflicts: PlanConflict[] = [];
  for (const d of input.desired) {
    if (!insideCluster(own, d.prefix)) {
      conflicts.push({ kind: 'outside-cluster', prefix: d.prefix });
      continue;
    }
    const vpcCidr = input.vpcCidrs?.find((v) => prefixContains(v, d.prefix));
    if (vpcCidr) {
      conflicts.push({ kind: 'inside-vpc-cidr', prefix: d.prefix, vpcCidr });
      continue;
    }
    desiredByKey.set(key(d.prefix), d); // a duplicate prefix: the last one wins
  }

  const failoverReplaces: PlanOp[] = [];
  const cosmeticReplaces: PlanOp[] = [];
  const creates: { op: PlanOp; family: Family }[] = [];
  const deletes: PlanOp[] = [];
  const stuck: { prefix: Prefix; networkInterfaceId: string }[] = [];

  for (const [k, d] of desiredByKey) {
    const a = actualByKey.get(k);
    if (!a) {
      creates.push({
        op: { kind: 'create', prefix: d.prefix, networkInterfaceId: d.networkInterfaceId, failover: d.failover },
        family: d.prefix.family,
      });
      continue;
    }
    if (!isOwnedRoute(own, a)) {
      conflicts.push({ kind: 'foreign-route', prefix: d.prefix, existing: a.target });
      continue;
    }
    const sameTarget = targetEni(a.target) === d.networkInterfaceId;
    if (sameTarget) {
      if (a.state === 'blackhole') stuck.push({ prefix: d.prefix, networkInterfaceId: d.networkInterfaceId });
      continue;
    }
    const reason: ReplaceReason =
      a.state === 'blackhole'
        ? 'blackhole'
        : isDeadTarget(a.target, input.unhealthyTargets)
          ? 'unhealthy-target'
          : d.failover
            ? 'failover'
            : 'target-changed';
    const op: PlanOp = { kind: 'replace', prefix: d.prefix, networkInterfaceId: d.networkInterfaceId, from: targetId(a.target), reason };
    (reason === 'target-changed' ? cosmeticReplaces : failoverReplaces).push(op);
  }

  for (const [k, a] of actualByKey) {
    if (desiredByKey.has(k) || !a.destination || !isOwnedRoute(own, a)) continue;
    deletes.push({ kind: 'delete', prefix: a.destination, from: targetId(a.target) });
  }

  // Quota: creates first while they fit (make-before-break), the rest after the deletes free room.
  const used: Record<Family, number> = { ipv4: 0, ipv6: 0 };
  for (const r of input.actual) if (r.destination && countsAgainstLimit(r)) used[r.destination.family]++;
  const freed: Record<Family, number> = { ipv4: 0, ipv6: 0 };
  for (const op of deletes) freed[op.prefix.family]++;

  const limitOf = (f: Family): number => (typeof input.routeLimit === 'number' ? input.routeLimit : input.routeLimit[f]);
  const byPrefix = (x: PlanOp, y: PlanOp): number => comparePrefixes(x.prefix, y.prefix);
  creates.sort((x, y) => {
    const fx = x.op.kind === 'create' && x.op.failover ? 0 : 1;
    const fy = y.op.kind === 'create' && y.op.failover ? 0 : 1;
    return fx - fy || byPrefix(x.op, y.op);
  });
  const early: PlanOp[] = [];
  const late: PlanOp[] = [];
  let overLimit = 0;
  for (const c of creates) {
    if (used[c.family] < limitOf(c.family)) {
      used[c.family]++;
      early.push(c.op);
    } else {
      if (used[c.family] - freed[c.family] >= limitOf(c.family)) overLimit++;
      used[c.family]++;
      late.push(c.op);
    }
  }

  failoverReplaces.sort(byPrefix);
  cosmeticReplaces.sort(byPrefix);
  deletes.sort(byPrefix);
  stuck.sort((x, y) => comparePrefixes(x.prefix, y.prefix));
  return {
    tableId: input.tableId,
    ops: [...failoverReplaces, ...early, ...cosmeticReplaces, ...deletes, ...late],
    conflicts,
    stuck,
    overLimit,
  };
}

/** A write that moves traffic away from a dead next hop (or installs a failed-over route): goes first. */
export function isFailoverOp(op: PlanOp): boolean {
  switch (op.kind) {
    case 'create':
      return op.failover;
    case 'replace':
      return op.reason !== 'target-changed';
    case 'delete':
      return false;
  }
}

/** One line per op, for logs and `bgp2vpc plan`. */
export function describeOp(op: PlanOp): string {
  switch (op.kind) {
    case 'create':
      return `+ ${formatPrefix(op.prefix)} → ${op.networkInterfaceId}${op.failover ? ' (failover)' : ''}`;
    case 'replace':
      return `~ ${formatPrefix(op.prefix)} ${op.from} → ${op.networkInterfaceId} (${op.reason})`;
    case 'delete':
      return `- ${formatPrefix(op.prefix)} (was ${op.from})`;
  }
}

export function describeConflict(c: PlanConflict): string {
  switch (c.kind) {
    case 'foreign-route':
      return `! ${formatPrefix(c.prefix)} is held by a route we do not own (→ ${targetId(c.existing)}); not touched`;
    case 'outside-cluster':
      return `! ${formatPrefix(c.prefix)} is outside the cluster CIDRs; not planned`;
    case 'inside-vpc-cidr':
      return `! ${formatPrefix(c.prefix)} lies inside VPC CIDR ${formatPrefix(c.vpcCidr)}; EC2 refuses it`;
  }
}
