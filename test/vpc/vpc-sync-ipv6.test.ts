// VpcSync with IPv6 next hops, end to end against the EC2 emulator through the real SDK: IPv6 pod prefixes
// (cluster fd00:244::/56) announced with the hosts' IPv6 addresses resolve to their ENIs through
// DescribeNetworkInterfaces `ipv6-addresses.ipv6-address` (batched), in the table's own VPC.
import { afterEach, describe, expect, it } from 'vitest';
import { makePrefix, parsePrefix, type Prefix } from '../../src/net/prefix.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { VpcSync, type VpcSyncOptions } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24, tableMap, vpcFixture, VPC_IPV6, waitFor, type VpcFixture } from './fixture.js';

const CLUSTER6 = parsePrefix('fd00:244::/56');
/** The pod /64 number i inside the IPv6 cluster CIDR: fd00:244:0:i::/64. */
const pod6 = (i: number): Prefix => makePrefix('ipv6', CLUSTER6.addr | (BigInt(i) << 64n), 64);

let fx: VpcFixture | undefined;
const syncs: VpcSync[] = [];
afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  await fx?.stop();
  fx = undefined;
});

function newSync(f: VpcFixture, extra: Partial<VpcSyncOptions> = {}): VpcSync {
  const s = new VpcSync({
    ec2: f.ec2,
    clusterName: 'prod',
    clusterCidrs: [...CLUSTER, CLUSTER6],
    tables: { ids: [f.tableId] },
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 10 },
    ...extra,
  });
  syncs.push(s);
  return s;
}

const ip6 = (f: VpcFixture, i: number): string => f.hosts[i]?.ip6 ?? 'no IPv6 address';
const calls = (f: VpcFixture, action: string) => f.emu.calls.filter((c) => c.action === action);

