import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ceiling, decay, decayedPenalty, flap, INITIAL_DAMPING, reuseAt, validateDamping } from '../../src/health/damping.js';
import { TEST_DAMPING } from './groups.js';

const o = TEST_DAMPING; // penalty 1000, half-life 30 s, suppress 2500, reuse 1000, max 180 s

describe('flap damping (RFC 2439 §4.2 style)', () => {
  it('halves the penalty every half-life', () => {
    const s = flap(INITIAL_DAMPING, 0, o);
    expect(s.penalty).toBe(1000);
    expect(decayedPenalty(s, 30_000, o)).toBeCloseTo(500, 6);
    expect(decayedPenalty(s, 60_000, o)).toBeCloseTo(250, 6);
  });

  it('suppresses after three quick flaps, reuses below the reuse threshold', () => {
    let s = flap(INITIAL_DAMPING, 0, o);
    s = flap(s, 1_000, o);
    expect(s.suppressed).toBe(false);
    s = flap(s, 2_000, o);
    expect(s.suppressed).toBe(true);
    const at = reuseAt(s, o) as number;
    // penalty ≈ 2955 at t=2 s → falls to 1000 after log2(2.955) half-lives ≈ 46.9 s
    expect(at).toBeGreaterThan(48_000);
    expect(at).toBeLessThan(49_500);
    expect(decay(s, at - 10, o).suppressed).toBe(true);
    expect(decay(s, at + 1, o).suppressed).toBe(false);
  });

  it('slow flaps never suppress', () => {
    let s = INITIAL_DAMPING;
    for (let i = 0; i < 20; i++) s = flap(s, i * 60_000, o);
    expect(s.suppressed).toBe(false);
  });

  it('caps the penalty so suppression ends within maxSuppress after the last flap', () => {
    let s = INITIAL_DAMPING;
    for (let i = 0; i < 500; i++) s = flap(s, i, o);
    expect(s.penalty).toBeCloseTo(ceiling(o), 6);
    expect((reuseAt(s, o) as number) - s.at).toBeCloseTo(o.maxSuppressMs, 3);
  });

  it('property: suppression never outlasts maxSuppress after the last flap', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let s = INITIAL_DAMPING;
        let t = 0;
        for (const g of gaps) {
          t += g;
          s = flap(s, t, o);
        }
        return !decay(s, t + o.maxSuppressMs + 1, o).suppressed;
      }),
    );
  });

  it('validates options', () => {
    expect(validateDamping(o)).toBeUndefined();
    expect(validateDamping({ ...o, reuse: 3000 })).toMatch(/reuse/);
    expect(validateDamping({ ...o, halfLifeMs: 0 })).toMatch(/positive/);
  });
});
