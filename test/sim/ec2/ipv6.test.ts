// IPv6 on subnets, ENIs and instances through the SDK: subnet /64s (CreateSubnet, AssociateSubnetCidrBlock),
// addresses named or by count (CreateNetworkInterface, RunInstances, AssignIpv6Addresses), Describe output and
// the `ipv6-addresses.ipv6-address` filter the controller resolves IPv6 next hops with.
import {
  AssignIpv6AddressesCommand,
  UnassignIpv6AddressesCommand,
  AssociateSubnetCidrBlockCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

const VPC6 = '2600:1f18:1:100::/56';
const SUB_A6 = '2600:1f18:1:101::/64';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
  f.emu.model.associateVpcCidr(f.vpcId, { ipv6: VPC6 });
});
afterEach(async () => {
  await teardown(f);
});

const v6Filter = (...values: string[]) => ({ Filters: [{ Name: 'ipv6-addresses.ipv6-address', Values: values }] });

describe('subnet IPv6 CIDR', () => {
  it('AssociateSubnetCidrBlock gives a subnet its /64, shown by DescribeSubnets and its filter', async () => {
    const out = await f.ec2.send(new AssociateSubnetCidrBlockCommand({ SubnetId: f.subnetA, Ipv6CidrBlock: '2600:1F18:1:101:0::/64' }));
    expect(out.SubnetId).toBe(f.subnetA);
    expect(out.Ipv6CidrBlockAssociation).toMatchObject({ Ipv6CidrBlock: SUB_A6, Ipv6CidrBlockState: { State: 'associated' } });
    expect(out.Ipv6CidrBlockAssociation?.AssociationId).toMatch(/^subnet-cidr-assoc-/);
    const d = await f.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'ipv6-cidr-block-association.ipv6-cidr-block', Values: [SUB_A6] }] }),
    );
    expect(d.Subnets?.map((s) => s.SubnetId)).toEqual([f.subnetA]);
    expect(d.Subnets?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock).toBe(SUB_A6);
  });

  it('CreateSubnet takes Ipv6CidrBlock; not a /64, outside the VPC, overlapping or a second block are refused', async () => {
    const s = await f.ec2.send(
      new CreateSubnetCommand({ VpcId: f.vpcId, CidrBlock: '10.0.3.0/24', Ipv6CidrBlock: '2600:1f18:1:103::/64' }),
    );
    expect(s.Subnet?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock).toBe('2600:1f18:1:103::/64');
    const assoc = (subnet: string, cidr: string) =>
      f.ec2.send(new AssociateSubnetCidrBlockCommand({ SubnetId: subnet, Ipv6CidrBlock: cidr }));
    expect(await errorCode(assoc(f.subnetA, '2600:1f18:1:100::/60'))).toBe('InvalidSubnet.Range');
    expect(await errorCode(assoc(f.subnetA, '2600:1f18:2:101::/64'))).toBe('InvalidSubnet.Range');
    expect(await errorCode(assoc(f.subnetA, '2600:1f18:1:103::/64'))).toBe('InvalidSubnet.Conflict');
    expect(await errorCode(assoc(s.Subnet?.SubnetId as string, '2600:1f18:1:104::/64'))).toBe('InvalidParameterValue');
    expect(await errorCode(assoc('subnet-0000000000000dead', SUB_A6))).toBe('InvalidSubnetID.NotFound');
  });
});

