// Route fidelity through the real @aws-sdk/client-ec2: the behaviours the VPC sync controller relies on.
import { CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, ReplaceRouteCommand, type Route } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await teardown(f);
});

async function routes(rtb: string): Promise<Route[]> {
  const out = await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }));
  return out.RouteTables?.[0]?.Routes ?? [];
}

describe('CreateRoute / Describe', () => {
  it('creates a route to an ENI and describes it with both ENI and instance', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    const r = (await routes(f.rtb)).find((x) => x.DestinationCidrBlock === '100.64.1.0/24');
    expect(r).toEqual({
      DestinationCidrBlock: '100.64.1.0/24',
      NetworkInterfaceId: f.nodeAEni,
      InstanceId: f.nodeA,
      InstanceOwnerId: '123456789012',
      State: 'active',
      Origin: 'CreateRoute',
    });
  });

  it('every table has the local route', async () => {
    expect(await routes(f.rtb)).toEqual([
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
    ]);
  });

  it('RouteAlreadyExists for an existing destination whatever the target', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    expect(
      await errorCode(
        f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeBEni })),
      ),
    ).toBe('RouteAlreadyExists');
    expect(
      await errorCode(f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', GatewayId: f.igw }))),
    ).toBe('RouteAlreadyExists');
  });

  it('ReplaceRoute changes the target; on a missing route it is InvalidParameterValue', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    await f.ec2.send(
      new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeBEni }),
    );
    expect((await routes(f.rtb)).find((x) => x.DestinationCidrBlock === '100.64.1.0/24')?.NetworkInterfaceId).toBe(f.nodeBEni);
    await expect(
      f.ec2.send(new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.2.0/24', NetworkInterfaceId: f.nodeBEni })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: "There is no route defined for '100.64.2.0/24' in the route table. Use CreateRoute instead.",
    });
  });

  it('DeleteRoute removes; a missing route is InvalidRoute.NotFound', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24' }));
    expect((await routes(f.rtb)).length).toBe(1);
    expect(await errorCode(f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24' })))).toBe(
      'InvalidRoute.NotFound',
    );
  });
});

