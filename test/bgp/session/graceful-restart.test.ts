import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GR_LIMITS,
  retainOnSessionLoss,
  sweepOnReestablish,
  type PeerGracefulRestart,
} from '../../../src/bgp/session/graceful-restart.js';

const gr: PeerGracefulRestart = {
  restartTime: 120,
  restarting: false,
  notification: true,
  families: [
    { family: 'ipv4', forwardingPreserved: true },
    { family: 'ipv6', forwardingPreserved: false },
  ],
};
const limits = { ...DEFAULT_GR_LIMITS, maxRestartTime: 60 };

describe('graceful restart helper (RFC 4724 §4.2, RFC 8538)', () => {
  it('TCP close and hold expiry retain the listed families for min(peer, cap)', () => {
    expect(retainOnSessionLoss(gr, limits, 'tcp-closed')).toEqual({ families: ['ipv4', 'ipv6'], restartMs: 60_000 });
    expect(retainOnSessionLoss(gr, { ...limits, maxRestartTime: 600 }, 'hold-timer-expired')).toEqual({
      families: ['ipv4', 'ipv6'],
      restartMs: 120_000,
    });
  });

  it('no capability, no families (helper-only peers) or a zero restart time: withdraw now', () => {
    expect(retainOnSessionLoss(undefined, limits, 'tcp-closed')).toBeUndefined();
    expect(retainOnSessionLoss({ ...gr, families: [] }, limits, 'tcp-closed')).toBeUndefined();
    expect(retainOnSessionLoss({ ...gr, restartTime: 0 }, limits, 'tcp-closed')).toBeUndefined();
  });

  it('a Cease NOTIFICATION is a real stop, whatever the N bit', () => {
    expect(retainOnSessionLoss(gr, limits, 'notification-received', { code: 6, subcode: 2 })).toBeUndefined();
    expect(retainOnSessionLoss(gr, limits, 'notification-sent', { code: 6, subcode: 1 })).toBeUndefined();
    expect(retainOnSessionLoss(gr, limits, 'admin-shutdown')).toBeUndefined();
  });

  it('RFC 8538: another NOTIFICATION is a restart only with the N bit on both sides', () => {
    expect(retainOnSessionLoss(gr, limits, 'notification-sent', { code: 4, subcode: 0 })).toEqual({
      families: ['ipv4', 'ipv6'],
      restartMs: 60_000,
    });
    expect(retainOnSessionLoss({ ...gr, notification: false }, limits, 'notification-sent', { code: 4, subcode: 0 })).toBeUndefined();
    expect(
      retainOnSessionLoss(gr, { ...limits, localNotification: false }, 'notification-received', { code: 3, subcode: 1 }),
    ).toBeUndefined();
  });

  it('on re-establishment, families without the F bit or missing are swept at once', () => {
    expect(sweepOnReestablish(['ipv4', 'ipv6'], gr)).toEqual(['ipv6']);
    expect(sweepOnReestablish(['ipv4', 'ipv6'], undefined)).toEqual(['ipv4', 'ipv6']);
    expect(sweepOnReestablish(['ipv4'], { ...gr, families: [{ family: 'ipv4', forwardingPreserved: true }] })).toEqual([]);
  });
});
