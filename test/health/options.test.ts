import { describe, expect, it } from 'vitest';
import { resolveProbeGroup, PROBE_JITTER, HealthConfigError } from '../../src/health/options.js';
import { parseConfig } from '../../src/config/index.js';
import { healthOptions } from '../../src/daemon/wiring.js';
import { probeGroup, TEST_DAMPING } from './groups.js';

/** The probe settings a peer group gets from the configuration, when its profile only names the probe type. */
const fromConfig = (profile: string) =>
  resolveProbeGroup(
    'g',
    healthOptions(
      parseConfig(
        `cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1 }\nvpc: { vpcId: vpc-01 }\nhealth: { profiles: { default: ${profile} } }\n`,
      ),
    ).groups.default!,
  );

const detection = (g: { intervalMs: number; timeoutMs: number; fall: number; jitter: number }): number =>
  g.fall * g.intervalMs * (1 + g.jitter) + g.timeoutMs;

describe('probe group options', () => {
  it('TCP/HTTP defaults (from the config schema) detect a dead host in ≤ 1 s and tolerate one lost probe', () => {
    const g = fromConfig('{ type: tcp, port: 80 }');
    expect(g).toMatchObject({ intervalMs: 200, timeoutMs: 150, rise: 3, fall: 2, jitter: PROBE_JITTER });
    expect(detection(g)).toBeLessThanOrEqual(1_000);
    expect(g.fall).toBeGreaterThanOrEqual(2);
  });

  it('ICMP defaults (from the config schema) are slower (a process per probe) but still tolerate one lost echo', () => {
    const g = fromConfig('{ type: icmp }');
    expect(g).toMatchObject({ intervalMs: 500, timeoutMs: 400, fall: 2 });
    expect(detection(g)).toBeLessThanOrEqual(1_500);
  });

  it('takes damping as given and can disable it', () => {
    expect(resolveProbeGroup('g', probeGroup({ type: 'none' }, { damping: { ...TEST_DAMPING, halfLifeMs: 5_000 } })).damping).toEqual({
      ...TEST_DAMPING,
      halfLifeMs: 5_000,
    });
    expect(resolveProbeGroup('g', probeGroup({ type: 'none' }, { damping: false })).damping).toBeUndefined();
  });

  it.each([
    [{ intervalMs: 5 }, 'interval 5 ms must be at least 10 ms'],
    [{ rise: 0 }, 'rise and fall must be integers ≥ 1'],
    [{ jitter: 0.6 }, 'jitter must be in [0, 0.5)'],
    [{ damping: { ...TEST_DAMPING, reuse: 5000 } }, 'reuse threshold'],
  ])('rejects %j', (o, msg) => {
    expect(() => resolveProbeGroup('web', probeGroup({ type: 'tcp', port: 80 }, o))).toThrow(HealthConfigError);
    expect(() => resolveProbeGroup('web', probeGroup({ type: 'tcp', port: 80 }, o))).toThrow(`health group web: `);
    expect(() => resolveProbeGroup('web', probeGroup({ type: 'tcp', port: 80 }, o))).toThrow(msg);
  });

  it('rejects an HTTP path without a leading slash', () => {
    expect(() => resolveProbeGroup('web', probeGroup({ type: 'http', port: 80, path: 'healthz' }))).toThrow(
      'http path "healthz" must start with /',
    );
  });
});
