// Route table discovery by association (the tables of the next hops' subnets) and each table's AZ, on a 3-AZ VPC
// through the real @aws-sdk/client-ec2 against the emulator.
import { DeleteRouteTableCommand, DisassociateRouteTableCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrefix } from '../../src/net/prefix.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../../src/vpc/ownership.js';
import { tableAz } from '../../src/vpc/table-discovery.js';
import { VpcSync, type VpcSyncOptions } from '../../src/vpc/vpc-sync.js';
import { azFixture, eniRoutes, type AzFixture } from './az-fixture.js';
import { CLUSTER } from './fixture.js';

let fx: AzFixture | undefined;
const syncs: VpcSync[] = [];
afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  await fx?.stop();
  fx = undefined;
});

function newSync(f: AzFixture, extra: Partial<VpcSyncOptions> = {}): VpcSync {
  const s = new VpcSync({
    ec2: f.ec2,
    clusterName: 'prod',
    clusterCidrs: CLUSTER,
    tables: { vpcId: f.vpcId, by: 'association' },
    routeLimit: 50,
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 3 },
    ...extra,
  });
  syncs.push(s);
  return s;
}

const route = (cidr: string, nextHop: string) => ({ prefix: parsePrefix(cidr), nextHop });
const ids = (s: VpcSync): string[] => s.status().map((t) => t.id);
const claimOf = (f: AzFixture, id: string): string | undefined => f.emu.model.routeTable(id).tags.get(CLAIM_TAG);

async function disassociateAndDelete(f: AzFixture, tableId: string): Promise<void> {
  for (const a of f.emu.model.routeTable(tableId).associations.values()) {
    await f.ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.id }));
  }
  await f.ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId }));
}

describe('discovery by association', () => {
  it("manages the tables of the next hops' subnets, adopts a new one, lets a vanished one go without errors", async () => {
    fx = await azFixture();
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    expect(ids(sync)).toEqual([]); // no next hop known yet: nothing to manage, nothing written
    const a1 = f.host.a1!;
    const b1 = f.host.b1!;
    const c1 = f.host.c1!;
    sync.setDesired([route('10.200.1.0/24', a1.ip), route('10.200.2.0/24', b1.ip)]);
    await sync.reconcileNow();
    expect(ids(sync).sort()).toEqual([f.table.a, f.table.b].sort());
    for (const az of ['a', 'b'] as const) {
      expect(claimOf(f, f.table[az])).toBe('prod');
      expect(eniRoutes(f, f.table[az])).toEqual({ '10.200.1.0/24': a1.eniId, '10.200.2.0/24': b1.eniId });
    }
    expect(claimOf(f, f.table.c)).toBeUndefined();
    expect(eniRoutes(f, f.table.c)).toEqual({});
    const discoveryCall = f.emu.calls.find(
      (c) => c.action === 'DescribeRouteTables' && c.params['Filter.2.Name'] === 'association.subnet-id',
    );
    expect(discoveryCall?.params).toMatchObject({
      'Filter.1.Name': 'vpc-id',
      'Filter.1.Value.1': f.vpcId,
      'Filter.2.Value.1': [f.subnet.a, f.subnet.b].sort()[0],
      'Filter.2.Value.2': [f.subnet.a, f.subnet.b].sort()[1],
    });

    // A next hop in AZ c: its subnet's table is adopted (claimed) and gets every route.
    sync.setDesired([route('10.200.1.0/24', a1.ip), route('10.200.2.0/24', b1.ip), route('10.200.3.0/24', c1.ip)]);
    await sync.reconcileNow();
    expect(ids(sync).sort()).toEqual([f.table.a, f.table.b, f.table.c].sort());
    expect(claimOf(f, f.table.c)).toBe('prod');
    expect(Object.keys(eniRoutes(f, f.table.c)).sort()).toEqual(['10.200.1.0/24', '10.200.2.0/24', '10.200.3.0/24']);

    // Table b goes away: dropped without an error; subnet b now falls back to the main table, which is adopted.
    await disassociateAndDelete(f, f.table.b);
    await sync.reconcileNow();
    expect(ids(sync).sort()).toEqual([f.mainTable, f.table.a, f.table.c].sort());
    expect(sync.status().flatMap((t) => t.operatorErrors)).toEqual([]);
    expect(sync.status().every((t) => t.lastError === undefined)).toBe(true);
    expect(claimOf(f, f.mainTable)).toBe('prod');
    expect(sync.converged()).toBe(true);
  });

  it('skipUnassociated leaves out a table without a subnet association (the main table)', async () => {
    fx = await azFixture();
    const f = fx;
    const sync = newSync(f, { tables: { vpcId: f.vpcId, by: 'association', skipUnassociated: true } });
    await sync.start();
    sync.setDesired([route('10.200.1.0/24', f.host.a1!.ip), route('10.200.2.0/24', f.host.b1!.ip)]);
    await sync.reconcileNow();
    await disassociateAndDelete(f, f.table.b);
    await sync.reconcileNow();
    expect(ids(sync)).toEqual([f.table.a]);
    expect(claimOf(f, f.mainTable)).toBeUndefined();
    expect(eniRoutes(f, f.mainTable)).toEqual({});
  });

  it('discovery re-runs on the drift timer: a table associated later is adopted without a route change', async () => {
    fx = await azFixture();
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 1000 });
    await sync.start();
    sync.setDesired([route('10.200.1.0/24', f.host.a1!.ip)]);
    await sync.reconcileNow();
    expect(ids(sync)).toEqual([f.table.a]);
    // the operator moves subnet a to a new table; no route changes, so only the drift pass can notice
    const fresh = f.emu.model.createRouteTable(f.vpcId, { Name: 'private-a2' });
    const old = [...f.emu.model.routeTable(f.table.a).associations.values()][0]!;
    await f.ec2.send(new DisassociateRouteTableCommand({ AssociationId: old.id }));
    f.emu.model.associateRouteTable(fresh.id, f.subnet.a);
    const deadline = Date.now() + 10_000;
    while (!(ids(sync).includes(fresh.id) && eniRoutes(f, fresh.id)['10.200.1.0/24'] === f.host.a1!.eniId)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the drift pass: ${ids(sync).join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ids(sync)).toEqual([fresh.id]);
    expect(claimOf(f, fresh.id)).toBe('prod');
  });
});

