// One table's turn in a VPC sync pass: plan it and (when allowed) apply the plan, re-reading and re-planning after
// conflicts and after EC2 taught a lower route quota. The pass (vpc-sync.ts) runs this per table, failovers first.
import type { Logger } from '../base/log.js';
import type { Family } from '../net/address.js';
import type { Ec2Gateway } from './ec2-gateway.js';
import { describeConflict, describeOp, isFailoverOp, type Plan } from './plan.js';
import { applyPlan } from './table-apply.js';
import { recordTableError, type TableRegistry } from './table-registry.js';
import type { TableState } from './table-state.js';

const MAX_REPLANS = 3;

export interface TableSyncContext {
  readonly gateway: Ec2Gateway;
  readonly log: Logger;
  readonly registry: TableRegistry;
  readonly dryRun: boolean;
  /** The route limit in force (configured or read), before what a table taught. */
  readonly limit: () => number;
  readonly planTable: (t: TableState) => Plan;
  /** Brings the table's desired routes up to date (large aggregations off the event loop). */
  readonly refreshDesired: (t: TableState) => Promise<void>;
  readonly targetGone: (id: string) => void;
  /** The plan in hand is stale: the write gate closed, or a newer desired set waits for the next pass. */
  readonly superseded: () => boolean;
}

export interface TableSyncResult {
  readonly applied: number;
  readonly failed: boolean;
  readonly interrupted: boolean;
}

export async function syncTable(c: TableSyncContext, t: TableState, writing: boolean, phase: 'failover' | 'all'): Promise<TableSyncResult> {
  let applied = 0;
  for (let replan = 0; ; replan++) {
    await c.refreshDesired(t);
    const p = c.planTable(t);
    t.plan = p;
    const ops = phase === 'all' ? p.ops : p.ops.filter(isFailoverOp);
    if (!writing || t.claim.kind !== 'ours' || ops.length === 0) {
      if (c.dryRun && phase === 'all')
        for (const op of p.ops) c.log.info({ event: 'plan_op', routeTable: t.id, dryRun: true }, describeOp(op));
      return { applied, failed: false, interrupted: false };
    }
    const limitHit = new Set<Family>();
    const ctx = {
      gateway: c.gateway,
      logger: c.log,
      tableId: t.id,
      routes: t.routes,
      onOperatorError: (code: string, message: string) => {
        t.operatorErrors.set(code, message);
        c.log.error({ event: 'operator_error', routeTable: t.id, code }, message);
      },
      onTargetGone: c.targetGone,
      onLimitExceeded: (family: Family) => limitHit.add(family),
      superseded: c.superseded,
    };
    const out = await applyPlan(ctx, { ...p, ops });
    t.routes = ctx.routes;
    applied += out.applied;
    t.plan = c.planTable(t);
    for (const x of t.plan.conflicts) c.log.debug({ event: 'plan_conflict', routeTable: t.id }, describeConflict(x));
    if (out.failed) {
      recordTableError(t, out.failed, c.log);
      return { applied, failed: true, interrupted: false };
    }
    if (out.superseded) return { applied, failed: false, interrupted: true };
    if (limitHit.size > 0 && replan < MAX_REPLANS && (await c.registry.learnLimit(t, limitHit, c.limit()))) continue; // re-plan within it
    if (!out.conflict) {
      t.lastError = undefined;
      return { applied, failed: false, interrupted: false };
    }
    if (replan >= MAX_REPLANS) {
      t.lastError = `conflicts persist after ${MAX_REPLANS} re-reads; retrying later`;
      return { applied, failed: true, interrupted: false };
    }
    await c.registry.refresh([t]);
  }
}
