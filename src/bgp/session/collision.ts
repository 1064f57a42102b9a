// RFC 4271 §6.8 connection collision detection, as a pure decision.
import type { FsmState } from './fsm.js';

export interface CollidingConnection {
  readonly state: FsmState;
  /** True when we initiated this connection (active connect). */
  readonly outbound: boolean;
}

/** BGP identifier "a.b.c.d" as an unsigned 32-bit number, for the §6.8 comparison. */
export function routerIdNumber(id: string): number {
  const parts = id.split('.').map(Number);
  let v = 0;
  for (const p of parts) v = v * 256 + (p & 255);
  return v >>> 0;
}

/**
 * `fresh` has just received the peer's OPEN (so the remote identifier is known); `other` is another connection
 * to the same peer. Returns which one to close with Cease 6/7 (RFC 4486 Connection Collision Resolution), or
 * undefined when `other` is not far enough along to collide (§6.8: only OpenConfirm, or Established).
 */
export function resolveCollision(
  localId: string,
  remoteId: string,
  fresh: CollidingConnection,
  other: CollidingConnection,
): 'fresh' | 'other' | undefined {
  // RFC 4271 §6.8: a collision with an Established connection closes the newly created one.
  if (other.state === 'Established') return 'fresh';
  if (other.state !== 'OpenConfirm') return undefined;
  if (fresh.outbound === other.outbound) return 'other'; // the peer replaced its own connection: keep the newest
  // RFC 4271 §6.8: if our identifier is lower, close the connection we initiated; else the one the peer did.
  const closeOutbound = routerIdNumber(localId) < routerIdNumber(remoteId);
  return fresh.outbound === closeOutbound ? 'fresh' : 'other';
}
