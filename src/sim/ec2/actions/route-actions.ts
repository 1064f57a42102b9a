// Route tables and routes.
import { Ec2ApiError } from '../ec2-error.js';
import { compileFilters, paginate, tagFilterValues } from '../filters.js';
import type { Ec2Model } from '../model.js';
import type { RouteTable } from '../model-types.js';
import type { QueryParams } from '../query.js';
import { renderRouteTable } from '../render.js';
import * as routes from '../route-ops.js';
import { describedRoutes } from '../described-route.js';
import type { XmlObject } from '../xml.js';
import { returnTrue, type ActionContext, type ActionDef } from './action.js';

const RTB_FILTERS = new Set([
  'vpc-id',
  'route-table-id',
  'association.subnet-id',
  'association.main',
  'association.route-table-association-id',
  'association.route-table-id',
  'route.destination-cidr-block',
  'route.destination-ipv6-cidr-block',
  'route.gateway-id',
  'route.instance-id',
  'route.nat-gateway-id',
  'route.transit-gateway-id',
  'route.vpc-peering-connection-id',
  'route.origin',
  'route.state',
  'owner-id',
]);

function tableValues(m: Ec2Model): (t: RouteTable, name: string) => readonly string[] | undefined {
  const views = (t: RouteTable) => describedRoutes(m, t);
  const assocs = (t: RouteTable) => [...t.associations.values()];
  return (t, name) => {
    switch (name) {
      case 'vpc-id':
        return [t.vpcId];
      case 'route-table-id':
      case 'association.route-table-id':
        return [t.id];
      case 'association.subnet-id':
        return assocs(t).flatMap((a) => (a.subnetId === undefined ? [] : [a.subnetId]));
      case 'association.main':
        return [String(routes.isMainTable(t))];
      case 'association.route-table-association-id':
        return assocs(t).map((a) => a.id);
      case 'route.destination-cidr-block':
        return views(t).flatMap((r) => (r.family === 'ipv4' ? [r.destination] : []));
      case 'route.destination-ipv6-cidr-block':
        return views(t).flatMap((r) => (r.family === 'ipv6' ? [r.destination] : []));
      case 'route.gateway-id':
        return views(t).flatMap((r) => r.gatewayId ?? []);
      case 'route.instance-id':
        return views(t).flatMap((r) => r.instanceId ?? []);
      case 'route.nat-gateway-id':
        return views(t).flatMap((r) => r.natGatewayId ?? []);
      case 'route.transit-gateway-id':
        return views(t).flatMap((r) => r.transitGatewayId ?? []);
      case 'route.vpc-peering-connection-id':
        return views(t).flatMap((r) => r.vpcPeeringConnectionId ?? []);
      case 'route.origin':
        return views(t).map((r) => r.origin);
      case 'route.state':
        return views(t).map((r) => r.state);
      case 'owner-id':
        return [m.ownerId];
      default:
        return tagFilterValues(t.tags, name);
    }
  };
}

function describeRouteTables({ model, q }: ActionContext): XmlObject {
  const ids = q.list('RouteTableId');
  const base = ids.length ? ids.map((id) => model.routeTable(id)) : [...model.routeTables.values()];
  const page = paginate(base.filter(compileFilters(q.filters(), RTB_FILTERS, tableValues(model))), q, { min: 5, max: 100 });
  return { routeTableSet: page.items.map((t) => renderRouteTable(model, t)), nextToken: page.nextToken };
}

function createRouteTable({ model, q }: ActionContext): XmlObject {
  const table = model.createRouteTable(q.required('VpcId'), q.tagSpecifications('route-table'));
  return { routeTable: renderRouteTable(model, table), clientToken: q.str('ClientToken') };
}

function associateRouteTable({ model, q }: ActionContext): XmlObject {
  const subnetId = q.str('SubnetId');
  if (subnetId === undefined) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter SubnetId (gateway associations are not emulated)');
  }
  const associationId = model.associateRouteTable(q.required('RouteTableId'), subnetId);
  return { associationId, associationState: { state: 'associated' } };
}

/** The destination parameter: exactly one of DestinationCidrBlock / DestinationIpv6CidrBlock. */
function destination(q: QueryParams): ReturnType<typeof routes.parseDestination> {
  const v4 = q.str('DestinationCidrBlock');
  const v6 = q.str('DestinationIpv6CidrBlock');
  const pl = q.str('DestinationPrefixListId');
  const given = [v4, v6, pl].filter((v) => v !== undefined).length;
  if (given === 0) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock');
  }
  if (given > 1) {
    throw new Ec2ApiError(
      'InvalidParameterCombination',
      'Only one of destinationCidrBlock, destinationIpv6CidrBlock and destinationPrefixListId may be given',
    );
  }
  if (pl !== undefined) throw new Ec2ApiError('InvalidParameterValue', 'Prefix list destinations are not supported by this emulator');
  return v4 !== undefined ? routes.parseDestination(v4, 'ipv4') : routes.parseDestination(v6 as string, 'ipv6');
}

function target(q: QueryParams): routes.TargetInput {
  return {
    gatewayId: q.str('GatewayId'),
    instanceId: q.str('InstanceId'),
    networkInterfaceId: q.str('NetworkInterfaceId'),
    natGatewayId: q.str('NatGatewayId'),
    vpcPeeringConnectionId: q.str('VpcPeeringConnectionId'),
    transitGatewayId: q.str('TransitGatewayId'),
    egressOnlyInternetGatewayId: q.str('EgressOnlyInternetGatewayId'),
    localGatewayId: q.str('LocalGatewayId'),
    carrierGatewayId: q.str('CarrierGatewayId'),
    vpcEndpointId: q.str('VpcEndpointId'),
    coreNetworkArn: q.str('CoreNetworkArn'),
  };
}

function createRoute({ model, q }: ActionContext): XmlObject {
  const rtb = q.required('RouteTableId');
  model.routeTable(rtb);
  routes.createRoute(model, rtb, destination(q), target(q));
  return returnTrue;
}

function replaceRoute({ model, q }: ActionContext): XmlObject {
  const rtb = q.required('RouteTableId');
  model.routeTable(rtb);
  routes.replaceRoute(model, rtb, destination(q), target(q));
  return returnTrue;
}

function deleteRoute({ model, q }: ActionContext): XmlObject {
  const rtb = q.required('RouteTableId');
  model.routeTable(rtb);
  routes.deleteRoute(model, rtb, destination(q));
  return {};
}

export const routeActions: Readonly<Record<string, ActionDef>> = {
  CreateRouteTable: { kind: 'mutating', handler: createRouteTable },
  DescribeRouteTables: { kind: 'describe', handler: describeRouteTables },
  AssociateRouteTable: { kind: 'mutating', handler: associateRouteTable },
  DisassociateRouteTable: {
    kind: 'mutating',
    handler: ({ model, q }) => (routes.disassociateRouteTable(model, q.required('AssociationId')), {}),
  },
  ReplaceRouteTableAssociation: {
    kind: 'mutating',
    handler: ({ model, q }) => ({
      newAssociationId: routes.replaceRouteTableAssociation(model, q.required('AssociationId'), q.required('RouteTableId')),
      associationState: { state: 'associated' },
    }),
  },
  DeleteRouteTable: { kind: 'mutating', handler: ({ model, q }) => (routes.deleteRouteTable(model, q.required('RouteTableId')), {}) },
  CreateRoute: { kind: 'mutating', handler: createRoute },
  ReplaceRoute: { kind: 'mutating', handler: replaceRoute },
  DeleteRoute: { kind: 'mutating', handler: deleteRoute },
};
