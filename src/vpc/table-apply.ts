// Applies one table's plan through the gateway, in plan order, keeping our copy of the table in step with each
// successful write (so the next plan needs no re-read). Stops at the first conflict (the caller re-reads the
// table and re-plans) or at the first call that failed after all retries (the caller retries the pass later).
// Operator errors and dead targets skip the op and go on: one bad route must not block the others.
import type { Family } from '../net/address.js';
import { formatPrefix, prefixEquals } from '../net/prefix.js';
import type { Logger } from '../base/log.js';
import { Ec2CallError } from './ec2-errors.js';
import type { Ec2Gateway } from './ec2-gateway.js';
import { describeOp, type Plan, type PlanOp } from './plan.js';
import type { ActualRoute } from './types.js';

export interface ApplyContext {
  readonly gateway: Ec2Gateway;
  readonly logger: Logger;
  readonly tableId: string;
  /** Our copy of the table's routes; updated in place after each successful write. */
  routes: ActualRoute[];
  readonly onOperatorError: (code: string, message: string) => void;
  /** EC2 says the ENI/instance target does not exist. */
  readonly onTargetGone: (id: string) => void;
  /** EC2 refused a create with RouteLimitExceeded: its real quota for this family is below what we planned for. */
  readonly onLimitExceeded?: (family: Family) => void;
  /** Checked before each op: true when a newer desired set makes the rest of this plan obsolete. */
  readonly superseded?: () => boolean;
}

export interface ApplyOutcome {
  readonly applied: number;
  /** A conflict (RouteAlreadyExists, nothing to replace/delete): re-read the table and re-plan. */
  readonly conflict: boolean;
  /** A call failed after all retries (throttling, 5xx, timeouts) or the table is gone: try again later. */
  readonly failed: Ec2CallError | undefined;
  /** Stopped early because a newer desired set arrived. */
  readonly superseded: boolean;
  /** Ops not attempted (after a conflict, a failure or a newer desired set). */
  readonly remaining: number;
}

function withoutRoute(routes: readonly ActualRoute[], op: PlanOp): ActualRoute[] {
  return routes.filter((r) => !(r.destination && prefixEquals(r.destination, op.prefix)));
}

function applied(routes: readonly ActualRoute[], op: PlanOp): ActualRoute[] {
  const rest = withoutRoute(routes, op);
  if (op.kind === 'delete') return rest;
  rest.push({
    destination: op.prefix,
    destinationText: formatPrefix(op.prefix),
    target: { kind: 'eni', networkInterfaceId: op.networkInterfaceId },
    state: 'active',
    origin: 'CreateRoute',
  });
  return rest;
}

export async function applyPlan(ctx: ApplyContext, plan: Plan): Promise<ApplyOutcome> {
  const { gateway: gw, logger } = ctx;
  const limitHit = new Set<Family>();
  let done = 0;
  for (let i = 0; i < plan.ops.length; i++) {
    const op = plan.ops[i] as PlanOp;
    if (ctx.superseded?.()) return { applied: done, conflict: false, failed: undefined, superseded: true, remaining: plan.ops.length - i };
    if (op.kind === 'create' && limitHit.has(op.prefix.family)) continue;
    const dest = formatPrefix(op.prefix);
    try {
      switch (op.kind) {
        case 'create':
          await gw.createRoute(ctx.tableId, op.prefix, op.networkInterfaceId);
          logger.info(
            { event: 'route_created', routeTable: ctx.tableId, destination: dest, target: op.networkInterfaceId },
            describeOp(op),
          );
          break;
        case 'replace':
          await gw.replaceRoute(ctx.tableId, op.prefix, op.networkInterfaceId);
          logger.info(
            {
              event: op.reason === 'target-changed' ? 'route_replaced' : 'failover',
              routeTable: ctx.tableId,
              destination: dest,
              from: op.from,
              target: op.networkInterfaceId,
              reason: op.reason,
            },
            describeOp(op),
          );
          break;
        case 'delete':
          await gw.deleteRoute(ctx.tableId, op.prefix);
          logger.info({ event: 'route_deleted', routeTable: ctx.tableId, destination: dest, from: op.from }, describeOp(op));
          break;
      }
      ctx.routes = applied(ctx.routes, op);
      done++;
    } catch (err) {
      if (!(err instanceof Ec2CallError)) throw err;
      switch (err.errorClass) {
        case 'conflict':
          logger.info(
            { event: 'route_conflict', routeTable: ctx.tableId, destination: dest, code: err.ec2Code },
            `${describeOp(op)}: ${err.ec2Code}; re-reading the table`,
          );
          return { applied: done, conflict: true, failed: undefined, superseded: false, remaining: plan.ops.length - i };
        case 'target-gone':
          if (op.kind !== 'delete') ctx.onTargetGone(op.networkInterfaceId);
          logger.warn(
            { event: 'target_gone', routeTable: ctx.tableId, destination: dest, code: err.ec2Code },
            `${describeOp(op)}: ${err.ec2Code}`,
          );
          break;
        case 'operator':
          ctx.onOperatorError(err.ec2Code, `${describeOp(op)}: ${err.message}`);
          if (err.ec2Code === 'RouteLimitExceeded') {
            limitHit.add(op.prefix.family);
            ctx.onLimitExceeded?.(op.prefix.family);
          }
          break;
        case 'fenced': // the write gate closed under us (leadership lost): stop, as for a newer desired set
          return { applied: done, conflict: false, failed: undefined, superseded: true, remaining: plan.ops.length - i };
        case 'throttle':
        case 'transient':
        case 'table-gone':
        case 'other':
          if (err.ec2Code === 'InvalidRouteTableID.NotFound') ctx.onOperatorError(err.ec2Code, err.message);
          return { applied: done, conflict: false, failed: err, superseded: false, remaining: plan.ops.length - i };
      }
    }
  }
  return { applied: done, conflict: false, failed: undefined, superseded: false, remaining: 0 };
}
