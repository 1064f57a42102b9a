// The fence's arithmetic: deadline = send time of the last acknowledged renewal + TTL − margin on both clocks,
// the takeover wait, and what a pause does (nothing can reopen a gate but a renewal sent after it).
import { describe, expect, it } from 'vitest';
import { beginTerm, fenceVerdict, msLeft, renewTerm } from '../../src/ha/fence.js';

const S = { marginMs: 500, inFlightMs: 1500 };
const at = (mono: number, wall = 1_000_000 + mono) => ({ mono, wall });

describe('fence', () => {
  it('waits out the previous leader’s calls in flight, then writes until TTL − margin after the acquiring request was sent', () => {
    const t = beginTerm('7', at(1000), 1010, 3000, S);
    expect(t.writableAt).toBe(2510);
    expect(t.deadline).toEqual(at(3500));
    expect(fenceVerdict(t, at(1010))).toEqual({ kind: 'waiting', ms: 1500 });
    expect(fenceVerdict(t, at(2509))).toEqual({ kind: 'waiting', ms: 1 });
    expect(fenceVerdict(t, at(2510))).toEqual({ kind: 'open' });
    expect(fenceVerdict(t, at(3499))).toEqual({ kind: 'open' });
    expect(fenceVerdict(t, at(3500))).toEqual({ kind: 'expired' });
    expect(fenceVerdict(undefined, at(0))).toEqual({ kind: 'expired' });
  });

  it('a renewal moves the deadline to its own send time + TTL − margin, never backwards', () => {
    let t = beginTerm('7', at(0), 5, 3000, S);
    t = renewTerm(t, at(1000), 3000, S);
    expect(t.deadline).toEqual(at(3500));
    expect(msLeft(t, at(3000))).toBe(500);
    // An answer that arrives late for an old request cannot pull the deadline in.
    t = renewTerm(t, at(200), 3000, S);
    expect(t.deadline).toEqual(at(3500));
    expect(t.writableAt).toBe(1505);
  });

  it('after a pause longer than the lease nothing is writable, even if a renewal sent before it is answered after it', () => {
    let t = beginTerm('7', at(0), 5, 3000, S);
    t = renewTerm(t, at(2000), 3000, S); // deadline 4500
    // SIGSTOP at 2100 for 6 s; the renewal sent at 2000 … wait, say one was sent at 2100 and is answered at 8200:
    t = renewTerm(t, at(2100), 3000, S);
    expect(fenceVerdict(t, at(8200))).toEqual({ kind: 'expired' });
  });

  it('the wall clock catches a frozen VM whose monotonic clock stood still', () => {
    const t = beginTerm('7', at(0, 50_000), 5, 3000, S);
    expect(fenceVerdict(t, { mono: 2000, wall: 52_000 })).toEqual({ kind: 'open' });
    expect(fenceVerdict(t, { mono: 2000, wall: 60_000 })).toEqual({ kind: 'expired' });
    expect(msLeft(t, { mono: 2000, wall: 60_000 })).toBe(-7500);
    // A wall clock stepped back (NTP) does not extend the term: the monotonic deadline still holds.
    expect(fenceVerdict(t, { mono: 2500, wall: 10_000 })).toEqual({ kind: 'expired' });
  });
});
