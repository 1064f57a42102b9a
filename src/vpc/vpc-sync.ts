// VpcSync: keeps the managed VPC route tables equal to the daemon's desired routes, safely.
//
// Contract with the daemon (stable):
//   const sync = new VpcSync({ ec2, clusterName, clusterCidrs, tables: {ids} | {vpcId, tags?}, routeLimit = 50
//     (per family), headroom = 0, debounceMs = 200, driftIntervalMs = 60_000, rate = EC2's buckets, dryRun,
//     mayWrite = () => true (leader/write gate), writeTerm = () => 0, clock, logger, metrics, aggregate })
//   await sync.start()          discover the tables, check/claim them (tag bgp2vpc:cluster=<name>), read routes.
//                               No route writes. Rejects when EC2 cannot be read (the daemon retries).
//   sync.setDesired(routes)     the full set of {prefix, nextHop, failover?}; declarative. A pass runs debounceMs
//                               after the first change of a burst (a batching window: churn is coalesced and a
//                               steady stream of changes cannot starve the writes).
//   sync.onNextHopUnhealthy(cb) cb(nextHop, 'blackhole' | 'eni-not-found'): the route spec should pick another
//                               next hop and call setDesired (with failover: true) again. Edge-triggered.
//   await sync.reconcileNow()   one pass now (tests, `bgp2vpc plan`, an HA elector after gaining leadership).
//   sync.planOnly()             the plan per table from the cached state (no I/O); run reconcileNow() first.
//   sync.status()               per table: desired vs actual, owned/foreign, limit, budget, damage, errors, pending.
//   await sync.stop()           stops timers and waits for the pass in flight; never deletes routes.
//   Also: tablesView() (the API's TablesView), ec2Calls() (calls sent by action), converged().
// Build `ec2` with createEc2Client() (ec2-client.ts): maxAttempts 1, so retries and the request budget are ours.
// Nothing is planned before the first setDesired (a restart must not delete routes before the route spec is
// known). mayWrite() false or dryRun: passes plan but do not write; when mayWrite() turns true the tables are
// re-read before the first write (another replica may have written meanwhile). mayWrite() is asked again right
// before every mutating call (the gateway's fence), and a pass stops writing as soon as writeTerm() differs from
// the one it started in: the gate closed and reopened meanwhile, so its view of the tables may be stale.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { aggregate } from '../aggregate/aggregate.js';
import type { AggregateFn } from './desired-table.js';
import type { TablesView } from './table-view.js';
import { systemClock, type Clock } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import type { Family } from '../net/address.js';
import type { Prefix } from '../net/prefix.js';
import { DEFAULT_RETRY, type Backoff, type RetryPolicy } from '../base/backoff.js';
import { EC2_RATE, Ec2Gateway, type RateConfig } from './ec2-gateway.js';
import { EniResolver } from './eni-resolver.js';
import { aggregateSafely } from './safe-aggregate.js';
import { countsAgainstLimit, type Ownership } from './ownership.js';
import { TargetLiveness, type UnhealthyReason } from './target-liveness.js';
import { describeConflict, describeOp, isFailoverOp, type Plan } from './plan.js';
import { planTableState } from './table-plan.js';
import { applyPlan } from './table-apply.js';
import { TableRegistry, recordTableError, type TableSelector } from './table-registry.js';
import { effectiveLimit, tableStatus, type TableState, type TableStatus } from './table-state.js';
import { tableView } from './table-view.js';
import type { DesiredRoute } from './types.js';
import { VpcMetrics } from './vpc-metrics.js';
import { PassScheduler, type Trigger } from './pass-scheduler.js';

export type { UnhealthyReason };

