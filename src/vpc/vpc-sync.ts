// VpcSync: keeps the managed VPC route tables equal to the daemon's desired routes, safely.
//
// Contract with the daemon (stable):
//   const sync = new VpcSync({ ec2, serviceQuotas?, clusterName, clusterCidrs, tables: {ids} | {vpcId, tags?},
//     routeLimit = 'auto' (per family: a number, or the account's quota, route-quota.ts), headroom = 0,
//     debounceMs = 200, driftIntervalMs = 60_000, rate = EC2's buckets, dryRun, fixSourceDestCheck,
//     mayWrite = () => true (leader/write gate), writeTerm = () => 0, clock, logger, metrics, aggregate })
//   await sync.start()          read the route quota (auto), discover the tables, check/claim them (tag
//                               bgp2vpc:cluster=<name>), read routes. No route writes. Rejects when EC2 cannot be
//                               read (the daemon retries).
//   sync.setDesired(routes)     the full set of {prefix, nextHop, failover?}; declarative. A pass runs debounceMs
//                               after the first change of a burst (a batching window: churn is coalesced and a
//                               steady stream of changes cannot starve the writes); a failover passes at once.
//   sync.applyChanges(batch)    incremental: {prefix, to | undefined, failover} per changed prefix (the route
//                               spec's ChosenChange as is); O(prefix length) each, whatever the table holds.
//                               Changes may arrive before the set is complete: nothing is planned until
//                               completeDesired() (or a setDesired) says the set is the whole truth.
//   sync.onNextHopUnhealthy(cb) cb(nextHop, 'blackhole' | 'eni-not-found'): the route spec should pick another
//                               next hop and call setDesired (with failover: true) again. Edge-triggered.
//   await sync.reconcileNow()   one pass now (tests, `bgp2vpc plan`, an HA elector after gaining leadership).
//   sync.planOnly()             the plan per table from the cached state (no I/O); run reconcileNow() first.
//   sync.status()               per table: desired vs actual, owned/foreign, limit, budget, damage, errors, pending.
//   await sync.stop()           stops timers and waits for the pass in flight; never deletes routes.
//   Also: tablesView() (the API's TablesView), ec2Calls() (calls sent by action), converged(), routeQuota(),
//   pending() (how long changes have waited for EC2; a warning past stallWarningMs, see pending-changes.ts),
//   installedHosts() (each ENI/instance our routes target, as its addresses; where each prefix goes).
// Build `ec2` with createEc2Client() (ec2-client.ts): maxAttempts 1, so retries and the request budget are ours.
// Nothing is planned before the first setDesired (a restart must not delete routes before the route spec is
// known). mayWrite() false or dryRun: passes plan but do not write; when mayWrite() turns true the tables are
// re-read before the first write (another replica may have written meanwhile). mayWrite() is asked again right
// before every mutating call (the gateway's fence), and a pass stops writing as soon as writeTerm() differs from
// the one it started in: the gate closed and reopened meanwhile, so its view of the tables may be stale.
import { aggregate } from '../aggregate/aggregate.js';
import type { AggregateFn } from './desired-table.js';
import type { TablesView } from './table-view.js';
import { systemClock, type Clock } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../base/backoff.js';
import { EC2_RATE, Ec2Gateway } from './ec2-gateway.js';
import { EniResolver } from './eni-resolver.js';
import { aggregateSafely } from './safe-aggregate.js';
import type { Ownership } from './ownership.js';
import { TargetLiveness, type UnhealthyReason } from './target-liveness.js';
import type { Plan } from './plan.js';
import { planTableState, refreshDesiredTables, type TablePlanContext } from './table-plan.js';
import { OFF_THREAD_ABOVE, OffThreadAggregator } from './off-thread.js';
import { syncTable, type TableSyncContext } from './table-sync.js';
import { TableRegistry } from './table-registry.js';
import { pendingContext, tableStatus, type TableState, type TableStatus } from './table-state.js';
import { tableView } from './table-view.js';
import type { DesiredChange, DesiredRoute } from './types.js';
import { AzDesired } from './az-desired.js';
import { AzReporter, type AzListener } from './az-reporter.js';
import { VpcMetrics } from './vpc-metrics.js';
import { PassScheduler, type Trigger } from './pass-scheduler.js';
import { PendingChanges, STALL_WARNING_MS, type PendingView } from './pending-changes.js';
import { SourceDestFixer } from './source-dest-fixer.js';
import { AWS_DEFAULT_ROUTE_QUOTA, resolveRouteQuota, type RouteQuota } from './route-quota.js';
import { DEFAULT_SPARE_ROUTES, type VpcSyncOptions } from './vpc-sync-options.js';

