// When VPC sync passes run: a burst of changes waits for the debounce window, a failover does not.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { PassScheduler, type Trigger } from '../../src/vpc/pass-scheduler.js';

function scheduler(clock: FakeClock): { s: PassScheduler; passes: [number, Trigger][] } {
  const passes: [number, Trigger][] = [];
  const s = new PassScheduler({
    clock,
    log: silentLogger,
    debounceMs: 200,
    driftIntervalMs: 3_600_000,
    retry: { baseMs: 1000, maxMs: 60_000 },
    random: () => 0.5,
    pass: (t) => {
      passes.push([clock.now(), t]);
      return Promise.resolve();
    },
  });
  return { s, passes };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('PassScheduler', () => {
  it('collects a burst of changes for one debounce window, then runs one pass', async () => {
    const clock = new FakeClock();
    const { s, passes } = scheduler(clock);
    s.changed();
    clock.advance(150);
    s.changed();
    await settle();
    expect(passes).toEqual([]);
    clock.advance(50);
    await settle();
    expect(passes).toEqual([[200, 'desired']]);
    await s.stop();
  });

  it('runs a failover at once, and a second within the window waits for the window', async () => {
    const clock = new FakeClock();
    const { s, passes } = scheduler(clock);
    s.changed(); // a cosmetic change opens a window ...
    clock.advance(50);
    s.changed(true); // ... a failover does not wait for it, and takes its place
    await settle();
    expect(passes).toEqual([[50, 'desired']]);
    clock.advance(100);
    s.changed(true); // a host flapping: at most one leading pass per window
    await settle();
    expect(passes).toEqual([[50, 'desired']]);
    clock.advance(199);
    await settle();
    expect(passes).toEqual([[50, 'desired']]);
    clock.advance(1);
    await settle();
    expect(passes).toEqual([
      [50, 'desired'],
      [350, 'desired'],
    ]);
    clock.advance(1000);
    s.changed(true); // quiet for a window: the next failover runs at once again
    await settle();
    expect(passes.at(-1)).toEqual([1350, 'desired']);
    expect(passes).toHaveLength(3);
    await s.stop();
  });
});