export interface VpcSyncOptions {
  readonly ec2: EC2Client;
  readonly clusterName: string;
  readonly clusterCidrs: readonly Prefix[];
  readonly tables: TableSelector;
  readonly routeLimit?: number;
  readonly headroom?: number;
  readonly debounceMs?: number;
  readonly driftIntervalMs?: number;
  readonly rate?: RateConfig;
  readonly backoff?: RetryPolicy;
  readonly dryRun?: boolean;
  /** The write gate (HA: leader with a valid lease); asked per pass, per op and immediately before every write. */
  readonly mayWrite?: () => boolean;
  /** Changes whenever the write gate may have closed and reopened (HA: a new term); default constant. */
  readonly writeTerm?: () => number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The aggregator; default src/aggregate (minimal table, least damage under the budget). */
  readonly aggregate?: AggregateFn;
  readonly random?: () => number;
  /** Per-attempt timeout of an EC2 call (default 10 s). */
  readonly callTimeoutMs?: number;
  /** Per-attempt timeout of a mutating EC2 call (default callTimeoutMs): HA's bound on a write in flight. */
  readonly mutatingTimeoutMs?: number;
  /** Delay before a failed pass is retried: at least baseMs, exponential with jitter up to maxMs (1 s … 60 s). */
  readonly retryPass?: Backoff;
  /** Benchmarks: called as each mutating request leaves. */
  readonly onMutatingSend?: (action: string) => void;
}

const MAX_REPLANS = 3;
/** Operator conditions found by writing: cleared before each writing pass, set again if they recur. */
const WRITE_ERRORS = ['UnauthorizedOperation', 'AuthFailure', 'RouteLimitExceeded', 'InvalidParameterValue', 'Blocked', 'OptInRequired'];

export class VpcSync {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly m: VpcMetrics | undefined;
  private readonly own: Ownership;
  private readonly gw: Ec2Gateway;
  private readonly resolver: EniResolver;
  private readonly limit: number;
  private readonly headroom: number;
  private readonly aggregate: AggregateFn;
  private readonly backoff: RetryPolicy;
  private readonly registry: TableRegistry;
  private desired: readonly DesiredRoute[] = [];
  private haveDesired = false;
  private desiredVersion = 0;
  private convergedVersion = -1;
  private started = false;
  private stopped = false;
  private wasWriting = false;
  /** The write term the current pass (or start) began in. */
  private passTerm = 0;
  private readonly passes: PassScheduler;
  private readonly health: TargetLiveness;

  constructor(private readonly o: VpcSyncOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = (o.logger ?? silentLogger).child({ component: 'vpc-sync' });
    this.m = o.metrics ? new VpcMetrics(o.metrics) : undefined;
    this.own = { clusterCidrs: o.clusterCidrs };
    this.limit = o.routeLimit ?? 50;
    this.headroom = o.headroom ?? 0;
    this.aggregate = aggregateSafely(o.aggregate ?? aggregate, this.log);
    this.backoff = o.backoff ?? DEFAULT_RETRY;
    this.gw = new Ec2Gateway({
      ec2: o.ec2,
      clock: this.clock,
      logger: this.log,
      rate: o.rate ?? EC2_RATE,
      backoff: this.backoff,
      ...(this.m ? { metrics: this.m } : {}),
      ...(o.random ? { random: o.random } : {}),
      ...(o.callTimeoutMs !== undefined ? { callTimeoutMs: o.callTimeoutMs } : {}),
      ...(o.mutatingTimeoutMs !== undefined ? { mutatingTimeoutMs: o.mutatingTimeoutMs } : {}),
      ...(o.onMutatingSend ? { onMutatingSend: o.onMutatingSend } : {}),
      mayMutate: () => this.writeAllowed(),
    });
    this.registry = new TableRegistry(this.gw, o.clusterName, o.tables, this.log);
    this.resolver = new EniResolver(
      (ips) => this.gw.describeEnisByIp(ips, this.registry.vpcIds()),
      this.clock,
      o.driftIntervalMs ?? 60_000,
    );
    this.health = new TargetLiveness(this.resolver, this.own, this.log);
    this.passes = new PassScheduler({
      clock: this.clock,
      log: this.log,
      debounceMs: o.debounceMs ?? 200,
      driftIntervalMs: o.driftIntervalMs ?? 60_000,
      retry: o.retryPass ?? { baseMs: 1000, maxMs: 60_000 },
      random: o.random ?? Math.random,
      pass: (t) => this.pass(t),
    });
  }

  private get tables(): TableState[] {
    return this.registry.tables;
  }

  private canWrite(): boolean {
    return !this.o.dryRun && (this.o.mayWrite?.() ?? true);
  }

  private term(): number {
    return this.o.writeTerm?.() ?? 0;
  }

