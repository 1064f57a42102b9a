// A 3-AZ VPC on the EC2 emulator, laid out as most private VPCs are: VPC 10.0.0.0/16, subnet i in us-east-1<a|b|c>
// at 10.0.<i+1>.0/24 with its own route table (one per AZ, each with an IGW default route that is never ours),
// the VPC's main table serving nothing explicitly, and two hosts per AZ (source/dest check off) at
// 10.0.<i+1>.10 and .11. Cluster: 10.200.0.0/16. Tables and subnets by AZ letter.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';

export const AZS = ['a', 'b', 'c'] as const;
export type AzLetter = (typeof AZS)[number];

export interface AzHost {
  readonly name: string;
  readonly az: AzLetter;
  readonly ip: string;
  readonly instanceId: string;
  readonly eniId: string;
}

export interface AzFixture {
  readonly emu: Emulator;
  readonly ec2: EC2Client;
  readonly vpcId: string;
  readonly mainTable: string;
  readonly subnet: Readonly<Record<AzLetter, string>>;
  readonly table: Readonly<Record<AzLetter, string>>;
  /** a1, a2, b1, b2, c1, c2. */
  readonly host: Readonly<Record<string, AzHost>>;
  stop(): Promise<void>;
}

export async function azFixture(opts: { tableTags?: Record<string, string> } = {}): Promise<AzFixture> {
  const emu = await startEmulator({ port: 0 });
  const m = emu.model;
  const vpc = m.createVpc({ cidr: '10.0.0.0/16' });
  const igw = m.createGateway('internet-gateway', { vpcId: vpc.id });
  const subnet = {} as Record<AzLetter, string>;
  const table = {} as Record<AzLetter, string>;
  const host: Record<string, AzHost> = {};
  AZS.forEach((az, i) => {
    const s = m.createSubnet({ vpcId: vpc.id, cidr: `10.0.${i + 1}.0/24`, az: `us-east-1${az}` });
    subnet[az] = s.id;
    const rtb = m.createRouteTable(vpc.id, { Name: `private-${az}`, ...opts.tableTags });
    m.associateRouteTable(rtb.id, s.id);
    m.createRoute(rtb.id, '0.0.0.0/0', { gatewayId: igw.id });
    table[az] = rtb.id;
    for (const n of [1, 2]) {
      const ip = `10.0.${i + 1}.${9 + n}`;
      const [inst] = m.runInstances({ subnetId: s.id, privateIp: ip, sourceDestCheck: false });
      if (!inst) throw new Error('runInstances returned nothing');
      host[`${az}${n}`] = { name: `${az}${n}`, az, ip, instanceId: inst.id, eniId: inst.primaryEniId };
    }
  });
  const ec2 = createEmulatorEc2Client(emu.endpoint);
  return {
    emu,
    ec2,
    vpcId: vpc.id,
    mainTable: vpc.mainRouteTableId,
    subnet,
    table,
    host,
    async stop() {
      ec2.destroy();
      await emu.stop();
    },
  };
}

/** Destination → target ID of the ENI routes in a table. */
export function eniRoutes(f: AzFixture, tableId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of f.emu.model.routesOf(tableId)) if (r.networkInterfaceId) out[r.destination] = r.networkInterfaceId;
  return out;
}
