import { describe, expect, it } from 'vitest';
import { resolveProbeGroup, PROBE_DEFAULTS, ICMP_DEFAULTS, HealthConfigError } from '../../src/health/options.js';
import { DEFAULT_DAMPING } from '../../src/health/damping.js';

const detection = (g: { intervalMs: number; timeoutMs: number; fall: number; jitter: number }): number =>
  g.fall * g.intervalMs * (1 + g.jitter) + g.timeoutMs;

describe('probe group options', () => {
  it('TCP/HTTP defaults detect a dead host in ≤ 1 s and tolerate one lost probe', () => {
    const g = resolveProbeGroup('g', { probe: { type: 'tcp', port: 80 } });
    expect(g).toMatchObject({ ...PROBE_DEFAULTS, damping: DEFAULT_DAMPING });
    expect(detection(g)).toBeLessThanOrEqual(1_000);
    expect(g.fall).toBeGreaterThanOrEqual(2);
  });

  it('ICMP defaults are slower (a process per probe) but still tolerate one lost echo', () => {
    const g = resolveProbeGroup('g', { probe: { type: 'icmp' } });
    expect(g).toMatchObject(ICMP_DEFAULTS);
    expect(detection(g)).toBeLessThanOrEqual(1_500);
  });

  it('merges damping overrides and can disable damping', () => {
    expect(resolveProbeGroup('g', { probe: { type: 'none' }, damping: { halfLifeMs: 5_000 } }).damping).toEqual({
      ...DEFAULT_DAMPING,
      halfLifeMs: 5_000,
    });
    expect(resolveProbeGroup('g', { probe: { type: 'none' }, damping: false }).damping).toBeUndefined();
  });

  it.each([
    [{ intervalMs: 5 }, 'interval 5 ms must be at least 10 ms'],
    [{ rise: 0 }, 'rise and fall must be integers ≥ 1'],
    [{ jitter: 0.6 }, 'jitter must be in [0, 0.5)'],
    [{ damping: { reuse: 5000 } }, 'reuse threshold'],
  ])('rejects %j', (o, msg) => {
    expect(() => resolveProbeGroup('web', { probe: { type: 'tcp', port: 80 }, ...o })).toThrow(HealthConfigError);
    expect(() => resolveProbeGroup('web', { probe: { type: 'tcp', port: 80 }, ...o })).toThrow(`health group web: `);
    expect(() => resolveProbeGroup('web', { probe: { type: 'tcp', port: 80 }, ...o })).toThrow(msg);
  });

  it('rejects an HTTP path without a leading slash', () => {
    expect(() => resolveProbeGroup('web', { probe: { type: 'http', port: 80, path: 'healthz' } })).toThrow(
      'http path "healthz" must start with /',
    );
  });
});
