// Per-AZ choices in the route spec (az-views.ts): a VIP announced by hosts in two AZs, with route tables in three.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { parsePrefix } from '../../src/net/prefix.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { path, paths, peerUp, withdraw } from './helpers.js';

const VIP = '100.64.0.10/32';
const A = '10.0.1.10'; // us-east-1a
const B = '10.0.2.10'; // us-east-1b
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function setup(): { rs: RouteSpec; clock: FakeClock; batches: string[][] } {
  const clock = new FakeClock(1_000_000);
  const rs = new RouteSpec({ clock, rank: { holdDownMs: 1000, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' });
  const batches: string[][] = [];
  const show = (c: ChosenChange): string => `${c.az ?? '*'} ${c.to ?? '(default)'}${c.failover ? ' failover' : ''}`;
  rs.onChanges((b) => batches.push(b.map(show)));
  rs.setTableAzs(AZS);
  for (const nh of [A, B]) {
    rs.applySpeakerEvent(peerUp(nh));
    rs.applySpeakerEvent(paths(nh, path(nh, VIP)));
  }
  return { rs, clock, batches };
}

describe('per-AZ choices', () => {
  it('arm once every candidate AZ is known; each AZ view takes its own host, fails over and fails back alone', () => {
    const { rs, clock, batches } = setup();
    expect(batches).toEqual([['* 10.0.1.10']]); // the default choice; AZs unknown: no views yet
    rs.setNextHopAz(A, 'us-east-1a');
    expect(batches).toHaveLength(1); // B's AZ still unknown
    rs.setNextHopAz(B, 'us-east-1b');
    expect(batches.slice(1)).toEqual([['us-east-1b 10.0.2.10']]); // armed: no hold-down for a first choice

    // B dies: only AZ b's tables change (back to the default choice, as a failover)
    rs.setNextHopHealth(B, { healthy: false, reason: 'probe' });
    expect(batches.slice(2)).toEqual([['us-east-1b (default) failover']]);
    // B returns: AZ b's tables fail back after the hold-down, not before
    rs.setNextHopHealth(B, { healthy: true });
    clock.advance(999);
    expect(batches).toHaveLength(3);
    clock.advance(1);
    expect(batches.slice(3)).toEqual([['us-east-1b 10.0.2.10']]);

    // A dies: the default fails over to B; AZ b already has B (its override is dropped), a and c follow the default
    rs.setNextHopHealth(A, { healthy: false, reason: 'probe' });
    expect(batches.slice(4)).toEqual([['* 10.0.2.10 failover', 'us-east-1b (default)']]);
    // A returns: the default stays on B (stickiness), AZ a's tables move to A after the hold-down
    rs.setNextHopHealth(A, { healthy: true });
    clock.advance(1000);
    expect(batches.slice(5)).toEqual([['us-east-1a 10.0.1.10']]);
    expect(rs.explain(parsePrefix(VIP))?.chosen).toBe(B);
    expect(rs.explain(parsePrefix(VIP), 'us-east-1a')?.chosen).toBe(A);
    expect(rs.explain(parsePrefix(VIP), 'us-east-1c')?.chosen).toBe(B);
    const b = rs.explain(parsePrefix(VIP), 'us-east-1b');
    expect(b?.chosen).toBe(B);
    expect(b?.candidates.map((c) => [c.nextHop, c.attributes.az, c.result])).toEqual([
      [B, 'us-east-1b', 'chosen (az)'],
      [A, 'us-east-1a', 'lost: not in the preferred AZ'],
    ]);

    // B withdraws: one candidate left, no views: the default moves to A, AZ a's override is dropped
    rs.applySpeakerEvent(withdraw(B, VIP));
    expect(batches.slice(6)).toEqual([['* 10.0.1.10 failover', 'us-east-1a (default)']]);
    expect(rs.audit()).toEqual([]);
  });

  it('nothing eligible and the choice withdrew: the default and every view move to an announcer (keep-last keeps announcers)', () => {
    const { rs, batches } = setup();
    const C = '10.0.3.10'; // us-east-1c
    rs.applySpeakerEvent(peerUp(C));
    rs.applySpeakerEvent(paths(C, path(C, VIP)));
    rs.setNextHopAz(A, 'us-east-1a');
    rs.setNextHopAz(B, 'us-east-1b');
    rs.setNextHopAz(C, 'us-east-1c');
    // A, then C, then B go unhealthy: everything ends on B, the last eligible host, and stays there (keep-last).
    for (const nh of [A, C, B]) rs.setNextHopHealth(nh, { healthy: false, reason: 'probe' });
    const state = (): (string | undefined)[] => [undefined, ...AZS].map((az) => rs.explain(parsePrefix(VIP), az)?.chosen);
    expect(state()).toEqual([B, B, B, B]);
    const n = batches.length;
    // B withdraws: A and C still announce the VIP (unhealthy); A is the best of them. The per-AZ views (which had B
    // too) follow the default rather than keep a host that no longer announces the VIP.
    rs.applySpeakerEvent(withdraw(B, VIP));
    expect(batches.slice(n)).toEqual([['* 10.0.1.10 failover']]);
    expect(state()).toEqual([A, A, A, A]);
    expect(rs.audit()).toEqual([]);
  });

  it('a prefix with one candidate, or no AZ tables, has no per-AZ choices', () => {
    const clock = new FakeClock(0);
    const rs = new RouteSpec({ clock, rank: { holdDownMs: 1000, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' });
    const out: ChosenChange[] = [];
    rs.onChanges((b) => out.push(...b));
    rs.applySpeakerEvent(peerUp(A));
    rs.applySpeakerEvent(peerUp(B));
    rs.applySpeakerEvent(paths(A, path(A, '100.64.1.0/24')));
    rs.setNextHopAz(A, 'us-east-1a');
    rs.setNextHopAz(B, 'us-east-1b');
    rs.applySpeakerEvent(paths(A, path(A, VIP)));
    rs.applySpeakerEvent(paths(B, path(B, VIP)));
    expect(out.every((c) => c.az === undefined)).toBe(true); // no AZ tables yet
    rs.setTableAzs(['us-east-1b']);
    expect(out.filter((c) => c.az !== undefined).map((c) => [c.prefixText, c.az, c.to])).toEqual([[VIP, 'us-east-1b', B]]);
    rs.setTableAzs([]); // the AZ tables went away: overrides cleared
    expect(out.filter((c) => c.az !== undefined).map((c) => [c.prefixText, c.az, c.to])).toEqual([
      [VIP, 'us-east-1b', B],
      [VIP, 'us-east-1b', undefined],
    ]);
  });

  it('after a re-arming (the prefix had one candidate for a while) a returning host waits for the hold-down', () => {
    const { rs, clock, batches } = setup();
    rs.setNextHopAz(A, 'us-east-1a');
    rs.setNextHopAz(B, 'us-east-1b');
    rs.applySpeakerEvent(withdraw(B, VIP));
    const n = batches.length;
    rs.applySpeakerEvent(paths(B, path(B, VIP)));
    expect(batches.length).toBe(n); // the default (A, eligible) and AZ b's view hold A during B's hold-down
    clock.advance(1000);
    expect(batches.slice(n)).toEqual([['us-east-1b 10.0.2.10']]);
  });
});
