// The daemon's lifecycle, independent of how its parts are built. Startup order never harms a running VPC:
//   read route tables (no writes) → start the route spec sources and BGP → wait for initial convergence
//   (End-of-RIB from every GR peer, or the settle time) → open the write gate and declare the desired set complete
//   (with HA: start campaigning; the elector keeps the gate shut unless this replica is the leader).
// The route spec's change batches flow into VPC sync from the start, so no step ever copies the whole table.
// So a restart with unchanged hosts plans zero writes. Stop sends Cease to peers and never deletes a route; with
// HA it releases the lease once VPC sync has stopped.
// A throwing handler (a peer's or AWS's mistake reaching us) is logged with context and the daemon carries on.
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import { errorMessage } from '../base/errors.js';
import type { SpeakerEvent } from '../bgp/events.js';
import { ConvergenceTracker } from './convergence.js';
import type { BgpPort, HaPort, LivenessPort, RibPort, SyncPort } from './ports.js';
import type { ReadyView } from '../api/views.js';

export interface DaemonParts {
  readonly bgp: BgpPort;
  readonly rib: RibPort;
  readonly sync: SyncPort;
  readonly liveness?: LivenessPort;
  /** Controller HA (absent: this process writes alone). */
  readonly ha?: HaPort;
}

export interface DaemonOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settleMs: number;
  /** Earliest convergence by End-of-RIB (default 1 s): lets hosts that reconnect together be heard together. */
  readonly minConvergeMs?: number;
  /** A new session delays End-of-RIB convergence by this much (default 1 s). */
  readonly quietMs?: number;
  /** Retry interval while EC2 cannot be read at startup (default 5 s). */
  readonly prepareRetryMs?: number;
  /** BGP is configured: never converge on an empty RIB at the settle time (see ConvergenceTracker). */
  readonly expectPeers?: boolean;
  /** Upper bound of that wait (default 6 × settle, at least 60 s). */
  readonly maxSettleMs?: number;
}

export type DaemonPhase = 'created' | 'starting' | 'converging' | 'running' | 'stopping' | 'stopped';

export class Daemon {
  private phaseValue: DaemonPhase = 'created';
  private tracker: ConvergenceTracker | undefined;
  private convergeTimer: TimerHandle | undefined;
  private prepareTimer: TimerHandle | undefined;
  private awsOk = false;
  private startedAt = 0;
  private readonly log: Logger;
  private readonly handlerErrors;
  private readonly readyGauge;

  constructor(
    readonly parts: DaemonParts,
    private readonly opts: DaemonOptions,
  ) {
    this.log = opts.logger.child({ component: 'daemon' });
    this.handlerErrors = opts.metrics.counter('handler_errors_total', 'Errors caught in event handlers (logged with context)', ['handler']);
    this.readyGauge = opts.metrics.gauge('ready', '1 when config is loaded, EC2 is readable and initial convergence is done');
  }

  get phase(): DaemonPhase {
    return this.phaseValue;
  }

  get uptimeSeconds(): number {
    return this.startedAt ? (this.opts.clock.now() - this.startedAt) / 1000 : 0;
  }

  ready(): ReadyView {
    const converged = this.tracker?.converged ?? false;
    const running = this.phaseValue === 'running' || this.phaseValue === 'converging';
    // EC2 stalled: route changes (failovers among them) have waited past vpc.stallWarning. Not ready, so
    // whatever watches readiness sees that routes are not being kept in sync; liveness (/healthz) is unaffected.
    const writesCurrent = !this.parts.sync.stalled();
    const checks = { config: true, aws: this.awsOk, converged, running, writesCurrent };
    return { ready: checks.aws && converged && running && writesCurrent, checks };
  }

  /** Runs fn, logging and counting a throw instead of letting it escape into an event emitter or timer. */
  private guard(handler: string, fn: () => void, context: Record<string, unknown> = {}): void {
    try {
      fn();
    } catch (err) {
      this.handlerErrors.inc({ handler });
      this.log.error({ event: 'handler_error', handler, err, ...context }, `${handler} failed: ${errorMessage(err)}`);
    }
  }

