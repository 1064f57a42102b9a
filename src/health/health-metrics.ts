// Per-next-hop health metrics. Series of a removed next hop are deleted.
import type { Metrics } from '../base/metrics.js';
import type { TargetHealth } from './target-health.js';

export class HealthMetrics {
  private readonly healthy;
  private readonly suppressed;
  private readonly penalty;
  private readonly flaps;
  private readonly probes;
  private readonly duration;
  private readonly heldFailures;

  constructor(m: Metrics) {
    this.healthy = m.gauge('nexthop_healthy', 'Next hop eligible for traffic (probes, damping, blackhole marks): 1 or 0', ['next_hop']);
    this.suppressed = m.gauge('nexthop_damped', 'Next hop suppressed by flap damping: 1 or 0', ['next_hop']);
    this.penalty = m.gauge('nexthop_damping_penalty', 'Current flap-damping penalty of the next hop', ['next_hop']);
    this.flaps = m.gauge('nexthop_flaps', 'Up→down transitions of the next hop since it was first probed', ['next_hop']);
    this.probes = m.counter('nexthop_probes_total', 'Health probes run, by result', ['next_hop', 'result']);
    this.duration = m.histogram(
      'probe_duration_seconds',
      'Health probe duration',
      [],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1],
    );
    this.heldFailures = m.counter(
      'nexthop_failures_held_total',
      'Next hop failures found by probes and held back to be reported with others that went quiet at the same time',
      [],
    );
  }

  held(): void {
    this.heldFailures.inc();
  }

  set(t: { nextHop: string; health: TargetHealth }, now: number): void {
    const v = t.health.view(now);
    this.healthy.set({ next_hop: t.nextHop }, v.eligible ? 1 : 0);
    this.suppressed.set({ next_hop: t.nextHop }, v.suppressed ? 1 : 0);
    this.penalty.set({ next_hop: t.nextHop }, v.penalty);
    this.flaps.set({ next_hop: t.nextHop }, v.flaps);
  }

  probe(nextHop: string, ok: boolean, seconds: number): void {
    this.probes.inc({ next_hop: nextHop, result: ok ? 'ok' : 'fail' });
    this.duration.observe(seconds);
  }

  remove(nextHop: string): void {
    for (const g of [this.healthy, this.suppressed, this.penalty, this.flaps]) g.remove({ next_hop: nextHop });
    this.probes.remove({ next_hop: nextHop, result: 'ok' });
    this.probes.remove({ next_hop: nextHop, result: 'fail' });
  }
}
