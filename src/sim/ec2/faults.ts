// Fault injection: EC2-like token-bucket throttling, seeded random 5xx, latency, timeouts and denied actions.
// Time comes from the injected Clock so tests drive buckets and delays without sleeping.
import type { Clock } from '../../base/clock.js';
import { TokenBucket, type BucketConfig } from '../../base/token-bucket.js';

/** The request classes EC2 throttles separately. */
export type RateClass = 'mutating' | 'describe' | 'unfilteredDescribe';

export type ThrottleConfig = Readonly<Record<RateClass, BucketConfig>>;

/** EC2's published defaults: mutating 50/5 s⁻¹; Describe* 100/20; unfiltered Describe of instances/ENIs 50/10. */
export const EC2_THROTTLE: ThrottleConfig = {
  mutating: { burst: 50, perSecond: 5 },
  describe: { burst: 100, perSecond: 20 },
  unfilteredDescribe: { burst: 50, perSecond: 10 },
};

/** mulberry32: a small seeded PRNG so fault sequences repeat for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the fault layer decides for one call before it runs. */
export type FaultDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'throttle' }
  /** afterApply: the action runs, then the caller gets the 500 anyway (it cannot tell it worked). */
  | { readonly kind: 'error5xx'; readonly afterApply: boolean };

export interface FaultsSnapshot {
  readonly throttle: ThrottleConfig | false;
  readonly errorRate: number;
  readonly errorsAfterApply: boolean;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly timeoutRate: number;
  readonly timeoutResetMs: number | undefined;
  readonly denied: readonly string[];
  readonly frozen: boolean;
}

/** Which actions the fault knobs apply to: 'all' or only those of a class ('mutating' | 'describe'). */
export type FaultScope = 'all' | 'mutating' | 'describe';

export class Faults {
  private buckets: Map<RateClass, TokenBucket> | undefined;
  private throttleConfig: ThrottleConfig | false = false;
  private p5xx = 0;
  private scope5xx: FaultScope = 'all';
  private after5xx = false;
  private rand5xx = seededRandom(1);
  private latencyMs = 0;
  private jitterMs = 0;
  private randLatency = seededRandom(2);
  private pTimeout = 0;
  private randTimeout = seededRandom(3);
  private resetAfter: number | undefined;
  private readonly denied = new Set<string>();
  private held: (() => void)[] | undefined;

  constructor(private readonly clock: Clock) {}

  /** Turns throttling on (true/{} = EC2's defaults, partial configs merge with them) or off (false). */
  throttle(config: boolean | Partial<ThrottleConfig>): void {
    if (config === false) {
      this.throttleConfig = false;
      this.buckets = undefined;
      return;
    }
    const full: ThrottleConfig = config === true ? EC2_THROTTLE : { ...EC2_THROTTLE, ...config };
    this.throttleConfig = full;
    this.buckets = new Map((Object.keys(full) as RateClass[]).map((k) => [k, new TokenBucket(this.clock, full[k])] as const));
  }

  /**
   * Fails this fraction of calls with InternalError (HTTP 500), from a seeded sequence. `when: 'after'` runs the
   * action first (the write lands, the answer says it failed), as a real 5xx may.
   */
  errorRate(p: number, seed = 1, scope: FaultScope = 'all', when: 'before' | 'after' = 'before'): void {
    this.p5xx = clamp01(p);
    this.scope5xx = scope;
    this.after5xx = when === 'after';
    this.rand5xx = seededRandom(seed);
  }

  /** Delays every response by ms ± jitter (uniform, seeded). */
  latency(ms: number, jitter = 0, seed = 2): void {
    this.latencyMs = Math.max(0, ms);
    this.jitterMs = Math.max(0, jitter);
    this.randLatency = seededRandom(seed);
  }

  /**
   * Never answers this fraction of calls (the action still runs: the client cannot tell whether it did). With
   * resetAfterMs the connection is then reset after that long (on the clock), which the SDK retries; without it
   * the call hangs until the client's own request timeout.
   */
  timeouts(p: number, seed = 3, resetAfterMs?: number): void {
    this.pTimeout = clamp01(p);
    this.randTimeout = seededRandom(seed);
    this.resetAfter = resetAfterMs === undefined ? undefined : Math.max(0, resetAfterMs);
  }

  /** Refuses these actions with UnauthorizedOperation (HTTP 403), as a missing IAM permission does. */
  deny(actions: readonly string[]): void {
    this.denied.clear();
    for (const a of actions) this.denied.add(a);
  }

  /**
   * Frozen: EC2 API requests are accepted and held, unanswered and not acted on, until thawed (then they run in
   * arrival order). The admin API keeps answering. A stalled control plane, as opposed to slow (latency) or lost
   * answers (timeouts).
   */
  freeze(on: boolean): void {
    if (on) {
      this.held ??= [];
      return;
    }
    const held = this.held ?? [];
    this.held = undefined;
    for (const run of held) run();
  }

  /** While frozen: keeps `run` for the thaw and returns true. */
  holdIfFrozen(run: () => void): boolean {
    if (!this.held) return false;
    this.held.push(run);
    return true;
  }

  clear(): void {
    this.freeze(false);
    this.throttle(false);
    this.errorRate(0);
    this.latency(0);
    this.timeouts(0);
    this.deny([]);
  }

  snapshot(): FaultsSnapshot {
    return {
      throttle: this.throttleConfig,
      errorRate: this.p5xx,
      errorsAfterApply: this.after5xx,
      latencyMs: this.latencyMs,
      jitterMs: this.jitterMs,
      timeoutRate: this.pTimeout,
      timeoutResetMs: this.resetAfter,
      denied: [...this.denied],
      frozen: this.held !== undefined,
    };
  }

  isDenied(action: string): boolean {
    return this.denied.has(action);
  }

  /** Throttling, then random 5xx. (Denial is checked by the server, before DryRun.) */
  decide(rateClass: RateClass): FaultDecision {
    const bucket = this.buckets?.get(rateClass);
    if (bucket && !bucket.tryTake()) return { kind: 'throttle' };
    const inScope = this.scope5xx === 'all' || (this.scope5xx === 'mutating') === (rateClass === 'mutating');
    if (this.p5xx > 0 && inScope && this.rand5xx() < this.p5xx) return { kind: 'error5xx', afterApply: this.after5xx };
    return { kind: 'pass' };
  }

  /** Milliseconds to hold this response. */
  delay(): number {
    if (this.latencyMs === 0 && this.jitterMs === 0) return 0;
    return Math.max(0, this.latencyMs + (this.randLatency() * 2 - 1) * this.jitterMs);
  }

  /** Milliseconds after which a withheld answer's connection is reset (undefined: never). */
  timeoutResetMs(): number | undefined {
    return this.resetAfter;
  }

  shouldTimeOut(): boolean {
    return this.pTimeout > 0 && this.randTimeout() < this.pTimeout;
  }
}

function clamp01(p: number): number {
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
}
