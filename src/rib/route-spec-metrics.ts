// Route spec metrics: chosen-next-hop changes by reason, batch sizes, prefixes with and without an eligible
// candidate (refreshed on every batch from the counters the route spec keeps; no scan per scrape).
import type { Metrics } from '../base/metrics.js';
import type { ChosenChange } from './chosen.js';

export class RouteSpecMetrics {
  private readonly changes;
  private readonly batchSize;
  private readonly prefixes;

  constructor(m: Metrics) {
    this.changes = m.counter(
      'route_spec_changes_total',
      'Chosen next-hop changes, by reason (new, failover, preferred, withdrawn, no-eligible)',
      ['reason'],
    );
    this.batchSize = m.histogram('route_spec_batch_changes', 'Changes per emitted batch', [], [1, 10, 100, 1000, 10_000, 100_000]);
    this.prefixes = m.gauge('route_spec_prefixes', 'Prefixes in the route spec (any source)');
  }

  batch(batch: readonly ChosenChange[], prefixes: number): void {
    // One increment per reason, not per change (a labelled inc hashes its labels: a cost per prefix otherwise).
    const byReason = new Map<ChosenChange['reason'], number>();
    for (const c of batch) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + 1);
    for (const [reason, n] of byReason) this.changes.inc({ reason }, n);
    this.batchSize.observe(batch.length);
    this.prefixes.set(prefixes);
  }
}
