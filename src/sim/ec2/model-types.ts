// The emulator's resources. Entities are mutable inside the model; callers outside src/sim/ec2 should treat
// what the model hands out as read-only views and change state only through the model's methods.
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';

export type Tags = Map<string, string>;

export interface CidrAssociation {
  readonly associationId: string;
  readonly cidr: Prefix;
  readonly text: string;
}

export interface Vpc {
  readonly id: string;
  readonly seq: number;
  readonly cidrs: CidrAssociation[]; // IPv4, the first is the primary CIDR
  readonly ipv6Cidrs: CidrAssociation[];
  /** Follows ReplaceRouteTableAssociation of the main association. */
  mainRouteTableId: string;
  readonly tags: Tags;
}

export interface Subnet {
  readonly id: string;
  readonly seq: number;
  readonly vpcId: string;
  readonly cidr: Prefix;
  readonly text: string;
  ipv6: CidrAssociation | undefined;
  readonly az: string;
  readonly tags: Tags;
  /** Addresses in use (ENIs), for allocation and AvailableIpAddressCount. */
  readonly used: Set<bigint>;
  nextHost: bigint;
  /** IPv6 addresses in use (ENIs) inside `ipv6`, and the next one to try when allocating. */
  readonly usedIpv6: Set<bigint>;
  nextIpv6Host: bigint;
}

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export const INSTANCE_STATE_CODE: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  readonly id: string;
  readonly seq: number;
  readonly reservationId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly az: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly launchTime: Date;
  state: InstanceStateName;
  /** The primary ENI (device index 0); kept after termination so routes can still name it. */
  readonly primaryEniId: string;
  /** Attached ENIs by device index. */
  readonly enis: Map<number, string>;
  readonly tags: Tags;
}

export interface EniAttachment {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly deleteOnTermination: boolean;
  readonly attachTime: Date;
}

export interface PrivateIp {
  readonly address: string;
  readonly value: bigint;
  readonly primary: boolean;
}

export interface Ipv6Address {
  /** Canonical (RFC 5952) text. */
  readonly address: string;
  readonly value: bigint;
}

export interface Eni {
  readonly id: string;
  readonly seq: number;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly az: string;
  readonly description: string;
  readonly macAddress: string;
  readonly privateIps: PrivateIp[];
  readonly ipv6: Ipv6Address[];
  sourceDestCheck: boolean;
  attachment: EniAttachment | undefined;
  readonly tags: Tags;
}

export type GatewayKind =
  | 'internet-gateway'
  | 'nat-gateway'
  | 'vpc-peering-connection'
  | 'transit-gateway'
  | 'egress-only-internet-gateway'
  | 'vpn-gateway'
  | 'vpc-endpoint';

export interface Gateway {
  readonly id: string;
  readonly seq: number;
  readonly kind: GatewayKind;
  vpcId: string | undefined;
  readonly subnetId: string | undefined;
  readonly createTime: Date;
  readonly tags: Tags;
}

/** What a route points at. `local` is the VPC's own route; the rest name a resource by ID. */
export type TargetKind =
  | 'local'
  | 'gateway' // internet gateway, VPN gateway, VPC endpoint (GatewayId)
  | 'instance'
  | 'network-interface'
  | 'nat-gateway'
  | 'vpc-peering-connection'
  | 'transit-gateway'
  | 'egress-only-internet-gateway';

export interface ModelRouteTarget {
  readonly kind: TargetKind;
  /** The resource ID ('local' for the local route). */
  readonly id: string;
}

export interface Route {
  readonly dest: Prefix;
  readonly destText: string;
  target: ModelRouteTarget;
  origin: 'CreateRouteTable' | 'CreateRoute';
  /** For instance/ENI targets, the ENI and instance as they were when the route was written. */
  eniId: string | undefined;
  instanceId: string | undefined;
}

export interface RouteTableAssociation {
  readonly id: string;
  readonly routeTableId: string;
  /** undefined for the main association. */
  readonly subnetId: string | undefined;
  readonly main: boolean;
}

export interface RouteTable {
  readonly id: string;
  readonly seq: number;
  readonly vpcId: string;
  /** By canonical destination text. */
  readonly routes: Map<string, Route>;
  readonly counts: Record<Family, number>; // non-local routes per family, for the limit
  readonly associations: Map<string, RouteTableAssociation>;
  readonly tags: Tags;
}

/** A route as Describe shows it (and as tests read it). */
export interface DescribedRoute {
  readonly destination: string;
  readonly family: Family;
  readonly targetKind: TargetKind;
  readonly gatewayId?: string;
  readonly instanceId?: string;
  readonly instanceOwnerId?: string;
  readonly networkInterfaceId?: string;
  readonly natGatewayId?: string;
  readonly vpcPeeringConnectionId?: string;
  readonly transitGatewayId?: string;
  readonly egressOnlyInternetGatewayId?: string;
  readonly origin: 'CreateRouteTable' | 'CreateRoute';
  readonly state: 'active' | 'blackhole';
}
