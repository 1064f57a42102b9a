// Instances and ENIs through the SDK.
import {
  AssignPrivateIpAddressesCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
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

describe('instances', () => {
  it('RunInstances with a private IP and tags; DescribeInstances shows its ENI', async () => {
    const out = await f.ec2.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        ImageId: 'ami-1',
        SubnetId: f.subnetB,
        PrivateIpAddress: '10.0.2.50',
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'n3' }] }],
      }),
    );
    const inst = out.Instances?.[0];
    expect(out.ReservationId).toMatch(/^r-/);
    expect(inst).toMatchObject({
      PrivateIpAddress: '10.0.2.50',
      SubnetId: f.subnetB,
      VpcId: f.vpcId,
      State: { Code: 16, Name: 'running' },
      SourceDestCheck: true,
      Tags: [{ Key: 'Name', Value: 'n3' }],
    });
    expect(inst?.NetworkInterfaces?.[0]).toMatchObject({
      PrivateIpAddress: '10.0.2.50',
      Attachment: { DeviceIndex: 0, Status: 'attached', DeleteOnTermination: true },
      PrivateIpAddresses: [{ PrivateIpAddress: '10.0.2.50', Primary: true, PrivateDnsName: 'ip-10-0-2-50.ec2.internal' }],
    });
    const d = await f.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.0.2.50'] }] }));
    expect(d.Reservations?.[0]?.Instances?.map((i) => i.InstanceId)).toEqual([inst?.InstanceId]);
    expect(
      await errorCode(
        f.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, SubnetId: f.subnetB, PrivateIpAddress: '10.0.2.50' })),
      ),
    ).toBe('InvalidIPAddress.InUse');
    expect(
      await errorCode(
        f.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, SubnetId: f.subnetB, PrivateIpAddress: '10.0.9.50' })),
      ),
    ).toBe('InvalidParameterValue');
    expect(await errorCode(f.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0000000000000dead' })))).toBe(
      'InvalidSubnetID.NotFound',
    );
  });

  it('RunInstances MaxCount launches several, each with its own address', async () => {
    const out = await f.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 3, SubnetId: f.subnetA, ImageId: 'ami-1' }));
    const ips = out.Instances?.map((i) => i.PrivateIpAddress);
    expect(new Set(ips).size).toBe(3);
  });

  it('DescribeInstances by ID, by filter, and paging', async () => {
    const byId = await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeB] }));
    expect(byId.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([f.nodeB]);
    const bySubnet = await f.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'subnet-id', Values: [f.subnetA] }] }));
    expect(bySubnet.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([f.nodeA]);
    f.emu.model.runInstances({ subnetId: f.subnetA, count: 6 });
    const page = await f.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(page.Reservations?.flatMap((r) => r.Instances ?? []).length).toBe(5);
    const rest = await f.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: page.NextToken }));
    expect(rest.Reservations?.flatMap((r) => r.Instances ?? []).length).toBe(3);
    expect(rest.NextToken).toBeUndefined();
    expect(await errorCode(f.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })))).toBe(
      'InvalidInstanceID.NotFound',
    );
    expect(await errorCode(f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeA], MaxResults: 5 })))).toBe(
      'InvalidParameterCombination',
    );
    expect(await errorCode(f.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.nodeAEni], MaxResults: 5 })))).toBe(
      'InvalidParameterCombination',
    );
  });

  it('TerminateInstances: state terminated, primary ENI deleted', async () => {
    const out = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [f.nodeA] }));
    expect(out.TerminatingInstances).toEqual([
      { InstanceId: f.nodeA, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 48, Name: 'terminated' } },
    ]);
    const d = await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeA] }));
    expect(d.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('terminated');
    expect(await errorCode(f.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.nodeAEni] })))).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    expect(await errorCode(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })))).toBe(
      'InvalidInstanceID.NotFound',
    );
  });

  it('StopInstances', async () => {
    const out = await f.ec2.send(new StopInstancesCommand({ InstanceIds: [f.nodeB] }));
    expect(out.StoppingInstances?.[0]?.CurrentState?.Name).toBe('stopped');
  });

  it('Modify/DescribeInstanceAttribute SourceDestCheck, kept in sync with the primary ENI', async () => {
    const get = async () =>
      (await f.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: f.nodeA, Attribute: 'sourceDestCheck' }))).SourceDestCheck
        ?.Value;
    expect(await get()).toBe(false);
    await f.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: f.nodeA, SourceDestCheck: { Value: true } }));
    expect(await get()).toBe(true);
    const eni = await f.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.nodeAEni] }));
    expect(eni.NetworkInterfaces?.[0]?.SourceDestCheck).toBe(true);
    await f.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: f.nodeA, Attribute: 'sourceDestCheck', Value: 'false' }));
    expect(await get()).toBe(false);
    const inst = await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeA] }));
    expect(inst.Reservations?.[0]?.Instances?.[0]?.SourceDestCheck).toBe(false);
    // and the other way round: the primary ENI's attribute is the instance's
    await f.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: f.nodeAEni, SourceDestCheck: { Value: true } }));
    expect(await get()).toBe(true);
    expect(
      await errorCode(
        f.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: 'i-0000000000000dead', SourceDestCheck: { Value: false } })),
      ),
    ).toBe('InvalidInstanceID.NotFound');
  });
});

