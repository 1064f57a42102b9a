// VPC sync's own value types: the actual state of a route table as read from EC2 (decoupled from the SDK's
// shapes, see ec2-routes.ts) and the desired routes the planner works on. All readonly data, no behaviour.
import type { Prefix } from '../net/prefix.js';

/** What a route points at. Only `eni` and `instance` targets can ever be ours (ownership.ts). */
export type RouteTarget =
  | { readonly kind: 'eni'; readonly networkInterfaceId: string; readonly instanceId?: string }
  | { readonly kind: 'instance'; readonly instanceId: string }
  | { readonly kind: 'local' }
  | {
      readonly kind:
        | 'internet-gateway'
        | 'egress-only-internet-gateway'
        | 'nat-gateway'
        | 'transit-gateway'
        | 'peering'
        | 'vpc-endpoint'
        | 'virtual-private-gateway'
        | 'local-gateway'
        | 'carrier-gateway'
        | 'core-network'
        | 'other';
      readonly id: string;
    };

export type RouteState = 'active' | 'blackhole';

/** How the route came to be: propagated routes (`EnableVgwRoutePropagation`) are never ours. */
export type RouteOrigin = 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation' | 'unknown';

export interface ActualRoute {
  /** Undefined for prefix-list destinations (`pl-…`), which are never ours. */
  readonly destination: Prefix | undefined;
  /** The destination as EC2 reports it (CIDR text or prefix-list ID), for messages. */
  readonly destinationText: string;
  readonly target: RouteTarget;
  readonly state: RouteState;
  readonly origin: RouteOrigin;
}

/** One route table as read from EC2. */
export interface TableSnapshot {
  readonly id: string;
  readonly vpcId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly routes: readonly ActualRoute[];
  /** Subnets explicitly associated with the table (gateway associations left out). */
  readonly subnetIds: readonly string[];
  /** The VPC's main table (it also serves every subnet without an explicit association). */
  readonly main: boolean;
}

/** A desired route after next-hop resolution and aggregation: what the planner compares with the table. */
export interface DesiredTableRoute {
  readonly prefix: Prefix;
  readonly networkInterfaceId: string;
  /** True when this route carries a failover (the previous target is dead): applied before cosmetic changes. */
  readonly failover: boolean;
}

/** What the daemon hands to VpcSync.setDesired: one chosen next hop per prefix. */
export interface DesiredRoute {
  readonly prefix: Prefix;
  /** Next-hop IP as text (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly nextHop: string;
  readonly failover?: boolean;
}

/**
 * One prefix whose desired next hop changed: `to` undefined removes it. The route spec's ChosenChange
 * (rib/chosen.ts) satisfies it as is, so the daemon hands change batches through without copying.
 */
export interface DesiredChange {
  readonly prefix: Prefix;
  /** With `az`: the choice for tables in that AZ only, undefined to follow the default again (az-desired.ts). */
  readonly to: string | undefined;
  readonly az?: string;
  /** The new choice replaces one that became ineligible (written before cosmetic changes). */
  readonly failover: boolean;
}

/** A short human/JSON-friendly form of a target: the ENI/instance/gateway ID, or `local`. */
export function targetId(t: RouteTarget): string {
  switch (t.kind) {
    case 'eni':
      return t.networkInterfaceId;
    case 'instance':
      return t.instanceId;
    case 'local':
      return 'local';
    default:
      return t.id;
  }
}
