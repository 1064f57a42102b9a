// QuietHold on its own: which next hops are suspects, what clears them, when a batch is due.
import { describe, expect, it } from 'vitest';
import { QuietHold, type QuietTarget } from '../../src/health/quiet-hold.js';

interface T extends QuietTarget {
  lastGood: number | undefined;
  quietSince: number | undefined;
  up: boolean;
}

function target(
  nextHop: string,
  lastGood: number | undefined,
  o: Partial<Pick<T, 'quietSince' | 'up'>> & { every?: number | undefined } = {},
): T {
  return {
    nextHop,
    lastGood,
    quietSince: o.quietSince,
    probeIntervalMs: 'every' in o ? o.every : 200,
    up: o.up ?? true,
    eligible() {
      return this.up;
    },
  };
}

describe('QuietHold', () => {
  it('does not hold a failure when every other probed next hop answered a probe started after it went quiet', () => {
    const q = new QuietHold();
    const dead = target('a', 900, { quietSince: 1000, up: false });
    const others = [
      target('b', 1000),
      target('c', 1150),
      target('d', 10, { every: undefined }),
      target('s', 500, { every: 1000 }),
      target('e', 500, { up: false }),
    ];
    expect(q.hold(dead, [dead, ...others], 1350, 590)).toBe(false);
    expect(q.deadline).toBeUndefined();
    expect(q.take(1350)).toBeUndefined();
  });

  it('holds while a suspect is unresolved; an answer to a probe started before the quiet moment does not clear it', () => {
    const q = new QuietHold();
    const dead = target('a', 900, { quietSince: 1000, up: false });
    const b = target('b', 950); // its last good probe started before a went quiet: a suspect
    const c = target('c', 1100);
    expect(q.hold(dead, [dead, b, c], 1350, 590)).toBe(true);
    expect(q.isHeld('a')).toBe(true);
    expect(q.deadline).toBe(1940);
    b.lastGood = 990; // a slow probe, started before 1000, answered now
    q.observed(b);
    expect(q.take(1400)).toBeUndefined();
    b.lastGood = 1000;
    q.observed(b);
    expect(q.take(1400)).toEqual({ nextHops: ['a'], openedAt: 1350, cleared: 1, unresolved: 0 });
    expect(q.deadline).toBeUndefined();
  });

  it('a suspect found dead joins the batch; the batch is due when none is left', () => {
    const q = new QuietHold();
    const a = target('a', 900, { quietSince: 1000, up: false });
    const b = target('b', 800);
    const c = target('c', 850);
    expect(q.hold(a, [a, b, c], 1350, 590)).toBe(true);
    b.up = false;
    expect(q.hold(b, [a, b, c], 1500, 590)).toBe(true);
    expect(q.take(1500)).toBeUndefined(); // c unresolved
    c.up = false; // c goes down another way (BFD): reported at once, not a suspect any more
    q.reported(c);
    expect(q.take(1510)).toEqual({ nextHops: ['a', 'b'], openedAt: 1350, cleared: 0, unresolved: 0 });
  });

  it('is due at the deadline with suspects left, and at once when nothing is held any more', () => {
    const q = new QuietHold();
    const a = target('a', 900, { quietSince: 1000, up: false });
    const b = target('b', 800);
    expect(q.hold(a, [a, b], 1350, 590)).toBe(true);
    expect(q.take(1939)).toBeUndefined();
    expect(q.take(1940)).toEqual({ nextHops: ['a'], openedAt: 1350, cleared: 0, unresolved: 1 });
    expect(q.hold(a, [a, b], 2000, 590)).toBe(true);
    q.forget('a'); // no longer a target
    expect(q.take(2001)).toEqual({ nextHops: [], openedAt: 2000, cleared: 0, unresolved: 1 });
  });

  it('a next hop never probed successfully is a suspect until it answers', () => {
    const q = new QuietHold();
    const a = target('a', 900, { quietSince: 1000, up: false });
    const fresh = target('f', undefined);
    expect(q.hold(a, [a, fresh], 1350, 590)).toBe(true);
    fresh.lastGood = 1400;
    q.observed(fresh);
    expect(q.take(1401)?.cleared).toBe(1);
  });
});
