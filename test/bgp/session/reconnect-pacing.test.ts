import { describe, expect, it } from 'vitest';
import {
  connectRetryDelay,
  DEFAULT_PACING,
  idleHoldDelay,
  initialPacing,
  mayConnect,
  onConnectionEnd,
  type ReconnectPacing,
} from '../../../src/bgp/session/reconnect-pacing.js';

const cfg: ReconnectPacing = { connectRetryMs: 1000, maxConnectRetryMs: 8000, idleHoldMs: 500, maxIdleHoldMs: 4000, stableMs: 60_000 };

describe('reconnect pacing', () => {
  it('connect retry doubles per failure up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((f) => connectRetryDelay(cfg, f, 0.5))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('idle hold: none for one failure, then grows and caps', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((f) => idleHoldDelay(cfg, f))).toEqual([0, 0, 500, 1000, 2000, 4000, 4000]);
  });

  it('repeated failures damp reconnects; a stable session resets the streak; flaps count Established → down', () => {
    let st = initialPacing;
    st = onConnectionEnd(cfg, st, 1000, undefined); // failed before Established
    expect(st).toEqual({ failures: 1, flaps: 0, idleUntil: 1000 });
    expect(mayConnect(st, 1000)).toBe(true);
    st = onConnectionEnd(cfg, st, 2000, 1500); // up for 0.5 s: a flap and a failure
    expect(st).toEqual({ failures: 2, flaps: 1, idleUntil: 2500 });
    expect(mayConnect(st, 2499)).toBe(false);
    expect(mayConnect(st, 2500)).toBe(true);
    st = onConnectionEnd(cfg, st, 3000, 2900);
    expect(st).toEqual({ failures: 3, flaps: 2, idleUntil: 4000 });
    st = onConnectionEnd(cfg, st, 200_000, 100_000); // stable for 100 s
    expect(st).toEqual({ failures: 1, flaps: 3, idleUntil: 200_000 });
    st = onConnectionEnd(cfg, st, 200_001, 200_000, 'admin'); // our own stop is no failure
    expect(st).toEqual({ failures: 0, flaps: 4, idleUntil: 0 });
    st = onConnectionEnd(cfg, st, 200_002, undefined);
    st = onConnectionEnd(cfg, st, 200_003, undefined);
    expect(st.failures).toBe(2);
    // A peer that closes an Established session (Cease, or a restart under GR) is not damped.
    st = onConnectionEnd(cfg, st, 200_010, 200_005, 'clean');
    expect(st).toEqual({ failures: 0, flaps: 5, idleUntil: 0 });
  });

  it('defaults are sane', () => {
    expect(DEFAULT_PACING.connectRetryMs).toBeLessThanOrEqual(DEFAULT_PACING.maxConnectRetryMs);
  });
});
