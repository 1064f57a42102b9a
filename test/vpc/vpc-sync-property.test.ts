// Property test of the reconciler against the emulator: random desired sets interleaved with changes behind its
// back (routes deleted, re-pointed, foreign routes appearing inside the cluster range). After every step and a
// pass, the table holds exactly the desired routes that are not shadowed by a foreign route, and every foreign
// route is exactly as it was put there.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPrefix } from '../../src/net/prefix.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24, tableMap, vpcFixture, type VpcFixture } from './fixture.js';

type Step =
  | { kind: 'desired'; routes: { slot: number; host: number }[] }
  | { kind: 'delete-by-hand'; slot: number }
  | { kind: 'repoint-by-hand'; slot: number; host: number }
  | { kind: 'foreign-appears'; slot: number };

const SLOTS = 10;
const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const host = fc.integer({ min: 0, max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('desired' as const),
      routes: fc.uniqueArray(fc.record({ slot, host }), { selector: (r) => r.slot, maxLength: SLOTS }),
    }),
  },
  fc.record({ kind: fc.constant('delete-by-hand' as const), slot }),
  fc.record({ kind: fc.constant('repoint-by-hand' as const), slot, host }),
  fc.record({ kind: fc.constant('foreign-appears' as const), slot }),
);

let f: VpcFixture;
beforeAll(async () => {
  f = await vpcFixture();
});
afterAll(async () => {
  await f.stop();
});

describe('VpcSync property', () => {
  it('converges to exactly the desired routes and never touches a foreign one, whatever happens behind its back', async () => {
    const nat = f.emu.model.createGateway('nat-gateway', { subnetId: f.subnetId }).id;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        // A fresh table per run (the emulator stays up).
        const tableId = f.emu.model.createRouteTable(f.vpcId, { run: String(run++) }).id;
        const sync = new VpcSync({
          ec2: f.ec2,
          clusterName: 'prop',
          clusterCidrs: CLUSTER,
          tables: { ids: [tableId] },
          debounceMs: 1,
          aggregate: exactTable,
          driftIntervalMs: 3_600_000,
        });
        try {
          await sync.start();
          let desired = new Map<number, number>();
          const foreign = new Set<number>();
          sync.setDesired([]);
          for (const s of steps) {
            const dest = 'slot' in s ? formatPrefix(slash24(s.slot)) : '';
            switch (s.kind) {
              case 'desired':
                desired = new Map(s.routes.map((r) => [r.slot, r.host]));
                sync.setDesired(s.routes.map((r) => ({ prefix: slash24(r.slot), nextHop: f.hosts[r.host]!.ip })));
                break;
              case 'delete-by-hand':
                if (!foreign.has(s.slot)) f.emu.deleteRoute(tableId, dest);
                break;
              case 'repoint-by-hand':
                if (!foreign.has(s.slot)) f.emu.setRoute(tableId, dest, { networkInterfaceId: f.hosts[s.host]!.eniId });
                break;
              case 'foreign-appears':
                foreign.add(s.slot);
                f.emu.setRoute(tableId, dest, { natGatewayId: nat });
                break;
            }
            await sync.reconcileNow();
            const t = tableMap(f, tableId);
            for (let i = 0; i < SLOTS; i++) {
              const got = t.get(formatPrefix(slash24(i)));
              if (foreign.has(i)) expect(got?.target).toBe(nat);
              else if (desired.has(i)) expect(got).toEqual({ target: f.hosts[desired.get(i)!]!.eniId, state: 'active' });
              else expect(got).toBeUndefined();
            }
          }
        } finally {
          await sync.stop();
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
