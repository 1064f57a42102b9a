import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { HealthMonitor, type HealthChange } from '../../src/health/health-monitor.js';
import type { Probe, ProbeResult } from '../../src/health/probe-result.js';
import { Metrics } from '../../src/base/metrics.js';
import { HealthConfigError } from '../../src/health/options.js';
import { probeGroup } from './groups.js';
import { loadConfig } from '../../src/config/index.js';
import { healthOptions } from '../../src/daemon/wiring.js';

const minimalDefaults = healthOptions(loadConfig(new URL('../../config/minimal.yaml', import.meta.url).pathname));

/** Lets resolved probe promises run their continuations. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(
  alive: Map<string, boolean>,
  opts: { timeoutHang?: Set<string>; random?: () => number; groups?: ConstructorParameters<typeof HealthMonitor>[0]['groups'] } = {},
) {
  const clock = new FakeClock(0);
  const calls: { target: string; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const probe: Probe = (target, signal) => {
    calls.push({ target, at: clock.now() });
    if (opts.timeoutHang?.has(target)) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<ProbeResult>((resolve) =>
        signal.addEventListener('abort', () => {
          inFlight--;
          resolve({ ok: false, detail: 'timeout' });
        }),
      );
    }
    return Promise.resolve(alive.get(target) ? { ok: true, detail: 'ok' } : { ok: false, detail: 'refused' });
  };
  const metrics = new Metrics();
  const mon = new HealthMonitor(
    { groups: opts.groups ?? { default: probeGroup({ type: 'tcp', port: 80 }) } },
    { clock, random: opts.random ?? (() => 0.5), makeProbe: () => probe, metrics },
  );
  const changes: [string, HealthChange][] = [];
  /** The listener's calls: a batch of next hops each (a single one, or failures reported together). */
  const batches: string[][] = [];
  mon.onChange((verdicts) => {
    batches.push(verdicts.map((v) => v.nextHop));
    for (const { nextHop, ...c } of verdicts) changes.push([nextHop, c]);
  });
  const advance = async (ms: number, step = 10): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await settle();
    }
  };
  return { clock, mon, calls, changes, batches, advance, metrics, maxInFlight: () => maxInFlight };
}

