import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import { RouteSpec, type RouteSpecOptions } from '../../src/rib/route-spec.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { ImportPolicy } from '../../src/policy/import-policy.js';
import { parseRouteSpec } from '../../src/rib/spec-format.js';
import { path, paths, peerUp, withdraw } from './helpers.js';
import { Metrics } from '../../src/base/metrics.js';

const P = '10.55.0.0/16';

function setup(opts: Partial<Omit<RouteSpecOptions, 'clock'>> = {}) {
  const clock = new FakeClock(1_000_000);
  const rs = new RouteSpec({ clock, rank: { holdDownMs: 5_000, alwaysCompareMed: false }, whenNoneEligible: 'keep-last', ...opts });
  const batches: ChosenChange[][] = [];
  rs.onChanges((b) => batches.push([...b]));
  const last = (): ChosenChange[] => batches[batches.length - 1] ?? [];
  const chosenOf = (p = P): string | undefined =>
    rs.chosen().find((r) => r.prefix.addr === parsePrefix(p).addr && r.prefix.len === parsePrefix(p).len)?.nextHop;
  return { clock, rs, batches, last, chosenOf };
}

describe('RouteSpec with BGP paths', () => {
  it('emits new / withdrawn and no batch when nothing changed', () => {
    const { rs, batches, last, chosenOf } = setup();
    rs.applySpeakerEvent(peerUp('10.0.0.5'));
    expect(batches).toHaveLength(0);
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    expect(last()).toMatchObject([{ prefixText: P, from: undefined, to: '10.0.0.5', reason: 'new', failover: false }]);
    // Same path again: no batch.
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    expect(batches).toHaveLength(1);
    expect(chosenOf()).toBe('10.0.0.5');
    rs.applySpeakerEvent(withdraw('10.0.0.5', P));
    expect(last()).toMatchObject([{ from: '10.0.0.5', to: undefined, reason: 'withdrawn' }]);
    expect(rs.chosen()).toEqual([]);
    expect(rs.stats().prefixes).toBe(0);
  });

  it('fails over when the chosen next hop turns unhealthy and does not fail back (stickiness)', () => {
    const { rs, last, batches, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    expect(chosenOf()).toBe('10.0.0.5'); // lowest IP
    rs.setNextHopHealth('10.0.0.5', { healthy: false, reason: 'tcp connect refused' });
    expect(last()).toMatchObject([{ from: '10.0.0.5', to: '10.0.0.6', reason: 'failover', failover: true }]);
    expect(last()[0]?.detail).toContain('tcp connect refused');
    expect(rs.chosen()[0]).toMatchObject({ nextHop: '10.0.0.6', failover: true, eligible: true });
    const n = batches.length;
    rs.setNextHopHealth('10.0.0.5', { healthy: true });
    expect(batches).toHaveLength(n);
    expect(chosenOf()).toBe('10.0.0.6');
  });

  it('next hops found down together move a prefix once, in one batch, to the host left', () => {
    const { rs, batches, last, chosenOf } = setup();
    for (const h of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) rs.applySpeakerEvent(paths(h, path(h, P)));
    expect(chosenOf()).toBe('10.0.0.5');
    const n = batches.length;
    rs.setNextHopsHealth([
      { nextHop: '10.0.0.5', healthy: false, reason: 'probe failed 2× (timeout)' },
      { nextHop: '10.0.0.6', healthy: false, reason: 'probe failed 2× (timeout)' },
    ]);
    expect(batches).toHaveLength(n + 1);
    expect(last()).toMatchObject([{ from: '10.0.0.5', to: '10.0.0.7', reason: 'failover', failover: true }]);
    // The same verdicts one by one go through 10.0.0.6 (what the health monitor's batches avoid).
    const one = setup();
    for (const h of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) one.rs.applySpeakerEvent(paths(h, path(h, P)));
    one.rs.setNextHopHealth('10.0.0.5', { healthy: false });
    one.rs.setNextHopHealth('10.0.0.6', { healthy: false });
    expect(one.batches.slice(-2).map((b) => b.map((c) => [c.from, c.to]))).toEqual([
      [['10.0.0.5', '10.0.0.6']],
      [['10.0.0.6', '10.0.0.7']],
    ]);
  });

  it('fails back to a preferred host only after the hold-down', () => {
    const { rs, clock, last, batches, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P, { attrs: { localPref: 200 } })));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    expect(chosenOf()).toBe('10.0.0.5');
    rs.setNextHopHealth('10.0.0.5', { healthy: false });
    expect(chosenOf()).toBe('10.0.0.6');
    clock.advance(1_000);
    rs.setNextHopHealth('10.0.0.5', { healthy: true });
    const n = batches.length;
    clock.advance(4_900);
    expect(batches).toHaveLength(n);
    clock.advance(200);
    expect(last()).toMatchObject([{ from: '10.0.0.6', to: '10.0.0.5', reason: 'preferred', failover: false }]);
  });

  it('restarts the hold-down when the preferred host flaps before it ends', () => {
    const { rs, clock, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P, { attrs: { localPref: 200 } })));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    rs.setNextHopHealth('10.0.0.5', { healthy: false });
    rs.setNextHopHealth('10.0.0.5', { healthy: true });
    clock.advance(3_000);
    rs.setNextHopHealth('10.0.0.5', { healthy: false });
    rs.setNextHopHealth('10.0.0.5', { healthy: true });
    clock.advance(3_000); // 6 s after the first recovery, 3 s after the second
    expect(chosenOf()).toBe('10.0.0.6');
    clock.advance(2_100);
    expect(chosenOf()).toBe('10.0.0.5');
  });

  it('keeps the last choice when nothing is eligible (default), or removes it', () => {
    const keep = setup();
    keep.rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    keep.rs.setNextHopHealth('10.0.0.5', { healthy: false });
    expect(keep.rs.chosen()).toMatchObject([{ nextHop: '10.0.0.5', eligible: false }]);
    expect(keep.rs.stats().prefixesWithoutEligibleCandidate).toBe(1);
    const rm = setup({ whenNoneEligible: 'remove' });
    rm.rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rm.rs.setNextHopHealth('10.0.0.5', { healthy: false });
    expect(rm.last()).toMatchObject([{ from: '10.0.0.5', to: undefined, reason: 'no-eligible' }]);
    rm.rs.setNextHopHealth('10.0.0.5', { healthy: true });
    expect(rm.last()).toMatchObject([{ from: undefined, to: '10.0.0.5', reason: 'new' }]);
  });

  it('keep-last does not keep a host that withdrew the prefix: the best announcer, health aside, takes over', () => {
    // Found by the one-hour soak: a VIP stayed on a host whose BGP daemon had stopped (Cease) for 30 s, because its
    // two other announcers were unhealthy at that moment (probe timeouts under loss, damping).
    const { rs, last, chosenOf } = setup();
    for (const nh of ['10.0.0.5', '10.0.0.6', '10.0.0.7']) rs.applySpeakerEvent(paths(nh, path(nh, P)));
    expect(chosenOf()).toBe('10.0.0.5');
    rs.setNextHopHealth('10.0.0.6', { healthy: false, reason: 'probe timeout' });
    rs.setNextHopHealth('10.0.0.7', { healthy: false, reason: 'suppressed (damping)' });
    rs.applySpeakerEvent(withdraw('10.0.0.5', P));
    expect(last()).toMatchObject([{ from: '10.0.0.5', to: '10.0.0.6', reason: 'failover', failover: true }]);
    expect(last()[0]?.detail).toBe('10.0.0.5 withdrawn; none healthy: best of the rest');
    // Still none healthy: now the last choice announces the prefix, so keep-last keeps it.
    rs.setNextHopHealth('10.0.0.7', { healthy: false, reason: 'probe timeout' });
    expect(chosenOf()).toBe('10.0.0.6');
    expect(rs.chosen()[0]).toMatchObject({ nextHop: '10.0.0.6', eligible: false });
  });

  it('keep-last keeps a withdrawn last choice when policy accepts no other announcer', () => {
    const { rs, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    // 10.0.0.6 may only announce 10.99.0.0/16: its path for P is refused.
    rs.setPolicy(
      new ImportPolicy({
        clusterCidrs: ['10.0.0.0/8'],
        groups: [{ name: 'narrow', peers: ['10.0.0.6/32'], allowedPrefixes: ['10.99.0.0/16'] }],
      }),
    );
    expect(chosenOf()).toBe('10.0.0.5');
    rs.setNextHopHealth('10.0.0.5', { healthy: false });
    rs.applySpeakerEvent(withdraw('10.0.0.5', P));
    expect(rs.chosen()).toMatchObject([{ nextHop: '10.0.0.5', eligible: false }]);
  });

  it("keeps a restarting peer's paths, marked stale, until the speaker withdraws them (the speaker owns the GR timers)", () => {
    const { rs, clock, last, chosenOf } = setup();
    rs.applySpeakerEvent(peerUp('10.0.0.5', 65001, true));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    rs.applySpeakerEvent({ type: 'peer-down', peer: '10.0.0.5', reason: 'tcp-closed', detail: '', staleUntil: clock.now() + 120_000 });
    expect(chosenOf()).toBe('10.0.0.5');
    expect(rs.explain(parsePrefix(P))?.candidates.find((c) => c.nextHop === '10.0.0.5')?.attributes.stale).toBe(true);
    // No second timer here: past the deadline nothing moves until the speaker's sweep arrives.
    clock.advance(200_000);
    expect(chosenOf()).toBe('10.0.0.5');
    rs.applySpeakerEvent(withdraw('10.0.0.5', P)); // the speaker's restart timer expired
    expect(last()).toMatchObject([{ from: '10.0.0.5', to: '10.0.0.6', reason: 'failover' }]);
    expect(rs.stats().bgpPaths).toBe(1);
  });

  it('End-of-RIB removes nothing by itself: the speaker withdraws what stayed stale, re-announced paths are fresh', () => {
    const { rs, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P), path('10.0.0.5', '10.66.0.0/16')));
    rs.applySpeakerEvent({ type: 'peer-down', peer: '10.0.0.5', reason: 'tcp-closed', detail: '', staleUntil: 120_000 });
    rs.applySpeakerEvent(peerUp('10.0.0.5', 65001, true));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent({ type: 'end-of-rib', peer: '10.0.0.5', family: 'ipv4' });
    expect(chosenOf('10.66.0.0/16')).toBe('10.0.0.5');
    rs.applySpeakerEvent(withdraw('10.0.0.5', '10.66.0.0/16')); // the speaker's End-of-RIB sweep
    expect(chosenOf()).toBe('10.0.0.5');
    expect(chosenOf('10.66.0.0/16')).toBeUndefined();
    expect(rs.explain(parsePrefix(P))?.candidates[0]?.attributes.stale).toBe(false);
  });

  it('after the peer re-establishes, stale paths wait for End-of-RIB or the speaker sweep, not the restart deadline', () => {
    const { rs, clock, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P), path('10.0.0.5', '10.66.0.0/16')));
    rs.applySpeakerEvent({ type: 'peer-down', peer: '10.0.0.5', reason: 'tcp-closed', detail: '', staleUntil: clock.now() + 120_000 });
    clock.advance(10_000);
    rs.applySpeakerEvent(peerUp('10.0.0.5', 65001, true));
    clock.advance(300_000);
    expect(chosenOf()).toBe('10.0.0.5');
    expect(chosenOf('10.66.0.0/16')).toBe('10.0.0.5');
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(withdraw('10.0.0.5', '10.66.0.0/16')); // the speaker's sweep
    expect(chosenOf('10.66.0.0/16')).toBeUndefined();
    expect(rs.explain(parsePrefix(P))?.candidates[0]?.attributes.stale).toBe(false);
  });

  it('drops every path of a peer that goes down without graceful restart', () => {
    const { rs, last } = setup();
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P), path('10.0.0.5', '10.66.0.0/16')));
    rs.applySpeakerEvent({ type: 'peer-down', peer: '10.0.0.5', reason: 'hold-timer-expired', detail: '' });
    expect(last().map((c) => c.reason)).toEqual(['withdrawn', 'withdrawn']);
  });

  it('keeps ADD-PATH paths of one peer apart by path id', () => {
    const { rs, chosenOf } = setup();
    rs.applySpeakerEvent(
      paths('10.0.0.1', path('10.0.0.1', P, { pathId: 1, nextHop: '10.0.0.7' }), path('10.0.0.1', P, { pathId: 2, nextHop: '10.0.0.8' })),
    );
    expect(rs.explain(parsePrefix(P))?.candidates).toHaveLength(2);
    expect(chosenOf()).toBe('10.0.0.7');
    rs.applySpeakerEvent(withdraw('10.0.0.1', P, 1));
    expect(chosenOf()).toBe('10.0.0.8');
  });

  it('moves the next-hop index when a path is replaced with a new next hop', () => {
    const { rs, chosenOf } = setup();
    rs.applySpeakerEvent(paths('10.0.0.1', path('10.0.0.1', P, { nextHop: '10.0.0.7' })));
    rs.applySpeakerEvent(paths('10.0.0.1', path('10.0.0.1', P, { nextHop: '10.0.0.8' })));
    expect(chosenOf()).toBe('10.0.0.8');
    expect(rs.nextHopTargets().map((t) => t.nextHop)).toEqual(['10.0.0.8']);
    rs.setNextHopHealth('10.0.0.7', { healthy: false }); // unknown now: ignored
    expect(chosenOf()).toBe('10.0.0.8');
  });

  it('emits one batch for a next-hop flip affecting many prefixes, counted in metrics', async () => {
    const metrics = new Metrics();
    const { rs, batches, last } = setup({ metrics });
    const ps = Array.from({ length: 100 }, (_, i) => `10.77.${i}.0/24`);
    rs.applySpeakerEvent(paths('10.0.0.5', ...ps.map((p) => path('10.0.0.5', p))));
    rs.applySpeakerEvent(paths('10.0.0.6', ...ps.map((p) => path('10.0.0.6', p))));
    const n = batches.length;
    rs.setNextHopHealth('10.0.0.5', { healthy: false });
    expect(batches).toHaveLength(n + 1);
    expect(last()).toHaveLength(100);
    expect(last().every((c) => c.to === '10.0.0.6')).toBe(true);
    const text = await metrics.text();
    expect(text).toContain('bgp2vpc_route_spec_changes_total{reason="failover"} 100');
    expect(text).toContain('bgp2vpc_route_spec_changes_total{reason="new"} 100');
    expect(text).toContain('bgp2vpc_route_spec_prefixes 100');
  });

  it('reports next-hop set changes for the health monitor', () => {
    const { rs } = setup();
    const seen: [string[], string[]][] = [];
    rs.onNextHops((a, r) => seen.push([a.map((x) => x.nextHop), [...r]]));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', '10.66.0.0/16')));
    rs.applySpeakerEvent(withdraw('10.0.0.5', P));
    rs.applySpeakerEvent(withdraw('10.0.0.5', '10.66.0.0/16'));
    expect(seen).toEqual([
      [['10.0.0.5'], []],
      [[], ['10.0.0.5']],
    ]);
  });

  it('uses the initial health given by healthOf for a new next hop', () => {
    const { rs, chosenOf } = setup({ healthOf: (nh) => ({ healthy: nh !== '10.0.0.5', reason: 'blackhole' }) });
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P)));
    expect(chosenOf()).toBe('10.0.0.6');
  });
});

