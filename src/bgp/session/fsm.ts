// RFC 4271 §8 finite state machine of ONE transport connection, as a pure transition function.
//
// The shell (session.ts) owns the socket and the timers; it feeds events in and carries the returned actions
// out, in order. Reconnecting is the peer's business (peer.ts): when a connection's FSM returns to Idle the
// connection is finished, and the peer decides when to try again (jittered backoff, idle hold after repeated
// failures). This keeps the table below small enough to read and to test exhaustively.
import type { PeerDownReason } from '../events.js';
import { ErrorCode, FsmSubcode, OpenSubcode } from '../wire/constants.js';

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export type TimerName = 'connect-retry' | 'hold' | 'keepalive';

/** RFC 4271 §8.2.2: "large value" for the hold timer while waiting for the peer's OPEN (4 minutes suggested). */
export const OPEN_HOLD_MS = 240_000;

export type FsmEvent =
  /** Start this connection: actively (we dial) or passively (we wait for the peer, or already accepted it). */
  | { readonly type: 'ManualStart'; readonly passive: boolean }
  /** Administrative stop: Cease with the given subcode (RFC 4486) and data (RFC 9003 shutdown message). */
  | { readonly type: 'ManualStop'; readonly subcode: number; readonly data?: Buffer }
  | { readonly type: 'TcpConnected' }
  | { readonly type: 'TcpConnectFailed'; readonly detail: string }
  | { readonly type: 'TcpClosed'; readonly detail?: string }
  /** A syntactically valid OPEN that the session accepted (ASN, identifier, capabilities): the peer's hold time. */
  | { readonly type: 'OpenReceived'; readonly holdTime: number }
  /** An OPEN rejected by the codec or by the session's checks: answer with this NOTIFICATION. */
  | { readonly type: 'OpenInvalid'; readonly code: number; readonly subcode: number; readonly data?: Buffer; readonly detail: string }
  | { readonly type: 'KeepaliveReceived' }
  | { readonly type: 'UpdateReceived' }
  | { readonly type: 'RouteRefreshReceived' }
  | { readonly type: 'NotificationReceived'; readonly code: number; readonly subcode: number; readonly detail: string }
  /** A message error that resets the session (RFC 4271 §6, RFC 7606 "session reset"), max-prefix, collision... */
  | { readonly type: 'MessageError'; readonly code: number; readonly subcode: number; readonly data?: Buffer; readonly detail: string }
  | { readonly type: 'HoldTimerExpired' }
  | { readonly type: 'KeepaliveTimerExpired' }
  | { readonly type: 'ConnectRetryTimerExpired' };

