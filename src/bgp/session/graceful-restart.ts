// Graceful restart, receiving-speaker ("helper") side: RFC 4724 §4.2, with RFC 8538 (N bit). Pure decisions;
// the peer (peer.ts) applies them to its Adj-RIB-In and timers.
import type { Family } from '../../net/address.js';
import type { PeerDownReason } from '../events.js';
import { ErrorCode } from '../wire/constants.js';

/** What the peer told us in its Graceful Restart capability (RFC 4724 §3), per session. */
export interface PeerGracefulRestart {
  /** Restart Time in seconds: how long to keep its routes while it comes back. */
  readonly restartTime: number;
  /** R bit: the peer has just restarted. */
  readonly restarting: boolean;
  /** N bit (RFC 8538 §2): the peer supports graceful restart on NOTIFICATION. */
  readonly notification: boolean;
  /** Families it preserves forwarding state for; F bit per family. */
  readonly families: readonly { readonly family: Family; readonly forwardingPreserved: boolean }[];
}

export interface GrLimits {
  /** Cap on the restart time we honour (seconds). */
  readonly maxRestartTime: number;
  /** After the session is back, longest wait for End-of-RIB before sweeping (seconds; FRR's stalepath-time). */
  readonly stalePathTime: number;
  /** Whether we advertised the N bit ourselves (RFC 8538 needs both). */
  readonly localNotification: boolean;
}

export const DEFAULT_GR_LIMITS: GrLimits = { maxRestartTime: 300, stalePathTime: 360, localNotification: true };

export interface RetainDecision {
  readonly families: readonly Family[];
  /** Restart timer: if the session is not back by then, sweep (ms). */
  readonly restartMs: number;
}

/**
 * The session went down. Returns the families whose paths are kept (marked stale) and the restart timer, or
 * undefined when every path must be withdrawn now.
 */
export function retainOnSessionLoss(
  gr: PeerGracefulRestart | undefined,
  limits: GrLimits,
  reason: PeerDownReason,
  notification?: { readonly code: number; readonly subcode: number },
): RetainDecision | undefined {
  if (!gr || gr.families.length === 0) return undefined; // RFC 4724 §4.2: only families listed in the capability
  switch (reason) {
    case 'tcp-closed':
    case 'hold-timer-expired':
    case 'error':
      break;
    case 'notification-received':
    case 'notification-sent':
      // RFC 8538 §4: with the N bit on both sides a NOTIFICATION is a restart, except a hard reset. We are
      // stricter, as operators expect: any Cease (administrative reset, shutdown, de-configured) is a real stop.
      if (!gr.notification || !limits.localNotification) return undefined;
      if (!notification || notification.code === ErrorCode.CEASE) return undefined;
      break;
    case 'admin-shutdown':
      return undefined;
  }
  const seconds = Math.min(gr.restartTime, limits.maxRestartTime);
  if (seconds <= 0) return undefined; // RFC 4724 §4.2: a zero restart time means nothing to wait for
  return { families: gr.families.map((f) => f.family), restartMs: seconds * 1000 };
}

/**
 * The session is back (Established) while paths are stale. RFC 4724 §4.2: stale paths of a family are removed at
 * once when the new OPEN has no GR capability, does not list the family, or lists it without the F bit.
 * Returns the families to sweep now; the others wait for End-of-RIB (or the stale-path timer).
 */
export function sweepOnReestablish(staleFamilies: readonly Family[], gr: PeerGracefulRestart | undefined): Family[] {
  if (!gr) return [...staleFamilies];
  return staleFamilies.filter((f) => !gr.families.some((g) => g.family === f && g.forwardingPreserved));
}