describe('RouteSpec policy', () => {
  const policy = new ImportPolicy({
    clusterCidrs: ['10.55.0.0/16', '10.66.0.0/16'],
    groups: [{ name: 'hosts', peers: ['10.0.0.0/24'], communityPriorities: ['65000:*'] }],
  });

  it('keeps a rejected path with its reason and re-evaluates on setPolicy', () => {
    const { rs, chosenOf } = setup({ policy });
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', '10.99.0.0/16')));
    expect(chosenOf('10.99.0.0/16')).toBeUndefined();
    const x = rs.explain(parsePrefix('10.99.0.0/16'));
    expect(x?.candidates[0]?.policy).toMatchObject({ accepted: false, group: 'hosts' });
    expect(x?.candidates[0]?.result).toContain('outside the allowed prefixes');
    expect(rs.stats().rejectedCandidates).toBe(1);
    rs.setPolicy(new ImportPolicy({ clusterCidrs: ['10.0.0.0/8'] }));
    expect(chosenOf('10.99.0.0/16')).toBe('10.0.0.5');
  });

  it('community priority beats the lower IP (a newcomer waits for the hold-down)', () => {
    const { rs, chosenOf, clock } = setup({ policy });
    rs.applySpeakerEvent(paths('10.0.0.5', path('10.0.0.5', P)));
    rs.applySpeakerEvent(paths('10.0.0.6', path('10.0.0.6', P, { attrs: { communities: [65000 * 65536 + 100] } })));
    expect(chosenOf()).toBe('10.0.0.5');
    expect(rs.explain(parsePrefix(P))?.candidates[1]?.result).toMatch(/^lost: in failback hold-down until/);
    clock.advance(5_000);
    expect(chosenOf()).toBe('10.0.0.6');
    const x = rs.explain(parsePrefix(P));
    expect(x?.candidates.map((c) => [c.nextHop, c.rank, c.result])).toEqual([
      ['10.0.0.6', 1, 'chosen (priority)'],
      ['10.0.0.5', 2, 'lost: lower configured priority'],
    ]);
  });
});