export type FsmAction =
  | { readonly type: 'connect' }
  | { readonly type: 'send-open' }
  | { readonly type: 'send-keepalive' }
  | { readonly type: 'send-notification'; readonly code: number; readonly subcode: number; readonly data?: Buffer }
  | { readonly type: 'start-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'stop-timer'; readonly timer: TimerName }
  | { readonly type: 'deliver-update' }
  | { readonly type: 'session-up' }
  /** The connection is finished (FSM back in Idle). `wasEstablished` tells the peer whether routes were up. */
  | { readonly type: 'close'; readonly reason: PeerDownReason; readonly detail: string; readonly wasEstablished: boolean };

export interface FsmContext {
  readonly state: FsmState;
  /** Our configured hold time in seconds (0 = no keepalives, RFC 4271 §4.2). */
  readonly localHoldTime: number;
  /** Negotiated hold time in seconds, valid from OpenConfirm on. */
  readonly holdTime: number;
  readonly connectRetryMs: number;
}

export interface FsmResult {
  readonly next: FsmContext;
  readonly actions: readonly FsmAction[];
}

export function initialFsm(localHoldTime: number, connectRetryMs = 5_000): FsmContext {
  return { state: 'Idle', localHoldTime, holdTime: localHoldTime, connectRetryMs };
}

/** RFC 4271 §4.2 / §6.2: the negotiated hold time is the smaller of both; 1 and 2 are unacceptable (2/6). */
export function negotiateHoldTime(local: number, remote: number): number | undefined {
  if (remote === 1 || remote === 2) return undefined; // RFC 4271 §6.2: MUST reject 1 and 2
  return Math.min(local, remote);
}

/** RFC 4271 §10: KeepaliveTime is a third of the hold time; 0 disables both timers. */
export function keepaliveMs(holdTime: number): number {
  return holdTime === 0 ? 0 : Math.max(1, Math.floor(holdTime / 3)) * 1000;
}

/** RFC 6608 §4: FSM error subcodes for an unexpected message in each state. */
function fsmErrorSubcode(state: FsmState): number {
  switch (state) {
    case 'OpenSent':
      return FsmSubcode.UNEXPECTED_IN_OPENSENT;
    case 'OpenConfirm':
      return FsmSubcode.UNEXPECTED_IN_OPENCONFIRM;
    case 'Established':
      return FsmSubcode.UNEXPECTED_IN_ESTABLISHED;
    default:
      return FsmSubcode.UNSPECIFIED;
  }
}

const STOP_ALL: readonly FsmAction[] = [
  { type: 'stop-timer', timer: 'connect-retry' },
  { type: 'stop-timer', timer: 'hold' },
  { type: 'stop-timer', timer: 'keepalive' },
];

function toIdle(ctx: FsmContext, pre: readonly FsmAction[], reason: PeerDownReason, detail: string): FsmResult {
  const close: FsmAction = { type: 'close', reason, detail, wasEstablished: ctx.state === 'Established' };
  return { next: { ...ctx, state: 'Idle' }, actions: [...pre, ...STOP_ALL, close] };
}

function notifyAndClose(
  ctx: FsmContext,
  code: number,
  subcode: number,
  data: Buffer | undefined,
  reason: PeerDownReason,
  detail: string,
): FsmResult {
  const n: FsmAction = data ? { type: 'send-notification', code, subcode, data } : { type: 'send-notification', code, subcode };
  return toIdle(ctx, [n], reason, detail);
}

/**
 * Timers on entering OpenConfirm. With a negotiated hold time of 0 RFC 4271 §8.2.2 runs no timer at all, so a peer
 * that sends an OPEN with hold time 0 and then falls silent would sit in OpenConfirm forever, one connection per
 * source address. OpenConfirm stays bounded by the same large value as OpenSent (OPEN_HOLD_MS); the KEEPALIVE that
 * completes the handshake stops it (Established with hold time 0 has no timer).
 */
function timersAfterOpen(holdTime: number): FsmAction[] {
  if (holdTime === 0)
    return [
      { type: 'stop-timer', timer: 'keepalive' },
      { type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS },
    ];
  return [
    { type: 'start-timer', timer: 'keepalive', ms: keepaliveMs(holdTime) },
    { type: 'start-timer', timer: 'hold', ms: holdTime * 1000 },
  ];
}

const restartHold = (ctx: FsmContext): FsmAction[] =>
  ctx.holdTime === 0 ? [] : [{ type: 'start-timer', timer: 'hold', ms: ctx.holdTime * 1000 }];

const same = (ctx: FsmContext, actions: readonly FsmAction[] = []): FsmResult => ({ next: ctx, actions });

/** The transition function. Events that make no sense in a state are ignored in Idle and are FSM errors elsewhere. */
export function fsmStep(ctx: FsmContext, ev: FsmEvent): FsmResult {
  const s = ctx.state;
  if (s === 'Idle') {
    // RFC 4271 §8.2.2 Idle: only a start is acted on; everything else is ignored.
    if (ev.type !== 'ManualStart') return same(ctx);
    const retry: FsmAction = { type: 'start-timer', timer: 'connect-retry', ms: ctx.connectRetryMs };
    if (ev.passive) return { next: { ...ctx, state: 'Active' }, actions: [retry] };
    return { next: { ...ctx, state: 'Connect' }, actions: [retry, { type: 'connect' }] };
  }
  switch (ev.type) {
    case 'ManualStart':
      return same(ctx); // already started
    case 'ManualStop':
      // RFC 4271 §8.2.2: in Connect/Active there is no BGP session yet, so no NOTIFICATION.
      if (s === 'Connect' || s === 'Active') return toIdle(ctx, [], 'admin-shutdown', 'stopped');
      return notifyAndClose(ctx, ErrorCode.CEASE, ev.subcode, ev.data, 'admin-shutdown', 'stopped');
    case 'TcpConnected':
      if (s === 'Connect' || s === 'Active') {
        // RFC 4271 §8.2.2: send OPEN, hold timer to a large value while waiting for the peer's OPEN.
        return {
          next: { ...ctx, state: 'OpenSent' },
          actions: [
            { type: 'stop-timer', timer: 'connect-retry' },
            { type: 'send-open' },
            { type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS },
          ],
        };
      }
      return same(ctx);
    case 'TcpConnectFailed':
      if (s === 'Connect' || s === 'Active') return toIdle(ctx, [], 'tcp-closed', ev.detail);
      return same(ctx);
    case 'ConnectRetryTimerExpired':
      // A connection attempt that neither completed nor failed in time; the peer retries with backoff.
      if (s === 'Connect' || s === 'Active') return toIdle(ctx, [], 'tcp-closed', 'connect timeout');
      return same(ctx);
    case 'TcpClosed':
      return toIdle(ctx, [], 'tcp-closed', ev.detail ?? 'connection closed by peer');
    case 'HoldTimerExpired':
      if (s === 'Connect' || s === 'Active') return same(ctx);
      // RFC 4271 §6.5: Hold Timer Expired, code 4.
      return notifyAndClose(ctx, ErrorCode.HOLD_TIMER_EXPIRED, 0, undefined, 'hold-timer-expired', 'hold timer expired');
    case 'KeepaliveTimerExpired':
      if ((s === 'OpenConfirm' || s === 'Established') && ctx.holdTime > 0) {
        return same(ctx, [{ type: 'send-keepalive' }, { type: 'start-timer', timer: 'keepalive', ms: keepaliveMs(ctx.holdTime) }]);
      }
      return same(ctx);
    case 'OpenReceived': {
      if (s !== 'OpenSent') return fsmError(ctx, 'unexpected OPEN');
      const hold = negotiateHoldTime(ctx.localHoldTime, ev.holdTime);
      if (hold === undefined) {
        // RFC 4271 §6.2: Unacceptable Hold Time.
        return notifyAndClose(
          ctx,
          ErrorCode.OPEN_MESSAGE,
          OpenSubcode.UNACCEPTABLE_HOLD_TIME,
          undefined,
          'notification-sent',
          `unacceptable hold time ${ev.holdTime}`,
        );
      }
      const next: FsmContext = { ...ctx, state: 'OpenConfirm', holdTime: hold };
      return { next, actions: [{ type: 'send-keepalive' }, ...timersAfterOpen(hold)] };
    }
    case 'OpenInvalid':
    case 'MessageError':
      if (s === 'Connect' || s === 'Active') return toIdle(ctx, [], 'error', ev.detail); // no transport yet
      return notifyAndClose(ctx, ev.code, ev.subcode, ev.data, 'notification-sent', ev.detail);
    case 'NotificationReceived':
      // RFC 4271 §8.2.2: a NOTIFICATION closes the connection; none is sent back.
      return toIdle(ctx, [], 'notification-received', ev.detail);
    case 'KeepaliveReceived':
      if (s === 'OpenConfirm') {
        const hold: FsmAction[] = ctx.holdTime === 0 ? [{ type: 'stop-timer', timer: 'hold' }] : restartHold(ctx);
        return { next: { ...ctx, state: 'Established' }, actions: [...hold, { type: 'session-up' }] };
      }
      if (s === 'Established') return same(ctx, restartHold(ctx));
      return fsmError(ctx, 'unexpected KEEPALIVE');
    case 'UpdateReceived':
      if (s === 'Established') return same(ctx, [...restartHold(ctx), { type: 'deliver-update' }]);
      return fsmError(ctx, 'unexpected UPDATE');
    case 'RouteRefreshReceived':
      // We advertise nothing, so there is nothing to resend (RFC 2918 §4); it still proves the peer alive.
      if (s === 'Established') return same(ctx, restartHold(ctx));
      return fsmError(ctx, 'unexpected ROUTE-REFRESH');
  }
}

/** RFC 4271 §6.6 / RFC 6608: Finite State Machine Error, subcode by state. */
function fsmError(ctx: FsmContext, detail: string): FsmResult {
  if (ctx.state === 'Connect' || ctx.state === 'Active') return toIdle(ctx, [], 'error', detail);
  return notifyAndClose(ctx, ErrorCode.FSM, fsmErrorSubcode(ctx.state), undefined, 'notification-sent', `${detail} in ${ctx.state}`);
}
