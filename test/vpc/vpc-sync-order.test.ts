// Ordering across a pass: failovers first in every table, and a newer desired set interrupts a long apply.
import { afterEach, describe, expect, it } from 'vitest';
import { exactTable } from '../../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../../src/vpc/ownership.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import type { DesiredRoute } from '../../src/vpc/types.js';
import { CLUSTER, slash24, tableMap, vpcFixture, waitFor, type VpcFixture } from './fixture.js';

let fx: VpcFixture | undefined;
let sync: VpcSync | undefined;
afterEach(async () => {
  await sync?.stop();
  await fx?.stop();
  fx = sync = undefined;
});

describe('VpcSync ordering', () => {
  it('discovers tables by VPC + tag and applies failovers in every table before cosmetic changes', async () => {
    fx = await vpcFixture({ tableTags: { role: 'pods' } });
    const f = fx;
    const second = f.emu.model.createRouteTable(f.vpcId, { role: 'pods' }).id;
    f.emu.model.createRouteTable(f.vpcId, { role: 'other' }); // not selected
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { vpcId: f.vpcId, tags: { role: 'pods' } },
      debounceMs: 5,
      aggregate: exactTable,
    });
    await sync.start();
    expect(
      sync
        .status()
        .map((s) => s.id)
        .sort(),
    ).toEqual([f.tableId, second].sort());
    const [h0, h1, h2] = f.hosts as [VpcFixture['hosts'][number], VpcFixture['hosts'][number], VpcFixture['hosts'][number]];
    const first: DesiredRoute[] = Array.from({ length: 10 }, (_, i) => ({ prefix: slash24(i), nextHop: (i === 9 ? h2 : h0).ip }));
    sync.setDesired(first);
    await sync.reconcileNow();
    expect(f.emu.model.routeTable(second).tags.get(CLAIM_TAG)).toBe('prod');
    f.emu.reset();
    // Nine cosmetic moves (h0 → h1) and one failover (h2 is dead → h0), in both tables.
    const next: DesiredRoute[] = first.map((d, i) => (i === 9 ? { ...d, nextHop: h0.ip, failover: true } : { ...d, nextHop: h1.ip }));
    sync.setDesired(next);
    await sync.reconcileNow();
    const replaces = f.emu.calls.filter((c) => c.action === 'ReplaceRoute');
    expect(replaces).toHaveLength(20);
    // The first two replaces are the failovers of the two tables.
    expect(replaces.slice(0, 2).map((c) => c.params.DestinationCidrBlock)).toEqual(['10.200.9.0/24', '10.200.9.0/24']);
    expect(new Set(replaces.slice(0, 2).map((c) => c.params.RouteTableId))).toEqual(new Set([f.tableId, second]));
  });

  it('takes on a table that gains the discovery tags and lets go of one that loses them, untouched', async () => {
    fx = await vpcFixture({ tableTags: { role: 'pods' } });
    const f = fx;
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { vpcId: f.vpcId, tags: { role: 'pods' } },
      debounceMs: 5,
      aggregate: exactTable,
    });
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    const later = f.emu.model.createRouteTable(f.vpcId, { role: 'pods' }).id;
    f.emu.model.deleteTags([f.tableId], [{ key: 'role' }]);
    f.emu.reset();
    await sync.reconcileNow(); // a full pass re-runs the discovery query, as the drift timer does
    expect(sync.status().map((s) => s.id)).toEqual([later]);
    expect(tableMap(f, later).get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
    expect(f.emu.model.routeTable(later).tags.get(CLAIM_TAG)).toBe('prod');
    expect(tableMap(f).get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId); // the released table keeps its routes
    expect(f.emu.calls.filter((c) => c.mutating).every((c) => c.params.RouteTableId === later || c.params['ResourceId.1'] === later)).toBe(
      true,
    );
  });

  it('a newer desired set interrupts a long apply instead of finishing an obsolete plan', async () => {
    fx = await vpcFixture();
    const f = fx;
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      debounceMs: 5,
      aggregate: exactTable,
      rate: { mutating: { burst: 2, perSecond: 20 }, describe: { burst: 100, perSecond: 100 } },
    });
    await sync.start(); // spends one mutating token on the claim
    const a: DesiredRoute[] = Array.from({ length: 30 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[0]!.ip }));
    sync.setDesired(a);
    await waitFor(() => f.emu.count({ action: 'CreateRoute' }) >= 3, 5000, 'the first creates');
    const b: DesiredRoute[] = Array.from({ length: 5 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[1]!.ip }));
    sync.setDesired(b);
    await waitFor(
      () => {
        const t = tableMap(f);
        const ours = [...t.entries()].filter(([k]) => k.startsWith('10.200.') && k !== '10.200.250.0/24' && k !== '10.200.251.0/24');
        return ours.length === 5 && ours.every(([, v]) => v.target === f.hosts[1]!.eniId);
      },
      10_000,
      'the newer set',
    );
    // Far fewer than the 30 creates of the obsolete plan were made.
    expect(f.emu.count({ action: 'CreateRoute' })).toBeLessThan(15);
  });

  it('stops writing at once when the write gate closes in the middle of an apply (leadership lost)', async () => {
    fx = await vpcFixture();
    const f = fx;
    let leader = true;
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      debounceMs: 5,
      aggregate: exactTable,
      mayWrite: () => leader,
      rate: { mutating: { burst: 2, perSecond: 20 }, describe: { burst: 100, perSecond: 100 } },
    });
    await sync.start();
    sync.setDesired(Array.from({ length: 20 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[0]!.ip })));
    await waitFor(() => f.emu.count({ action: 'CreateRoute' }) >= 3, 5000, 'the first creates');
    leader = false;
    const at = f.emu.count({ action: 'CreateRoute' });
    await sync.reconcileNow(); // waits for the pass in flight, then plans without writing
    expect(f.emu.count({ action: 'CreateRoute' })).toBeLessThanOrEqual(at + 1); // at most the call in flight
    expect(sync.status()[0]!.pendingOps).toBeGreaterThan(10);
    expect(sync.converged()).toBe(false);
  });
});
