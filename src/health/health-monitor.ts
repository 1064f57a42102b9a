// The health monitor: runs probes for every next hop (targets come from the route spec), feeds results to the
// pure TargetHealth machines, and reports eligibility changes. Scheduling: each target gets its own timer
// with a random phase and ±jitter per interval (no bursts), at most one probe in flight per target, a timeout
// per probe enforced with the injected clock. Failures found together are reported together (quiet-hold.ts).
import { systemClock, type Clock, type TimerHandle } from '../base/clock.js';
import { silentLogger, type Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import type { Probe, ProbeResult } from './probe-result.js';
import { makeProbe } from './probes.js';
import { resolveProbeGroup, HealthConfigError, type ProbeGroupOptions, type ResolvedProbeGroup } from './options.js';
import { TargetHealth, type TargetHealthView } from './target-health.js';
import { HealthMetrics } from './health-metrics.js';
import { QuietHold, type QuietTarget } from './quiet-hold.js';

export interface HealthMonitorOptions {
  /** Probe settings per group (peer group name, or the route spec's default group). */
  readonly groups: Readonly<Record<string, ProbeGroupOptions>>;
  /** Group used when a target's group has no entry. Default: 'default' if present, else no probing. */
  readonly defaultGroup?: string;
  /**
   * A probed next hop seen for the first time starts unhealthy and needs `rise` good probes (≈ rise × interval)
   * before it may carry traffic. Default false: it starts healthy and `fall` failures take it out, so a daemon
   * restart does not leave prefixes without a choice while the first probes run.
   */
  readonly newTargetsStartDown?: boolean;
}

export interface HealthMonitorDeps {
  readonly clock?: Clock;
  /** Random source in [0, 1) for phase and jitter (tests pass a fixed one). */
  readonly random?: () => number;
  /** Probe factory override (tests). */
  readonly makeProbe?: (group: ResolvedProbeGroup) => Probe;
  readonly metrics?: Metrics;
  readonly log?: Logger;
}

export interface HealthChange {
  readonly healthy: boolean;
  readonly since: number;
  readonly reason: string;
}

export interface NextHopVerdict extends HealthChange {
  readonly nextHop: string;
}

/** Verdicts that changed: one next hop, or several found down together (report them to the route spec at once). */
export type HealthListener = (verdicts: readonly NextHopVerdict[]) => void;

interface Target extends QuietTarget {
  readonly nextHop: string;
  /** The group the route spec asked for, and the one in effect (the default group when it has no settings). */
  readonly requestedGroup: string;
  readonly groupName: string;
  readonly group: ResolvedProbeGroup | undefined;
  readonly probe: Probe | undefined;
  readonly health: TargetHealth;
  timer: TimerHandle | undefined;
  wake: TimerHandle | undefined;
  inFlight: boolean;
  removed: boolean;
  lastGood: number | undefined;
  quietSince: number | undefined;
}

/** Blackhole marks for next hops not (yet) probed: kept so a target added later starts down. */
interface PendingMark {
  readonly reason: string;
  readonly until: number | undefined;
}

export class HealthMonitor {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly groups = new Map<string, ResolvedProbeGroup>();
  private readonly probes = new Map<string, Probe>();
  private readonly defaultGroup: string | undefined;
  private readonly targets = new Map<string, Target>();
  private readonly marks = new Map<string, PendingMark>();
  /** Liveness verdicts (BFD down) by next hop, kept for targets added later. */
  private readonly liveness = new Map<string, string>();
  private readonly listeners = new Set<HealthListener>();
  private readonly metrics: HealthMetrics | undefined;
  private readonly log: Logger;
  private readonly probeFactory: (g: ResolvedProbeGroup) => Probe;
  private stopped = false;
  private readonly startDown: boolean;
  private readonly quiet = new QuietHold();
  private quietTimer: TimerHandle | undefined;

  constructor(opts: HealthMonitorOptions, deps: HealthMonitorDeps = {}) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.log = (deps.log ?? silentLogger).child({ component: 'health' });
    this.metrics = deps.metrics ? new HealthMetrics(deps.metrics) : undefined;
    this.probeFactory = deps.makeProbe ?? ((g) => makeProbe(g.probe));
    for (const [name, g] of Object.entries(opts.groups)) this.groups.set(name, resolveProbeGroup(name, g));
    this.defaultGroup = opts.defaultGroup ?? (this.groups.has('default') ? 'default' : undefined);
    this.startDown = opts.newTargetsStartDown ?? false;
    if (opts.defaultGroup !== undefined && !this.groups.has(opts.defaultGroup)) {
      throw new HealthConfigError(`default health group "${opts.defaultGroup}" is not defined`);
    }
  }

  /**
   * New probe settings (config reload). Targets whose group settings changed restart their probing with a
   * fresh state (up); the others keep their state, damping penalty and schedule.
   */
  setGroups(groups: Readonly<Record<string, ProbeGroupOptions>>): void {
    const next = new Map<string, ResolvedProbeGroup>();
    for (const [name, g] of Object.entries(groups)) next.set(name, resolveProbeGroup(name, g));
    const same = (a: ResolvedProbeGroup | undefined, b: ResolvedProbeGroup | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
    const changed = new Set<string>();
    for (const name of new Set([...this.groups.keys(), ...next.keys()]))
      if (!same(this.groups.get(name), next.get(name))) changed.add(name);
    if (changed.size === 0) return;
    this.groups.clear();
    for (const [k, v] of next) this.groups.set(k, v);
    for (const name of changed) this.probes.delete(name);
    for (const [nh, t] of [...this.targets]) {
      if (!changed.has(t.groupName) && !changed.has(t.requestedGroup)) continue;
      const wasEligible = t.health.eligible();
      this.removeTarget(nh);
      this.addTarget(nh, t.requestedGroup);
      const now = this.clock.now();
      const fresh = this.targets.get(nh);
      if (fresh && fresh.health.eligible() !== wasEligible) this.report([fresh], now);
    }
  }

  /** True when some group uses ICMP (the daemon then runs checkIcmpCapability() at startup). */
  usesIcmp(): boolean {
    return [...this.groups.values()].some((g) => g.probe.type === 'icmp');
  }

  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Current verdict for a next hop (RouteSpec's healthOf). An unknown target is healthy unless marked, or, with
   * newTargetsStartDown, unless `group` (the group it will be added with) probes it: then it starts down, as
   * addTarget will create it.
   */
  healthOf(nextHop: string, group?: string): HealthChange {
    const t = this.targets.get(nextHop);
    const now = this.clock.now();
    if (t) return { healthy: t.health.eligible(), since: t.health.view(now).since, reason: t.health.reason(now) };
    const m = this.marks.get(nextHop);
    if (m && (m.until === undefined || now < m.until)) return { healthy: false, since: now, reason: m.reason };
    const down = this.liveness.get(nextHop);
    if (down !== undefined) return { healthy: false, since: now, reason: down };
    if (this.startDown && group !== undefined && this.probedGroup(group))
      return { healthy: false, since: now, reason: 'waiting for the first probes' };
    return { healthy: true, since: now, reason: 'not probed' };
  }

  private probedGroup(groupName: string): boolean {
    const name = this.groups.has(groupName) ? groupName : this.defaultGroup;
    const g = name !== undefined ? this.groups.get(name) : undefined;
    return g !== undefined && g.probe.type !== 'none';
  }

  /** Declarative: probe exactly these targets. */
  setTargets(targets: readonly { readonly nextHop: string; readonly group: string }[]): void {
    const want = new Map(targets.map((t) => [t.nextHop, t.group]));
    for (const nh of [...this.targets.keys()]) if (!want.has(nh)) this.removeTarget(nh);
    for (const [nh, g] of want) if (!this.targets.has(nh)) this.addTarget(nh, g);
  }

  addTarget(nextHop: string, groupName: string): void {
    if (this.stopped || this.targets.has(nextHop)) return;
    const name = this.groups.has(groupName) ? groupName : this.defaultGroup;
    const group = name !== undefined ? this.groups.get(name) : undefined;
    const active = group !== undefined && group.probe.type !== 'none';
    let probe: Probe | undefined;
    if (active && name !== undefined) {
      probe = this.probes.get(name);
      if (!probe) {
        probe = this.probeFactory(group);
        this.probes.set(name, probe);
      }
    }
    const now = this.clock.now();
    const health = new TargetHealth({ rise: group?.rise ?? 1, fall: group?.fall ?? 1 }, group?.damping, now, active && this.startDown);
    const t: Target = {
      nextHop,
      requestedGroup: groupName,
      groupName: name ?? '',
      group: active ? group : undefined,
      probe,
      health,
      timer: undefined,
      wake: undefined,
      inFlight: false,
      removed: false,
      lastGood: undefined,
      quietSince: undefined,
      probeIntervalMs: active ? group.intervalMs : undefined,
      eligible: () => health.eligible(),
    };
    this.targets.set(nextHop, t);
    const m = this.marks.get(nextHop);
    if (m) {
      this.marks.delete(nextHop);
      t.health.markUnhealthy(m.reason, m.until, now);
      this.scheduleWake(t);
    }
    const down = this.liveness.get(nextHop);
    if (down !== undefined) t.health.setLiveness(down, now);
    this.metrics?.set(t, now);
    // Random phase in [0, interval): 1,000 targets added at once spread over one interval.
    if (t.group) this.schedule(t, this.random() * t.group.intervalMs);
  }

  removeTarget(nextHop: string): void {
    const t = this.targets.get(nextHop);
    if (!t) return;
    t.removed = true;
    t.timer?.cancel();
    t.wake?.cancel();
    this.targets.delete(nextHop);
    this.metrics?.remove(nextHop);
    this.quiet.forget(nextHop);
    this.releaseQuiet();
    // A blackhole mark outlives the target: the next hop may come back (re-announced) while EC2 still says so.
    const o = t.health.activeOverride(this.clock.now());
    if (o) this.marks.set(nextHop, o);
  }

  /**
   * EC2 reported a route to this next hop as blackhole (instance or ENI gone): unhealthy for ttlMs (forever when
   * undefined, until clearMark or the target disappears), whatever the probes say.
   */
  markUnhealthy(nextHop: string, reason: string, ttlMs?: number): void {
    const now = this.clock.now();
    const until = ttlMs === undefined ? undefined : now + ttlMs;
    const t = this.targets.get(nextHop);
    if (!t) {
      this.marks.set(nextHop, { reason, until });
      return;
    }
    if (t.health.markUnhealthy(reason, until, now) || this.quiet.isHeld(nextHop)) this.report([t], now);
    this.scheduleWake(t);
  }

  /**
   * A liveness detector's verdict for a next hop (BFD): `downReason` makes it unhealthy at once (a flap for
   * damping), undefined lifts that. Kept for a next hop that is not (yet) a target.
   */
  setLiveness(nextHop: string, downReason: string | undefined): void {
    if (downReason === undefined) this.liveness.delete(nextHop);
    else this.liveness.set(nextHop, downReason);
    const t = this.targets.get(nextHop);
    if (!t) return;
    const now = this.clock.now();
    const held = downReason !== undefined && this.quiet.isHeld(nextHop); // down already, not yet reported: report now
    if (t.health.setLiveness(downReason, now) || held) this.report([t], now);
    this.scheduleWake(t);
  }

  clearMark(nextHop: string): void {
    this.marks.delete(nextHop);
    const t = this.targets.get(nextHop);
    const now = this.clock.now();
    if (t?.health.clearOverride(now)) this.report([t], now);
  }

  view(nextHop: string): TargetHealthView | undefined {
    return this.targets.get(nextHop)?.health.view(this.clock.now());
  }

  views(): { nextHop: string; health: TargetHealthView }[] {
    const now = this.clock.now();
    return [...this.targets.values()].map((t) => ({ nextHop: t.nextHop, health: t.health.view(now) }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.targets.values()) {
      t.removed = true;
      t.timer?.cancel();
      t.wake?.cancel();
    }
    this.quietTimer?.cancel();
    this.targets.clear();
  }

  private schedule(t: Target, delay: number): void {
    if (t.removed || !t.group) return;
    t.timer = this.clock.setTimeout(() => this.run(t), delay);
  }

  private run(t: Target): void {
    const g = t.group;
    if (t.removed || !g || !t.probe) return;
    // Next start: one interval ± jitter from this start, whatever the probe takes.
    this.schedule(t, g.intervalMs * (1 + g.jitter * (2 * this.random() - 1)));
    if (t.inFlight) return; // at most one probe in flight per target
    t.inFlight = true;
    const started = this.clock.now();
    const ac = new AbortController();
    const timeout = this.clock.setTimeout(() => ac.abort(), g.timeoutMs);
    t.probe(t.nextHop, ac.signal)
      .catch((err: unknown): ProbeResult => ({ ok: false, detail: `probe error: ${String(err)}` }))
      .then((r) => {
        timeout.cancel();
        t.inFlight = false;
        if (t.removed) return;
        const now = this.clock.now();
        this.metrics?.probe(t.nextHop, r.ok, (now - started) / 1000);
        if (r.ok) {
          t.lastGood = started;
          t.quietSince = undefined;
        } else t.quietSince ??= started;
        const wasDown = t.health.view(now).state;
        if (!t.health.observe(r.ok, r.detail, now)) {
          if (wasDown !== t.health.view(now).state) this.metrics?.set(t, now);
        } else if (t.health.eligible() || !this.holdQuiet(t, g, now)) this.report([t], now);
        this.quiet.observed(t);
        this.releaseQuiet();
        this.scheduleWake(t);
      })
      .catch((err: unknown) => this.log.error({ event: 'health_probe_failed', nextHop: t.nextHop, err }, 'health listener failed'));
  }

  private scheduleWake(t: Target): void {
    t.wake?.cancel();
    t.wake = undefined;
    const at = t.health.nextWakeup();
    if (at === undefined || t.removed) return;
    t.wake = this.clock.setTimeout(
      () => {
        t.wake = undefined;
        const now = this.clock.now();
        if (t.health.tick(now)) this.report([t], now);
        this.scheduleWake(t);
      },
      Math.max(0, Math.ceil(at - this.clock.now()) + 1),
    );
  }

  /** Holds back a failure found by probes while other next hops that may be failing with it are unresolved. */
  private holdQuiet(t: Target, g: ResolvedProbeGroup, now: number): boolean {
    const opening = this.quiet.deadline === undefined;
    const maxHoldMs = g.fall * g.intervalMs * (1 + g.jitter) + g.timeoutMs;
    if (!this.quiet.hold(t, this.targets.values(), now, maxHoldMs)) return false;
    this.metrics?.set(t, now);
    this.metrics?.held();
    if (opening) {
      this.log.info(
        { event: 'nexthop_failures_held', nextHop: t.nextHop, maxHoldMs },
        `next hop ${t.nextHop} failed its probes while others have not answered since: reporting the failures found together`,
      );
      this.quietTimer = this.clock.setTimeout(() => this.releaseQuiet(), Math.ceil(maxHoldMs) + 1);
    }
    return true;
  }

  /** Reports the held failures together once no suspect is left or the deadline has passed. */
  private releaseQuiet(): void {
    const now = this.clock.now();
    const batch = this.quiet.take(now);
    if (!batch) return;
    this.quietTimer?.cancel();
    this.quietTimer = undefined;
    const down = batch.nextHops.map((nh) => this.targets.get(nh)).filter((t): t is Target => t !== undefined && !t.health.eligible());
    this.log.info(
      {
        event: 'nexthop_failures_released',
        count: down.length,
        heldMs: now - batch.openedAt,
        cleared: batch.cleared,
        unresolved: batch.unresolved,
      },
      `${down.length} next hop failure(s) reported together after ${now - batch.openedAt} ms (${batch.cleared} others answered, ${batch.unresolved} still unresolved)`,
    );
    this.report(down, now);
  }

  /** Tells the listeners, in one call, the verdicts of these targets; they are no longer held or suspects. */
  private report(targets: readonly Target[], now: number): void {
    const verdicts: NextHopVerdict[] = [];
    for (const x of targets) {
      this.quiet.reported(x);
      const v = x.health.view(now);
      this.metrics?.set(x, now);
      this.log.info(
        { event: v.eligible ? 'nexthop_healthy' : 'nexthop_unhealthy', nextHop: x.nextHop, reason: v.reason, penalty: v.penalty },
        `next hop ${x.nextHop} ${v.eligible ? 'healthy' : 'unhealthy'}: ${v.reason}`,
      );
      verdicts.push({ nextHop: x.nextHop, healthy: v.eligible, since: now, reason: v.reason });
    }
    if (verdicts.length > 0) for (const l of this.listeners) l(verdicts);
    if (this.quiet.deadline !== undefined) this.releaseQuiet(); // a suspect reported otherwise (BFD, a mark)
  }
}