describe('ENI IPv6 addresses', () => {
  beforeEach(() => {
    f.emu.model.associateSubnetIpv6Cidr(f.subnetA, SUB_A6);
  });

  it('CreateNetworkInterface with named addresses or a count; Describe renders ipv6AddressesSet', async () => {
    const named = await f.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: f.subnetA,
        Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::aa' }, { Ipv6Address: '2600:1F18:1:101::0:bb' }],
      }),
    );
    expect(named.NetworkInterface?.Ipv6Addresses).toEqual([
      { Ipv6Address: '2600:1f18:1:101::aa', IsPrimaryIpv6: false },
      { Ipv6Address: '2600:1f18:1:101::bb', IsPrimaryIpv6: false }, // canonical text
    ]);
    const counted = await f.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: f.subnetA, Ipv6AddressCount: 2 }));
    const picked = counted.NetworkInterface?.Ipv6Addresses?.map((a) => a.Ipv6Address ?? '') ?? [];
    expect(picked).toHaveLength(2);
    for (const a of picked) expect(a.startsWith('2600:1f18:1:101:')).toBe(true);
    expect(new Set(picked).size).toBe(2);
    const d = await f.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [counted.NetworkInterface?.NetworkInterfaceId as string] }),
    );
    expect(d.NetworkInterfaces?.[0]?.Ipv6Addresses?.map((a) => a.Ipv6Address)).toEqual(picked);
  });

  it('refuses both a list and a count, a subnet without IPv6, an address outside or reserved, one in use', async () => {
    const create = (extra: object, subnet = f.subnetA) => f.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, ...extra }));
    expect(await errorCode(create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::aa' }], Ipv6AddressCount: 1 }))).toBe(
      'InvalidParameterCombination',
    );
    expect(await errorCode(create({ Ipv6AddressCount: 1 }, f.subnetB))).toBe('InvalidParameterValue');
    expect(await errorCode(create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:102::aa' }] }))).toBe('InvalidParameterValue');
    expect(await errorCode(create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::1' }] }))).toBe('InvalidParameterValue'); // reserved
    expect(await errorCode(create({ Ipv6Addresses: [{ Ipv6Address: '10.0.1.99' }] }))).toBe('InvalidParameterValue');
    await create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::aa' }] });
    const before = f.emu.model.enis.size;
    // All or nothing: the free address is not kept when the second one is in use.
    expect(
      await errorCode(create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::ab' }, { Ipv6Address: '2600:1f18:1:101::aa' }] })),
    ).toBe('InvalidIPAddress.InUse');
    expect(f.emu.model.enis.size).toBe(before);
    await create({ Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::ab' }] });
  });

  it('AssignIpv6Addresses adds addresses to an existing ENI (primary ENI of an instance included)', async () => {
    const byCount = await f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni, Ipv6AddressCount: 1 }));
    expect(byCount.NetworkInterfaceId).toBe(f.nodeAEni);
    expect(byCount.AssignedIpv6Addresses).toHaveLength(1);
    const named = await f.ec2.send(
      new AssignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni, Ipv6Addresses: ['2600:1f18:1:101::5'] }),
    );
    expect(named.AssignedIpv6Addresses).toEqual(['2600:1f18:1:101::5']);
    const d = await f.ec2.send(new DescribeNetworkInterfacesCommand(v6Filter('2600:1f18:1:101::5')));
    expect(d.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Attachment?.InstanceId])).toEqual([[f.nodeAEni, f.nodeA]]);
    expect(d.NetworkInterfaces?.[0]?.Ipv6Addresses?.map((a) => a.Ipv6Address)).toEqual([
      ...(byCount.AssignedIpv6Addresses ?? []),
      '2600:1f18:1:101::5',
    ]);
    expect(await errorCode(f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeBEni, Ipv6AddressCount: 1 })))).toBe(
      'InvalidParameterValue',
    ); // subnet B has no IPv6
    expect(await errorCode(f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni })))).toBe('MissingParameter');
    expect(
      await errorCode(f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: 'eni-0000000000000dead', Ipv6AddressCount: 1 }))),
    ).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('UnassignIpv6Addresses frees an address so another ENI can take it (an address moving between hosts)', async () => {
    await f.ec2.send(
      new AssignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni, Ipv6Addresses: ['2600:1f18:1:101::5', '2600:1f18:1:101::6'] }),
    );
    const other = f.emu.model.createEni({ subnetId: f.subnetA });
    expect(
      await errorCode(f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: other.id, Ipv6Addresses: ['2600:1f18:1:101::5'] }))),
    ).toBe('InvalidIPAddress.InUse');
    const out = await f.ec2.send(
      new UnassignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni, Ipv6Addresses: ['2600:1F18:1:101:0::5'] }),
    );
    expect(out).toMatchObject({ NetworkInterfaceId: f.nodeAEni, UnassignedIpv6Addresses: ['2600:1f18:1:101::5'] });
    expect(
      await errorCode(
        f.ec2.send(new UnassignIpv6AddressesCommand({ NetworkInterfaceId: f.nodeAEni, Ipv6Addresses: ['2600:1f18:1:101::5'] })),
      ),
    ).toBe('InvalidParameterValue');
    await f.ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: other.id, Ipv6Addresses: ['2600:1f18:1:101::5'] }));
    const d = await f.ec2.send(new DescribeNetworkInterfacesCommand(v6Filter('2600:1f18:1:101::5', '2600:1f18:1:101::6')));
    expect(d.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Ipv6Addresses?.map((a) => a.Ipv6Address)])).toEqual([
      [f.nodeAEni, ['2600:1f18:1:101::6']],
      [other.id, ['2600:1f18:1:101::5']],
    ]);
  });

  it('filter ipv6-addresses.ipv6-address: many values, non-canonical text, wildcards, with vpc-id; no plain ipv6-address filter', async () => {
    const m = f.emu.model;
    const e1 = m.createEni({ subnetId: f.subnetA, ipv6Addresses: ['2600:1f18:1:101::11'] });
    const e2 = m.createEni({ subnetId: f.subnetA, ipv6Addresses: ['2600:1f18:1:101::12', '2600:1f18:1:101::13'] });
    m.createEni({ subnetId: f.subnetA, ipv6Addresses: ['2600:1f18:1:101::14'] });
    const ids = async (params: object) =>
      (await f.ec2.send(new DescribeNetworkInterfacesCommand(params))).NetworkInterfaces?.map((n) => n.NetworkInterfaceId);
    expect(await ids(v6Filter('2600:1f18:1:101::11', '2600:1F18:0001:0101:0:0:0:13', '2600:1f18:1:101::99'))).toEqual([e1.id, e2.id]);
    expect(await ids(v6Filter('2600:1f18:1:101::1?'))).toHaveLength(3);
    expect(
      await ids({ Filters: [...v6Filter('2600:1f18:1:101::11').Filters, { Name: 'vpc-id', Values: ['vpc-0000000000000dead'] }] }),
    ).toEqual([]);
    expect(await ids(v6Filter('10.0.1.10'))).toEqual([]); // an IPv4 address is not an IPv6 address of the ENI
    expect(
      await errorCode(
        f.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'ipv6-address', Values: ['2600:1f18:1:101::11'] }] })),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('DeleteNetworkInterface frees its IPv6 addresses (no longer found, reusable)', async () => {
    const e = await f.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: f.subnetA, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::aa' }] }),
    );
    await f.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: e.NetworkInterface?.NetworkInterfaceId as string }));
    expect((await f.ec2.send(new DescribeNetworkInterfacesCommand(v6Filter('2600:1f18:1:101::aa')))).NetworkInterfaces).toEqual([]);
    const again = await f.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: f.subnetA, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::aa' }] }),
    );
    expect(again.NetworkInterface?.Ipv6Addresses?.[0]?.Ipv6Address).toBe('2600:1f18:1:101::aa');
  });
});

