// The route spec → VPC sync seam is incremental: the daemon hands every change batch to VPC sync, which keeps the
// desired routes itself and never reads the chosen set whole. Property: after any sequence of BGP events, health
// flips, spec changes and time, the incrementally kept routes equal a from-scratch copy of the route spec's
// chosen set (next hop and failover flag), and so do the desired tables planned from them (aggregated, collapsed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { parseRouteSpec } from '../../src/rib/spec-format.js';
import { aggregate } from '../../src/aggregate/aggregate.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { DesiredRoutes } from '../../src/vpc/desired-routes.js';
import { desiredTable } from '../../src/vpc/desired-table.js';
import { path, paths, peerUp, withdraw } from '../rib/helpers.js';

// Nested and adjacent prefixes, so collapsing and longest match both matter.
const PREFIXES = ['10.55.0.0/16', '10.55.0.0/17', '10.55.128.0/17', '10.55.1.0/24', '10.55.1.7/32', '10.66.0.0/16', '10.67.0.0/16'];
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
const ENI: Record<string, string> = { '10.0.0.1': 'eni-1', '10.0.0.2': 'eni-2', '10.0.0.3': 'eni-3' }; // .4 unresolved

type Op =
  | { kind: 'announce'; peer: number; prefix: number; nh: number; lp: number }
  | { kind: 'withdraw'; peer: number; prefix: number }
  | { kind: 'health'; nh: number; healthy: boolean }
  | { kind: 'down'; peer: number; gr: boolean }
  | { kind: 'spec'; hosts: number[]; prefix: number }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      peer: fc.nat(2),
      prefix: fc.nat(PREFIXES.length - 1),
      nh: fc.nat(3),
      lp: fc.constantFrom(100, 200),
    }),
  },
  fc.record({ kind: fc.constant('withdraw' as const), peer: fc.nat(2), prefix: fc.nat(PREFIXES.length - 1) }),
  fc.record({ kind: fc.constant('health' as const), nh: fc.nat(3), healthy: fc.boolean() }),
  fc.record({ kind: fc.constant('down' as const), peer: fc.nat(2), gr: fc.boolean() }),
  fc.record({ kind: fc.constant('spec' as const), hosts: fc.array(fc.nat(3), { maxLength: 3 }), prefix: fc.nat(PREFIXES.length - 1) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(100, 3_000, 20_000) }),
);

const table = (routes: DesiredRoutes) =>
  desiredTable({
    family: 'ipv4',
    routes,
    eniOf: (nh) => ENI[nh],
    actual: [],
    ownership: { clusterCidrs: [parsePrefix('10.55.0.0/16'), parsePrefix('10.66.0.0/15')] },
    routeLimit: 50,
    headroom: 0,
    spareRoutes: 0,
    aggregate,
    collapse: true,
  });

describe('route spec → VPC sync seam (property)', () => {
  for (const whenNoneEligible of ['keep-last', 'remove'] as const) {
    it(`the incrementally kept desired routes always equal the chosen set read whole (${whenNoneEligible})`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
          const clock = new FakeClock(0);
          const rs = new RouteSpec({ clock, whenNoneEligible, rank: { holdDownMs: 2_000, alwaysCompareMed: false } });
          const kept = new DesiredRoutes();
          rs.onChanges((batch) => kept.apply(batch));
          const peer = (i: number): string => `10.0.1.${i + 1}`;
          for (const o of ops) {
            switch (o.kind) {
              case 'announce':
                rs.applySpeakerEvent(peerUp(peer(o.peer)));
                rs.applySpeakerEvent(
                  paths(
                    peer(o.peer),
                    path(peer(o.peer), PREFIXES[o.prefix] as string, { nextHop: HOSTS[o.nh] as string, attrs: { localPref: o.lp } }),
                  ),
                );
                break;
              case 'withdraw':
                rs.applySpeakerEvent(withdraw(peer(o.peer), PREFIXES[o.prefix] as string));
                break;
              case 'health':
                rs.setNextHopHealth(HOSTS[o.nh] as string, { healthy: o.healthy });
                break;
              case 'down':
                rs.applySpeakerEvent({
                  type: 'peer-down',
                  peer: peer(o.peer),
                  reason: 'tcp-closed',
                  detail: '',
                  ...(o.gr ? { staleUntil: clock.now() + 5_000 } : {}),
                });
                break;
              case 'spec':
                rs.setSpec(
                  'file',
                  parseRouteSpec(JSON.stringify({ [PREFIXES[o.prefix] as string]: [...new Set(o.hosts.map((h) => HOSTS[h]))] })),
                );
                break;
              case 'advance':
                clock.advance(o.ms);
                break;
            }
            const fresh = DesiredRoutes.of(rs.chosen());
            expect(kept.list()).toEqual(fresh.list());
            expect(kept.nextHops().sort()).toEqual(fresh.nextHops().sort());
            expect(table(kept)).toEqual(table(fresh));
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});