  async start(): Promise<void> {
    if (this.phaseValue !== 'created') throw new Error(`daemon already ${this.phaseValue}`);
    this.phaseValue = 'starting';
    const { bgp, rib, sync } = this.parts;
    const clock = this.opts.clock;
    this.startedAt = clock.now();
    this.tracker = new ConvergenceTracker(this.startedAt, {
      settleMs: this.opts.settleMs,
      minMs: this.opts.minConvergeMs ?? Math.min(1000, this.opts.settleMs),
      quietMs: this.opts.quietMs ?? Math.min(1000, this.opts.settleMs),
      ...(this.opts.expectPeers ? { requirePeer: true } : {}),
      ...(this.opts.maxSettleMs !== undefined ? { maxMs: this.opts.maxSettleMs } : {}),
    });
    if (sync.installedHosts) this.tracker.expectUnknown(); // until the route tables are read

    // 0. Per-AZ choices: VPC sync tells the route spec the AZs of its tables and of every candidate next hop.
    sync.onAzs?.({
      tableAzs: (azs) => this.guard('table-azs', () => rib.setTableAzs?.(azs)),
      nextHopAz: (nextHop, az) => this.guard('next-hop-az', () => rib.setNextHopAz?.(nextHop, az), { nextHop, az }),
    });
    rib.onNextHopSet?.((added, removed) => {
      this.tracker?.sawNextHops(added);
      sync.watchNextHops?.(added, removed);
    });

    // 1. Read the route tables. If EC2 cannot be read we still start (peers must not see us flap), keep retrying,
    //    and write nothing until it works.
    await this.tryPrepare();

    // 2. Sources: route spec file/HTTP/static and health, then BGP.
    sync.onNextHopUnhealthy((nextHop, reason) =>
      this.guard('next-hop-unhealthy', () => rib.nextHopUnhealthy(nextHop, reason), { nextHop, reason }),
    );
    // Every change reaches VPC sync as it happens (O(change)); sync plans nothing until completeDesired().
    rib.onChanges((batch) => this.guard('route-spec-change', () => sync.applyChanges(batch)));
    await rib.start();
    this.parts.liveness?.start();
    bgp.on((ev) =>
      this.guard('speaker-event', () => this.onSpeakerEvent(ev), { peer: 'peer' in ev ? ev.peer : ev.info.peer, type: ev.type }),
    );
    await bgp.start();
    this.phaseValue = 'converging';
    this.log.info({ event: 'converging', settleMs: this.opts.settleMs }, `waiting up to ${this.opts.settleMs}ms for initial convergence`);
    this.scheduleConvergenceCheck();
  }

  private async tryPrepare(): Promise<void> {
    try {
      await this.parts.sync.prepare();
      await this.learnInstalledHosts();
      if (!this.awsOk) this.log.info({ event: 'aws_ready' }, 'route tables read');
      this.awsOk = true;
      this.afterStateChange();
    } catch (err) {
      this.awsOk = false;
      const retry = this.opts.prepareRetryMs ?? 5000;
      this.log.error({ event: 'aws_unreachable', err }, `cannot read route tables (retrying in ${retry}ms): ${errorMessage(err)}`);
      this.prepareTimer = this.opts.clock.setTimeout(() => {
        this.prepareTimer = undefined;
        if (this.phaseValue === 'stopping' || this.phaseValue === 'stopped') return;
        void this.tryPrepare();
      }, retry);
    }
  }

