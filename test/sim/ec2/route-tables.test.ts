// Route tables through the SDK: main table per VPC, create/associate, Describe filters and paging.
import {
  AssociateRouteTableCommand,
  CreateRouteTableCommand,
  DeleteRouteTableCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteTableAssociationCommand,
  DescribeRouteTablesCommand,
  paginateDescribeRouteTables,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteRouteTable } from '../../../src/sim/ec2/route-ops.js';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await teardown(f);
});

const ids = (ts: readonly RouteTable[] | undefined): string[] => (ts ?? []).map((t) => t.RouteTableId ?? '');

describe('route tables', () => {
  it('CreateRouteTable with tags; the new table has the local route and is not main', async () => {
    const out = await f.ec2.send(
      new CreateRouteTableCommand({
        VpcId: f.vpcId,
        TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'team', Value: 'net' }] }],
      }),
    );
    expect(out.RouteTable).toMatchObject({
      VpcId: f.vpcId,
      Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' }],
      Tags: [{ Key: 'team', Value: 'net' }],
      Associations: [],
    });
    expect(out.RouteTable?.RouteTableId).toMatch(/^rtb-[0-9a-f]{17}$/);
  });

  it('CreateRouteTable on an unknown VPC → InvalidVpcID.NotFound', async () => {
    expect(await errorCode(f.ec2.send(new CreateRouteTableCommand({ VpcId: 'vpc-0000000000000dead' })))).toBe('InvalidVpcID.NotFound');
  });

  it('AssociateRouteTable: one explicit association per subnet, same VPC only', async () => {
    const t = await f.ec2.send(new CreateRouteTableCommand({ VpcId: f.vpcId }));
    const out = await f.ec2.send(new AssociateRouteTableCommand({ RouteTableId: t.RouteTable?.RouteTableId, SubnetId: f.subnetB }));
    expect(out.AssociationId).toMatch(/^rtbassoc-/);
    expect(out.AssociationState?.State).toBe('associated');
    expect(await errorCode(f.ec2.send(new AssociateRouteTableCommand({ RouteTableId: f.rtb, SubnetId: f.subnetB })))).toBe(
      'Resource.AlreadyAssociated',
    );
    expect(await errorCode(f.ec2.send(new AssociateRouteTableCommand({ RouteTableId: f.rtb, SubnetId: 'subnet-0000000000000dead' })))).toBe(
      'InvalidSubnetID.NotFound',
    );
  });

  it('filters: vpc-id, route-table-id, association.subnet-id, association.main, tag:*, tag-key, route.destination-cidr-block', async () => {
    const m = f.emu.model;
    const other = m.createVpc({ cidr: '10.9.0.0/16' });
    m.createRoute(f.rtb, '100.64.0.0/24', { networkInterfaceId: f.nodeAEni });
    const q = async (Name: string, Values: string[]) =>
      ids((await f.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name, Values }] }))).RouteTables).sort();
    expect(await q('vpc-id', [f.vpcId])).toEqual([f.mainRtb, f.rtb].sort());
    expect(await q('vpc-id', [other.id])).toEqual([other.mainRouteTableId]);
    expect(await q('route-table-id', [f.rtb])).toEqual([f.rtb]);
    expect(await q('association.subnet-id', [f.subnetA])).toEqual([f.rtb]);
    expect(await q('association.main', ['true'])).toEqual([f.mainRtb, other.mainRouteTableId].sort());
    expect(await q('tag:bgp2vpc:cluster', ['test'])).toEqual([f.rtb]);
    expect(await q('tag:bgp2vpc:cluster', ['t*'])).toEqual([f.rtb]);
    expect(await q('tag:bgp2vpc:cluster', ['other'])).toEqual([]);
    expect(await q('tag-key', ['bgp2vpc:cluster'])).toEqual([f.rtb]);
    expect(await q('route.destination-cidr-block', ['100.64.0.0/24'])).toEqual([f.rtb]);
    // filters AND together; values within a filter OR
    const both = await f.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [f.vpcId] },
          { Name: 'association.main', Values: ['false', 'maybe'] },
        ],
      }),
    );
    expect(ids(both.RouteTables)).toEqual([f.rtb]);
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })))).toBe(
      'InvalidParameterValue',
    );
  });

  it('RouteTableId.N selects; an unknown ID fails the call', async () => {
    const out = await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.rtb, f.mainRtb] }));
    expect(ids(out.RouteTables).sort()).toEqual([f.rtb, f.mainRtb].sort());
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.rtb, 'rtb-0000000000000dead'] })))).toBe(
      'InvalidRouteTableID.NotFound',
    );
  });

  it('ReplaceRouteTableAssociation moves the main association; Disassociate and DeleteRouteTable', async () => {
    const main = (await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.mainRtb] }))).RouteTables?.[0];
    const mainAssoc = main?.Associations?.[0]?.RouteTableAssociationId;
    const moved = await f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: f.rtb }));
    expect(moved.NewAssociationId).toMatch(/^rtbassoc-/);
    const nowMain = await f.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }));
    expect(ids(nowMain.RouteTables)).toEqual([f.rtb]);
    expect(f.emu.model.vpc(f.vpcId).mainRouteTableId).toBe(f.rtb);
    expect(await errorCode(f.ec2.send(new DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId })))).toBe(
      'InvalidParameterValue',
    );
    const sub = (await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.rtb] }))).RouteTables?.[0]?.Associations?.find(
      (a) => a.SubnetId === f.subnetA,
    );
    await f.ec2.send(new DisassociateRouteTableCommand({ AssociationId: sub?.RouteTableAssociationId }));
    await f.ec2.send(new DeleteRouteTableCommand({ RouteTableId: f.mainRtb })); // no longer main, no associations
    expect(await errorCode(f.ec2.send(new DeleteRouteTableCommand({ RouteTableId: f.rtb })))).toBe('DependencyViolation');
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.mainRtb] })))).toBe(
      'InvalidRouteTableID.NotFound',
    );
  });

  it('the main table shows its main association', async () => {
    const out = await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.mainRtb] }));
    expect(out.RouteTables?.[0]?.Associations).toEqual([
      {
        Main: true,
        RouteTableAssociationId: expect.stringMatching(/^rtbassoc-/) as unknown,
        RouteTableId: f.mainRtb,
        AssociationState: { State: 'associated' },
      },
    ]);
  });

  it('MaxResults/NextToken paging returns every table once, even with deletions between pages', async () => {
    const m = f.emu.model;
    const created = [];
    for (let i = 0; i < 23; i++) created.push(m.createRouteTable(f.vpcId).id);
    const first = await f.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    expect(first.RouteTables?.length).toBe(5);
    expect(first.NextToken).toBeTruthy();
    const seen = new Set(ids(first.RouteTables));
    // delete the next table to be returned: paging must not skip the one after it
    const nextUp = created[3] as string;
    deleteRouteTable(m, nextUp);
    let token = first.NextToken;
    while (token) {
      const page = await f.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: token }));
      for (const id of ids(page.RouteTables)) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      token = page.NextToken;
    }
    expect(seen.size).toBe(2 + 23 - 1);
    // the SDK paginator works too
    let n = 0;
    for await (const page of paginateDescribeRouteTables({ client: f.ec2, pageSize: 7 }, {})) n += page.RouteTables?.length ?? 0;
    expect(n).toBe(24);
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 2 })))).toBe('InvalidParameterValue');
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: 'garbage!' })))).toBe(
      'InvalidPaginationToken',
    );
  });
});
