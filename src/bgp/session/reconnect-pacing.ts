// Reconnect pacing for one peer: jittered connect-retry backoff and an idle hold that grows with repeated
// failures (RFC 4271 §8.1.1 DampPeerOscillations, in spirit). Pure: the caller passes time and randomness.
import { exponentialDelay, jitter } from '../../base/backoff.js';
import { ErrorCode } from '../wire/constants.js';
import type { SessionEnd } from './session.js';

export interface ReconnectPacing {
  /** First connect-retry delay (RFC 4271 §10 suggests 120 s; peers on a LAN want a few seconds). */
  readonly connectRetryMs: number;
  /** Upper bound of the connect-retry delay. */
  readonly maxConnectRetryMs: number;
  /** Idle hold after the second consecutive failure; doubles per further failure. */
  readonly idleHoldMs: number;
  readonly maxIdleHoldMs: number;
  /** A session that stayed Established this long resets the failure streak. */
  readonly stableMs: number;
}

export const DEFAULT_PACING: ReconnectPacing = {
  connectRetryMs: 5_000,
  maxConnectRetryMs: 60_000,
  idleHoldMs: 1_000,
  maxIdleHoldMs: 60_000,
  stableMs: 60_000,
};

export interface PacingState {
  /** Consecutive failures: connections that ended before or soon after Established. */
  readonly failures: number;
  /** Established → down transitions, ever (the per-peer flap counter). */
  readonly flaps: number;
  /** No new connection (in or out) before this time (injected clock, ms). */
  readonly idleUntil: number;
}

export const initialPacing: PacingState = { failures: 0, flaps: 0, idleUntil: 0 };

/** Delay before the next active connect attempt after `failures` consecutive failures. */
export function connectRetryDelay(cfg: ReconnectPacing, failures: number, rand: number): number {
  return jitter(exponentialDelay({ baseMs: cfg.connectRetryMs, maxMs: cfg.maxConnectRetryMs }, failures), rand);
}

/** Idle hold after `failures` consecutive failures: none for the first, then idleHoldMs doubling, capped. */
export function idleHoldDelay(cfg: ReconnectPacing, failures: number): number {
  if (failures <= 1) return 0;
  return exponentialDelay({ baseMs: cfg.idleHoldMs, maxMs: cfg.maxIdleHoldMs }, failures - 2);
}

/**
 * How a connection ended, for damping: `failure` (an error, a hold-timer expiry, a refused OPEN, a connection that
 * never reached Established), `clean` (an Established session the peer closed on purpose or by restarting: a
 * Cease or a TCP close; damping it would fight graceful restart), `admin` (our own stop).
 */
export type EndKind = 'failure' | 'clean' | 'admin';

/** A connection ended. `establishedAt` is when it reached Established (undefined if it never did). */
export function onConnectionEnd(
  cfg: ReconnectPacing,
  st: PacingState,
  now: number,
  establishedAt: number | undefined,
  kind: EndKind = 'failure',
): PacingState {
  const flaps = establishedAt !== undefined ? st.flaps + 1 : st.flaps;
  if (kind !== 'failure') return { failures: 0, flaps, idleUntil: 0 };
  const stable = establishedAt !== undefined && now - establishedAt >= cfg.stableMs;
  const failures = stable ? 1 : st.failures + 1;
  return { failures, flaps, idleUntil: now + idleHoldDelay(cfg, failures) };
}

/** True when a new connection may start now (the idle hold has passed). */
export function mayConnect(st: PacingState, now: number): boolean {
  return now >= st.idleUntil;
}

/** How a connection ended, for pacing (see EndKind). */
export function endKind(end: SessionEnd): EndKind {
  if (end.reason === 'admin-shutdown') return 'admin';
  if (
    end.wasEstablished &&
    (end.reason === 'tcp-closed' || (end.reason === 'notification-received' && end.notification?.code === ErrorCode.CEASE))
  )
    return 'clean';
  return 'failure';
}
