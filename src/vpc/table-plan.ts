// One table's planning step: desired routes per family (resolve, budget, aggregate), the plan, and the operator
// conditions the plan reveals (budget too small, quota exceeded, destinations inside the VPC CIDR). No I/O:
// it works on the table's cached routes and the resolver's cache, and records its findings on the table state.
// The aggregation itself may run in a worker thread (refreshDesiredTables takes the function that runs it).
import type { Logger } from '../base/log.js';
import type { AggregateInput, AggregateResult } from '../aggregate/types.js';
import {
  desiredTable,
  emptyResult,
  finishDesiredTable,
  prepareDesiredTable,
  type AggregateFn,
  type DesiredTableInput,
} from './desired-table.js';
import type { Ownership } from './ownership.js';
import { describeConflict, plan, type Plan } from './plan.js';
import { effectiveLimit, type TableState } from './table-state.js';
import type { DesiredRoutes } from './desired-routes.js';

export interface TablePlanContext {
  readonly desired: DesiredRoutes;
  /** Collapse single-ENI subtrees before aggregating (see desiredTable). */
  readonly collapse: boolean;
  /** Next hop (text) → ENI ID from the resolver's cache, undefined when unresolved. */
  readonly eniOf: (nextHop: string) => string | undefined;
  readonly ownership: Ownership;
  readonly routeLimit: number;
  readonly headroom: number;
  /** Routes a table may carry above the minimum to save writes (AggregateInput.spare). */
  readonly spareRoutes: number;
  readonly aggregate: AggregateFn;
  /** ENI/instance IDs known dead: replacing away from them is a failover. */
  readonly deadTargets: ReadonlySet<string>;
  readonly logger: Logger;
}

type Family = 'ipv4' | 'ipv6';

function limitsOf(t: TableState, c: TablePlanContext): Record<Family, number> {
  return { ipv4: effectiveLimit(t, 'ipv4', c.routeLimit), ipv6: effectiveLimit(t, 'ipv6', c.routeLimit) };
}

function enisOf(c: TablePlanContext): (string | undefined)[] {
  const enis: (string | undefined)[] = [];
  for (let id = 0; id < c.desired.hopIdLimit; id++) {
    const text = c.desired.nextHopText(id);
    enis.push(text === '' ? undefined : c.eniOf(text));
  }
  return enis;
}

/** The desired table is recomputed only when an input changed: the routes, an ENI, the table or its limit. */
function isCurrent(t: TableState, family: Family, c: TablePlanContext, limit: number, enis: readonly (string | undefined)[]): boolean {
  const m = t.desiredInputs[family];
  return (
    m !== undefined &&
    m.version === c.desired.version &&
    m.actual === t.routes &&
    m.limit === limit &&
    m.enis.length === enis.length &&
    m.enis.every((e, k) => e === enis[k]) &&
    t.desired[family] !== undefined
  );
}

function tableInput(t: TableState, family: Family, c: TablePlanContext, limit: number): DesiredTableInput {
  return {
    family,
    routes: c.desired,
    eniOf: c.eniOf,
    actual: t.routes,
    ownership: c.ownership,
    routeLimit: limit,
    headroom: c.headroom,
    spareRoutes: c.spareRoutes,
    aggregate: c.aggregate,
    collapse: c.collapse,
  };
}

/**
 * Brings the table's desired tables up to date with `run` computing the aggregation (a worker thread for large
 * inputs, see OffThreadAggregator). planTableState then finds them current and plans synchronously.
 */
export async function refreshDesiredTables(
  t: TableState,
  c: TablePlanContext,
  run: (input: AggregateInput) => Promise<AggregateResult>,
): Promise<void> {
  const limits = limitsOf(t, c);
  const enis = enisOf(c);
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (isCurrent(t, family, c, limits[family], enis)) continue;
    const version = c.desired.version;
    const actual = t.routes;
    const i = tableInput(t, family, c, limits[family]);
    const prepared = prepareDesiredTable(i);
    const res = prepared.input ? await run(prepared.input) : emptyResult(family);
    // Inputs that changed while the aggregator ran leave the memo stale: the next plan or refresh recomputes.
    t.desired[family] = finishDesiredTable(prepared, res, i);
    t.desiredInputs[family] = { version, actual, limit: limits[family], enis };
  }
}

/**
 * Plans the table against its desired tables as refreshDesiredTables last left them (a pass refreshes them first;
 * after its own writes it re-plans against the same target). A family never computed is computed here, in this
 * thread.
 */
export function planTableState(t: TableState, c: TablePlanContext): Plan {
  const limits = limitsOf(t, c);
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (t.desired[family] !== undefined) continue;
    t.desired[family] = desiredTable(tableInput(t, family, c, limits[family]));
    t.desiredInputs[family] = { version: c.desired.version, actual: t.routes, limit: limits[family], enis: enisOf(c) };
  }
  const desired = [...(t.desired.ipv4?.routes ?? []), ...(t.desired.ipv6?.routes ?? [])];
  const p = plan({
    tableId: t.id,
    desired,
    actual: t.routes,
    ownership: c.ownership,
    routeLimit: limits,
    vpcCidrs: t.vpcCidrs,
    unhealthyTargets: c.deadTargets,
  });

  if (p.overLimit > 0) t.operatorErrors.set('RouteLimitExceeded', `${p.overLimit} route(s) do not fit in the table's route limit`);
  for (const family of ['ipv4', 'ipv6'] as const) {
    const learned = t.learnedLimit[family];
    if (learned !== undefined && learned < c.routeLimit) {
      t.operatorErrors.set(
        `RouteQuotaBelowConfig:${family}`,
        `EC2 refused a ${family} route at ${learned} routes: the table's quota is below the configured routeLimit ${c.routeLimit}; planning for ${learned} (fix vpc.routeLimit or raise the quota, then restart)`,
      );
    }
  }

  const v4 = t.desired.ipv4;
  const v6 = t.desired.ipv6;
  const damage = (v4?.damage.addresses ?? 0n) + (v6?.damage.addresses ?? 0n);
  if (damage > 0n) {
    const budgets = `IPv4 ${v4?.budget ?? 0}/${v4?.optimum ?? 0}, IPv6 ${v6?.budget ?? 0}/${v6?.optimum ?? 0}`;
    const msg = `route budget too small (budget/needed: ${budgets}): ${damage} announced address(es) misrouted; raise the route limit or shorten the prefixes`;
    if (t.operatorErrors.get('RouteBudgetExceeded') !== msg) {
      c.logger.warn({ event: 'route_budget_exceeded', routeTable: t.id, damageAddresses: damage.toString() }, msg);
    }
    t.operatorErrors.set('RouteBudgetExceeded', msg);
  } else t.operatorErrors.delete('RouteBudgetExceeded');

  const insideVpc = p.conflicts.filter((x) => x.kind === 'inside-vpc-cidr');
  if (insideVpc.length > 0) t.operatorErrors.set('DestinationInsideVpcCidr', insideVpc.map(describeConflict).join('; '));
  else t.operatorErrors.delete('DestinationInsideVpcCidr');
  return p;
}
