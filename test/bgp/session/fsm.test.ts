import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fsmStep,
  initialFsm,
  keepaliveMs,
  negotiateHoldTime,
  OPEN_HOLD_MS,
  type FsmAction,
  type FsmContext,
  type FsmEvent,
  type FsmState,
} from '../../../src/bgp/session/fsm.js';

const ctxIn = (state: FsmState, holdTime = 90, localHoldTime = 90): FsmContext => ({
  state,
  holdTime,
  localHoldTime,
  connectRetryMs: 5000,
});

/** Drives a sequence of events and returns the final context and all actions. */
function run(ctx: FsmContext, events: readonly FsmEvent[]): { ctx: FsmContext; actions: FsmAction[] } {
  const actions: FsmAction[] = [];
  for (const ev of events) {
    const r = fsmStep(ctx, ev);
    ctx = r.next;
    actions.push(...r.actions);
  }
  return { ctx, actions };
}

const types = (a: readonly FsmAction[]): string[] => a.map((x) => x.type);
const notif = (a: readonly FsmAction[]) => a.find((x) => x.type === 'send-notification');
const closeOf = (a: readonly FsmAction[]) => a.find((x) => x.type === 'close');

const ALL_EVENTS: readonly FsmEvent[] = [
  { type: 'ManualStart', passive: true },
  { type: 'ManualStart', passive: false },
  { type: 'ManualStop', subcode: 2 },
  { type: 'TcpConnected' },
  { type: 'TcpConnectFailed', detail: 'ECONNREFUSED' },
  { type: 'TcpClosed' },
  { type: 'OpenReceived', holdTime: 180 },
  { type: 'OpenReceived', holdTime: 2 },
  { type: 'OpenInvalid', code: 2, subcode: 2, detail: 'bad as' },
  { type: 'KeepaliveReceived' },
  { type: 'UpdateReceived' },
  { type: 'RouteRefreshReceived' },
  { type: 'NotificationReceived', code: 6, subcode: 2, detail: 'shutdown' },
  { type: 'MessageError', code: 3, subcode: 1, detail: 'bad' },
  { type: 'HoldTimerExpired' },
  { type: 'KeepaliveTimerExpired' },
  { type: 'ConnectRetryTimerExpired' },
];
const STATES: readonly FsmState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

describe('hold time negotiation (RFC 4271 §4.2, §6.2)', () => {
  it('takes the smaller, allows 0, rejects 1 and 2', () => {
    expect(negotiateHoldTime(90, 180)).toBe(90);
    expect(negotiateHoldTime(240, 90)).toBe(90);
    expect(negotiateHoldTime(90, 0)).toBe(0);
    expect(negotiateHoldTime(0, 90)).toBe(0);
    expect(negotiateHoldTime(90, 3)).toBe(3);
    expect(negotiateHoldTime(90, 1)).toBeUndefined();
    expect(negotiateHoldTime(90, 2)).toBeUndefined();
  });
  it('keepalive is a third of the hold time, none for 0', () => {
    expect(keepaliveMs(90)).toBe(30_000);
    expect(keepaliveMs(3)).toBe(1000);
    expect(keepaliveMs(4)).toBe(1000);
    expect(keepaliveMs(0)).toBe(0);
  });
});