  /** Which hosts the installed routes lead to: initial convergence hears from each (convergence.ts). */
  private async learnInstalledHosts(): Promise<void> {
    const { sync } = this.parts;
    if (!sync.installedHosts || this.tracker?.converged) return;
    try {
      const { hosts, targets } = await sync.installedHosts();
      this.tracker?.expect(hosts);
      this.parts.rib.preferInstalled?.((p, az) => targets.addressesFor(p, az));
      this.log.info(
        { event: 'installed_hosts', hosts: hosts.length },
        `installed routes lead to ${hosts.length} host(s); waiting to hear from each`,
      );
    } catch (err) {
      this.tracker?.expectUnknown();
      this.log.warn(
        { event: 'installed_hosts_unknown', err },
        `cannot tell which hosts the installed routes lead to (${errorMessage(err)}); initial convergence waits for the settle time`,
      );
    }
  }

  private onSpeakerEvent(ev: SpeakerEvent): void {
    this.tracker?.observe(ev, this.opts.clock.now());
    this.parts.rib.apply(ev);
    if (ev.type === 'end-of-rib' || ev.type === 'peer-up') this.afterStateChange();
  }

  /**
   * `now` is the time the last check() saw: the clock moves between reads (and a timer may fire a fraction of a
   * millisecond early), so a later read could already be past a deadline that check() did not reach, and
   * nextCheckIn() would skip it (to maxMs).
   */
  private scheduleConvergenceCheck(now = this.opts.clock.now()): void {
    this.convergeTimer?.cancel();
    const t = this.tracker;
    if (!t || t.converged) return;
    const wait = Math.max(50, t.nextCheckIn(now));
    this.convergeTimer = this.opts.clock.setTimeout(() => {
      this.convergeTimer = undefined;
      this.guard('convergence-check', () => this.afterStateChange());
      // afterStateChange schedules the next check itself; this one is for when it threw.
      if (!this.convergeTimer && !this.tracker?.converged && this.phaseValue === 'converging') this.scheduleConvergenceCheck();
    }, wait);
  }

  private afterStateChange(): void {
    const t = this.tracker;
    if (this.phaseValue !== 'converging' || !t) return;
    const now = this.opts.clock.now();
    if (!t.check(now)) {
      this.scheduleConvergenceCheck(now); // a new peer may bring the next moment to check closer
      return;
    }
    if (!this.awsOk) return; // converged, but the first reconcile waits for EC2 to be readable
    this.convergeTimer?.cancel();
    this.convergeTimer = undefined;
    this.phaseValue = 'running';
    const secs = (this.opts.clock.now() - this.startedAt) / 1000;
    this.log.info({ event: 'converged', reason: t.reason, seconds: secs }, `initial convergence: ${t.reason}`);
    this.opts.metrics.gauge('initial_convergence_seconds', 'Seconds from start to the first reconcile').set(secs);
    this.readyGauge.set(1);
    this.parts.rib.preferInstalled?.(undefined);
    this.parts.sync.enableWrites();
    this.parts.ha?.start();
    this.parts.sync.completeDesired();
  }

  async stop(): Promise<void> {
    if (this.phaseValue === 'stopping' || this.phaseValue === 'stopped') return;
    this.phaseValue = 'stopping';
    this.readyGauge.set(0);
    this.convergeTimer?.cancel();
    this.prepareTimer?.cancel();
    this.log.info({ event: 'stopping' }, 'stopping: Cease to peers, no route is deleted');
    const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.log.error({ event: 'stop_error', step: name, err }, `stopping ${name} failed: ${errorMessage(err)}`);
      }
    };
    // Sync first, so routes withdrawn by the Cease below are never acted on.
    await step('vpc-sync', () => this.parts.sync.stop());
    const ha = this.parts.ha;
    if (ha) await step('ha', () => ha.stop()); // after VPC sync: no call in flight when the lease is released
    await step('bgp', () => this.parts.bgp.stop());
    if (this.parts.liveness) await step('bfd', () => this.parts.liveness?.stop() ?? Promise.resolve());
    await step('route-spec', () => this.parts.rib.stop());
    this.phaseValue = 'stopped';
    this.log.info({ event: 'stopped' }, 'stopped');
  }
}
