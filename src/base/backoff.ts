// Exponential backoff: the n-th delay is base · 2^n, capped, with jitter so that many clients that failed together
// do not retry together. Used for AWS call retries (full jitter, "AWS Architecture Blog: Exponential Backoff and
// Jitter": uniform in [0, cap]) and for BGP reconnects (±25 %, RFC 4271 §10). Pure: randomness is passed in.

export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The capped exponential delay before attempt `n` (0-based), without jitter. */
export function exponentialDelay(b: Backoff, n: number): number {
  return Math.min(b.maxMs, b.baseMs * 2 ** Math.min(Math.max(n, 0), 30));
}

/** Full jitter: uniform in [0, ms). `rand` in [0, 1). */
export function fullJitter(ms: number, rand: number): number {
  return Math.floor(rand * ms);
}

/** ±25 % jitter (RFC 4271 §10: jitter timers to avoid synchronisation). `rand` in [0, 1). */
export function jitter(ms: number, rand: number): number {
  return Math.round(ms * (0.75 + 0.5 * rand));
}

/** A retry policy for calls: exponential backoff with full jitter, at most `maxAttempts` attempts in all. */
export interface RetryPolicy extends Backoff {
  /** Total attempts per call, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 100, maxMs: 20_000, maxAttempts: 8 };

/** Delay before retry `attempt` (0 = the first retry): full jitter over the capped exponential. */
export function retryDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  return fullJitter(exponentialDelay(b, attempt), random());
}
