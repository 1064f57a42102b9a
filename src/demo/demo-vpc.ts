// The demo's VPC, as an EC2 emulator state document: two subnets in two AZs, six instances whose addresses are
// loopback addresses (so the simulated hosts can really peer and answer probes on this machine), one route table
// with an internet gateway route and a NAT route that bgp2vpc must never touch. Its route quota is kept small on
// purpose (50, EC2's default before June 2025; 500 now) so the demo shows aggregation; bgp2vpc reads it from the
// emulator's Service Quotas answer (routeLimit: auto).
import type { StateDoc } from '../sim/ec2/state-file.js';

export interface DemoHost {
  readonly name: string;
  readonly ip: string;
  readonly asn: number;
  readonly subnet: 'subnet-a' | 'subnet-b';
  /** The host's pod CIDR. */
  readonly podCidr: string;
}

export const DEMO_VPC_ID = 'vpc-0d3e0000000000001';
export const DEMO_TABLE_ID = 'rtb-0d3e0000000000001';
export const DEMO_CONTROLLER = '127.0.10.1';

export const DEMO_HOSTS: readonly DemoHost[] = [
  { name: 'node-a', ip: '127.0.10.11', asn: 64601, subnet: 'subnet-a', podCidr: '100.64.1.0/24' },
  { name: 'node-b', ip: '127.0.10.12', asn: 64602, subnet: 'subnet-a', podCidr: '100.64.2.0/24' },
  { name: 'node-c', ip: '127.0.10.13', asn: 64603, subnet: 'subnet-a', podCidr: '100.64.3.0/24' },
  { name: 'node-d', ip: '127.0.11.14', asn: 64604, subnet: 'subnet-b', podCidr: '100.64.4.0/24' },
  { name: 'node-e', ip: '127.0.11.15', asn: 64605, subnet: 'subnet-b', podCidr: '100.64.5.0/24' },
  { name: 'node-f', ip: '127.0.11.16', asn: 64606, subnet: 'subnet-b', podCidr: '100.64.6.0/24' },
];

/** Service VIPs, each announced by two hosts (the first listed wins while healthy: lowest IP). */
export const DEMO_VIPS: readonly { readonly vip: string; readonly service: string; readonly hosts: readonly string[] }[] = [
  { vip: '100.65.0.10/32', service: 'api', hosts: ['node-a', 'node-b'] },
  { vip: '100.65.0.20/32', service: 'dns', hosts: ['node-d', 'node-e'] },
  { vip: '100.65.0.30/32', service: 'ingress', hosts: ['node-c', 'node-f'] },
];

/** The demo table's quota: small on purpose, so the demo has to aggregate (see the header). */
export const DEMO_ROUTE_QUOTA = 50;

export function demoState(): StateDoc {
  return {
    routeLimit: DEMO_ROUTE_QUOTA,
    vpcs: [
      {
        name: 'demo-vpc',
        id: DEMO_VPC_ID,
        cidr: '127.0.0.0/16',
        tags: { Name: 'bgp2vpc-demo' },
        subnets: [
          { name: 'subnet-a', cidr: '127.0.10.0/24', az: 'us-east-1a', tags: { Name: 'nodes-a' } },
          { name: 'subnet-b', cidr: '127.0.11.0/24', az: 'us-east-1b', tags: { Name: 'nodes-b' } },
        ],
        internetGateways: [{ name: 'igw' }],
        natGateways: [{ name: 'nat', subnet: 'subnet-a' }],
        instances: DEMO_HOSTS.map((h) => ({
          name: h.name,
          subnet: h.subnet,
          privateIp: h.ip,
          sourceDestCheck: false,
          tags: { Name: h.name },
        })),
        routeTables: [
          {
            name: 'main',
            id: DEMO_TABLE_ID,
            subnets: ['subnet-a', 'subnet-b'],
            tags: { Name: 'demo-routes' },
            routes: [
              { destination: '0.0.0.0/0', target: { internetGateway: 'igw' } },
              { destination: '203.0.113.0/24', target: { natGateway: 'nat' } },
            ],
          },
        ],
      },
    ],
  };
}
