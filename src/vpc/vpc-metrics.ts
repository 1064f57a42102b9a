// VPC sync's Prometheus series (labels `route_table`, `family`, `action`, `outcome`). Created once per
// Metrics registry; series of a table we stop managing are removed by forgetTable().
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../base/metrics.js';
import type { TableStatus } from './table-state.js';

export class VpcMetrics {
  readonly routesDesired: Gauge<'route_table' | 'family'>;
  readonly routesActual: Gauge<'route_table' | 'family'>;
  readonly routeLimit: Gauge<'route_table' | 'family'>;
  readonly routeBudget: Gauge<'route_table' | 'family'>;
  readonly damageAddresses: Gauge<'route_table' | 'family'>;
  readonly operatorErrors: Gauge<'route_table' | 'code'>;
  readonly ec2Calls: Counter<'action' | 'outcome'>;
  readonly throttles: Counter<'action'>;
  readonly writesFenced: Counter<'action'>;
  readonly reconcileDuration: Histogram;
  readonly driftRepairs: Counter<'route_table'>;
  readonly pendingOps: Gauge<'route_table'>;
  readonly sourceDestFixes: Counter<'outcome'>;

  constructor(m: Metrics) {
    const tf = ['route_table', 'family'] as const;
    this.routesDesired = m.gauge('vpc_routes_desired', 'Routes bgp2vpc wants in the table (after aggregation)', tf);
    this.routesActual = m.gauge('vpc_routes_actual', 'Routes bgp2vpc owns in the table as last read', tf);
    this.routeLimit = m.gauge('vpc_route_limit', 'Configured route quota of the table', tf);
    this.routeBudget = m.gauge('vpc_route_budget', 'Routes available to bgp2vpc (limit − foreign routes − headroom)', tf);
    this.damageAddresses = m.gauge('vpc_damage_addresses', 'Announced addresses misrouted because the budget is too small', tf);
    this.operatorErrors = m.gauge('vpc_operator_errors', 'Conditions the operator must fix, by EC2 code or kind', ['route_table', 'code']);
    this.ec2Calls = m.counter('ec2_calls_total', 'EC2 API calls by action and outcome', ['action', 'outcome']);
    this.throttles = m.counter('ec2_throttles_total', 'RequestLimitExceeded answers by action', ['action']);
    this.writesFenced = m.counter('ec2_writes_fenced_total', 'Mutating EC2 calls not sent because the write gate closed (HA)', ['action']);
    this.reconcileDuration = m.histogram('vpc_reconcile_duration_seconds', 'Duration of one reconcile pass');
    this.driftRepairs = m.counter('vpc_drift_repairs_total', 'Routes repaired after a change behind our back', ['route_table']);
    this.pendingOps = m.gauge('vpc_pending_ops', 'Planned EC2 writes not yet applied', ['route_table']);
    this.sourceDestFixes = m.counter(
      'source_dest_check_fixes_total',
      'Next-hop ENIs whose source/dest check bgp2vpc turned off (vpc.fixSourceDestCheck), by outcome (ok or EC2 code)',
      ['outcome'],
    );
  }

  private known = new Set<string>();

  /** Sets the per-table gauges from a status snapshot; series of tables no longer managed are removed. */
  update(tables: readonly TableStatus[]): void {
    this.operatorErrors.reset();
    const now = new Set(tables.map((t) => t.id));
    for (const id of this.known) {
      if (now.has(id)) continue;
      for (const family of ['ipv4', 'ipv6'] as const) {
        for (const g of [this.routesDesired, this.routesActual, this.routeLimit, this.routeBudget, this.damageAddresses])
          g.remove({ route_table: id, family });
      }
      this.pendingOps.remove({ route_table: id });
    }
    this.known = now;
    for (const s of tables) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const f = s.families[family];
        const l = { route_table: s.id, family };
        this.routesDesired.set(l, f.desired);
        this.routesActual.set(l, f.owned);
        this.routeLimit.set(l, f.limit);
        this.routeBudget.set(l, f.budget);
        this.damageAddresses.set(l, Number(f.damageAddresses));
      }
      this.pendingOps.set({ route_table: s.id }, s.pendingOps);
      for (const e of s.operatorErrors) this.operatorErrors.set({ route_table: s.id, code: e.code }, 1);
    }
  }
}