describe('FSM happy paths', () => {
  it('passive: Idle → Active → OpenSent → OpenConfirm → Established', () => {
    let r = fsmStep(initialFsm(90), { type: 'ManualStart', passive: true });
    expect(r.next.state).toBe('Active');
    expect(r.actions).toEqual([{ type: 'start-timer', timer: 'connect-retry', ms: 5000 }]);
    r = fsmStep(r.next, { type: 'TcpConnected' });
    expect(r.next.state).toBe('OpenSent');
    // RFC 4271 §8.2.2: OPEN sent, hold timer set to a large value (4 minutes).
    expect(r.actions).toEqual([
      { type: 'stop-timer', timer: 'connect-retry' },
      { type: 'send-open' },
      { type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS },
    ]);
    expect(OPEN_HOLD_MS).toBe(240_000);
    r = fsmStep(r.next, { type: 'OpenReceived', holdTime: 240 });
    expect(r.next.state).toBe('OpenConfirm');
    expect(r.next.holdTime).toBe(90);
    expect(r.actions).toEqual([
      { type: 'send-keepalive' },
      { type: 'start-timer', timer: 'keepalive', ms: 30_000 },
      { type: 'start-timer', timer: 'hold', ms: 90_000 },
    ]);
    r = fsmStep(r.next, { type: 'KeepaliveReceived' });
    expect(r.next.state).toBe('Established');
    expect(r.actions).toEqual([{ type: 'start-timer', timer: 'hold', ms: 90_000 }, { type: 'session-up' }]);
  });

  it('active: Idle → Connect dials, then OpenSent on connect', () => {
    const r = run(initialFsm(90), [{ type: 'ManualStart', passive: false }]);
    expect(r.ctx.state).toBe('Connect');
    expect(types(r.actions)).toEqual(['start-timer', 'connect']);
    const r2 = fsmStep(r.ctx, { type: 'TcpConnected' });
    expect(r2.next.state).toBe('OpenSent');
  });

  it('hold time 0: no keepalive timer; OpenConfirm bounded by the OPEN timer, stopped once Established', () => {
    const r = run(ctxIn('OpenSent', 90, 0), [{ type: 'OpenReceived', holdTime: 90 }]);
    expect(r.ctx.holdTime).toBe(0);
    expect(r.actions.filter((a) => a.type === 'start-timer')).toEqual([{ type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS }]);
    const est = run(r.ctx, [{ type: 'KeepaliveReceived' }, { type: 'UpdateReceived' }]);
    expect(est.ctx.state).toBe('Established');
    expect(est.actions.filter((a) => a.type === 'start-timer' || a.type === 'stop-timer')).toEqual([{ type: 'stop-timer', timer: 'hold' }]);
    expect(fsmStep(est.ctx, { type: 'KeepaliveTimerExpired' }).actions).toEqual([]);
  });

  it('peer hold time 0 disables the keepalive timer too, and bounds OpenConfirm the same way', () => {
    const r = fsmStep(ctxIn('OpenSent'), { type: 'OpenReceived', holdTime: 0 });
    expect(r.next.holdTime).toBe(0);
    expect(r.actions.filter((a) => a.type === 'start-timer')).toEqual([{ type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS }]);
  });

  // Campaign defect 3: an OPEN with hold time 0, then silence, sat in OpenConfirm forever (50 of 50 after 265 s).
  it('an OPEN with hold time 0 then silence: OpenConfirm ends with Hold Timer Expired (4/0) when the OPEN timer fires', () => {
    const r = run(ctxIn('OpenSent'), [{ type: 'OpenReceived', holdTime: 0 }, { type: 'HoldTimerExpired' }]);
    expect(r.ctx.state).toBe('Idle');
    expect(r.actions.find((a) => a.type === 'send-notification')).toEqual({ type: 'send-notification', code: 4, subcode: 0 });
    expect(r.actions.at(-1)).toMatchObject({ type: 'close', reason: 'hold-timer-expired', wasEstablished: false });
  });

  it('UPDATE and KEEPALIVE in Established restart the hold timer; UPDATE is delivered', () => {
    const est = ctxIn('Established', 9);
    expect(fsmStep(est, { type: 'UpdateReceived' }).actions).toEqual([
      { type: 'start-timer', timer: 'hold', ms: 9000 },
      { type: 'deliver-update' },
    ]);
    expect(fsmStep(est, { type: 'KeepaliveReceived' }).actions).toEqual([{ type: 'start-timer', timer: 'hold', ms: 9000 }]);
    expect(fsmStep(est, { type: 'RouteRefreshReceived' }).actions).toEqual([{ type: 'start-timer', timer: 'hold', ms: 9000 }]);
  });

  it('keepalive timer sends KEEPALIVE and re-arms in OpenConfirm and Established', () => {
    for (const s of ['OpenConfirm', 'Established'] as const) {
      const r = fsmStep(ctxIn(s, 9), { type: 'KeepaliveTimerExpired' });
      expect(r.next.state).toBe(s);
      expect(r.actions).toEqual([{ type: 'send-keepalive' }, { type: 'start-timer', timer: 'keepalive', ms: 3000 }]);
    }
  });
});

