import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../src/base/clock.js';
import { TokenBucket } from '../../src/base/token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst, then refills at the configured rate (EC2 mutating: 50 + 5/s)', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, { burst: 50, perSecond: 5 });
    let n = 0;
    while (b.tryTake()) n++;
    expect(n).toBe(50);
    expect(b.msUntilToken()).toBe(200);
    clock.advance(199);
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
    clock.advance(10_000);
    expect(b.available()).toBe(50); // capped at the burst
  });

  it('take() waits on the injected clock', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, { burst: 1, perSecond: 10 });
    await b.take();
    let done = false;
    const p = b.take().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(100);
    await p;
    expect(done).toBe(true);
  });

  it('settle() drops refill counted before the server can have started it (first take from a full bucket)', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, { burst: 3, perSecond: 10 });
    expect(b.tryTake()).toBe(true); // 3 → 2, taken at the cap
    clock.advance(100); // the round trip: our bucket refills to 3, EC2's only starts now
    expect(b.available()).toBeCloseTo(3);
    b.settle();
    expect(b.available()).toBeCloseTo(2);
    expect(b.tryTake()).toBe(true); // 2 → 1, not at the cap: settle() changes nothing
    clock.advance(50);
    b.settle();
    expect(b.available()).toBeCloseTo(1.5);
  });

  it('drain() empties it after a server-side throttle', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, { burst: 100, perSecond: 20 });
    b.drain();
    expect(b.tryTake()).toBe(false);
    expect(b.msUntilToken()).toBe(50);
  });
});

describe('TokenBucket as the EC2 emulator uses it (tryTake only)', () => {
  it('bursts, then refills at the rate on the injected clock, capped at the burst', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(clock, { burst: 3, perSecond: 2 });
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    clock.advance(499);
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
    clock.advance(60_000);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
  });

  it('never admits more than burst + rate × elapsed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 200 }), (gaps) => {
        const clock = new FakeClock();
        const b = new TokenBucket(clock, { burst: 5, perSecond: 5 });
        let admitted = 0;
        let elapsed = 0;
        for (const g of gaps) {
          clock.advance(g);
          elapsed += g;
          if (b.tryTake()) admitted++;
        }
        expect(admitted).toBeLessThanOrEqual(5 + Math.floor((elapsed / 1000) * 5) + 1e-9);
      }),
    );
  });
});
