// Prometheus metrics. One registry per daemon (tests make their own); every name starts with `bgp2vpc_`,
// counters end in `_total`; labels `peer` and `route_table`. Series of a removed peer are deleted by the owner.
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'bgp2vpc_';

export class Metrics {
  readonly registry: Registry;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const full = METRIC_PREFIX + name;
    const existing = this.registry.getSingleMetric(full);
    if (existing) return existing as Counter<L>;
    if (!full.endsWith('_total')) throw new Error(`counter ${full} must end in _total`);
    return new Counter<L>({ name: full, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const full = METRIC_PREFIX + name;
    const existing = this.registry.getSingleMetric(full);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({ name: full, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  /**
   * Gauges and counters with one series per item (label `label`), read from `items()` at scrape time: the hot path
   * keeps plain numbers and prom-client sees them only when scraped. Registering a name again replaces it.
   */
  perItem<T>(items: () => readonly T[], label: string, labelOf: (item: T) => string): PerItemSeries<T> {
    const registry = this.registry;
    const opts = (name: string, help: string) => {
      const full = METRIC_PREFIX + name;
      registry.removeSingleMetric(full);
      return { name: full, help, labelNames: [label], registers: [registry] };
    };
    return {
      gauge(name, help, read) {
        new Gauge({
          ...opts(name, help),
          collect() {
            this.reset();
            for (const t of items()) this.set({ [label]: labelOf(t) }, read(t));
          },
        });
      },
      counter(name, help, read) {
        new Counter({
          ...opts(name, help),
          collect() {
            this.reset();
            for (const t of items()) this.inc({ [label]: labelOf(t) }, read(t));
          },
        });
      },
    };
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ): Histogram<L> {
    const full = METRIC_PREFIX + name;
    const existing = this.registry.getSingleMetric(full);
    if (existing) return existing as Histogram<L>;
    return new Histogram<L>({ name: full, help, labelNames: [...labelNames], buckets: [...buckets], registers: [this.registry] });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Series made by Metrics.perItem: each call registers one metric read from every item at scrape time. */
export interface PerItemSeries<T> {
  gauge(name: string, help: string, read: (item: T) => number): void;
  counter(name: string, help: string, read: (item: T) => number): void;
}
