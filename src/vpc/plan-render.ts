// Text and JSON forms of plans, for `bgp2vpc plan` (dry run) and logs. Pure.
import { formatPrefix } from '../net/prefix.js';
import { describeConflict, describeOp, type Plan, type PlanOp } from './plan.js';

/** Human-readable diff, one block per table; "no changes" when a table is in sync. */
export function renderPlans(plans: readonly Plan[]): string {
  const out: string[] = [];
  for (const p of plans) {
    const n = (k: PlanOp['kind']): number => p.ops.filter((o) => o.kind === k).length;
    out.push(
      `${p.tableId}: ${p.ops.length === 0 ? 'no changes' : `${n('create')} to create, ${n('replace')} to replace, ${n('delete')} to delete`}`,
    );
    for (const op of p.ops) out.push(`  ${describeOp(op)}`);
    for (const c of p.conflicts) out.push(`  ${describeConflict(c)}`);
    for (const s of p.stuck)
      out.push(`  ! ${formatPrefix(s.prefix)} → ${s.networkInterfaceId} is blackholed; waiting for another next hop`);
    if (p.overLimit > 0) out.push(`  ! ${p.overLimit} route(s) do not fit in the table's route limit`);
  }
  return out.join('\n') + '\n';
}

/** One table's plan as `bgp2vpc plan --json` prints it (a stable interface: fields are only added). */
export interface PlanJson {
  readonly id: string;
  readonly ops: readonly {
    readonly kind: PlanOp['kind'];
    readonly destination: string;
    readonly target?: string;
    readonly from?: string;
    readonly reason?: string;
  }[];
  readonly conflicts: readonly string[];
  readonly blackholed: readonly string[];
  readonly overLimit: number;
}

/** JSON-safe form (prefixes as text, no bigints). */
export function plansToJson(plans: readonly Plan[]): PlanJson[] {
  return plans.map((p) => ({
    id: p.tableId,
    ops: p.ops.map((o) => {
      const destination = formatPrefix(o.prefix);
      switch (o.kind) {
        case 'create':
          return { kind: o.kind, destination, target: o.networkInterfaceId, ...(o.failover ? { reason: 'failover' } : {}) };
        case 'replace':
          return { kind: o.kind, destination, target: o.networkInterfaceId, from: o.from, reason: o.reason };
        case 'delete':
          return { kind: o.kind, destination, from: o.from };
      }
    }),
    conflicts: p.conflicts.map(describeConflict),
    blackholed: p.stuck.map((s) => `${formatPrefix(s.prefix)} → ${s.networkInterfaceId}`),
    overLimit: p.overLimit,
  }));
}