export type { UnhealthyReason, VpcSyncOptions };

/** Operator conditions found by writing: cleared before each writing pass, set again if they recur. */
const WRITE_ERRORS = ['UnauthorizedOperation', 'AuthFailure', 'RouteLimitExceeded', 'InvalidParameterValue', 'Blocked', 'OptInRequired'];

export class VpcSync {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly m: VpcMetrics | undefined;
  private readonly own: Ownership;
  private readonly gw: Ec2Gateway;
  private readonly resolver: EniResolver;
  private limit: number;
  private quota: RouteQuota | undefined;
  private readonly headroom: number;
  private readonly aggregate: AggregateFn;
  private readonly backoff: RetryPolicy;
  private readonly registry: TableRegistry;
  private readonly desired = new AzDesired();
  private readonly azs = new AzReporter();
  private haveDesired = false;
  private readonly collapse: boolean;
  private readonly offThread: OffThreadAggregator;
  private convergedVersion = -1;
  private started = false;
  private stopped = false;
  private wasWriting = false;
  /** The write term the current pass (or start) began in. */
  private passTerm = 0;
  private readonly passes: PassScheduler;
  private readonly health: TargetLiveness;
  private readonly pendingChanges: PendingChanges;

  private readonly fixer: SourceDestFixer | undefined;

