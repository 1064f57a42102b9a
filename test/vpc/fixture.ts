// A small VPC on the EC2 emulator for VPC sync tests: VPC 10.0.0.0/16 with one subnet, `hosts` instances
// (source/dest check off) at 10.0.1.10, .11, …, a route table with the local route, an IGW default route and
// foreign routes inside the cluster range (NAT, peering), to prove they are never touched. Cluster: 10.200.0.0/16.
// With `ipv6`, the VPC also has 2001:db8:0:100::/56, the subnet 2001:db8:0:101::/64 and host i the IPv6 address
// 2001:db8:0:101::(10 + i) (hexadecimal digits read as written: ::10, ::11, …).
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { parsePrefix, makePrefix, type Prefix } from '../../src/net/prefix.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';
import type { EC2Client } from '@aws-sdk/client-ec2';

export const CLUSTER: Prefix[] = [parsePrefix('10.200.0.0/16')];

export interface VpcFixture {
  readonly emu: Emulator;
  readonly ec2: EC2Client;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly tableId: string;
  /** Host i: instance ID, primary ENI ID, private IP (and IPv6 address with `ipv6`). */
  readonly hosts: readonly { readonly instanceId: string; readonly eniId: string; readonly ip: string; readonly ip6?: string }[];
  /** The foreign routes as [destination, target ID]. */
  readonly foreign: readonly (readonly [string, string])[];
  stop(): Promise<void>;
}

export const VPC_IPV6 = '2001:db8:0:100::/56';
export const SUBNET_IPV6 = '2001:db8:0:101::/64';

export async function vpcFixture(
  opts: { hosts?: number; routeLimit?: number; tableTags?: Record<string, string>; ipv6?: boolean } = {},
): Promise<VpcFixture> {
  const emu = await startEmulator({ port: 0, ...(opts.routeLimit !== undefined ? { routeLimit: opts.routeLimit } : {}) });
  const m = emu.model;
  const vpc = m.createVpc({ cidr: '10.0.0.0/16', ...(opts.ipv6 ? { ipv6Cidr: VPC_IPV6 } : {}) });
  const subnet = m.createSubnet({ vpcId: vpc.id, cidr: '10.0.1.0/24', ...(opts.ipv6 ? { ipv6Cidr: SUBNET_IPV6 } : {}) });
  const hosts = [];
  for (let i = 0; i < (opts.hosts ?? 3); i++) {
    const ip = `10.0.1.${10 + i}`;
    const ip6 = opts.ipv6 ? `2001:db8:0:101::${10 + i}` : undefined;
    const [inst] = m.runInstances({ subnetId: subnet.id, privateIp: ip, sourceDestCheck: false, ...(ip6 ? { ipv6Addresses: [ip6] } : {}) });
    if (!inst) throw new Error('runInstances returned nothing');
    hosts.push({ instanceId: inst.id, eniId: inst.primaryEniId, ip, ...(ip6 ? { ip6 } : {}) });
  }
  const igw = m.createGateway('internet-gateway', { vpcId: vpc.id });
  const nat = m.createGateway('nat-gateway', { subnetId: subnet.id });
  const pcx = m.createGateway('vpc-peering-connection', { vpcId: vpc.id });
  const rtb = m.createRouteTable(vpc.id, opts.tableTags);
  m.associateRouteTable(rtb.id, subnet.id);
  const foreign: [string, string][] = [
    ['0.0.0.0/0', igw.id],
    ['10.200.250.0/24', nat.id],
    ['10.200.251.0/24', pcx.id],
  ];
  m.createRoute(rtb.id, '0.0.0.0/0', { gatewayId: igw.id });
  m.createRoute(rtb.id, '10.200.250.0/24', { natGatewayId: nat.id });
  m.createRoute(rtb.id, '10.200.251.0/24', { vpcPeeringConnectionId: pcx.id });
  const ec2 = createEmulatorEc2Client(emu.endpoint);
  return {
    emu,
    ec2,
    vpcId: vpc.id,
    subnetId: subnet.id,
    tableId: rtb.id,
    hosts,
    foreign,
    async stop() {
      ec2.destroy();
      await emu.stop();
    },
  };
}

/** The /24 number i inside the cluster: 10.200.i.0/24. */
export const slash24 = (i: number): Prefix => makePrefix('ipv4', (10n << 24n) | (200n << 16n) | (BigInt(i) << 8n), 24);

/** The table as {destination → target ID (the ENI for ENI routes), state}. */
export function tableMap(f: VpcFixture, tableId = f.tableId): Map<string, { target: string; state: string }> {
  const out = new Map<string, { target: string; state: string }>();
  for (const r of f.emu.model.routesOf(tableId)) {
    const target =
      r.networkInterfaceId ?? r.gatewayId ?? r.natGatewayId ?? r.vpcPeeringConnectionId ?? r.instanceId ?? r.transitGatewayId ?? '';
    out.set(r.destination, { target, state: r.state });
  }
  return out;
}

/** Polls until cond() holds or the deadline passes (real-process tests: never a fixed sleep as the assertion). */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