describe('RouteSpec with MED compared per neighbour AS', () => {
  it('re-ranks when a non-chosen candidate goes down and its MED was hiding another one (RFC 3345 style)', () => {
    // C (AS 1) and U (AS 2, MED 0) tie; X (AS 2, MED 10) loses to U on MED although its priority is higher.
    const policy = {
      evaluatePath: (p: { attrs: { communities: readonly number[] } }) => ({
        accepted: true as const,
        priority: p.attrs.communities[0] ?? 0,
        group: 'default',
      }),
      evaluateSpec: () => ({ accepted: true as const, priority: 0, group: 'default' }),
      groupOf: () => 'default',
    };
    const { rs, chosenOf, clock } = setup({ policy });
    rs.applySpeakerEvent(
      paths(
        '10.0.1.1',
        path('10.0.1.1', P, { pathId: 1, nextHop: '10.0.0.1', attrs: { asPath: [1] } }),
        path('10.0.1.1', P, { pathId: 2, nextHop: '10.0.0.2', attrs: { asPath: [2], med: 0 } }),
        path('10.0.1.1', P, { pathId: 3, nextHop: '10.0.0.3', attrs: { asPath: [2], med: 10, communities: [100] } }),
      ),
    );
    expect(chosenOf()).toBe('10.0.0.1');
    clock.advance(10_000); // everyone past the failback hold-down
    rs.setNextHopHealth('10.0.0.2', { healthy: false });
    expect(chosenOf()).toBe('10.0.0.3');
    expect(rs.audit()).toEqual([]);
  });
});

