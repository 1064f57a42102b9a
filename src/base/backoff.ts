// Exponential backoff with full jitter ("AWS Architecture Blog: Exponential Backoff and Jitter"): the delay
// before retry n is uniform in [0, min(maxMs, baseMs · 2^n)]. Pure, with the random source injected.
import type { Clock } from './clock.js';

export interface BackoffConfig {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Total attempts per call, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 100, maxMs: 20_000, maxAttempts: 8 };

export function backoffDelay(attempt: number, cfg: BackoffConfig, random: () => number = Math.random): number {
  const cap = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
}
