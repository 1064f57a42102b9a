import { describe, expect, it } from 'vitest';
import { LazySet, RefCounts, SWEEP_STEP } from '../../src/rib/lazy-collections.js';
import { PrefixEntries } from '../../src/rib/prefix-entries.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { path, paths, peerUp, withdraw } from './helpers.js';

describe('RefCounts', () => {
  it('counts references per key; a key is live until its last reference goes, swept once many are dead', () => {
    const r = new RefCounts<number>();
    r.add(1);
    r.add(1);
    expect(r.remove(1)).toBe(false);
    expect([...r.entries()]).toEqual([[1, 1]]);
    expect(r.remove(1)).toBe(true);
    expect(r.remove(1)).toBe(false);
    expect(r.size).toBe(0);
    expect([...r.keys()]).toEqual([]);
    for (let i = 0; i < 10_000; i++) r.add(i);
    for (let i = 0; i < 9_000; i++) r.remove(i);
    expect(r.size).toBe(1_000);
    expect([...r.keys()]).toHaveLength(1_000);
    expect(r.get(9_500)).toBe(1);
    expect(r.get(5)).toBe(0);
  });
});

describe('LazySet', () => {
  it('iterates live members only and keeps its size through sweeps', () => {
    const dead = new Set<number>();
    const s = new LazySet<number>((x) => !dead.has(x));
    for (let i = 0; i < 10_000; i++) s.add(i);
    for (let i = 0; i < 9_000; i++) {
      dead.add(i);
      s.removed();
    }
    expect(s.size).toBe(1_000);
    expect([...s]).toEqual(Array.from({ length: 1_000 }, (_, i) => 9_000 + i));
  });
});

describe('sweeps are spread over the calls that follow (no call pays for a pass over everything)', () => {
  it('LazySet: each removal asks `alive` about at most SWEEP_STEP members, and the dead ones do go', () => {
    const dead = new Set<number>();
    let asked = 0;
    const s = new LazySet<number>((x) => {
      asked++;
      return !dead.has(x);
    });
    const n = 100_000;
    for (let i = 0; i < n; i++) s.add(i);
    let most = 0;
    for (let i = 0; i < n - 1_000; i++) {
      dead.add(i);
      asked = 0;
      s.removed();
      most = Math.max(most, asked);
    }
    expect(most).toBe(SWEEP_STEP);
    expect(s.size).toBe(1_000);
    expect(s.stored).toBeLessThan(n / 4); // swept as it went, not all at once at the end
    expect([...s]).toEqual(Array.from({ length: 1_000 }, (_, i) => n - 1_000 + i));
  });

  it('RefCounts: dead keys are deleted a few per removal', () => {
    const r = new RefCounts<number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) r.add(i);
    const stored: number[] = [];
    for (let i = 0; i < n - 1_000; i++) {
      const before = r.stored;
      r.remove(i);
      stored.push(before - r.stored);
    }
    expect(Math.max(...stored)).toBeLessThanOrEqual(SWEEP_STEP);
    expect(r.size).toBe(1_000);
    expect(r.stored).toBeLessThan(n / 4);
    expect(r.get(n - 1)).toBe(1);
  });

  it('PrefixEntries: one entry emptied per flush deletes at most SWEEP_STEP × 64 entries per sweep()', () => {
    const m = new PrefixEntries();
    const n = 50_000;
    const entries = Array.from({ length: n }, (_, i) => {
      const e = m.getOrCreate(parsePrefix(`10.${(i >> 8) & 255}.${i & 255}.0/24`));
      e.cands.push({} as never);
      m.filled();
      return e;
    });
    let most = 0;
    for (const e of entries.slice(0, n - 500)) {
      e.cands.length = 0;
      m.emptied();
      const before = m.stored;
      m.sweep();
      most = Math.max(most, before - m.stored);
    }
    expect(most).toBeLessThanOrEqual(SWEEP_STEP * 64);
    expect(m.size).toBe(500);
    expect(m.stored).toBeLessThan(n / 4);
  });
});

describe('RouteSpec under churn', () => {
  it('stays consistent while thousands of prefixes flap (empty entries kept, then swept)', () => {
    const rs = new RouteSpec({ rank: { holdDownMs: 30_000, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' });
    const peer = '10.0.0.5';
    rs.applySpeakerEvent(peerUp(peer));
    const pfx = (i: number): string => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
    for (let i = 0; i < 12_000; i++) rs.applySpeakerEvent(paths(peer, path(peer, pfx(i))));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_000; i++) rs.applySpeakerEvent(withdraw(peer, pfx(i)));
      expect(rs.chosen()).toHaveLength(2_000);
      expect(rs.stats().prefixes).toBe(2_000);
      expect(rs.audit()).toEqual([]);
      for (let i = 0; i < 10_000; i++) rs.applySpeakerEvent(paths(peer, path(peer, pfx(i))));
      expect(rs.chosen()).toHaveLength(12_000);
      expect(rs.audit()).toEqual([]);
    }
    rs.applySpeakerEvent({ type: 'peer-down', peer, reason: 'tcp-closed', detail: 'test' });
    expect(rs.chosen()).toHaveLength(0);
    expect(rs.audit()).toEqual([]);
  });
});