describe('HealthMonitor', () => {
  it('detects a dead host within 1 s with the defaults of config/minimal.yaml and brings it back after rise', async () => {
    const alive = new Map([['10.0.0.5', true]]);
    const { mon, changes, advance, clock } = setup(alive, { random: Math.random, groups: minimalDefaults.groups });
    mon.addTarget('10.0.0.5', 'default');
    await advance(1_000);
    expect(changes).toEqual([]);
    alive.set('10.0.0.5', false);
    const diedAt = clock.now();
    await advance(1_000);
    expect(changes).toHaveLength(1);
    const [nh, c] = changes[0] as [string, HealthChange];
    expect(nh).toBe('10.0.0.5');
    expect(c.healthy).toBe(false);
    expect(c.since - diedAt).toBeLessThanOrEqual(1_000);
    alive.set('10.0.0.5', true);
    await advance(1_000);
    expect(changes.map(([, x]) => x.healthy)).toEqual([false, true]);
  });

  it('spreads 1,000 targets over the interval with jitter and keeps one probe in flight per target', async () => {
    const alive = new Map<string, boolean>();
    const hang = new Set<string>();
    const targets = Array.from({ length: 1000 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    for (const t of targets) hang.add(t);
    let seed = 1;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const { mon, calls, advance } = setup(alive, {
      timeoutHang: hang,
      random,
      groups: { default: probeGroup({ type: 'tcp', port: 80 }, { intervalMs: 200, timeoutMs: 200 }) },
    });
    mon.setTargets(targets.map((nextHop) => ({ nextHop, group: 'default' })));
    await advance(200, 10);
    // First round: every target once, spread over 20 slots of 10 ms: no slot holds more than ~2× the mean.
    const perSlot = new Map<number, number>();
    for (const c of calls) perSlot.set(Math.floor(c.at / 10), (perSlot.get(Math.floor(c.at / 10)) ?? 0) + 1);
    expect(calls.length).toBeGreaterThan(900);
    expect(Math.max(...perSlot.values())).toBeLessThan(120);
    await advance(2_000, 10);
    const perTarget = new Map<string, number[]>();
    for (const c of calls) perTarget.set(c.target, [...(perTarget.get(c.target) ?? []), c.at]);
    // Never two probes of one target closer than interval × (1 − jitter) apart.
    for (const ts of perTarget.values())
      for (let i = 1; i < ts.length; i++) expect((ts[i] as number) - (ts[i - 1] as number)).toBeGreaterThanOrEqual(170);
    mon.stop();
  });

  it('times probes out with the clock', async () => {
    const { mon, changes, advance } = setup(new Map(), { timeoutHang: new Set(['10.0.0.9']) });
    mon.addTarget('10.0.0.9', 'default');
    await advance(1_000);
    expect(changes[0]?.[1]).toMatchObject({ healthy: false, reason: 'probe failed 3× (timeout)' });
  });

  it('damps a flapping host', async () => {
    const alive = new Map([['10.0.0.5', true]]);
    const { mon, changes, advance } = setup(alive, { groups: { default: probeGroup({ type: 'tcp', port: 80 }, { rise: 1, fall: 1 }) } });
    mon.addTarget('10.0.0.5', 'default');
    for (let i = 0; i < 3; i++) {
      alive.set('10.0.0.5', false);
      await advance(300);
      alive.set('10.0.0.5', true);
      await advance(300);
    }
    const last = changes[changes.length - 1]?.[1];
    expect(last).toMatchObject({ healthy: false });
    expect(mon.view('10.0.0.5')).toMatchObject({ suppressed: true, state: 'up', flaps: 3 });
    await advance(60_000, 100);
    expect(changes[changes.length - 1]?.[1].healthy).toBe(true);
  });

  it('markUnhealthy holds a next hop down for its TTL, also before it is a target', async () => {
    const alive = new Map([
      ['10.0.0.5', true],
      ['10.0.0.6', true],
    ]);
    const { mon, changes, advance } = setup(alive);
    mon.addTarget('10.0.0.5', 'default');
    mon.markUnhealthy('10.0.0.5', 'route blackhole in rtb-1', 2_000);
    expect(changes).toEqual([['10.0.0.5', { healthy: false, since: 0, reason: 'route blackhole in rtb-1' }]]);
    mon.markUnhealthy('10.0.0.6', 'route blackhole in rtb-1');
    expect(mon.healthOf('10.0.0.6')).toMatchObject({ healthy: false });
    mon.addTarget('10.0.0.6', 'default');
    expect(mon.healthOf('10.0.0.6')).toMatchObject({ healthy: false, reason: 'route blackhole in rtb-1' });
    await advance(2_100);
    expect(mon.healthOf('10.0.0.5').healthy).toBe(true);
    expect(mon.healthOf('10.0.0.6').healthy).toBe(false);
    // The mark survives the target going away and coming back (withdrawn, then re-announced).
    mon.removeTarget('10.0.0.6');
    mon.addTarget('10.0.0.6', 'default');
    expect(mon.healthOf('10.0.0.6')).toMatchObject({ healthy: false, reason: 'route blackhole in rtb-1' });
    mon.clearMark('10.0.0.6');
    expect(mon.healthOf('10.0.0.6').healthy).toBe(true);
  });

  it('setLiveness reports a BFD verdict at once, also for a next hop that becomes a target later', () => {
    const { mon, changes } = setup(new Map([['10.0.0.5', true]]));
    mon.addTarget('10.0.0.5', 'default');
    mon.setLiveness('10.0.0.5', 'BFD down (control detection time expired)');
    expect(changes).toEqual([['10.0.0.5', { healthy: false, since: 0, reason: 'BFD down (control detection time expired)' }]]);
    mon.setLiveness('10.0.0.5', undefined);
    expect(changes.at(-1)).toEqual(['10.0.0.5', { healthy: true, since: 0, reason: 'no probe yet' }]);
    mon.setLiveness('10.0.0.7', 'BFD down');
    expect(mon.healthOf('10.0.0.7')).toMatchObject({ healthy: false, reason: 'BFD down' });
    mon.addTarget('10.0.0.7', 'default');
    expect(mon.healthOf('10.0.0.7')).toMatchObject({ healthy: false, reason: 'BFD down' });
    mon.setLiveness('10.0.0.7', undefined);
    expect(mon.healthOf('10.0.0.7').healthy).toBe(true);
  });

  it('newTargetsStartDown: a new next hop carries traffic only after `rise` good probes', async () => {
    const clock = new FakeClock(0);
    const probe: Probe = () => Promise.resolve({ ok: true, detail: 'ok' });
    const mon = new HealthMonitor(
      { groups: { default: probeGroup({ type: 'tcp', port: 80 }), quiet: probeGroup({ type: 'none' }) }, newTargetsStartDown: true },
      { clock, random: () => 0, makeProbe: () => probe },
    );
    const seen: [string, boolean][] = [];
    mon.onChange((verdicts) => seen.push(...verdicts.map((v): [string, boolean] => [v.nextHop, v.healthy])));
    mon.addTarget('10.0.0.5', 'default');
    mon.addTarget('10.0.0.6', 'quiet');
    expect(mon.healthOf('10.0.0.5').healthy).toBe(false);
    expect(mon.healthOf('10.0.0.6').healthy).toBe(true); // not probed: nothing to wait for
    for (let t = 0; t < 500; t += 10) {
      clock.advance(10);
      await settle();
    }
    expect(seen).toEqual([['10.0.0.5', true]]);
    mon.stop();
  });

  it('does not probe groups with probe none, and treats unknown groups with the default', async () => {
    const { mon, calls, advance } = setup(new Map(), {
      groups: { quiet: probeGroup({ type: 'none' }), default: probeGroup({ type: 'tcp', port: 1 }) },
    });
    mon.addTarget('10.0.0.1', 'quiet');
    mon.addTarget('10.0.0.2', 'nope');
    await advance(500);
    expect(new Set(calls.map((c) => c.target))).toEqual(new Set(['10.0.0.2']));
    expect(mon.healthOf('10.0.0.1').healthy).toBe(true);
  });

  it('exports per-next-hop metrics and deletes them with the target', async () => {
    const { mon, advance, metrics } = setup(new Map([['10.0.0.5', true]]));
    mon.addTarget('10.0.0.5', 'default');
    await advance(500);
    const text = await metrics.text();
    expect(text).toMatch(/bgp2vpc_nexthop_healthy\{next_hop="10.0.0.5"\} 1/);
    expect(text).toMatch(/bgp2vpc_nexthop_probes_total\{next_hop="10.0.0.5",result="ok"\} [1-9]/);
    mon.removeTarget('10.0.0.5');
    expect(await metrics.text()).not.toMatch(/next_hop="10.0.0.5"/);
  });

  it('setGroups (reload) restarts only targets whose group settings changed', async () => {
    const alive = new Map([
      ['10.0.0.1', false],
      ['10.0.0.2', false],
    ]);
    const groups = { a: probeGroup({ type: 'tcp' as const, port: 1 }), b: probeGroup({ type: 'tcp' as const, port: 2 }) };
    const { mon, calls, advance, changes } = setup(alive, { groups });
    mon.addTarget('10.0.0.1', 'a');
    mon.addTarget('10.0.0.2', 'b');
    await advance(1_000);
    expect(changes.map(([nh, c]) => [nh, c.healthy])).toEqual([
      ['10.0.0.1', false],
      ['10.0.0.2', false],
    ]);
    mon.setGroups({ ...groups }); // same settings: nothing happens
    expect(mon.healthOf('10.0.0.1').healthy).toBe(false);
    mon.setGroups({ a: groups.a, b: probeGroup({ type: 'none' }) });
    // b: no probing any more, fresh state (healthy); a: untouched.
    expect(changes.map(([nh, c]) => [nh, c.healthy]).slice(2)).toEqual([['10.0.0.2', true]]);
    const n = calls.filter((c) => c.target === '10.0.0.2').length;
    await advance(1_000);
    expect(calls.filter((c) => c.target === '10.0.0.2').length).toBe(n);
    expect(mon.healthOf('10.0.0.1').healthy).toBe(false);
  });

  describe('failures found together are reported together', () => {
    const hosts = ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.2.1', '10.0.2.2', '10.0.2.3'];
    const az1 = hosts.slice(0, 3);
    /** Six hosts with random phases and jitter (a fixed seed), every one up and answered for a second. */
    async function sixHosts(groups: ConstructorParameters<typeof HealthMonitor>[0]['groups'], timeoutHang?: Set<string>) {
      let seed = 7;
      const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const alive = new Map(hosts.map((h) => [h, true]));
      const w = setup(alive, { random, groups, ...(timeoutHang ? { timeoutHang } : {}) });
      for (const h of hosts) w.mon.addTarget(h, h.startsWith('10.0.1.') ? 'default' : (Object.keys(groups)[1] ?? 'default'));
      await w.advance(1_000, 1);
      expect(w.changes).toEqual([]);
      return { ...w, alive };
    }
    const heldCount = async (metrics: Metrics): Promise<string | undefined> =>
      /bgp2vpc_nexthop_failures_held_total (\d+)/.exec(await metrics.text())?.[1];

    it('an AZ going silent at once: one report with all three, once the last of them is found dead', async () => {
      const fall2 = probeGroup({ type: 'tcp', port: 80 }, { fall: 2 });
      const { alive, advance, batches, changes, calls, metrics, clock } = await sixHosts({ default: fall2 });
      const silentAt = clock.now();
      for (const h of az1) alive.set(h, false);
      await advance(2_000, 1);
      expect(batches).toHaveLength(1);
      expect(new Set(batches[0])).toEqual(new Set(az1));
      expect(changes.every(([, c]) => !c.healthy)).toBe(true);
      // Reported when the last of them failed its second probe, not before and not later. (A refused probe's result
      // is seen at the fake clock's next whole millisecond.)
      const secondFailure = az1.map((h) => (calls.filter((c) => c.target === h && c.at >= silentAt)[1] as { at: number }).at);
      expect(changes.map(([, c]) => c.since)).toEqual(az1.map(() => Math.ceil(Math.max(...secondFailure))));
      expect(await heldCount(metrics)).toBe('3');
    });

    /** 10.0.1.2 dies alone: reported at its second failed probe, nothing held. */
    async function loneFailure(groups: ConstructorParameters<typeof HealthMonitor>[0]['groups']): Promise<void> {
      const { alive, advance, batches, changes, calls, metrics, clock } = await sixHosts(groups);
      const diedAt = clock.now();
      alive.set('10.0.1.2', false);
      await advance(2_000, 1);
      expect(batches).toEqual([['10.0.1.2']]);
      const second = calls.filter((c) => c.target === '10.0.1.2' && c.at >= diedAt)[1] as { at: number };
      expect(changes[0]?.[1].since).toBe(Math.ceil(second.at));
      expect(await heldCount(metrics)).toBe('0');
    }

    it('a lone failure is reported at its second failed probe: nothing to wait for', async () => {
      await loneFailure({ default: probeGroup({ type: 'tcp', port: 80 }, { fall: 2 }) });
    });

    it('fall 1: waits until the others have answered a probe started after it went quiet, at most one interval', async () => {
      const fall1 = probeGroup({ type: 'tcp', port: 80 }, { fall: 1 });
      const { alive, advance, batches, changes, calls, clock } = await sixHosts({ default: fall1 });
      const diedAt = clock.now();
      alive.set('10.0.1.2', false);
      await advance(2_000, 1);
      expect(batches).toEqual([['10.0.1.2']]);
      const failed = (calls.find((c) => c.target === '10.0.1.2' && c.at >= diedAt) as { at: number }).at;
      // Each other host's first probe started at or after the failed one.
      const answered = hosts
        .filter((h) => h !== '10.0.1.2')
        .map((h) => (calls.find((c) => c.target === h && c.at >= failed) as { at: number }).at);
      expect(changes[0]?.[1].since).toBe(Math.ceil(Math.max(failed, ...answered)));
      expect((changes[0]?.[1].since ?? 0) - failed).toBeLessThanOrEqual(220);
    });

    it('a suspect that does not resolve holds the report one detection time at most', async () => {
      // 10.0.2.1's probes hang from the moment 10.0.1.2 dies, and its group needs 5 failures (1 s): it stays a suspect.
      const fall1 = probeGroup({ type: 'tcp', port: 80 }, { fall: 1 });
      const fall5 = probeGroup({ type: 'tcp', port: 80 }, { fall: 5 });
      const hang = new Set<string>();
      const { alive, advance, batches, changes, calls, clock } = await sixHosts({ default: fall1, fall5 }, hang);
      const diedAt = clock.now();
      alive.set('10.0.1.2', false);
      hang.add('10.0.2.1');
      await advance(3_000, 1);
      expect(batches).toEqual([['10.0.1.2'], ['10.0.2.1']]);
      const failed = (calls.find((c) => c.target === '10.0.1.2' && c.at >= diedAt) as { at: number }).at;
      // 1 × 200 × 1.1 + 150 = 370 ms (+1 for the timer).
      expect(changes[0]?.[1].since).toBe(Math.ceil(failed) + 371);
    });

    it('does not wait for next hops probed less often than the failed one', async () => {
      // The AZ-2 hosts are probed every 5 s: they could not answer within 10.0.1.2's detection time.
      await loneFailure({
        default: probeGroup({ type: 'tcp', port: 80 }, { fall: 2 }),
        slow: probeGroup({ type: 'tcp', port: 80 }, { intervalMs: 5_000 }),
      });
    });

    it('a held failure that another verdict overtakes (BFD) is reported once, at once', async () => {
      const fall1 = probeGroup({ type: 'tcp', port: 80 }, { fall: 1 });
      const fall5 = probeGroup({ type: 'tcp', port: 80 }, { fall: 5 });
      const hang = new Set<string>();
      const { alive, advance, batches, mon } = await sixHosts({ default: fall1, fall5 }, hang);
      alive.set('10.0.1.2', false);
      hang.add('10.0.2.1');
      for (let i = 0; i < 250 && mon.view('10.0.1.2')?.eligible !== false; i++) await advance(1, 1);
      expect(batches).toEqual([]);
      mon.setLiveness('10.0.1.2', 'BFD down');
      expect(batches).toEqual([['10.0.1.2']]);
      await advance(500, 1);
      expect(batches).toEqual([['10.0.1.2']]);
    });
  });

  it('rejects bad options', () => {
    expect(() => new HealthMonitor({ groups: { g: probeGroup({ type: 'tcp', port: 80 }, { timeoutMs: 500, intervalMs: 200 }) } })).toThrow(
      HealthConfigError,
    );
    expect(() => new HealthMonitor({ groups: { g: probeGroup({ type: 'http', port: 0 }) } })).toThrow(/port 0/);
    expect(() => new HealthMonitor({ groups: {}, defaultGroup: 'x' })).toThrow(/not defined/);
  });
});
