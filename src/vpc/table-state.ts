// What VPC sync knows about one route table between passes, and the status derived from it (pure).
import { formatPrefix, type Prefix } from '../net/prefix.js';
import { type Family } from '../net/address.js';
import type { DesiredTable } from './desired-table.js';
import { countsAgainstLimit, isOwnedRoute, type ClaimState, type Ownership } from './ownership.js';
import { describeConflict, type Plan } from './plan.js';
import type { ActualRoute, TableSnapshot } from './types.js';
import type { Logger } from '../base/log.js';

export interface TableState {
  readonly id: string;
  vpcId: string;
  vpcCidrs: Prefix[];
  tags: Record<string, string>;
  /** Explicitly associated subnets, whether it is the main table, and the AZ they make it (table-az.ts). */
  subnetIds: readonly string[];
  main: boolean;
  az: string | undefined;
  claim: ClaimState;
  /** Our copy of the table: as last read, plus our successful writes since. */
  routes: ActualRoute[];
  /** Must be re-read before the next plan (drift pass, conflict, leadership gained). */
  stale: boolean;
  /** DescribeRouteTables did not return it. */
  missing: boolean;
  desired: Partial<Record<Family, DesiredTable>>;
  /** What each desired table was computed from (recomputed only when one of these changes). */
  desiredInputs: Partial<Record<Family, DesiredInputs>>;
  plan: Plan | undefined;
  lastError: string | undefined;
  /** Conditions for the operator, by code: UnauthorizedOperation, RouteLimitExceeded, SourceDestCheckEnabled… */
  operatorErrors: Map<string, string>;
  /** The quota EC2 actually enforced (RouteLimitExceeded at that many routes), when below the configured one. */
  learnedLimit: Partial<Record<Family, number>>;
}

export interface DesiredInputs {
  readonly version: number;
  readonly actual: readonly ActualRoute[];
  readonly limit: number;
  readonly enis: readonly (string | undefined)[];
}

/** The route limit in force for a family: the configured one, or the lower one EC2 taught us. */
export function effectiveLimit(t: TableState, family: Family, configured: number): number {
  return Math.min(configured, t.learnedLimit[family] ?? Infinity);
}

/**
 * After RouteLimitExceeded and a fresh read of the table: EC2's quota is what the table holds now (never our
 * possibly stale copy). From here on the table is planned and aggregated for that quota. True when learned.
 */
export function learnLimits(t: TableState, families: ReadonlySet<Family>, configured: number, log: Logger): boolean {
  let learned = false;
  for (const family of families) {
    const n = t.routes.filter((r) => r.destination?.family === family && countsAgainstLimit(r)).length;
    if (n < effectiveLimit(t, family, configured)) {
      t.learnedLimit[family] = n;
      learned = true;
      log.warn(
        { event: 'route_quota_learned', routeTable: t.id, family, limit: n },
        `EC2 enforces a ${family} quota of ${n} routes in ${t.id}`,
      );
    }
  }
  return learned;
}

export function newTableState(s: TableSnapshot, claim: ClaimState): TableState {
  return {
    id: s.id,
    vpcId: s.vpcId,
    vpcCidrs: [],
    tags: { ...s.tags },
    subnetIds: s.subnetIds,
    main: s.main,
    az: undefined,
    claim,
    routes: [...s.routes],
    stale: false,
    missing: false,
    desired: {},
    desiredInputs: {},
    plan: undefined,
    lastError: undefined,
    operatorErrors: new Map(),
    learnedLimit: {},
  };
}

export interface FamilyStatus {
  readonly desired: number;
  readonly owned: number;
  readonly foreign: number;
  readonly limit: number;
  readonly budget: number;
  readonly optimum: number;
  readonly damageAddresses: string;
  readonly unresolvedNextHops: readonly string[];
}

export interface TableStatus {
  readonly id: string;
  readonly vpcId: string;
  /** The AZ the table serves (its subnets'), when it serves one and AZs are read (preferSameAz). */
  readonly az?: string;
  readonly claim: ClaimState['kind'];
  readonly claimedBy?: string;
  readonly families: Readonly<Record<Family, FamilyStatus>>;
  readonly pendingOps: number;
  readonly pending: { readonly creates: number; readonly replaces: number; readonly deletes: number };
  readonly conflicts: readonly string[];
  /** Blackholed routes we cannot repair until the route spec picks another next hop. */
  readonly blackholed: readonly string[];
  readonly operatorErrors: readonly { readonly code: string; readonly message: string }[];
  readonly lastError?: string;
}

function familyStatus(t: TableState, own: Ownership, family: Family, limit: number, headroom: number): FamilyStatus {
  let owned = 0;
  let foreign = 0;
  for (const r of t.routes) {
    if (r.destination?.family !== family || !countsAgainstLimit(r)) continue;
    if (isOwnedRoute(own, r)) owned++;
    else foreign++;
  }
  const d = t.desired[family];
  return {
    desired: d?.routes.length ?? 0,
    owned,
    foreign,
    limit,
    budget: d?.budget ?? Math.max(0, limit - foreign - headroom),
    optimum: d?.optimum ?? 0,
    damageAddresses: (d?.damage.addresses ?? 0n).toString(),
    unresolvedNextHops: d?.unresolvedNextHops ?? [],
  };
}

export function tableStatus(t: TableState, own: Ownership, limit: number, headroom: number): TableStatus {
  const ops = t.plan?.ops ?? [];
  const count = (k: string): number => ops.filter((o) => o.kind === k).length;
  return {
    id: t.id,
    vpcId: t.vpcId,
    ...(t.az !== undefined ? { az: t.az } : {}),
    claim: t.claim.kind,
    ...(t.claim.kind === 'foreign' ? { claimedBy: t.claim.owner } : {}),
    families: {
      ipv4: familyStatus(t, own, 'ipv4', effectiveLimit(t, 'ipv4', limit), headroom),
      ipv6: familyStatus(t, own, 'ipv6', effectiveLimit(t, 'ipv6', limit), headroom),
    },
    pendingOps: ops.length,
    pending: { creates: count('create'), replaces: count('replace'), deletes: count('delete') },
    conflicts: (t.plan?.conflicts ?? []).map(describeConflict),
    blackholed: (t.plan?.stuck ?? []).map((s) => `${formatPrefix(s.prefix)} → ${s.networkInterfaceId}`),
    operatorErrors: [...t.operatorErrors].map(([code, message]) => ({ code, message })),
    ...(t.lastError !== undefined ? { lastError: t.lastError } : {}),
  };
}

/** What a stall warning says: the route changes planned but not yet in EC2, and the last error a table met. */
export function pendingContext(tables: readonly TableState[]): { ops: number; lastError?: string } {
  const lastError = tables.find((t) => t.lastError !== undefined)?.lastError;
  return { ops: tables.reduce((n, t) => n + (t.plan?.ops.length ?? 0), 0), ...(lastError !== undefined ? { lastError } : {}) };
}