  /** The gate is open and has not closed since this pass began. */
  private writeAllowed(): boolean {
    return this.term() === this.passTerm && this.canWrite();
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.registry.discover();
    this.passTerm = this.term();
    this.wasWriting = this.canWrite();
    if (this.wasWriting) await this.registry.claimUnclaimed();
    this.started = true;
    this.log.info({ event: 'vpc_sync_started', tables: this.tables.map((t) => t.id) }, `managing ${this.tables.length} route table(s)`);
    this.passes.start();
  }

  setDesired(routes: readonly DesiredRoute[]): void {
    this.desired = routes;
    this.haveDesired = true;
    this.desiredVersion++;
    if (this.started) this.passes.changed();
  }

  onNextHopUnhealthy(cb: (nextHop: string, reason: UnhealthyReason) => void): () => void {
    return this.health.subscribe(cb);
  }

  /** True when the last desired set is in every writable table (nothing pending, no failure). */
  converged(): boolean {
    return this.convergedVersion === this.desiredVersion && this.tables.every((t) => (t.plan?.ops.length ?? 0) === 0);
  }

  async reconcileNow(): Promise<void> {
    await this.passes.now();
  }

  planOnly(): Plan[] {
    return this.tables.filter((t) => !t.missing).map((t) => this.planTable(t));
  }

  status(): TableStatus[] {
    return this.tables.map((t) => tableStatus(t, this.own, this.limit, this.headroom));
  }

  tablesView(): TablesView {
    return { tables: this.tables.map((t) => tableView(t, this.own, this.limit)) };
  }

