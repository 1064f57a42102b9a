// Shared setup for the emulator tests: an emulator with one VPC, two subnets, instances, and an SDK client.
import { EC2Client } from '@aws-sdk/client-ec2';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../src/sim/ec2/emulator.js';

export interface Fixture {
  readonly emu: Emulator;
  readonly ec2: EC2Client;
  readonly vpcId: string;
  readonly subnetA: string;
  readonly subnetB: string;
  readonly mainRtb: string;
  readonly rtb: string;
  readonly nodeA: string; // instance, 10.0.1.10, one ENI
  readonly nodeAEni: string;
  readonly nodeB: string; // instance, 10.0.2.10, one ENI
  readonly nodeBEni: string;
  readonly igw: string;
  readonly nat: string;
}

export function client(emu: Emulator, maxAttempts = 1): EC2Client {
  return new EC2Client({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts,
  });
}

export async function fixture(opts: EmulatorOptions = {}): Promise<Fixture> {
  const emu = await startEmulator(opts);
  const m = emu.model;
  const vpc = m.createVpc({ cidr: '10.0.0.0/16', tags: { Name: 'test' } });
  const a = m.createSubnet({ vpcId: vpc.id, cidr: '10.0.1.0/24', az: 'us-east-1a' });
  const b = m.createSubnet({ vpcId: vpc.id, cidr: '10.0.2.0/24', az: 'us-east-1b' });
  const [nodeA] = m.runInstances({ subnetId: a.id, privateIp: '10.0.1.10', sourceDestCheck: false });
  const [nodeB] = m.runInstances({ subnetId: b.id, privateIp: '10.0.2.10', sourceDestCheck: false });
  if (!nodeA || !nodeB) throw new Error('fixture: no instances');
  const rtb = m.createRouteTable(vpc.id, { 'bgp2vpc:cluster': 'test' });
  m.associateRouteTable(rtb.id, a.id);
  const igw = m.createGateway('internet-gateway', { vpcId: vpc.id });
  const nat = m.createGateway('nat-gateway', { subnetId: a.id });
  return {
    emu,
    ec2: client(emu),
    vpcId: vpc.id,
    subnetA: a.id,
    subnetB: b.id,
    mainRtb: vpc.mainRouteTableId,
    rtb: rtb.id,
    nodeA: nodeA.id,
    nodeAEni: nodeA.primaryEniId,
    nodeB: nodeB.id,
    nodeBEni: nodeB.primaryEniId,
    igw: igw.id,
    nat: nat.id,
  };
}

export async function teardown(f: Fixture | undefined): Promise<void> {
  if (!f) return;
  f.ec2.destroy();
  await f.emu.stop();
}

/** The EC2 error code of a rejected SDK call. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { name?: string; Code?: string };
    return e.Code ?? e.name ?? 'unknown';
  }
  return 'no error';
}
