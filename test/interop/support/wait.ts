// Waiting on conditions with a deadline, for tests and benchmarks that drive real processes. Never a fixed
// sleep as the assertion: poll a condition, fail with what was last seen when the deadline passes.
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

export interface WaitOptions {
  /** Give up after this many milliseconds (default 30 s: generous for a loaded 2-core machine). */
  readonly timeoutMs?: number;
  /** Poll interval (default 50 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the error message. */
  readonly what?: string;
  /** Extra context appended to the timeout message (e.g. the tail of a peer's log). */
  readonly describe?: () => string | Promise<string>;
}

/**
 * Polls `probe` until it returns a value other than undefined/false and returns that value. A probe that throws
 * counts as "not yet" (the last error is reported on timeout).
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
  let msg = `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}`;
  if (lastError !== undefined) msg += ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  if (opts.describe) {
    try {
      msg += `\n${await opts.describe()}`;
    } catch {
      // diagnostics are best effort
    }
  }
  throw new WaitTimeoutError(msg);
}

/**
 * Asserts that `check` keeps holding for `ms` (polled): used for "no gap" checks such as routes staying
 * through a graceful restart. Throws with `what` on the first failure.
 */
export async function holdsFor(check: () => boolean, ms: number, what: string, intervalMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!check()) throw new Error(`condition broke: ${what}`);
    await sleep(intervalMs);
  }
  if (!check()) throw new Error(`condition broke: ${what}`);
}
