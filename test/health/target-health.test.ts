import { describe, expect, it } from 'vitest';
import { TargetHealth } from '../../src/health/target-health.js';
import { TEST_DAMPING } from './groups.js';

describe('TargetHealth (rise/fall, damping, overrides)', () => {
  it('goes down after `fall` consecutive failures and up after `rise` successes', () => {
    const h = new TargetHealth({ rise: 2, fall: 3 }, undefined, 0);
    expect(h.eligible()).toBe(true);
    expect(h.observe(false, 'refused', 1)).toBe(false);
    expect(h.observe(false, 'refused', 2)).toBe(false);
    expect(h.observe(true, 'ok', 3)).toBe(false); // streak reset
    expect(h.observe(false, 'refused', 4)).toBe(false);
    expect(h.observe(false, 'refused', 5)).toBe(false);
    expect(h.observe(false, 'refused', 6)).toBe(true);
    expect(h.eligible()).toBe(false);
    expect(h.reason(6)).toBe('probe failed 3× (refused)');
    expect(h.observe(true, 'ok', 7)).toBe(false);
    expect(h.observe(false, 'x', 8)).toBe(false);
    expect(h.observe(true, 'ok', 9)).toBe(false);
    expect(h.observe(true, 'ok', 10)).toBe(true);
    expect(h.view(10)).toMatchObject({ eligible: true, state: 'up', since: 10 });
  });

  it('damps a flapping host until its penalty decays', () => {
    const h = new TargetHealth({ rise: 1, fall: 1 }, TEST_DAMPING, 0);
    let t = 0;
    for (let i = 0; i < 3; i++) {
      h.observe(false, 'down', (t += 500));
      h.observe(true, 'up', (t += 500));
    }
    expect(h.view(t)).toMatchObject({ state: 'up', suppressed: true, eligible: false, flaps: 3 });
    expect(h.reason(t)).toMatch(/^damped after 3 flaps/);
    const wake = h.nextWakeup() as number;
    expect(wake).toBeGreaterThan(t + 40_000);
    expect(h.tick(wake - 100)).toBe(false);
    expect(h.tick(wake + 1)).toBe(true);
    expect(h.eligible()).toBe(true);
  });

  it('a blackhole mark holds the target down until its TTL, whatever the probes say', () => {
    const h = new TargetHealth({ rise: 1, fall: 1 }, undefined, 0);
    expect(h.markUnhealthy('EC2 route blackhole', 10_000, 0)).toBe(true);
    expect(h.observe(true, 'ok', 5_000)).toBe(false);
    expect(h.reason(5_000)).toBe('EC2 route blackhole');
    expect(h.nextWakeup()).toBe(10_000);
    expect(h.tick(10_000)).toBe(true);
    expect(h.eligible()).toBe(true);
    h.markUnhealthy('gone', undefined, 11_000);
    expect(h.nextWakeup()).toBeUndefined();
    expect(h.clearOverride(12_000)).toBe(true);
  });

  it('can start down and needs `rise` successes', () => {
    const h = new TargetHealth({ rise: 2, fall: 1 }, undefined, 0, true);
    expect(h.eligible()).toBe(false);
    h.observe(true, 'ok', 1);
    expect(h.observe(true, 'ok', 2)).toBe(true);
  });

  it('a liveness verdict (BFD down) takes the target out at once, counts a flap, and lifts when it is up again', () => {
    const h = new TargetHealth({ rise: 3, fall: 3 }, TEST_DAMPING, 0);
    expect(h.setLiveness('BFD down: control detection time expired', 100)).toBe(true);
    expect(h.view(100)).toMatchObject({ eligible: false, state: 'up', flaps: 1, reason: 'BFD down: control detection time expired' });
    expect(h.observe(true, 'ok', 200)).toBe(false); // probes passing do not override it
    expect(h.setLiveness('BFD down again', 300)).toBe(false); // already down: no second flap
    expect(h.view(300).flaps).toBe(1);
    expect(h.setLiveness(undefined, 400)).toBe(true);
    expect(h.eligible()).toBe(true);
    // Three BFD flaps in a row: damped like probe flaps (penalty 1000 each, suppress at 2000).
    h.setLiveness('down', 500);
    h.setLiveness(undefined, 600);
    h.setLiveness('down', 700);
    expect(h.setLiveness(undefined, 800)).toBe(false);
    expect(h.view(800)).toMatchObject({ eligible: false, suppressed: true, flaps: 3 });
  });
});