describe('FSM errors and teardown', () => {
  it('unacceptable hold time → 2/6 and Idle', () => {
    for (const h of [1, 2]) {
      const r = fsmStep(ctxIn('OpenSent'), { type: 'OpenReceived', holdTime: h });
      expect(r.next.state).toBe('Idle');
      expect(notif(r.actions)).toEqual({ type: 'send-notification', code: 2, subcode: 6 });
      expect(closeOf(r.actions)).toMatchObject({ reason: 'notification-sent', wasEstablished: false });
    }
  });

  it('invalid OPEN → its NOTIFICATION', () => {
    const data = Buffer.from([0xfd, 0xe9]);
    const r = fsmStep(ctxIn('OpenSent'), { type: 'OpenInvalid', code: 2, subcode: 2, data, detail: 'bad peer AS' });
    expect(notif(r.actions)).toEqual({ type: 'send-notification', code: 2, subcode: 2, data });
    expect(r.next.state).toBe('Idle');
  });

  it('hold timer expiry → 4/0 from OpenSent, OpenConfirm and Established', () => {
    for (const s of ['OpenSent', 'OpenConfirm', 'Established'] as const) {
      const r = fsmStep(ctxIn(s), { type: 'HoldTimerExpired' });
      expect(r.next.state).toBe('Idle');
      expect(notif(r.actions)).toEqual({ type: 'send-notification', code: 4, subcode: 0 });
      expect(closeOf(r.actions)).toMatchObject({ reason: 'hold-timer-expired', wasEstablished: s === 'Established' });
    }
  });

  it('unexpected messages are FSM errors with the RFC 6608 subcode per state', () => {
    expect(notif(fsmStep(ctxIn('OpenSent'), { type: 'UpdateReceived' }).actions)).toEqual({
      type: 'send-notification',
      code: 5,
      subcode: 1,
    });
    expect(notif(fsmStep(ctxIn('OpenSent'), { type: 'KeepaliveReceived' }).actions)).toEqual({
      type: 'send-notification',
      code: 5,
      subcode: 1,
    });
    expect(notif(fsmStep(ctxIn('OpenConfirm'), { type: 'UpdateReceived' }).actions)).toEqual({
      type: 'send-notification',
      code: 5,
      subcode: 2,
    });
    expect(notif(fsmStep(ctxIn('OpenConfirm'), { type: 'OpenReceived', holdTime: 90 }).actions)).toEqual({
      type: 'send-notification',
      code: 5,
      subcode: 2,
    });
    expect(notif(fsmStep(ctxIn('Established'), { type: 'OpenReceived', holdTime: 90 }).actions)).toEqual({
      type: 'send-notification',
      code: 5,
      subcode: 3,
    });
  });

  it('NOTIFICATION received closes without answering', () => {
    for (const s of ['OpenSent', 'OpenConfirm', 'Established'] as const) {
      const r = fsmStep(ctxIn(s), { type: 'NotificationReceived', code: 6, subcode: 2, detail: 'x' });
      expect(r.next.state).toBe('Idle');
      expect(notif(r.actions)).toBeUndefined();
      expect(closeOf(r.actions)).toMatchObject({ reason: 'notification-received' });
    }
  });

  it('TCP close from any started state → Idle, tcp-closed', () => {
    for (const s of ['Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const) {
      const r = fsmStep(ctxIn(s), { type: 'TcpClosed' });
      expect(r.next.state).toBe('Idle');
      expect(closeOf(r.actions)).toMatchObject({ reason: 'tcp-closed', wasEstablished: s === 'Established' });
    }
  });

  it('message errors send their NOTIFICATION with data', () => {
    const data = Buffer.from([0, 1, 1, 0, 0, 0, 10]);
    const r = fsmStep(ctxIn('Established'), { type: 'MessageError', code: 6, subcode: 1, data, detail: 'max-prefix' });
    expect(notif(r.actions)).toEqual({ type: 'send-notification', code: 6, subcode: 1, data });
    expect(closeOf(r.actions)).toMatchObject({ reason: 'notification-sent', detail: 'max-prefix', wasEstablished: true });
  });

  it('ManualStop: Cease with the shutdown message once a session exists, silent close before', () => {
    const data = Buffer.from('\x04bye');
    const r = fsmStep(ctxIn('Established'), { type: 'ManualStop', subcode: 2, data });
    expect(notif(r.actions)).toEqual({ type: 'send-notification', code: 6, subcode: 2, data });
    expect(closeOf(r.actions)).toMatchObject({ reason: 'admin-shutdown' });
    const r2 = fsmStep(ctxIn('Connect'), { type: 'ManualStop', subcode: 2 });
    expect(notif(r2.actions)).toBeUndefined();
    expect(r2.next.state).toBe('Idle');
  });

  it('connect failure or connect-retry expiry ends an unfinished connection', () => {
    expect(fsmStep(ctxIn('Connect'), { type: 'TcpConnectFailed', detail: 'refused' }).next.state).toBe('Idle');
    expect(fsmStep(ctxIn('Active'), { type: 'ConnectRetryTimerExpired' }).next.state).toBe('Idle');
    expect(fsmStep(ctxIn('Established'), { type: 'ConnectRetryTimerExpired' }).actions).toEqual([]);
  });
});

describe('FSM table invariants', () => {
  it('Idle ignores everything but ManualStart', () => {
    for (const ev of ALL_EVENTS) {
      const r = fsmStep(ctxIn('Idle'), ev);
      if (ev.type === 'ManualStart') expect(r.next.state).not.toBe('Idle');
      else expect(r).toEqual({ next: ctxIn('Idle'), actions: [] });
    }
  });

  it('every state × event: a close action iff the FSM lands in Idle from elsewhere, timers all stopped then', () => {
    for (const s of STATES) {
      for (const ev of ALL_EVENTS) {
        const r = fsmStep(ctxIn(s), ev);
        const closes = r.actions.filter((a) => a.type === 'close');
        const toIdle = s !== 'Idle' && r.next.state === 'Idle';
        expect(closes.length, `${s} + ${ev.type}`).toBe(toIdle ? 1 : 0);
        if (toIdle) {
          const stopped = r.actions.filter((a) => a.type === 'stop-timer').map((a) => (a.type === 'stop-timer' ? a.timer : ''));
          expect(new Set(stopped)).toEqual(new Set(['connect-retry', 'hold', 'keepalive']));
          expect(r.actions.at(-1)?.type).toBe('close');
        }
        // A NOTIFICATION is only ever sent once a TCP connection exists.
        if (s === 'Connect' || s === 'Active' || s === 'Idle') expect(notif(r.actions), `${s} + ${ev.type}`).toBeUndefined();
      }
    }
  });

  it('random event sequences never reach Established without OPEN then KEEPALIVE, and session-up precedes any delivery', () => {
    const evArb = fc.constantFrom(...ALL_EVENTS);
    fc.assert(
      fc.property(fc.array(evArb, { maxLength: 40 }), (events) => {
        let ctx = initialFsm(90);
        let up = false;
        let sawOpen = false;
        for (const ev of events) {
          const prev = ctx.state;
          const r = fsmStep(ctx, ev);
          ctx = r.next;
          if (prev === 'OpenSent' && ctx.state === 'OpenConfirm') sawOpen = ev.type === 'OpenReceived';
          for (const a of r.actions) {
            if (a.type === 'session-up') {
              expect(sawOpen).toBe(true);
              up = true;
            }
            if (a.type === 'deliver-update') expect(up && ctx.state === 'Established').toBe(true);
            if (a.type === 'close') up = false;
          }
          if (ctx.state === 'Established') expect(up).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the session shell hot path', () => {
  it('Established + UpdateReceived is exactly: restart the hold timer, deliver (session.ts relies on this)', () => {
    for (const hold of [0, 3, 90]) {
      const r = fsmStep(ctxIn('Established', hold), { type: 'UpdateReceived' });
      expect(r.next).toEqual(ctxIn('Established', hold));
      expect(r.actions).toEqual([
        ...(hold === 0 ? [] : [{ type: 'start-timer', timer: 'hold', ms: hold * 1000 }]),
        { type: 'deliver-update' },
      ]);
    }
  });
});
