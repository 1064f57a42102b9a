// How long route changes have waited for EC2 (campaign defect 7: with EC2 frozen and a change pending, nothing
// said so: the pass was stuck in its first call, before any plan, so the per-table pending counts and the
// pending-ops gauge still showed the last finished pass). The clock starts when a change becomes due to be
// written (a new desired set, or a pass that ends with writes left) and stops when a pass applies everything.
// Past `warnAfterMs` one warning is logged (and one line when it recovers), /readyz turns 503, and the age is in
// the API and in bgp2vpc_vpc_pending_age_seconds throughout.
import { Gauge } from 'prom-client';
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { METRIC_PREFIX, type Metrics } from '../base/metrics.js';

/** The default threshold (config vpc.stallWarning). */
export const STALL_WARNING_MS = 15_000;

export interface PendingView {
  /** When the oldest change not yet in EC2 became due (ISO 8601). */
  readonly since: string;
  readonly ageSeconds: number;
  /** Older than the stall threshold. */
  readonly stalled: boolean;
}

export interface PendingContext {
  /** Planned writes left per the last plan, and what went wrong last, for the warning. */
  readonly ops: number;
  readonly lastError?: string;
}

export class PendingChanges {
  private since: number | undefined;
  private warned = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly o: {
      readonly clock: Clock;
      readonly log: Logger;
      readonly warnAfterMs: number;
      readonly context: () => PendingContext;
      readonly metrics?: Metrics;
    },
  ) {
    if (o.metrics) {
      const name = `${METRIC_PREFIX}vpc_pending_age_seconds`;
      o.metrics.registry.removeSingleMetric(name);
      const age = (): number => this.ageMs() / 1000;
      new Gauge({
        name,
        help: 'Seconds the oldest route change not yet applied in EC2 has waited (0 when none)',
        registers: [o.metrics.registry],
        collect() {
          this.set(age());
        },
      });
    }
  }

  /** A change is due to be written (no-op while one already is: the oldest counts). */
  mark(): void {
    if (this.since !== undefined) return;
    this.since = this.o.clock.now();
    this.timer = this.o.clock.setTimeout(() => this.warn(), this.o.warnAfterMs);
  }

  /** Everything is applied (or nothing may be written: dry run, not the writer). */
  clear(): void {
    if (this.since === undefined) return;
    if (this.warned) {
      this.o.log.info(
        { event: 'vpc_sync_recovered', waitedSeconds: this.ageMs() / 1000 },
        `route changes applied in EC2 after ${(this.ageMs() / 1000).toFixed(1)} s`,
      );
    }
    this.since = undefined;
    this.warned = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  ageMs(): number {
    return this.since === undefined ? 0 : this.o.clock.now() - this.since;
  }

  get stalled(): boolean {
    return this.since !== undefined && this.ageMs() >= this.o.warnAfterMs;
  }

  view(): PendingView | undefined {
    if (this.since === undefined) return undefined;
    return { since: new Date(this.since).toISOString(), ageSeconds: Math.round(this.ageMs()) / 1000, stalled: this.stalled };
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private warn(): void {
    this.timer = undefined;
    if (this.since === undefined) return;
    this.warned = true;
    const c = this.o.context();
    const age = this.ageMs() / 1000;
    this.o.log.warn(
      { event: 'vpc_sync_stalled', pendingSeconds: age, ops: c.ops, ...(c.lastError !== undefined ? { lastError: c.lastError } : {}) },
      `route changes have waited ${age.toFixed(1)} s for EC2 (${c.ops} planned write(s)${c.lastError !== undefined ? `; last error: ${c.lastError}` : ''})`,
    );
  }
}
