// The writer's fence: when a leader may send a mutating EC2 call. EC2 has no conditional writes, so safety comes
// from time (docs/ha.md has the timeline):
//   deadline   = send time of the last acknowledged acquisition or renewal + TTL − margin
//   writableAt = acquisition + the worst case of a mutating call in flight (the EC2 write timeout), so the
//                previous leader's last call has landed, or never will, before our first one
// The deadline is kept on the monotonic clock and on the wall clock: a frozen VM whose monotonic clock stood
// still is caught by the wall clock, a wall clock stepped back by NTP is caught by the monotonic one. Pure: the
// caller reads both clocks immediately before every mutating call and asks fenceVerdict().

/** One instant on both clocks, in ms. */
export interface Instant {
  /** Monotonic (performance.now(), the injected Clock). */
  readonly mono: number;
  /** Wall clock (Date.now()). */
  readonly wall: number;
}

export interface FenceSettings {
  /** Subtracted from every deadline: covers the step from the check to the request leaving, and clock rates. */
  readonly marginMs: number;
  /** Worst case of one mutating call in flight: a new leader waits this long after acquiring, before writing. */
  readonly inFlightMs: number;
}

/** One term of leadership. */
export interface Term {
  /** The backend's fencing token (etcd: the leader key's create revision; Lease: leaseTransitions). */
  readonly token: string;
  /** When the lease was acquired (monotonic). */
  readonly acquiredAt: number;
  /** Monotonic time from which writes are allowed. */
  readonly writableAt: number;
  /** Writes stop at this instant (both clocks). */
  readonly deadline: Instant;
}

export type FenceVerdict =
  /** Write now. */
  | { readonly kind: 'open' }
  /** A new term waits for the previous leader's calls in flight. */
  | { readonly kind: 'waiting'; readonly ms: number }
  /** The term is over (or there is none): never write. */
  | { readonly kind: 'expired' };

function deadlineOf(sent: Instant, ttlMs: number, s: FenceSettings): Instant {
  return { mono: sent.mono + ttlMs - s.marginMs, wall: sent.wall + ttlMs - s.marginMs };
}

/** A term acquired by a request sent at `sent` (before the backend granted it) with a lease of `ttlMs`. */
export function beginTerm(token: string, sent: Instant, acquiredAt: number, ttlMs: number, s: FenceSettings): Term {
  return { token, acquiredAt, writableAt: acquiredAt + s.inFlightMs, deadline: deadlineOf(sent, ttlMs, s) };
}

/** A renewal sent at `sent` was acknowledged: deadlines only move forward. */
export function renewTerm(t: Term, sent: Instant, ttlMs: number, s: FenceSettings): Term {
  const d = deadlineOf(sent, ttlMs, s);
  return { ...t, deadline: { mono: Math.max(t.deadline.mono, d.mono), wall: Math.max(t.deadline.wall, d.wall) } };
}

export function fenceVerdict(t: Term | undefined, now: Instant): FenceVerdict {
  if (!t || now.mono >= t.deadline.mono || now.wall >= t.deadline.wall) return { kind: 'expired' };
  if (now.mono < t.writableAt) return { kind: 'waiting', ms: t.writableAt - now.mono };
  return { kind: 'open' };
}

/** Milliseconds left before the deadline on the stricter of the two clocks (≤ 0: expired). */
export function msLeft(t: Term, now: Instant): number {
  return Math.min(t.deadline.mono - now.mono, t.deadline.wall - now.wall);
}