describe('instance IPv6 addresses', () => {
  beforeEach(() => {
    f.emu.model.associateSubnetIpv6Cidr(f.subnetA, SUB_A6);
  });

  it('RunInstances Ipv6AddressCount / Ipv6Addresses (top level or device 0); DescribeInstances shows and filters them', async () => {
    const run = (extra: object) => f.ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, ...extra }));
    const named = await run({ SubnetId: f.subnetA, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::a1' }] });
    expect(named.Instances?.[0]?.NetworkInterfaces?.[0]?.Ipv6Addresses).toEqual([
      { Ipv6Address: '2600:1f18:1:101::a1', IsPrimaryIpv6: false },
    ]);
    const counted = await run({ SubnetId: f.subnetA, Ipv6AddressCount: 2 });
    expect(counted.Instances?.[0]?.NetworkInterfaces?.[0]?.Ipv6Addresses).toHaveLength(2);
    const nic = await run({
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: f.subnetA, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::a2' }] }],
    });
    const nicId = nic.Instances?.[0]?.InstanceId;
    const find = async (name: string, value: string) =>
      (await f.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: name, Values: [value] }] }))).Reservations?.flatMap(
        (r) => r.Instances ?? [],
      );
    const found = await find('ipv6-address', '2600:1f18:1:101::a2');
    expect(found?.map((i) => i.InstanceId)).toEqual([nicId]);
    expect(found?.[0]?.NetworkInterfaces?.[0]?.Ipv6Addresses?.[0]?.Ipv6Address).toBe('2600:1f18:1:101::a2');
    expect((await find('network-interface.ipv6-addresses.ipv6-address', '2600:1f18:1:101::a1'))?.map((i) => i.InstanceId)).toEqual([
      named.Instances?.[0]?.InstanceId,
    ]);
    expect(await errorCode(run({ SubnetId: f.subnetA, MaxCount: 2, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:1:101::a3' }] }))).toBe(
      'InvalidParameterCombination',
    );
    expect(await errorCode(run({ SubnetId: f.subnetB, Ipv6AddressCount: 1 }))).toBe('InvalidParameterValue');
  });

  it('terminating an instance releases its primary ENI and its IPv6 addresses', async () => {
    const [inst] = f.emu.model.runInstances({ subnetId: f.subnetA, ipv6Addresses: ['2600:1f18:1:101::a1'] });
    f.emu.model.terminateInstance(inst?.id as string);
    expect((await f.ec2.send(new DescribeNetworkInterfacesCommand(v6Filter('2600:1f18:1:101::a1')))).NetworkInterfaces).toEqual([]);
    expect(f.emu.model.createEni({ subnetId: f.subnetA, ipv6Addresses: ['2600:1f18:1:101::a1'] }).ipv6[0]?.address).toBe(
      '2600:1f18:1:101::a1',
    );
  });
});
