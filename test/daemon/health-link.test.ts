import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import { connectHealth } from '../../src/daemon/health-link.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import type { Probe } from '../../src/health/probe-result.js';
import { path, paths } from '../rib/helpers.js';
import { probeGroup } from '../health/groups.js';

const RANK = { rank: { holdDownMs: 10_000, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' } as const;

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('route spec ↔ health monitor', () => {
  it('with newTargetsStartDown a new host gets traffic only after its first good probes', async () => {
    const clock = new FakeClock(0);
    const probe: Probe = () => Promise.resolve({ ok: true, detail: 'ok' });
    const mon = new HealthMonitor(
      { groups: { default: probeGroup({ type: 'tcp', port: 80 }) }, newTargetsStartDown: true },
      { clock, random: () => 0.5, makeProbe: () => probe },
    );
    const rs = new RouteSpec({ clock, ...RANK, healthOf: (nh, group) => mon.healthOf(nh, group) });
    connectHealth(rs, mon);
    const changes: [string | undefined, string, number][] = [];
    rs.onChanges((b) => changes.push(...b.map((c): [string | undefined, string, number] => [c.to, c.reason, clock.now()])));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', '10.55.0.0/16')));
    expect(rs.chosen()).toEqual([]);
    for (let t = 0; t < 600; t += 10) {
      clock.advance(10);
      await settle();
    }
    // Phase 0.5 → probes at 100 and 300 ms; rise 2 → eligible at 300 ms.
    expect(changes).toEqual([['10.0.0.5', 'new', 300]]);
    mon.stop();
  });

  it('probes the route spec next hops and fails over when the chosen one dies, without failing back', async () => {
    const clock = new FakeClock(0);
    const alive = new Map([
      ['10.0.0.5', true],
      ['10.0.0.6', true],
    ]);
    const probed = new Set<string>();
    const probe: Probe = (t) => {
      probed.add(t);
      return Promise.resolve({ ok: alive.get(t) ?? false, detail: alive.get(t) ? 'ok' : 'refused' });
    };
    const mon = new HealthMonitor(
      { groups: { default: probeGroup({ type: 'tcp', port: 80 }) } },
      { clock, random: () => 0.5, makeProbe: () => probe },
    );
    const rs = new RouteSpec({ clock, ...RANK, healthOf: (nh) => mon.healthOf(nh) });
    const off = connectHealth(rs, mon);
    const changes: ChosenChange[] = [];
    rs.onChanges((b) => changes.push(...b));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', '10.55.0.0/16')));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', '10.55.0.0/16')));
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 10) {
        clock.advance(10);
        await settle();
      }
    };
    await advance(500);
    expect(probed).toEqual(new Set(['10.0.0.5', '10.0.0.6']));
    alive.set('10.0.0.5', false);
    await advance(1_000);
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      [undefined, '10.0.0.5', 'new'],
      ['10.0.0.5', '10.0.0.6', 'failover'],
    ]);
    alive.set('10.0.0.5', true);
    await advance(20_000);
    expect(changes).toHaveLength(2);
    // Blackhole report from VPC sync.
    mon.markUnhealthy('10.0.0.6', 'blackhole', 5_000);
    expect(changes[2]).toMatchObject({ from: '10.0.0.6', to: '10.0.0.5', reason: 'failover' });
    off();
    mon.stop();
  });
});
