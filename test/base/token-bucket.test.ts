import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { backoffDelay } from '../../src/base/backoff.js';
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

describe('backoffDelay', () => {
  it('is full jitter over an exponentially growing, capped window', () => {
    const cfg = { baseMs: 100, maxMs: 5000, maxAttempts: 8 };
    expect(backoffDelay(0, cfg, () => 0.999)).toBe(99);
    expect(backoffDelay(3, cfg, () => 0.5)).toBe(400);
    expect(backoffDelay(10, cfg, () => 0.999)).toBe(4995);
    expect(backoffDelay(5, cfg, () => 0)).toBe(0);
  });
});
