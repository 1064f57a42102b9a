import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectNextHop, type Rankable, type RankOptions, type Step } from '../../src/rib/ranking.js';
import { parseAddress } from '../../src/net/address.js';

const opts: RankOptions = { holdDownMs: 1000, alwaysCompareMed: false };

function cand(nextHop: string, over: Partial<Rankable> = {}): Rankable {
  const a = parseAddress(nextHop);
  return {
    nextHop,
    nhFamily: a.family,
    nhAddr: a.addr,
    localPref: 100,
    asPathLength: 1,
    med: 0,
    neighborAs: 65001,
    priority: 0,
    eligible: true,
    eligibleSince: 0,
    ...over,
  };
}

const pick = (cs: Rankable[], current?: string, now = 10_000, o: RankOptions = opts): string | undefined => {
  const s = selectNextHop(cs, current, now, o);
  return s.winner < 0 ? undefined : cs[s.winner]?.nextHop;
};

describe('selectNextHop', () => {
  it('prefers higher LOCAL_PREF over everything below it', () => {
    expect(pick([cand('10.0.0.1', { asPathLength: 1 }), cand('10.0.0.2', { localPref: 200, asPathLength: 5 })])).toBe('10.0.0.2');
  });

  it('then shorter AS path', () => {
    expect(pick([cand('10.0.0.1', { asPathLength: 3 }), cand('10.0.0.2', { asPathLength: 2, med: 50 })])).toBe('10.0.0.2');
  });

  it('compares MED only within the same neighbour AS unless alwaysCompareMed', () => {
    const cs = [cand('10.0.0.1', { med: 50, neighborAs: 1 }), cand('10.0.0.2', { med: 10, neighborAs: 2 })];
    // Different neighbour AS: MED ignored, lowest IP decides.
    expect(pick(cs)).toBe('10.0.0.1');
    expect(pick(cs, undefined, 0, { ...opts, alwaysCompareMed: true })).toBe('10.0.0.2');
    const same = [cand('10.0.0.1', { med: 50, neighborAs: 1 }), cand('10.0.0.2', { med: 10, neighborAs: 1 })];
    expect(pick(same)).toBe('10.0.0.2');
  });

  it('then higher configured priority', () => {
    expect(pick([cand('10.0.0.1'), cand('10.0.0.2', { priority: 100 })])).toBe('10.0.0.2');
  });

  it('keeps the current choice among equals (stickiness), else lowest IP', () => {
    const cs = [cand('10.0.0.9'), cand('10.0.0.1'), cand('10.0.0.5')];
    expect(pick(cs)).toBe('10.0.0.1');
    expect(pick(cs, '10.0.0.5')).toBe('10.0.0.5');
    expect(selectNextHop(cs, '10.0.0.5', 10_000, opts).decidedBy).toBe('stickiness');
  });

  it('lets a better challenger win only after the hold-down', () => {
    const cs = [cand('10.0.0.5'), cand('10.0.0.1', { localPref: 200, eligibleSince: 9_500 })];
    const before = selectNextHop(cs, '10.0.0.5', 10_000, opts);
    expect(cs[before.winner]?.nextHop).toBe('10.0.0.5');
    expect(before.recheckAt).toBe(10_500);
    expect(pick(cs, '10.0.0.5', 10_500)).toBe('10.0.0.1');
    // Without an eligible current choice there is no hold-down: failover takes the best at once.
    expect(pick(cs, '10.0.0.7', 10_000)).toBe('10.0.0.1');
  });

  it('ignores ineligible candidates and returns -1 when none is eligible', () => {
    expect(pick([cand('10.0.0.1', { eligible: false }), cand('10.0.0.2')])).toBe('10.0.0.2');
    expect(selectNextHop([cand('10.0.0.1', { eligible: false })], '10.0.0.1', 0, opts).winner).toBe(-1);
  });

  it('puts IPv4 next hops before IPv6 on the final tie-break', () => {
    expect(pick([cand('2001:db8::1'), cand('10.0.0.200')])).toBe('10.0.0.200');
  });

  it('prefers the configured AZ after priority', () => {
    const cs = [cand('10.0.0.1', { az: 'a' }), cand('10.0.0.2', { az: 'b' })];
    expect(pick(cs, undefined, 0, { ...opts, preferAz: 'b' })).toBe('10.0.0.2');
    expect(pick(cs, undefined, 0, { ...opts, preferAz: 'c' })).toBe('10.0.0.1');
  });

  it('places the same-AZ step after LOCAL_PREF, AS path, MED and priority, before stickiness and lowest IP', () => {
    const o: RankOptions = { ...opts, preferAz: 'b' };
    const inA = (ip: string, over: Partial<Rankable> = {}): Rankable => cand(ip, { az: 'a', ...over });
    const inB = (ip: string, over: Partial<Rankable> = {}): Rankable => cand(ip, { az: 'b', ...over });
    // the operator's and the hosts' preferences come first
    expect(pick([inA('10.0.0.1', { localPref: 200 }), inB('10.0.0.2')], undefined, 10_000, o)).toBe('10.0.0.1');
    expect(pick([inA('10.0.0.1', { asPathLength: 0 }), inB('10.0.0.2')], undefined, 10_000, o)).toBe('10.0.0.1');
    expect(pick([inA('10.0.0.1', { med: 0 }), inB('10.0.0.2', { med: 5 })], undefined, 10_000, o)).toBe('10.0.0.1');
    expect(pick([inA('10.0.0.1', { priority: 1 }), inB('10.0.0.2')], undefined, 10_000, o)).toBe('10.0.0.1');
    // then the AZ, over lowest IP and over a sticky current choice elsewhere (once past its hold-down)
    expect(pick([inA('10.0.0.1'), inB('10.0.0.2')], undefined, 10_000, o)).toBe('10.0.0.2');
    expect(pick([inA('10.0.0.1'), inB('10.0.0.2')], '10.0.0.1', 10_000, o)).toBe('10.0.0.2');
    expect(pick([inA('10.0.0.1'), inB('10.0.0.2', { eligibleSince: 9_500 })], '10.0.0.1', 10_000, o)).toBe('10.0.0.1');
    // among hosts in the AZ: stickiness, then lowest IP; none in the AZ: the step removes nobody
    expect(pick([inB('10.0.0.3'), inB('10.0.0.2'), inA('10.0.0.1')], '10.0.0.3', 10_000, o)).toBe('10.0.0.3');
    expect(pick([inB('10.0.0.3'), inB('10.0.0.2'), inA('10.0.0.1')], undefined, 10_000, o)).toBe('10.0.0.2');
    expect(pick([inA('10.0.0.3'), inA('10.0.0.2')], '10.0.0.3', 10_000, { ...opts, preferAz: 'c' })).toBe('10.0.0.3');
    const s = selectNextHop([inA('10.0.0.1'), inB('10.0.0.2')], undefined, 10_000, o);
    expect(s.decidedBy).toBe('az');
    const lost: (Step | undefined)[] = [];
    selectNextHop([inA('10.0.0.1'), inB('10.0.0.2')], undefined, 10_000, o, lost);
    expect([lost[0], lost[1]]).toEqual(['az', undefined]);
  });

  it('two paths with the current next hop are one choice: nothing was decided by stickiness (fast and step-by-step agree)', () => {
    // Found by the fast-vs-elimination property (seed 1224769335): the elimination said 'stickiness', the fast path 'only'.
    const cs = [cand('10.0.0.2', { localPref: 200 }), cand('10.0.0.2', { localPref: 200 }), cand('10.0.0.1', { eligible: false })];
    const o: RankOptions = { holdDownMs: 0, alwaysCompareMed: false };
    const fast = selectNextHop(cs, '10.0.0.2', 0, o);
    const lost: (Step | undefined)[] = [];
    const slow = selectNextHop(cs, '10.0.0.2', 0, o, lost);
    expect([cs[fast.winner]?.nextHop, fast.decidedBy]).toEqual(['10.0.0.2', 'only']);
    expect([cs[slow.winner]?.nextHop, slow.decidedBy]).toEqual(['10.0.0.2', 'only']);
    expect(lost).toEqual([undefined, undefined, 'ineligible']);
  });

  it('records the step at which each loser was eliminated', () => {
    const cs = [
      cand('10.0.0.1', { eligible: false }),
      cand('10.0.0.2', { localPref: 50 }),
      cand('10.0.0.3', { asPathLength: 4 }),
      cand('10.0.0.4'),
      cand('10.0.0.5'),
    ];
    const lost: (Step | undefined)[] = [];
    const s = selectNextHop(cs, undefined, 0, opts, lost);
    expect(cs[s.winner]?.nextHop).toBe('10.0.0.4');
    expect(lost).toEqual(['ineligible', 'local-pref', 'as-path', undefined, 'lowest-ip']);
  });

  const arbCand = fc.record({
    host: fc.integer({ min: 1, max: 20 }),
    localPref: fc.constantFrom(50, 100, 200),
    asPathLength: fc.integer({ min: 0, max: 3 }),
    med: fc.integer({ min: 0, max: 3 }),
    neighborAs: fc.constantFrom(1, 2),
    priority: fc.constantFrom(0, 100),
    eligible: fc.boolean(),
    az: fc.constantFrom(undefined, 'a', 'b'),
  });

  it('property: the winner is eligible, and without a current choice the order of candidates does not matter', () => {
    fc.assert(
      fc.property(fc.array(arbCand, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 1000 }), (raw, seed) => {
        const cs = raw.map((r) => cand(`10.0.0.${r.host}`, r));
        const s = selectNextHop(cs, undefined, 0, opts);
        if (!cs.some((c) => c.eligible)) return s.winner === -1;
        const w = cs[s.winner];
        if (!w?.eligible) return false;
        const shuffled = [...cs].sort((a, b) => ((a.nhAddr + BigInt(seed)) % 7n < (b.nhAddr + BigInt(seed)) % 7n ? -1 : 1));
        const s2 = selectNextHop(shuffled, undefined, 0, opts);
        return shuffled[s2.winner]?.nextHop === w.nextHop;
      }),
    );
  });

  it('property: the one-pass fast path picks the same next hop as the step-by-step elimination', () => {
    fc.assert(
      fc.property(
        fc.array(arbCand, { minLength: 1, maxLength: 8 }),
        fc.option(fc.integer({ min: 1, max: 20 })),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(undefined, 'a', 'c'),
        (raw, cur, always, sameMed, preferAz) => {
          const cs = raw.map((r) => cand(`10.0.0.${r.host}`, sameMed ? { ...r, med: 0 } : r));
          const current = cur === null ? undefined : `10.0.0.${cur}`;
          const o: RankOptions = { holdDownMs: 0, alwaysCompareMed: always, preferAz };
          const fast = selectNextHop(cs, current, 0, o);
          const slow = selectNextHop(cs, current, 0, o, []); // a `lost` array forces the elimination path
          const same =
            (fast.winner < 0 ? undefined : cs[fast.winner]?.nextHop) === (slow.winner < 0 ? undefined : cs[slow.winner]?.nextHop);
          return same && (fast.winner < 0 || fast.decidedBy === slow.decidedBy || !sameMed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: an eligible current choice that ties on every attribute is kept', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }), fc.nat(), (hosts, k) => {
        const cs = hosts.map((h) => cand(`10.0.0.${h}`));
        const current = cs[k % cs.length]?.nextHop;
        return pick(cs, current) === current;
      }),
    );
  });
});
