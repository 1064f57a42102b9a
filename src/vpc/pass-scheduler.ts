// When VPC sync runs a pass: once a burst of route spec changes has been collected for the debounce window (a
// batching window, not a quiet period: a steady stream of changes cannot starve the writes), at once for a failover, every drift
// interval ± 10 % (jitter keeps replicas and restarts from reading in lockstep), and after a failed pass with
// exponential backoff. One pass at a time; a request during a pass runs one more pass after it.
import { retryDelay, type Backoff } from '../base/backoff.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';

export type Trigger = 'desired' | 'drift' | 'retry' | 'manual';

export interface PassSchedulerOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly debounceMs: number;
  readonly driftIntervalMs: number;
  /** Delay before a failed pass is retried: at least baseMs, exponential with full jitter up to maxMs. */
  readonly retry: Backoff;
  readonly random: () => number;
  /** One pass; a rejection schedules a retry. */
  readonly pass: (trigger: Trigger) => Promise<void>;
}

export class PassScheduler {
  private debounceTimer: TimerHandle | undefined;
  private driftTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryAttempt = 0;
  private lastUrgent: number | undefined;
  private running: Promise<void> | undefined;
  private rerun: Trigger | undefined;
  private stopped = false;

  constructor(private readonly o: PassSchedulerOptions) {}

  /** The drift timer starts (after the tables were first read). */
  start(): void {
    this.scheduleDrift();
  }

  /**
   * The route spec changed: a pass after the debounce window (one window per burst). A failover (`urgent`: a next
   * hop died) does not wait: it runs a pass at once, unless another urgent pass started less than a window ago,
   * so a flapping host still gets at most two passes per window (the leading one and the window's).
   */
  changed(urgent = false): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    if (urgent && (this.lastUrgent === undefined || now - this.lastUrgent >= this.o.debounceMs)) {
      this.lastUrgent = now;
      this.debounceTimer?.cancel();
      this.debounceTimer = undefined;
      this.request('desired');
      return;
    }
    if (this.debounceTimer) return;
    this.debounceTimer = this.o.clock.setTimeout(() => {
      this.debounceTimer = undefined;
      this.request('desired');
    }, this.o.debounceMs);
  }

  /** A pass now, after the one in flight (tests, `bgp2vpc plan`, leadership gained). */
  async now(): Promise<void> {
    this.debounceTimer?.cancel();
    this.debounceTimer = undefined;
    while (this.running) await this.running;
    await this.run('manual');
  }

  /** A pass succeeded: the next failure starts the backoff from the beginning. */
  succeeded(): void {
    this.retryAttempt = 0;
  }

  /** A pass ended with calls that failed after all their retries: another pass after the backoff. */
  failed(): void {
    this.scheduleRetry();
  }

  /** Another pass is queued behind the one in flight. */
  get pending(): boolean {
    return this.rerun !== undefined;
  }

  /** No more passes; waits for the one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.debounceTimer, this.driftTimer, this.retryTimer]) t?.cancel();
    while (this.running) await this.running;
  }

  private scheduleDrift(): void {
    if (this.stopped) return;
    const base = this.o.driftIntervalMs;
    const jitter = base * 0.1 * (2 * this.o.random() - 1);
    this.driftTimer = this.o.clock.setTimeout(
      () => {
        this.request('drift');
        this.scheduleDrift();
      },
      Math.max(1, Math.round(base + jitter)),
    );
  }

  /** Runs a pass now, or once more after the pass in flight. */
  private request(trigger: Trigger): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = this.rerun === 'drift' ? 'drift' : trigger;
      return;
    }
    void this.run(trigger);
  }

  private run(trigger: Trigger): Promise<void> {
    const p = (async () => {
      let t: Trigger | undefined = trigger;
      while (t && !this.stopped) {
        this.rerun = undefined;
        try {
          await this.o.pass(t);
        } catch (err) {
          this.o.log.error({ event: 'reconcile_error', err: errorMessage(err) }, 'reconcile pass failed');
          this.scheduleRetry();
        }
        t = this.rerun;
      }
    })();
    this.running = p;
    return p.finally(() => {
      if (this.running === p) this.running = undefined;
    });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.max(this.o.retry.baseMs, retryDelay(this.retryAttempt++, this.o.retry, this.o.random));
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.request('retry');
    }, delay);
  }
}