describe('VpcSync IPv6 next hops', () => {
  it('an IPv6 prefix with an IPv6 next hop becomes CreateRoute DestinationIpv6CidrBlock → that ENI, one batched lookup', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    f.emu.reset();
    sync.setDesired([0, 1, 2].map((i) => ({ prefix: pod6(i + 1), nextHop: ip6(f, i) })));
    await sync.reconcileNow();
    const t = tableMap(f);
    for (const i of [0, 1, 2]) expect(t.get(`fd00:244:0:${i + 1}::/64`)).toEqual({ target: f.hosts[i]!.eniId, state: 'active' });
    const creates = calls(f, 'CreateRoute').map((c) => c.params);
    expect(creates).toHaveLength(3);
    expect(creates[0]).toMatchObject({ DestinationIpv6CidrBlock: 'fd00:244:0:1::/64', NetworkInterfaceId: f.hosts[0]!.eniId });
    expect(creates.every((p) => p.DestinationCidrBlock === undefined)).toBe(true);
    // The three next hops in one DescribeNetworkInterfaces, by the IPv6 filter, limited to the table's VPC.
    const lookups = calls(f, 'DescribeNetworkInterfaces');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.params).toMatchObject({
      'Filter.1.Name': 'ipv6-addresses.ipv6-address',
      'Filter.1.Value.1': ip6(f, 0),
      'Filter.1.Value.3': ip6(f, 2),
      'Filter.2.Name': 'vpc-id',
      'Filter.2.Value.1': f.vpcId,
    });
    const st = sync.status()[0]!;
    expect(st.families.ipv6).toMatchObject({ desired: 3, owned: 3, unresolvedNextHops: [] });
    expect(st.pendingOps).toBe(0);
  });

  it('failover of an IPv6 route is exactly one ReplaceRoute; steady state and restart write nothing', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    sync.setDesired([{ prefix: pod6(1), nextHop: ip6(f, 0) }]);
    await sync.reconcileNow();
    f.emu.reset();
    sync.setDesired([{ prefix: pod6(1), nextHop: ip6(f, 1), failover: true }]);
    await waitFor(() => tableMap(f).get('fd00:244:0:1::/64')?.target === f.hosts[1]!.eniId, 5000, 'the replace');
    await sync.reconcileNow();
    expect(f.emu.count({ mutating: true })).toBe(1);
    expect(calls(f, 'ReplaceRoute').map((c) => c.params)).toEqual([
      expect.objectContaining({ DestinationIpv6CidrBlock: 'fd00:244:0:1::/64', NetworkInterfaceId: f.hosts[1]!.eniId }),
    ]);

    await sync.stop();
    f.emu.reset();
    const again = newSync(f);
    await again.start();
    again.setDesired([{ prefix: pod6(1), nextHop: ip6(f, 1) }]);
    await again.reconcileNow();
    expect(f.emu.count({ mutating: true })).toBe(0);
  });

  it('instance terminated → blackhole → health hook names the IPv6 next hop → one ReplaceRoute to the next candidate', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 20 });
    const candidates = [ip6(f, 0), ip6(f, 1)];
    const dead = new Set<string>();
    const reports: [string, string][] = [];
    const choose = () => [{ prefix: pod6(1), nextHop: candidates.find((c) => !dead.has(c)) ?? 'none', failover: dead.size > 0 }];
    sync.onNextHopUnhealthy((nh, reason) => {
      reports.push([nh, reason]);
      dead.add(nh);
      sync.setDesired(choose());
    });
    await sync.start();
    sync.setDesired(choose());
    await sync.reconcileNow();
    f.emu.reset();
    f.emu.terminateInstance(f.hosts[0]!.instanceId);
    expect(tableMap(f).get('fd00:244:0:1::/64')?.state).toBe('blackhole');
    await waitFor(() => tableMap(f).get('fd00:244:0:1::/64')?.target === f.hosts[1]!.eniId, 5000, 'failover');
    expect(tableMap(f).get('fd00:244:0:1::/64')?.state).toBe('active');
    expect(reports).toEqual([[ip6(f, 0), 'blackhole']]);
    expect(f.emu.count({ mutating: true })).toBe(1);
    expect(f.emu.counters()).toMatchObject({ ReplaceRoute: { ok: 1 } });
  });

  it('an IPv6 address moved to another ENI by hand is followed at the next drift pass with one ReplaceRoute', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 20 });
    await sync.start();
    const moving = '2001:db8:0:101::77';
    f.emu.model.assignIpv6Addresses(f.hosts[0]!.eniId, { addresses: [moving] });
    sync.setDesired([{ prefix: pod6(1), nextHop: moving }]);
    await sync.reconcileNow();
    expect(tableMap(f).get('fd00:244:0:1::/64')?.target).toBe(f.hosts[0]!.eniId);
    f.emu.reset();
    f.emu.model.unassignIpv6Addresses(f.hosts[0]!.eniId, [moving]);
    f.emu.model.assignIpv6Addresses(f.hosts[2]!.eniId, { addresses: [moving] });
    await waitFor(() => tableMap(f).get('fd00:244:0:1::/64')?.target === f.hosts[2]!.eniId, 5000, 'the move');
    expect(f.emu.count({ mutating: true })).toBe(1);
    expect(f.emu.counters()).toMatchObject({ ReplaceRoute: { ok: 1 } });
  });

  it('IPv6 routes count against the IPv6 limit only', async () => {
    // Limit 4 per family: IPv4 already has 3 foreign routes (budget 1); IPv6 has none (budget 4).
    fx = await vpcFixture({ ipv6: true, routeLimit: 4 });
    const f = fx;
    const sync = newSync(f, { routeLimit: 4 });
    await sync.start();
    const v6 = [1, 2, 3, 4].map((i) => ({ prefix: pod6(i), nextHop: ip6(f, i % 3) }));
    sync.setDesired([...v6, { prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    const t = tableMap(f);
    for (const i of [1, 2, 3, 4]) expect(t.get(`fd00:244:0:${i}::/64`)?.target).toBe(f.hosts[i % 3]!.eniId);
    expect(t.get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
    let st = sync.status()[0]!;
    expect(st.families.ipv6).toMatchObject({ owned: 4, foreign: 0, limit: 4, budget: 4 });
    expect(st.families.ipv4).toMatchObject({ owned: 1, foreign: 3, limit: 4, budget: 1 });

    // A fifth IPv6 prefix is over the IPv6 budget: kept out by the aggregator, never sent to EC2.
    sync.setDesired([...v6, { prefix: pod6(5), nextHop: ip6(f, 0) }, { prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    st = sync.status()[0]!;
    expect(st.families.ipv6).toMatchObject({ owned: 4, budget: 4 });
    expect(tableMap(f).has('fd00:244:0:5::/64')).toBe(false);
    expect(f.emu.count({ outcome: 'RouteLimitExceeded' })).toBe(0);
  });

  it('an IPv4 prefix with an IPv6 next hop (RFC 8950) targets the ENI holding that address', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    sync.setDesired([
      { prefix: slash24(0), nextHop: ip6(f, 1) },
      { prefix: slash24(1), nextHop: f.hosts[2]!.ip },
    ]);
    await sync.reconcileNow();
    expect(tableMap(f).get('10.200.0.0/24')?.target).toBe(f.hosts[1]!.eniId);
    expect(tableMap(f).get('10.200.1.0/24')?.target).toBe(f.hosts[2]!.eniId);
    expect(
      calls(f, 'CreateRoute')
        .map((c) => c.params.DestinationCidrBlock)
        .sort(),
    ).toEqual(['10.200.0.0/24', '10.200.1.0/24']);
  });

  it("resolves to the ENI in the table's own VPC when another VPC holds the same IPv6 address", async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const m = f.emu.model;
    // Another VPC with the same IPv6 block, whose ENI holds host 0's address too (a route can only target its own).
    const other = m.createVpc({ cidr: '10.50.0.0/16', ipv6Cidr: VPC_IPV6 });
    const sub = m.createSubnet({ vpcId: other.id, cidr: '10.50.1.0/24', ipv6Cidr: '2001:db8:0:101::/64' });
    const twin = m.createEni({ subnetId: sub.id, ipv6Addresses: [ip6(f, 0)], sourceDestCheck: false });
    const sync = newSync(f);
    await sync.start();
    sync.setDesired([{ prefix: pod6(1), nextHop: ip6(f, 0) }]);
    await sync.reconcileNow();
    expect(tableMap(f).get('fd00:244:0:1::/64')?.target).toBe(f.hosts[0]!.eniId);
    expect(tableMap(f).get('fd00:244:0:1::/64')?.target).not.toBe(twin.id);
  });

  it('an IPv6 next hop no ENI holds stays unresolved (no route), and is picked up once an ENI gets it', async () => {
    fx = await vpcFixture({ ipv6: true });
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 20 });
    await sync.start();
    const late = '2001:db8:0:101::99';
    sync.setDesired([
      { prefix: pod6(1), nextHop: ip6(f, 0) },
      { prefix: pod6(2), nextHop: late },
    ]);
    await sync.reconcileNow();
    expect(tableMap(f).has('fd00:244:0:2::/64')).toBe(false);
    expect(sync.status()[0]!.families.ipv6).toMatchObject({ owned: 1, unresolvedNextHops: [late] });
    // The address appears on host 2 (AssignIpv6Addresses): the next lookup finds it and the route is created.
    f.emu.model.assignIpv6Addresses(f.hosts[2]!.eniId, { addresses: [late] });
    await waitFor(() => tableMap(f).get('fd00:244:0:2::/64')?.target === f.hosts[2]!.eniId, 5000, 'the late next hop');
    await sync.reconcileNow();
    expect(sync.status()[0]!.families.ipv6).toMatchObject({ owned: 2, unresolvedNextHops: [] });
  });
});