describe("a table's AZ", () => {
  it('is the one AZ of its subnets; several AZs or none mean no preference', () => {
    const az: Record<string, string> = { s1: 'us-east-1a', s2: 'us-east-1a', s3: 'us-east-1b' };
    const of = (id: string): string | undefined => az[id];
    expect(tableAz(['s1'], of)).toBe('us-east-1a');
    expect(tableAz(['s1', 's2'], of)).toBe('us-east-1a');
    expect(tableAz(['s1', 's3'], of)).toBeUndefined();
    expect(tableAz([], of)).toBeUndefined();
    expect(tableAz(['s1', 'unknown'], of)).toBeUndefined();
  });

  it('is read from the subnets (once per subnet) when preferSameAz is on, and shown in status', async () => {
    fx = await azFixture({ tableTags: { managed: 'yes' } });
    const f = fx;
    // a table for two subnets in two AZs: no preference
    const wide = f.emu.model.createRouteTable(f.vpcId, { managed: 'yes' });
    const d = f.emu.model.createSubnet({ vpcId: f.vpcId, cidr: '10.0.4.0/24', az: 'us-east-1a' });
    const e = f.emu.model.createSubnet({ vpcId: f.vpcId, cidr: '10.0.5.0/24', az: 'us-east-1b' });
    f.emu.model.associateRouteTable(wide.id, d.id);
    f.emu.model.associateRouteTable(wide.id, e.id);
    const sync = newSync(f, { tables: { vpcId: f.vpcId, tags: { managed: 'yes' } }, preferSameAz: true });
    await sync.start();
    const azOf = Object.fromEntries(sync.status().map((t) => [t.id, t.az]));
    expect(azOf).toEqual({ [f.table.a]: 'us-east-1a', [f.table.b]: 'us-east-1b', [f.table.c]: 'us-east-1c', [wide.id]: undefined });
    expect(f.emu.count({ action: 'DescribeSubnets' })).toBe(1);
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'DescribeSubnets' })).toBe(1); // cached
    expect(sync.tablesView().tables.find((t) => t.id === f.table.b)?.az).toBe('us-east-1b');
  });
});