describe('network interfaces', () => {
  it('create, attach, detach, delete', async () => {
    const c = await f.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: f.subnetA, PrivateIpAddress: '10.0.1.77', Description: 'extra' }),
    );
    const eniId = c.NetworkInterface?.NetworkInterfaceId as string;
    expect(c.NetworkInterface).toMatchObject({
      Status: 'available',
      PrivateIpAddress: '10.0.1.77',
      Description: 'extra',
      SourceDestCheck: true,
      VpcId: f.vpcId,
    });
    const a = await f.ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eniId, InstanceId: f.nodeA, DeviceIndex: 1 }));
    expect(a.AttachmentId).toMatch(/^eni-attach-/);
    expect(await errorCode(f.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId })))).toBe(
      'InvalidNetworkInterface.InUse',
    );
    expect(
      await errorCode(f.ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eniId, InstanceId: f.nodeA, DeviceIndex: 2 }))),
    ).toBe('InvalidNetworkInterface.InUse');
    const byInst = await f.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [f.nodeA] }] }),
    );
    expect(byInst.NetworkInterfaces?.map((e) => e.NetworkInterfaceId).sort()).toEqual([f.nodeAEni, eniId].sort());
    const inst = await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeA] }));
    expect(inst.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces?.map((e) => e.Attachment?.DeviceIndex)).toEqual([0, 1]);
    await f.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: a.AttachmentId }));
    await f.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }));
    expect(await errorCode(f.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId })))).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    // the primary ENI cannot be detached
    const primary = (await f.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.nodeAEni] }))).NetworkInterfaces?.[0];
    expect(await errorCode(f.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: primary?.Attachment?.AttachmentId })))).toBe(
      'OperationNotPermitted',
    );
  });

  it('DescribeNetworkInterfaces filters: addresses.private-ip-address, private-ip-address, vpc-id, network-interface-id', async () => {
    f.emu.model.assignPrivateIps(f.nodeBEni, ['10.0.2.99']);
    const q = async (Name: string, Values: string[]) =>
      ((await f.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values }] }))).NetworkInterfaces ?? []).map(
        (e) => e.NetworkInterfaceId,
      );
    expect(await q('addresses.private-ip-address', ['10.0.2.99'])).toEqual([f.nodeBEni]);
    expect(await q('addresses.private-ip-address', ['10.0.2.10', '10.0.1.10'])).toEqual(
      expect.arrayContaining([f.nodeAEni, f.nodeBEni]) as unknown,
    );
    expect(await q('addresses.private-ip-address', ['10.0.2.1*'])).toEqual([f.nodeBEni]);
    expect(await q('private-ip-address', ['10.0.2.99'])).toEqual([]); // primary only
    expect(await q('private-ip-address', ['10.0.2.10'])).toEqual([f.nodeBEni]);
    expect((await q('vpc-id', [f.vpcId])).length).toBe(2);
    expect(await q('network-interface-id', [f.nodeAEni])).toEqual([f.nodeAEni]);
    expect(await q('addresses.private-ip-address', ['10.9.9.9'])).toEqual([]);
    const both = await f.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'addresses.private-ip-address', Values: ['10.0.2.10'] },
          { Name: 'vpc-id', Values: ['vpc-other'] },
        ],
      }),
    );
    expect(both.NetworkInterfaces).toEqual([]);
    const full = (await f.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.nodeBEni] }))).NetworkInterfaces?.[0];
    expect(full).toMatchObject({
      Attachment: { InstanceId: f.nodeB, InstanceOwnerId: '123456789012', DeviceIndex: 0, Status: 'attached' },
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.2.10', Primary: true },
        { PrivateIpAddress: '10.0.2.99', Primary: false },
      ],
      Status: 'in-use',
      SourceDestCheck: false,
    });
  });

  it('AssignPrivateIpAddresses: explicit and by count', async () => {
    const out = await f.ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: f.nodeAEni,
        PrivateIpAddresses: ['10.0.1.200'],
        SecondaryPrivateIpAddressCount: 2,
      }),
    );
    expect(out.AssignedPrivateIpAddresses?.map((a) => a.PrivateIpAddress)).toEqual(['10.0.1.200', expect.any(String), expect.any(String)]);
    expect(
      await errorCode(
        f.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: f.nodeBEni, PrivateIpAddresses: ['10.0.1.200'] })),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCode(
        f.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: f.nodeAEni, PrivateIpAddresses: ['10.0.1.200'] })),
      ),
    ).toBe('InvalidIPAddress.InUse');
  });
});
