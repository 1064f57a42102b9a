// A client-side token bucket that mirrors EC2's request-rate buckets (mutating actions: 50 burst, 5/s refill;
// Describe*: 100 burst, 20/s). Spending our own tokens first means we rarely meet RequestLimitExceeded at all,
// and when we do (another client shares the account's bucket) drain() re-aligns us with the server's view.
import type { Clock } from './clock.js';

export interface BucketConfig {
  readonly burst: number;
  readonly perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** The last token was taken from a (nearly) full bucket: see settle(). */
  private tookNearCap = false;

  constructor(
    private readonly clock: Clock,
    readonly config: BucketConfig,
  ) {
    if (!(config.burst >= 1) || !(config.perSecond > 0)) throw new RangeError('token bucket needs burst ≥ 1 and perSecond > 0');
    this.tokens = config.burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.config.burst, this.tokens + ((now - this.last) * this.config.perSecond) / 1000);
      this.last = now;
    }
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tookNearCap = this.tokens > this.config.burst - 1;
    this.tokens -= 1;
    return true;
  }

  /**
   * Call when the answer to a request arrives. A token taken from a full bucket started our refill at send
   * time, but EC2's bucket, also full, only started refilling when the request reached it: up to the whole
   * round trip later. Once we know the request has arrived (its answer is here), assume the server has just
   * taken its token, so we never count refill the server did not get.
   */
  settle(): void {
    if (!this.tookNearCap) return;
    this.tookNearCap = false;
    this.refill();
    this.tokens = Math.min(this.tokens, this.config.burst - 1);
  }

  /** Milliseconds until one token is available (0 when one is). */
  msUntilToken(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.config.perSecond);
  }

  /** Waits (on the injected clock) until a token is available, then spends it. */
  async take(): Promise<void> {
    while (!this.tryTake()) {
      const ms = this.msUntilToken();
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.max(1, ms)));
    }
  }

  /** The server said we are throttled: assume its bucket is empty too. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }
}
