// The BFD state machine (RFC 5880 §6.2, the reception rules of §6.8.6) and its timing rules (§6.8.2, §6.8.4,
// §6.8.7) as pure functions: no clock, no socket.
import { BfdDiag, type BfdState } from './constants.js';

export interface StateStep {
  readonly state: BfdState;
  readonly diag: number;
}

/**
 * The local state after a valid packet carrying `remote` arrives while the session is in `local` (RFC 5880 §6.8.6).
 * Undefined: no change. AdminDown locally discards the packet before this is asked.
 */
export function onRemoteState(local: BfdState, remote: BfdState): StateStep | undefined {
  if (remote === 'AdminDown') {
    return local === 'Down' || local === 'AdminDown' ? undefined : { state: 'Down', diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN };
  }
  switch (local) {
    case 'Down':
      if (remote === 'Down') return { state: 'Init', diag: BfdDiag.NONE };
      if (remote === 'Init') return { state: 'Up', diag: BfdDiag.NONE };
      return undefined; // remote Up while we are Down: it has not heard our Down yet
    case 'Init':
      return remote === 'Init' || remote === 'Up' ? { state: 'Up', diag: BfdDiag.NONE } : undefined;
    case 'Up':
      return remote === 'Down' ? { state: 'Down', diag: BfdDiag.NEIGHBOR_SIGNALED_DOWN } : undefined;
    case 'AdminDown':
      return undefined;
    default: {
      const never: never = local;
      return never;
    }
  }
}

/**
 * Detection time in asynchronous mode (RFC 5880 §6.8.4): the remote's Detect Mult times the larger of the
 * RequiredMinRxInterval we advertise and the remote's Desired Min TX Interval. Microseconds.
 */
export function detectionTimeUs(remoteDetectMult: number, localRequiredMinRxUs: number, remoteDesiredMinTxUs: number): number {
  return remoteDetectMult * Math.max(localRequiredMinRxUs, remoteDesiredMinTxUs);
}

/** Transmit interval (RFC 5880 §6.8.7): the larger of our DesiredMinTxInterval and the remote's Required Min RX. */
export function transmitIntervalUs(localDesiredMinTxUs: number, remoteMinRxUs: number): number {
  return Math.max(localDesiredMinTxUs, remoteMinRxUs);
}

/**
 * The gap before the next periodic packet (RFC 5880 §6.8.7): the interval reduced by a random 0–25 % (at least
 * 10 %, i.e. 75–90 %, when the Detect Mult we send is 1). `random` is in [0, 1). Milliseconds.
 */
export function jitteredGapMs(intervalUs: number, localDetectMult: number, random: number): number {
  const spread = localDetectMult === 1 ? 0.15 : 0.25;
  return (intervalUs / 1000) * (0.75 + spread * random);
}
