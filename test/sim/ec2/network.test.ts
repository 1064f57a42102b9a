// VPCs, subnets, gateways and tags through the SDK.
import {
  AssociateVpcCidrBlockCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await teardown(f);
});

describe('VPCs', () => {
  it('CreateVpc makes a main route table with a local route; DescribeVpcs finds it by ID and filter', async () => {
    const out = await f.ec2.send(
      new CreateVpcCommand({
        CidrBlock: '10.20.0.0/16',
        TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'v2' }] }],
      }),
    );
    const vpcId = out.Vpc?.VpcId as string;
    expect(out.Vpc).toMatchObject({ CidrBlock: '10.20.0.0/16', State: 'available', Tags: [{ Key: 'Name', Value: 'v2' }] });
    expect(out.Vpc?.CidrBlockAssociationSet?.[0]).toMatchObject({ CidrBlock: '10.20.0.0/16', CidrBlockState: { State: 'associated' } });
    const main = await f.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    expect(main.RouteTables?.[0]?.Routes).toEqual([
      { DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
    ]);
    const byId = await f.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(byId.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
    const byTag = await f.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['v2'] }] }));
    expect(byTag.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
    const byCidr = await f.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'cidr-block-association.cidr-block', Values: ['10.0.0.0/16'] }] }),
    );
    expect(byCidr.Vpcs?.map((v) => v.VpcId)).toEqual([f.vpcId]);
    expect(await errorCode(f.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })))).toBe('InvalidVpcID.NotFound');
    expect(await errorCode(f.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).toBe('InvalidVpc.Range');
    expect(await errorCode(f.ec2.send(new CreateVpcCommand({ CidrBlock: 'ten' })))).toBe('InvalidParameterValue');
  });

  it('AssociateVpcCidrBlock (IPv6, Amazon-provided) adds an IPv6 local route to every table', async () => {
    const out = await f.ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: f.vpcId, AmazonProvidedIpv6CidrBlock: true }));
    const v6 = out.Ipv6CidrBlockAssociation?.Ipv6CidrBlock as string;
    expect(v6).toMatch(/^2600:1f18:[0-9a-f:]+\/56$/);
    for (const rtb of [f.mainRtb, f.rtb]) {
      const t = await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }));
      expect(t.RouteTables?.[0]?.Routes?.map((r) => r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock)).toEqual(['10.0.0.0/16', v6]);
    }
    const vpcs = await f.ec2.send(new DescribeVpcsCommand({ VpcIds: [f.vpcId] }));
    expect(vpcs.Vpcs?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock).toBe(v6);
    // an IPv6 route inside the VPC's IPv6 CIDR is refused like IPv4
    const inside = v6.replace('/56', '/64');
    expect(
      await errorCode(
        f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: inside, NetworkInterfaceId: f.nodeAEni })),
      ),
    ).toBe('InvalidParameterValue');
    // a secondary IPv4 CIDR works the same way
    const v4 = await f.ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: f.vpcId, CidrBlock: '10.1.0.0/16' }));
    expect(v4.CidrBlockAssociation?.CidrBlock).toBe('10.1.0.0/16');
    expect(
      await errorCode(
        f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.1.4.0/24', NetworkInterfaceId: f.nodeAEni })),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('AssociateVpcCidrBlock with an explicit IPv6 block', async () => {
    const out = await f.ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: f.vpcId, Ipv6CidrBlock: '2600:1f18:aaaa:bb00::/56' }));
    expect(out.Ipv6CidrBlockAssociation?.Ipv6CidrBlock).toBe('2600:1f18:aaaa:bb00::/56');
    expect(
      await errorCode(f.ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: 'vpc-0000000000000dead', AmazonProvidedIpv6CidrBlock: true }))),
    ).toBe('InvalidVpcID.NotFound');
  });
});

describe('subnets', () => {
  it('CreateSubnet inside the VPC CIDR, no overlap; DescribeSubnets by ID and filters', async () => {
    const out = await f.ec2.send(new CreateSubnetCommand({ VpcId: f.vpcId, CidrBlock: '10.0.3.0/24', AvailabilityZone: 'us-east-1c' }));
    const id = out.Subnet?.SubnetId as string;
    expect(out.Subnet).toMatchObject({
      VpcId: f.vpcId,
      CidrBlock: '10.0.3.0/24',
      AvailabilityZone: 'us-east-1c',
      AvailableIpAddressCount: 251,
      State: 'available',
    });
    expect(await errorCode(f.ec2.send(new CreateSubnetCommand({ VpcId: f.vpcId, CidrBlock: '10.0.3.128/25' })))).toBe(
      'InvalidSubnet.Conflict',
    );
    expect(await errorCode(f.ec2.send(new CreateSubnetCommand({ VpcId: f.vpcId, CidrBlock: '10.5.0.0/24' })))).toBe('InvalidSubnet.Range');
    expect(await errorCode(f.ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0000000000000dead', CidrBlock: '10.5.0.0/24' })))).toBe(
      'InvalidVpcID.NotFound',
    );
    const byVpc = await f.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [f.vpcId] }] }));
    expect(byVpc.Subnets?.map((s) => s.SubnetId)).toEqual([f.subnetA, f.subnetB, id]);
    const byAz = await f.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }));
    expect(byAz.Subnets?.map((s) => s.SubnetId)).toEqual([f.subnetB]);
    const byId = await f.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [f.subnetA] }));
    expect(byId.Subnets?.[0]).toMatchObject({ CidrBlock: '10.0.1.0/24', AvailableIpAddressCount: 250 }); // one ENI in it
    expect(await errorCode(f.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000000000000dead'] })))).toBe(
      'InvalidSubnetID.NotFound',
    );
  });
});