describe('EC2 route rules', () => {
  const create = (cmd: CreateRouteCommand | ReplaceRouteCommand | DeleteRouteCommand): Promise<string> =>
    errorCode(cmd instanceof CreateRouteCommand ? f.ec2.send(cmd) : cmd instanceof ReplaceRouteCommand ? f.ec2.send(cmd) : f.ec2.send(cmd));

  it('canonicalises the destination (10.1.2.3/16 → 10.1.0.0/16)', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.65.2.3/16', NetworkInterfaceId: f.nodeAEni }),
    );
    expect((await routes(f.rtb)).map((r) => r.DestinationCidrBlock)).toContain('100.65.0.0/16');
    expect(
      await create(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.65.0.0/16', NetworkInterfaceId: f.nodeAEni })),
    ).toBe('RouteAlreadyExists');
  });

  it('refuses destinations equal to or inside a VPC CIDR unless equal to a subnet CIDR', async () => {
    for (const d of ['10.0.0.0/16', '10.0.5.0/24', '10.0.1.128/25', '10.0.1.10/32']) {
      expect(await create(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: d, NetworkInterfaceId: f.nodeAEni }))).toBe(
        'InvalidParameterValue',
      );
    }
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.0.2.0/24', NetworkInterfaceId: f.nodeAEni }));
    // wider than the VPC CIDR is fine: the local route stays the longest match inside the VPC
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.0.0.0/8', NetworkInterfaceId: f.nodeAEni }));
    expect((await routes(f.rtb)).length).toBe(3);
  });

  it('refuses the reserved 169.254.168.0/22 and fd00:ec2::/32 ranges', async () => {
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '169.254.169.254/32', NetworkInterfaceId: f.nodeAEni }),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '169.254.168.0/22', NetworkInterfaceId: f.nodeAEni }),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: 'fd00:ec2::23/128', NetworkInterfaceId: f.nodeAEni }),
      ),
    ).toBe('InvalidParameterValue');
    // around it is fine
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '169.254.0.0/16', NetworkInterfaceId: f.nodeAEni }),
    );
  });

  it('the local route cannot be deleted or replaced', async () => {
    expect(await create(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.0.0.0/16' }))).toBe(
      'InvalidParameterValue',
    );
    expect(
      await create(new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.0.0.0/16', NetworkInterfaceId: f.nodeAEni })),
    ).toBe('InvalidParameterValue');
    expect((await routes(f.rtb))[0]).toMatchObject({ GatewayId: 'local', DestinationCidrBlock: '10.0.0.0/16' });
  });

  it('needs exactly one target: none → MissingParameter, two → InvalidParameterCombination', async () => {
    expect(await create(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24' }))).toBe('MissingParameter');
    expect(
      await create(
        new CreateRouteCommand({
          RouteTableId: f.rtb,
          DestinationCidrBlock: '100.64.0.0/24',
          NetworkInterfaceId: f.nodeAEni,
          InstanceId: f.nodeA,
        }),
      ),
    ).toBe('InvalidParameterCombination');
    expect(await create(new CreateRouteCommand({ RouteTableId: f.rtb, NetworkInterfaceId: f.nodeAEni }))).toBe('MissingParameter');
  });

  it('unknown IDs: table, instance, ENI, gateways', async () => {
    expect(
      await create(
        new CreateRouteCommand({
          RouteTableId: 'rtb-0000000000000dead',
          DestinationCidrBlock: '100.64.0.0/24',
          NetworkInterfaceId: f.nodeAEni,
        }),
      ),
    ).toBe('InvalidRouteTableID.NotFound');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', InstanceId: 'i-0000000000000dead' }),
      ),
    ).toBe('InvalidInstanceID.NotFound');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: 'eni-0000000000000dead' }),
      ),
    ).toBe('InvalidNetworkInterfaceID.NotFound');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NatGatewayId: 'nat-0000000000000dead' }),
      ),
    ).toBe('InvalidNatGatewayID.NotFound');
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', GatewayId: 'igw-0000000000000dead' }),
      ),
    ).toBe('InvalidGatewayID.NotFound');
    expect(await create(new DeleteRouteCommand({ RouteTableId: 'rtb-0000000000000dead', DestinationCidrBlock: '100.64.0.0/24' }))).toBe(
      'InvalidRouteTableID.NotFound',
    );
    expect(
      await create(
        new ReplaceRouteCommand({
          RouteTableId: 'rtb-0000000000000dead',
          DestinationCidrBlock: '100.64.0.0/24',
          NetworkInterfaceId: f.nodeAEni,
        }),
      ),
    ).toBe('InvalidRouteTableID.NotFound');
  });

  it('an InstanceId target is refused when the instance has more than one ENI', async () => {
    const eni = f.emu.model.createEni({ subnetId: f.subnetA });
    f.emu.model.attachEni(eni.id, f.nodeA, 1);
    await expect(
      f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', InstanceId: f.nodeA })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID',
      message: expect.stringContaining('multiple interfaces') as unknown,
    });
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: eni.id }));
  });

  it('an InstanceId target is described with its ENI too', async () => {
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', InstanceId: f.nodeB }));
    expect((await routes(f.rtb))[1]).toMatchObject({ InstanceId: f.nodeB, NetworkInterfaceId: f.nodeBEni, State: 'active' });
  });

  it('foreign targets: internet gateway, NAT gateway, peering, transit gateway', async () => {
    const pcx = f.emu.model.createGateway('vpc-peering-connection', { vpcId: f.vpcId });
    const tgw = f.emu.model.createGateway('transit-gateway');
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: f.igw }));
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '192.168.0.0/16', NatGatewayId: f.nat }));
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '172.16.0.0/12', VpcPeeringConnectionId: pcx.id }),
    );
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.96.0.0/11', TransitGatewayId: tgw.id }));
    const rs = await routes(f.rtb);
    expect(rs.slice(1)).toEqual([
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: f.igw, State: 'active', Origin: 'CreateRoute' },
      { DestinationCidrBlock: '192.168.0.0/16', NatGatewayId: f.nat, State: 'active', Origin: 'CreateRoute' },
      { DestinationCidrBlock: '172.16.0.0/12', VpcPeeringConnectionId: pcx.id, State: 'active', Origin: 'CreateRoute' },
      { DestinationCidrBlock: '100.96.0.0/11', TransitGatewayId: tgw.id, State: 'active', Origin: 'CreateRoute' },
    ]);
  });

  it('RouteLimitExceeded past the limit, counted separately for IPv4 and IPv6', async () => {
    await teardown(f);
    f = await fixture({ routeLimit: 3 });
    f.emu.model.associateVpcCidr(f.vpcId, { ipv6: true });
    for (let i = 0; i < 3; i++) {
      await f.ec2.send(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: `100.64.${i}.0/24`, NetworkInterfaceId: f.nodeAEni }),
      );
    }
    expect(
      await create(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.9.0/24', NetworkInterfaceId: f.nodeAEni })),
    ).toBe('RouteLimitExceeded');
    for (let i = 0; i < 3; i++) {
      await f.ec2.send(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: `2001:db8:${i}::/48`, NetworkInterfaceId: f.nodeAEni }),
      );
    }
    expect(
      await create(
        new CreateRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: '2001:db8:9::/48', NetworkInterfaceId: f.nodeAEni }),
      ),
    ).toBe('RouteLimitExceeded');
    // replacing at the limit is fine; deleting frees a slot
    await f.ec2.send(
      new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: f.nodeBEni }),
    );
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24' }));
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.9.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
  });

  it('IPv6 destinations: create, canonicalise, replace, delete', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: '2001:DB8:0:1::5/64', NetworkInterfaceId: f.nodeAEni }),
    );
    expect((await routes(f.rtb))[1]).toMatchObject({ DestinationIpv6CidrBlock: '2001:db8:0:1::/64', NetworkInterfaceId: f.nodeAEni });
    await f.ec2.send(
      new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: '2001:db8:0:1::/64', NetworkInterfaceId: f.nodeBEni }),
    );
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: '2001:db8:0:1::/64' }));
    expect(await create(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationIpv6CidrBlock: '2001:db8:0:1::/64' }))).toBe(
      'InvalidRoute.NotFound',
    );
    // family mismatch in the parameter is refused
    expect(
      await create(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '2001:db8::/32', NetworkInterfaceId: f.nodeAEni })),
    ).toBe('InvalidParameterValue');
  });

  it('routes go blackhole when the instance is terminated or the ENI deleted, and stay', async () => {
    const extra = f.emu.model.createEni({ subnetId: f.subnetB });
    f.emu.model.attachEni(extra.id, f.nodeB, 1);
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.2.0/24', NetworkInterfaceId: extra.id }));
    f.emu.terminateInstance(f.nodeA);
    f.emu.deleteEni(extra.id);
    const rs = await routes(f.rtb);
    expect(rs.slice(1)).toEqual([
      {
        DestinationCidrBlock: '100.64.1.0/24',
        NetworkInterfaceId: f.nodeAEni,
        InstanceId: f.nodeA,
        InstanceOwnerId: '123456789012',
        State: 'blackhole',
        Origin: 'CreateRoute',
      },
      {
        DestinationCidrBlock: '100.64.2.0/24',
        NetworkInterfaceId: extra.id,
        InstanceId: f.nodeB,
        InstanceOwnerId: '123456789012',
        State: 'blackhole',
        Origin: 'CreateRoute',
      },
    ]);
    // a failover is a single ReplaceRoute onto a healthy ENI
    await f.ec2.send(
      new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeBEni }),
    );
    expect((await routes(f.rtb))[1]).toMatchObject({ NetworkInterfaceId: f.nodeBEni, State: 'active' });
  });

  it('many concurrent calls are all answered and counted', async () => {
    f.emu.model.routeLimit = 50; // below the 100 distinct destinations, so the limit caps the winners
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        errorCode(
          f.ec2.send(
            new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: `100.64.${i % 100}.0/24`, NetworkInterfaceId: f.nodeAEni }),
          ),
        ),
      ),
    );
    // each destination twice: one wins, the other is RouteAlreadyExists (the limit of 50 caps the winners)
    expect(results.filter((r) => r === 'no error').length).toBe(50);
    expect(results.filter((r) => r === 'RouteLimitExceeded').length + results.filter((r) => r === 'RouteAlreadyExists').length).toBe(150);
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(200);
    expect((await routes(f.rtb)).length).toBe(51);
  });

  it('a stopped instance blackholes its routes until it starts again', async () => {
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', InstanceId: f.nodeA }));
    f.emu.model.stopInstance(f.nodeA);
    expect((await routes(f.rtb))[1]?.State).toBe('blackhole');
    f.emu.model.startInstance(f.nodeA);
    expect((await routes(f.rtb))[1]?.State).toBe('active');
  });

  it('DryRun → DryRunOperation (HTTP 412) and changes nothing', async () => {
    await expect(
      f.ec2.send(
        new CreateRouteCommand({
          RouteTableId: f.rtb,
          DestinationCidrBlock: '100.64.1.0/24',
          NetworkInterfaceId: f.nodeAEni,
          DryRun: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'DryRunOperation',
      $metadata: { httpStatusCode: 412 },
    });
    expect((await routes(f.rtb)).length).toBe(1);
  });

  it('drift behind the controller: setRoute / deleteRoute bypass the checks', async () => {
    await f.ec2.send(
      new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }),
    );
    f.emu.setRoute(f.rtb, '100.64.1.0/24', { networkInterfaceId: f.nodeBEni });
    f.emu.setRoute(f.rtb, '100.64.7.0/24', { gatewayId: f.igw });
    expect((await routes(f.rtb)).slice(1).map((r) => [r.DestinationCidrBlock, r.NetworkInterfaceId ?? r.GatewayId])).toEqual([
      ['100.64.1.0/24', f.nodeBEni],
      ['100.64.7.0/24', f.igw],
    ]);
    expect(f.emu.deleteRoute(f.rtb, '100.64.1.0/24')).toBe(true);
    expect(f.emu.deleteRoute(f.rtb, '100.64.1.0/24')).toBe(false);
    expect(f.emu.deleteRoute(f.rtb, '10.0.0.0/16')).toBe(false);
  });
});