describe('RouteSpec spec sources', () => {
  it('uses list order as preference and merges with BGP', () => {
    const { rs, chosenOf, batches } = setup();
    rs.setSpec('file', parseRouteSpec(`{"${P}": ["10.0.0.9", "10.0.0.3"], "10.66.0.0/16": ["10.0.0.4"]}`));
    expect(chosenOf()).toBe('10.0.0.9');
    rs.setSpec('http', parseRouteSpec(`{"10.77.0.0/16": ["10.0.0.4"]}`));
    rs.applySpeakerEvent(paths('10.0.0.1', path('10.0.0.1', P)));
    // BGP candidate has priority 0 like the first list entry; stickiness keeps 10.0.0.9.
    expect(chosenOf()).toBe('10.0.0.9');
    const merged = rs.mergedSpec().map((e) => [e.prefix.len, e.nextHops]);
    expect(merged).toEqual([
      [16, ['10.0.0.9', '10.0.0.3', '10.0.0.1']],
      [16, ['10.0.0.4']],
      [16, ['10.0.0.4']],
    ]);
    // Re-setting the same document changes nothing.
    const n = batches.length;
    rs.setSpec('file', parseRouteSpec(`{"${P}": ["10.0.0.9", "10.0.0.3"], "10.66.0.0/16": ["10.0.0.4"]}`));
    expect(batches).toHaveLength(n);
    // Dropping a prefix from the file withdraws it.
    rs.setSpec('file', parseRouteSpec(`{"${P}": ["10.0.0.9", "10.0.0.3"]}`));
    expect(chosenOf('10.66.0.0/16')).toBeUndefined();
    expect(chosenOf('10.77.0.0/16')).toBe('10.0.0.4');
  });

  it('fails over down the list when hosts die', () => {
    const { rs, chosenOf } = setup();
    rs.setSpec('static', parseRouteSpec(`{"${P}": ["10.0.0.9", "10.0.0.3", "10.0.0.2"]}`));
    rs.setNextHopHealth('10.0.0.9', { healthy: false });
    expect(chosenOf()).toBe('10.0.0.3');
  });
});