  constructor(private readonly o: VpcSyncOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = (o.logger ?? silentLogger).child({ component: 'vpc-sync' });
    this.m = o.metrics ? new VpcMetrics(o.metrics) : undefined;
    this.own = { clusterCidrs: o.clusterCidrs };
    const setting = o.routeLimit ?? 'auto';
    this.limit = setting === 'auto' ? AWS_DEFAULT_ROUTE_QUOTA : setting; // until start() reads the quota
    this.headroom = o.headroom ?? 0;
    this.aggregate = aggregateSafely(o.aggregate ?? aggregate, this.log);
    // Collapsing is exact for the minimal/least-damage aggregator; an injected one sees every route.
    this.collapse = o.aggregate === undefined;
    this.offThread = new OffThreadAggregator(this.aggregate, this.log, this.collapse ? (o.offThreadAbove ?? OFF_THREAD_ABOVE) : undefined);
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
    this.registry = new TableRegistry(this.gw, o.clusterName, o.tables, this.log, o.preferSameAz ?? false);
    this.resolver = new EniResolver(
      (ips) => this.gw.describeEnisByIp(ips, this.registry.vpcIds()),
      this.clock,
      o.driftIntervalMs ?? 60_000,
    );
    this.health = new TargetLiveness(this.resolver, this.own, this.log);
    this.fixer = o.fixSourceDestCheck
      ? new SourceDestFixer({
          gateway: this.gw,
          clock: this.clock,
          log: this.log,
          ...(this.m ? { metrics: this.m } : {}),
          mayWrite: () => this.canWrite(),
          onFixed: (eni) => this.sourceDestFixed(eni),
        })
      : undefined;
    this.passes = new PassScheduler({
      clock: this.clock,
      log: this.log,
      debounceMs: o.debounceMs ?? 200,
      driftIntervalMs: o.driftIntervalMs ?? 60_000,
      retry: o.retryPass ?? { baseMs: 1000, maxMs: 60_000 },
      random: o.random ?? Math.random,
      pass: (t) => this.pass(t),
    });
    this.pendingChanges = new PendingChanges({
      clock: this.clock,
      log: this.log,
      warnAfterMs: o.stallWarningMs ?? STALL_WARNING_MS,
      ...(o.metrics ? { metrics: o.metrics } : {}),
      context: () => pendingContext(this.tables),
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
    this.quota ??= await resolveRouteQuota(this.o.routeLimit ?? 'auto', this.gw, this.o.serviceQuotas, this.log);
    this.limit = this.quota.limit;
    await this.registry.discover();
    this.passTerm = this.term();
    this.wasWriting = this.canWrite();
    if (this.wasWriting) await this.registry.claimUnclaimed();
    this.started = true;
    this.azs.reportTables(this.tables.map((t) => t.az));
    this.log.info({ event: 'vpc_sync_started', tables: this.tables.map((t) => t.id) }, `managing ${this.tables.length} route table(s)`);
    this.passes.start();
  }

  installedHosts(): ReturnType<TableRegistry['installedHosts']> {
    return this.registry.installedHosts(this.own);
  }

  setDesired(routes: readonly DesiredRoute[]): void {
    this.desired.replace(routes);
    this.completeDesired();
  }

  applyChanges(changes: readonly DesiredChange[]): void {
    const before = this.desired.version;
    this.desired.apply(changes);
    if (!this.haveDesired || this.desired.version === before) return;
    if (this.canWrite()) this.pendingChanges.mark();
    if (this.started) this.passes.changed(changes.some((c) => c.failover));
  }

  /** The routes given so far are the whole desired set: passes may plan from now on. */
  completeDesired(): void {
    this.haveDesired = true;
    if (this.canWrite()) this.pendingChanges.mark();
    if (this.started) this.passes.changed();
  }

  /** The desired routes as given (tests, `bgp2vpc plan`). */
  desiredRoutes(): DesiredRoute[] {
    return this.desired.list();
  }

  /** vpc.preferSameAz: the AZs the tables serve and the AZ of each watched next hop (az-reporter.ts). */
  onAzs(listener: AzListener): void {
    this.azs.subscribe(listener);
    if (this.started) this.azs.reportTables(this.tables.map((t) => t.az));
  }

  /** The route spec's next hops (every candidate): their AZs are looked up and reported (preferSameAz). */
  watchNextHops(added: readonly string[], removed: readonly string[]): void {
    this.azs.watch(added, removed);
  }

  onNextHopUnhealthy(cb: (nextHop: string, reason: UnhealthyReason) => void): () => void {
    return this.health.subscribe(cb);
  }

  /** True when the last desired set is in every writable table (nothing pending, no failure). */
  converged(): boolean {
    return this.convergedVersion === this.desired.version && this.tables.every((t) => (t.plan?.ops.length ?? 0) === 0);
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
    const pending = this.pendingChanges.view();
    return { tables: this.tables.map((t) => tableView(t, this.own, this.limit)), ...(pending ? { pending } : {}) };
  }

  /** The oldest route change not yet in EC2, if any, and whether it has waited past the stall threshold. */
  pending(): PendingView | undefined {
    return this.pendingChanges.view();
  }

  /** The route quota in force and where it came from (undefined before start()). */
  routeQuota(): RouteQuota | undefined {
    return this.quota;
  }

  /** EC2 calls sent so far, by action. */
  ec2Calls(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.gw.sent);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pendingChanges.stop();
    this.gw.close();
    await this.passes.stop();
    this.offThread.close();
    await this.fixer?.close();
  }

  /** Aggregations run so far, by thread. */
  aggregations(): { readonly worker: number; readonly inline: number } {
    return { ...this.offThread.runs };
  }

  /** Source/dest check fixes tried so far, by ENI (vpc.fixSourceDestCheck), once the queue is empty. */
  async sourceDestFixes(): Promise<ReadonlyMap<string, 'ok' | 'failed'>> {
    await this.fixer?.idle();
    return this.fixer?.outcomes() ?? new Map();
  }

  private sourceDestFixed(eni: string): void {
    this.resolver.markSourceDestOff(eni);
    const wanted = this.desired.nextHopIps();
    for (const t of this.tables) if (!t.missing && t.claim.kind !== 'foreign') this.health.checkSourceDest(t, wanted);
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

    // Candidates' AZs before planning: the route spec re-ranks its per-AZ choices (synchronously, through the
    // daemon) and the plan below already sees them.
    if (this.o.preferSameAz) await this.azs.learn(this.resolver, this.tables, this.desired.nextHopIps(), this.registry.vpcIds());
    const version = this.desired.version;
    const wanted = this.desired.nextHopIps();
    // Blackholes are matched to next hops through the resolver's cache, so scan before a drift pass clears it.
    if (trigger !== 'drift') await this.resolver.resolve(wanted);
    const invalidated = this.health.scanBlackholes(this.tables, wanted);
    if (trigger === 'drift') this.resolver.clear(); // re-learn: moved IPs, source/dest check changes
    if (trigger === 'drift' || invalidated) await this.resolver.resolve(wanted);
    this.health.checkResolved(wanted);
    // Discovery by association follows the next hops' subnets (and re-runs on every drift pass).
    if (this.registry.setNextHopSubnets(new Set(this.resolver.foundEnis(wanted).map((e) => e.subnetId)))) {
      await this.registry.refreshAll();
      if (writing) await this.registry.claimUnclaimed();
      this.azs.reportTables(this.tables.map((t) => t.az));
    }

    const live = this.tables.filter((t) => !t.missing && t.claim.kind !== 'foreign');
    for (const t of live) {
      this.health.checkSourceDest(t, wanted);
      if (writing) for (const code of WRITE_ERRORS) t.operatorErrors.delete(code); // re-set if they recur
    }
    if (writing) this.fixer?.want(this.resolver.foundEnis(wanted));
    // Failovers first across all tables, then everything else; a newer desired set interrupts the pass.
    let failed = false;
    let interrupted = false;
    const repaired = new Map<string, number>();
    const tableSync: TableSyncContext = {
      gateway: this.gw,
      log: this.log,
      registry: this.registry,
      dryRun: this.o.dryRun ?? false,
      limit: () => this.limit,
      planTable: (t) => this.planTable(t),
      refreshDesired: (t) => refreshDesiredTables(t, this.planContext(t), (input) => this.offThread.run(input)),
      targetGone: (id) => this.health.targetGone(id),
      // Stop at once when the write gate closes (leadership lost); a newer desired set with a pass queued behind
      // this one supersedes this plan: stop and re-plan.
      superseded: () => !this.writeAllowed() || (this.passes.pending && this.desired.version !== version),
    };
    for (const phase of ['failover', 'all'] as const) {
      for (const t of live) {
        if (interrupted) break;
        const out = await syncTable(tableSync, t, writing, phase);
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
    if (!writing || this.converged()) this.pendingChanges.clear();
    else if (failed || live.some((t) => (t.plan?.ops.length ?? 0) > 0)) this.pendingChanges.mark();
    this.m?.reconcileDuration.observe((this.clock.now() - t0) / 1000);
  }

  private planTable(t: TableState): Plan {
    return planTableState(t, this.planContext(t));
  }

  /** The routes a table plans from: its AZ's view (per-AZ choices), or the default routes. */
  private planContext(t: TableState): TablePlanContext {
    return {
      desired: this.desired.forAz(t.az),
      collapse: this.collapse,
      eniOf: (nextHop) => this.resolver.eniIdOf(nextHop, t.vpcId),
      ownership: this.own,
      routeLimit: this.limit,
      headroom: this.headroom,
      spareRoutes: this.o.spareRoutes ?? DEFAULT_SPARE_ROUTES,
      aggregate: this.aggregate,
      deadTargets: this.health.deadTargets(),
      logger: this.log,
    };
  }

  private updateGauges(): void {
    this.m?.update(this.status());
  }
}
