// Pure conversion from the SDK's RouteTable/Route shapes to our TableSnapshot/ActualRoute, and back to the
// parameters of CreateRoute/ReplaceRoute/DeleteRoute.
import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { formatPrefix, tryParsePrefix, type Prefix } from '../net/prefix.js';
import type { ActualRoute, RouteOrigin, RouteTarget, TableSnapshot } from './types.js';

function gatewayKind(id: string): RouteTarget {
  if (id === 'local') return { kind: 'local' };
  if (id.startsWith('igw-')) return { kind: 'internet-gateway', id };
  if (id.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id };
  if (id.startsWith('vpce-')) return { kind: 'vpc-endpoint', id };
  if (id.startsWith('eigw-')) return { kind: 'egress-only-internet-gateway', id };
  return { kind: 'other', id };
}

export function routeTarget(r: Route): RouteTarget {
  if (r.NetworkInterfaceId) {
    return r.InstanceId
      ? { kind: 'eni', networkInterfaceId: r.NetworkInterfaceId, instanceId: r.InstanceId }
      : { kind: 'eni', networkInterfaceId: r.NetworkInterfaceId };
  }
  if (r.InstanceId) return { kind: 'instance', instanceId: r.InstanceId };
  if (r.GatewayId) return gatewayKind(r.GatewayId);
  if (r.NatGatewayId) return { kind: 'nat-gateway', id: r.NatGatewayId };
  if (r.TransitGatewayId) return { kind: 'transit-gateway', id: r.TransitGatewayId };
  if (r.VpcPeeringConnectionId) return { kind: 'peering', id: r.VpcPeeringConnectionId };
  if (r.EgressOnlyInternetGatewayId) return { kind: 'egress-only-internet-gateway', id: r.EgressOnlyInternetGatewayId };
  if (r.LocalGatewayId) return { kind: 'local-gateway', id: r.LocalGatewayId };
  if (r.CarrierGatewayId) return { kind: 'carrier-gateway', id: r.CarrierGatewayId };
  if (r.CoreNetworkArn) return { kind: 'core-network', id: r.CoreNetworkArn };
  return { kind: 'other', id: 'unknown' };
}

function origin(o: string | undefined): RouteOrigin {
  return o === 'CreateRouteTable' || o === 'CreateRoute' || o === 'EnableVgwRoutePropagation' ? o : 'unknown';
}

export function toActualRoute(r: Route): ActualRoute {
  const text = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
  const destination =
    r.DestinationPrefixListId && !r.DestinationCidrBlock && !r.DestinationIpv6CidrBlock
      ? undefined
      : tryParsePrefix(text, { requireCanonical: false });
  return {
    destination,
    destinationText: text,
    target: routeTarget(r),
    state: r.State === 'blackhole' ? 'blackhole' : 'active',
    origin: origin(r.Origin),
  };
}

export function toTableSnapshot(t: RouteTable): TableSnapshot {
  const tags: Record<string, string> = {};
  for (const tag of t.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  const live = (t.Associations ?? []).filter((a) => a.AssociationState?.State === undefined || a.AssociationState.State === 'associated');
  return {
    id: t.RouteTableId ?? '',
    vpcId: t.VpcId ?? '',
    tags,
    routes: (t.Routes ?? []).map(toActualRoute),
    subnetIds: live.flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])).sort(),
    main: live.some((a) => a.Main === true),
  };
}

/** `DestinationCidrBlock` or `DestinationIpv6CidrBlock`, as the family requires. */
export function destinationParams(p: Prefix): { DestinationCidrBlock: string } | { DestinationIpv6CidrBlock: string } {
  return p.family === 'ipv4' ? { DestinationCidrBlock: formatPrefix(p) } : { DestinationIpv6CidrBlock: formatPrefix(p) };
}
