import { describe, expect, it } from 'vitest';
import { exponentialDelay, jitter, retryDelay } from '../../src/base/backoff.js';

describe('retryDelay', () => {
  it('is full jitter over an exponentially growing, capped window', () => {
    const cfg = { baseMs: 100, maxMs: 5000 };
    expect(retryDelay(0, cfg, () => 0.999)).toBe(99);
    expect(retryDelay(3, cfg, () => 0.5)).toBe(400);
    expect(retryDelay(10, cfg, () => 0.999)).toBe(4995);
    expect(retryDelay(5, cfg, () => 0)).toBe(0);
  });
});

describe('exponentialDelay and jitter', () => {
  it('doubles from the base, caps at the maximum, and never overflows for huge attempt counts', () => {
    const b = { baseMs: 1000, maxMs: 60_000 };
    expect([0, 1, 2, 5, 6, 7].map((n) => exponentialDelay(b, n))).toEqual([1000, 2000, 4000, 32_000, 60_000, 60_000]);
    expect(exponentialDelay(b, 1e9)).toBe(60_000);
    expect(exponentialDelay(b, -3)).toBe(1000);
  });

  it('spreads ±25 % around the delay', () => {
    expect(jitter(1000, 0)).toBe(750);
    expect(jitter(1000, 0.5)).toBe(1000);
    expect(jitter(1000, 0.999999)).toBe(1250);
  });
});