describe('gateways', () => {
  it('CreateInternetGateway + AttachInternetGateway + a default route to it', async () => {
    const vpc = f.emu.model.createVpc({ cidr: '10.30.0.0/16' });
    const igw = await f.ec2.send(new CreateInternetGatewayCommand({}));
    const id = igw.InternetGateway?.InternetGatewayId as string;
    expect(id).toMatch(/^igw-/);
    // not attached yet: belongs to no network
    expect(
      await errorCode(
        f.ec2.send(new CreateRouteCommand({ RouteTableId: vpc.mainRouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: id })),
      ),
    ).toBe('InvalidParameterValue');
    await f.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpc.id }));
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: vpc.mainRouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: id }));
    expect(await errorCode(f.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpc.id })))).toBe(
      'Resource.AlreadyAssociated',
    );
  });

  it('CreateNatGateway in a subnet; routes may target it', async () => {
    const out = await f.ec2.send(new CreateNatGatewayCommand({ SubnetId: f.subnetB }));
    const id = out.NatGateway?.NatGatewayId as string;
    expect(out.NatGateway).toMatchObject({ SubnetId: f.subnetB, VpcId: f.vpcId, State: 'available' });
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: id }));
  });
});

describe('tags', () => {
  it('CreateTags / DeleteTags / DescribeTags', async () => {
    await f.ec2.send(
      new CreateTagsCommand({
        Resources: [f.rtb, f.nodeA],
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'x', Value: '1' },
        ],
      }),
    );
    const byRes = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [f.rtb] }] }));
    expect(byRes.Tags).toEqual([
      { ResourceId: f.rtb, ResourceType: 'route-table', Key: 'bgp2vpc:cluster', Value: 'test' },
      { ResourceId: f.rtb, ResourceType: 'route-table', Key: 'env', Value: 'prod' },
      { ResourceId: f.rtb, ResourceType: 'route-table', Key: 'x', Value: '1' },
    ]);
    // DeleteTags with a non-matching value keeps the tag; without a value deletes it
    await f.ec2.send(new DeleteTagsCommand({ Resources: [f.rtb], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'x' }] }));
    const after = await f.ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: [f.rtb] },
          { Name: 'key', Values: ['env', 'x'] },
        ],
      }),
    );
    expect(after.Tags?.map((t) => t.Key)).toEqual(['env']);
    const inst = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['instance'] }] }));
    expect(inst.Tags?.map((t) => [t.ResourceId, t.Key])).toEqual([
      [f.nodeA, 'env'],
      [f.nodeA, 'x'],
    ]);
    expect(
      await errorCode(f.ec2.send(new CreateTagsCommand({ Resources: ['rtb-0000000000000dead'], Tags: [{ Key: 'a', Value: 'b' }] }))),
    ).toBe('InvalidRouteTableID.NotFound');
  });
});

describe('protocol', () => {
  it('an unknown action is InvalidAction (HTTP 400), a missing one MissingAction', async () => {
    const post = (body: string) =>
      fetch(f.emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const r = await post('Action=LaunchRockets&Version=2016-11-15');
    expect(r.status).toBe(400);
    const text = await r.text();
    expect(text).toContain('<Response><Errors><Error><Code>InvalidAction</Code>');
    expect(text).toMatch(/<RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
    expect((await post('Version=2016-11-15')).status).toBe(400);
    expect(f.emu.counters()).toEqual({ LaunchRockets: { InvalidAction: 1 }, '': { MissingAction: 1 } });
  });

  it('a success response is XML in the EC2 namespace with a requestId', async () => {
    const r = await fetch(f.emu.endpoint, { method: 'POST', body: new URLSearchParams({ Action: 'DescribeVpcs', Version: '2016-11-15' }) });
    const text = await r.text();
    expect(r.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeVpcsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpcSet><item><vpcId>vpc-/,
    );
  });

  it('any region and credentials work', async () => {
    const c = new EC2Client({
      endpoint: f.emu.endpoint,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'AKIA0', secretAccessKey: 'z', sessionToken: 't' },
      maxAttempts: 1,
    });
    const out = await c.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs?.length).toBe(1);
    c.destroy();
  });
});