  /** EC2 calls sent so far, by action. */
  ec2Calls(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.gw.sent);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.gw.close();
    await this.passes.stop();
  }

  private async pass(trigger: Trigger): Promise<void> {
    const t0 = this.clock.now();
    const term = this.term();
    const writing = this.canWrite();
    // HA: the gate opened, or closed and reopened since the last pass: another replica may have written, re-read
    if (writing && (!this.wasWriting || term !== this.passTerm)) for (const t of this.tables) t.stale = true;
    this.wasWriting = writing;
    this.passTerm = term;
    if (trigger === 'drift') this.health.forgetGone();
    if (trigger === 'drift' || trigger === 'manual') await this.registry.refreshAll();
    else await this.registry.refresh(this.tables.filter((t) => t.stale));
    if (!this.haveDesired) return;
    if (writing) await this.registry.claimUnclaimed();

    const version = this.desiredVersion;
    const wanted = new Set<string>();
    for (const d of this.desired) {
      const ip = EniResolver.canonical(d.nextHop);
      if (ip) wanted.add(ip);
    }
    // Blackholes are matched to next hops through the resolver's cache, so scan before a drift pass clears it.
    if (trigger !== 'drift') await this.resolver.resolve(wanted);
    const invalidated = this.health.scanBlackholes(this.tables, wanted);
    if (trigger === 'drift') this.resolver.clear(); // re-learn: moved IPs, source/dest check changes
    if (trigger === 'drift' || invalidated) await this.resolver.resolve(wanted);
    this.health.checkResolved(wanted);

    const live = this.tables.filter((t) => !t.missing && t.claim.kind !== 'foreign');
    for (const t of live) {
      this.health.checkSourceDest(t, this.desired);
      if (writing) for (const code of WRITE_ERRORS) t.operatorErrors.delete(code); // re-set if they recur
    }
    // Failovers first across all tables, then everything else; a newer desired set interrupts the pass.
    let failed = false;
    let interrupted = false;
    const repaired = new Map<string, number>();
    for (const phase of ['failover', 'all'] as const) {
      for (const t of live) {
        if (interrupted) break;
        const out = await this.syncTable(t, writing, phase, version);
        repaired.set(t.id, (repaired.get(t.id) ?? 0) + out.applied);
        failed ||= out.failed;
        interrupted ||= out.interrupted;
      }
    }
    this.updateGauges();
    if (trigger !== 'desired' && version === this.convergedVersion) {
      for (const [id, n] of repaired) {
        if (n === 0) continue;
        this.m?.driftRepairs.inc({ route_table: id }, n);
        this.log.warn({ event: 'drift_repaired', routeTable: id, routes: n }, `repaired ${n} route(s) changed behind our back in ${id}`);
      }
    }
    if (failed) this.passes.failed();
    else if (!interrupted) {
      this.passes.succeeded();
      if (writing) this.convergedVersion = version;
    }
    this.m?.reconcileDuration.observe((this.clock.now() - t0) / 1000);
  }

  /** Plans one table and (when allowed) applies the plan, re-reading and re-planning after conflicts. */
  private async syncTable(
    t: TableState,
    writing: boolean,
    phase: 'failover' | 'all',
    version: number,
  ): Promise<{ applied: number; failed: boolean; interrupted: boolean }> {
    let applied = 0;
    for (let replan = 0; ; replan++) {
      const p = this.planTable(t);
      t.plan = p;
      const ops = phase === 'all' ? p.ops : p.ops.filter(isFailoverOp);
      if (!writing || t.claim.kind !== 'ours' || ops.length === 0) {
        if (this.o.dryRun && phase === 'all')
          for (const op of p.ops) this.log.info({ event: 'plan_op', routeTable: t.id, dryRun: true }, describeOp(op));
        return { applied, failed: false, interrupted: false };
      }
      const limitHit = new Set<Family>();
      const ctx = {
        gateway: this.gw,
        logger: this.log,
        tableId: t.id,
        routes: t.routes,
        onOperatorError: (code: string, message: string) => {
          t.operatorErrors.set(code, message);
          this.log.error({ event: 'operator_error', routeTable: t.id, code }, message);
        },
        onTargetGone: (id: string) => this.health.targetGone(id),
        onLimitExceeded: (family: Family) => limitHit.add(family),
        // Stop at once when the write gate closes (leadership lost); a newer desired set with a pass queued
        // behind this one supersedes this plan: stop and re-plan.
        superseded: () => !this.writeAllowed() || (this.passes.pending && this.desiredVersion !== version),
      };
      const out = await applyPlan(ctx, { ...p, ops });
      t.routes = ctx.routes;
      applied += out.applied;
      t.plan = this.planTable(t);
      for (const c of t.plan.conflicts) this.log.debug({ event: 'plan_conflict', routeTable: t.id }, describeConflict(c));
      if (out.failed) {
        recordTableError(t, out.failed, this.log);
        return { applied, failed: true, interrupted: false };
      }
      if (out.superseded) return { applied, failed: false, interrupted: true };
      if (limitHit.size > 0 && replan < MAX_REPLANS && (await this.learnLimit(t, limitHit))) continue; // re-plan within it
      if (!out.conflict) {
        t.lastError = undefined;
        return { applied, failed: false, interrupted: false };
      }
      if (replan >= MAX_REPLANS) {
        t.lastError = `conflicts persist after ${MAX_REPLANS} re-reads; retrying later`;
        return { applied, failed: true, interrupted: false };
      }
      await this.registry.refresh([t]);
    }
  }

  /**
   * EC2 refused a create with RouteLimitExceeded: its quota is what the table holds now (read afresh, never our
   * possibly stale copy). From here on the table is planned and aggregated for that quota. True when learned.
   */
  private async learnLimit(t: TableState, families: ReadonlySet<Family>): Promise<boolean> {
    await this.registry.refresh([t]);
    let learned = false;
    for (const family of families) {
      const n = t.routes.filter((r) => r.destination?.family === family && countsAgainstLimit(r)).length;
      if (n < effectiveLimit(t, family, this.limit)) {
        t.learnedLimit[family] = n;
        learned = true;
        this.log.warn(
          { event: 'route_quota_learned', routeTable: t.id, family, limit: n },
          `EC2 enforces a ${family} quota of ${n} routes in ${t.id}`,
        );
      }
    }
    return learned;
  }

  private planTable(t: TableState): Plan {
    return planTableState(t, {
      desired: this.desired,
      eniOf: (nextHop) => {
        const ip = EniResolver.canonical(nextHop);
        const r = ip ? this.resolver.peek(ip, t.vpcId) : undefined;
        return r?.kind === 'found' ? r.eni.networkInterfaceId : undefined;
      },
      ownership: this.own,
      routeLimit: this.limit,
      headroom: this.headroom,
      aggregate: this.aggregate,
      deadTargets: this.health.deadTargets(),
      logger: this.log,
    });
  }

  private updateGauges(): void {
    this.m?.update(this.status());
  }
}
