import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../src/base/clock.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { parseRouteSpec } from '../../src/rib/spec-format.js';
import { formatPrefix } from '../../src/net/prefix.js';
import type { PathPolicy } from '../../src/policy/import-policy.js';
import { path, paths, peerUp, withdraw } from './helpers.js';

const PREFIXES = ['10.55.0.0/16', '10.55.1.0/24', '10.66.0.0/16'];
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];

type Op =
  | { kind: 'announce'; peer: number; prefix: number; nh: number; lp: number; med: number; pathId: number; as: number; prio: number }
  | { kind: 'withdraw'; peer: number; prefix: number; pathId: number }
  | { kind: 'health'; nh: number; healthy: boolean }
  | { kind: 'down'; peer: number; gr: boolean }
  | { kind: 'eor'; peer: number }
  | { kind: 'spec'; hosts: number[] }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('announce' as const),
    peer: fc.nat(2),
    prefix: fc.nat(2),
    nh: fc.nat(3),
    lp: fc.constantFrom(100, 200),
    med: fc.nat(2),
    pathId: fc.nat(1),
    as: fc.constantFrom(65001, 65002),
    prio: fc.constantFrom(0, 0, 100),
  }),
  fc.record({ kind: fc.constant('withdraw' as const), peer: fc.nat(2), prefix: fc.nat(2), pathId: fc.nat(1) }),
  fc.record({ kind: fc.constant('health' as const), nh: fc.nat(3), healthy: fc.boolean() }),
  fc.record({ kind: fc.constant('down' as const), peer: fc.nat(2), gr: fc.boolean() }),
  fc.record({ kind: fc.constant('eor' as const), peer: fc.nat(2) }),
  fc.record({ kind: fc.constant('spec' as const), hosts: fc.array(fc.nat(3), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(100, 1_000, 3_000, 20_000) }),
);

describe('RouteSpec incremental updates (property)', () => {
  for (const whenNoneEligible of ['keep-last', 'remove'] as const) {
    it(`after any sequence of operations the choice equals a fresh ranking and every change is reported (${whenNoneEligible})`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
          const clock = new FakeClock(0);
          // Priority from the first community (so MED per neighbour AS and priority interact, RFC 3345 style).
          const policy: PathPolicy = {
            evaluatePath: (p) => ({ accepted: true, priority: p.attrs.communities[0] ?? 0, group: 'default' }),
            evaluateSpec: () => ({ accepted: true, priority: 0, group: 'default' }),
            groupOf: () => 'default',
          };
          const rs = new RouteSpec({ clock, whenNoneEligible, policy, rank: { holdDownMs: 2_000, alwaysCompareMed: false } });
          const seen = new Map<string, string | undefined>();
          rs.onChanges((b: readonly ChosenChange[]) => {
            for (const c of b) {
              if (seen.get(c.prefixText) !== c.from)
                throw new Error(`change ${c.prefixText} from ${c.from} but last reported ${seen.get(c.prefixText)}`);
              if (c.from === c.to) throw new Error('empty change');
              seen.set(c.prefixText, c.to);
            }
          });
          const peer = (i: number): string => `10.0.1.${i + 1}`;
          for (const o of ops) {
            switch (o.kind) {
              case 'announce':
                rs.applySpeakerEvent(peerUp(peer(o.peer)));
                rs.applySpeakerEvent(
                  paths(
                    peer(o.peer),
                    path(peer(o.peer), PREFIXES[o.prefix] as string, {
                      pathId: o.pathId,
                      nextHop: HOSTS[o.nh] as string,
                      attrs: { localPref: o.lp, med: o.med, asPath: [o.as], communities: o.prio ? [o.prio] : [] },
                    }),
                  ),
                );
                break;
              case 'withdraw':
                rs.applySpeakerEvent(withdraw(peer(o.peer), PREFIXES[o.prefix] as string, o.pathId));
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
              case 'eor':
                rs.applySpeakerEvent({ type: 'end-of-rib', peer: peer(o.peer), family: 'ipv4' });
                break;
              case 'spec':
                rs.setSpec('file', parseRouteSpec(JSON.stringify({ '10.55.0.0/16': [...new Set(o.hosts.map((h) => HOSTS[h]))] })));
                break;
              case 'advance':
                clock.advance(o.ms);
                break;
            }
            expect(rs.audit()).toEqual([]);
          }
          // The reported changes add up to the current state.
          const reported = [...seen].filter(([, v]) => v !== undefined).sort();
          const actual = rs
            .chosen()
            .map((r) => [formatPrefix(r.prefix), r.nextHop])
            .sort();
          expect(reported).toEqual(actual);
        }),
        { numRuns: 300 },
      );
    });
  }
});
