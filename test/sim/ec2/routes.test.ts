// Route fidelity through the real @aws-sdk/client-ec2: the behaviours the VPC sync controller relies on.
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  type Route,
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

async function routes(rtb: string): Promise<Route[]> {
  const out = await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }));
  return out.RouteTables?.[0]?.Routes ?? [];
}

describe('CreateRoute / Describe', () => {
  it('creates a route to an ENI and describes it with both ENI and instance', async () => {
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }));
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
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }));
    expect(await errorCode(f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeBEni })))).toBe('RouteAlreadyExists');
    expect(await errorCode(f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', GatewayId: f.igw })))).toBe('RouteAlreadyExists');
  });

  it('ReplaceRoute changes the target; on a missing route it is InvalidParameterValue', async () => {
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }));
    await f.ec2.send(new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeBEni }));
    expect((await routes(f.rtb)).find((x) => x.DestinationCidrBlock === '100.64.1.0/24')?.NetworkInterfaceId).toBe(f.nodeBEni);
    await expect(f.ec2.send(new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.2.0/24', NetworkInterfaceId: f.nodeBEni }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: "There is no route defined for '100.64.2.0/24' in the route table. Use CreateRoute instead.",
    });
  });

  it('DeleteRoute removes; a missing route is InvalidRoute.NotFound', async () => {
    await f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24', NetworkInterfaceId: f.nodeAEni }));
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24' }));
    expect((await routes(f.rtb)).length).toBe(1);
    expect(await errorCode(f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.1.0/24' })))).toBe('InvalidRoute.NotFound');
  });
});
