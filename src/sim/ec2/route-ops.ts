// Route tables and routes with EC2's rules: one target, canonical destinations, RouteAlreadyExists,
// ReplaceRoute/DeleteRoute on missing routes, the VPC-CIDR and reserved-range checks, the local route, the
// per-table limit counted per family, and blackhole state computed from the target's current existence.
import { formatPrefix, parsePrefix, prefixContains, tryParsePrefix, type Prefix } from '../../net/prefix.js';
import { type Family } from '../../net/address.js';
import { Ec2ApiError, invalidValue } from './ec2-error.js';
import { toTags, type ModelState, type TagInput } from './model-state.js';
import type { GatewayKind, RouteTable, ModelRouteTarget, TargetKind } from './model-types.js';

/** Exactly one of these names the target (the CreateRoute/ReplaceRoute parameters). */
export interface TargetInput {
  readonly gatewayId?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly networkInterfaceId?: string | undefined;
  readonly natGatewayId?: string | undefined;
  readonly vpcPeeringConnectionId?: string | undefined;
  readonly transitGatewayId?: string | undefined;
  readonly egressOnlyInternetGatewayId?: string | undefined;
  readonly localGatewayId?: string | undefined;
  readonly carrierGatewayId?: string | undefined;
  readonly vpcEndpointId?: string | undefined;
  readonly coreNetworkArn?: string | undefined;
}

const TARGET_PARAMS: ReadonlyArray<readonly [keyof TargetInput, string]> = [
  ['gatewayId', 'gatewayId'],
  ['instanceId', 'instanceId'],
  ['networkInterfaceId', 'networkInterfaceId'],
  ['natGatewayId', 'natGatewayId'],
  ['vpcPeeringConnectionId', 'vpcPeeringConnectionId'],
  ['transitGatewayId', 'transitGatewayId'],
  ['egressOnlyInternetGatewayId', 'egressOnlyInternetGatewayId'],
  ['localGatewayId', 'localGatewayId'],
  ['carrierGatewayId', 'carrierGatewayId'],
  ['vpcEndpointId', 'vpcEndpointId'],
  ['coreNetworkArn', 'coreNetworkArn'],
];

// Link-local services (Route 53 resolver, metadata, NTP) and the IPv6 equivalent: never routable.
const RESERVED: readonly Prefix[] = [parsePrefix('169.254.168.0/22'), parsePrefix('fd00:ec2::/32')];

export function createRouteTable(m: ModelState, input: { vpcId: string; tags?: TagInput; id?: string; main?: boolean }): RouteTable {
  const vpc = m.vpc(input.vpcId);
  // the main table's ID is allocated (or claimed) by createVpc
  const id = input.main && input.id !== undefined ? input.id : m.newId('rtb', input.id);
  const table: RouteTable = {
    id,
    seq: m.nextSeq(),
    vpcId: vpc.id,
    routes: new Map(),
    counts: { ipv4: 0, ipv6: 0 },
    associations: new Map(),
    tags: toTags(input.tags),
  };
  for (const c of [...vpc.cidrs, ...vpc.ipv6Cidrs]) addLocalRoute(table, c.cidr);
  if (input.main) {
    const assocId = m.ids.next('rtbassoc');
    table.associations.set(assocId, { id: assocId, routeTableId: id, subnetId: undefined, main: true });
    m.associationIndex.set(assocId, id);
  }
  m.routeTables.set(id, table);
  m.vpcTables.get(vpc.id)?.add(id);
  return table;
}

export function addLocalRoute(table: RouteTable, cidr: Prefix): void {
  const destText = formatPrefix(cidr);
  table.routes.set(destText, {
    dest: cidr,
    destText,
    target: { kind: 'local', id: 'local' },
    origin: 'CreateRouteTable',
    eniId: undefined,
    instanceId: undefined,
  });
}

export function isMainTable(table: RouteTable): boolean {
  for (const a of table.associations.values()) if (a.main) return true;
  return false;
}

export function associateRouteTable(m: ModelState, routeTableId: string, subnetId: string): string {
  const table = m.routeTable(routeTableId);
  const subnet = m.subnet(subnetId);
  if (subnet.vpcId !== table.vpcId) {
    throw invalidValue(`Route table ${routeTableId} and subnet ${subnetId} belong to different networks`);
  }
  if (m.subnetAssociation.has(subnetId)) {
    throw new Ec2ApiError(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${routeTableId} conflicts with an existing association`,
    );
  }
  const id = m.ids.next('rtbassoc');
  table.associations.set(id, { id, routeTableId, subnetId, main: false });
  m.associationIndex.set(id, routeTableId);
  m.subnetAssociation.set(subnetId, id);
  return id;
}

export function disassociateRouteTable(m: ModelState, associationId: string): void {
  const table = tableOfAssociation(m, associationId);
  const assoc = table.associations.get(associationId);
  if (assoc?.main) throw invalidValue(`cannot disassociate the main route table association ${associationId}`);
  table.associations.delete(associationId);
  m.associationIndex.delete(associationId);
  if (assoc?.subnetId !== undefined) m.subnetAssociation.delete(assoc.subnetId);
}

/** Moves an association (explicit or main) to another table of the same VPC; returns the new association ID. */
export function replaceRouteTableAssociation(m: ModelState, associationId: string, routeTableId: string): string {
  const from = tableOfAssociation(m, associationId);
  const to = m.routeTable(routeTableId);
  const assoc = from.associations.get(associationId);
  if (!assoc) throw new Ec2ApiError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  if (from.vpcId !== to.vpcId) throw invalidValue(`Route table ${routeTableId} belongs to a different network`);
  from.associations.delete(associationId);
  m.associationIndex.delete(associationId);
  const id = m.ids.next('rtbassoc');
  to.associations.set(id, { id, routeTableId, subnetId: assoc.subnetId, main: assoc.main });
  m.associationIndex.set(id, routeTableId);
  if (assoc.subnetId !== undefined) m.subnetAssociation.set(assoc.subnetId, id);
  if (assoc.main) m.vpc(to.vpcId).mainRouteTableId = to.id;
  return id;
}

export function deleteRouteTable(m: ModelState, routeTableId: string): void {
  const table = m.routeTable(routeTableId);
  if (table.associations.size > 0) {
    throw new Ec2ApiError('DependencyViolation', `The routeTable '${routeTableId}' has dependencies and cannot be deleted.`);
  }
  m.routeTables.delete(routeTableId);
  m.vpcTables.get(table.vpcId)?.delete(routeTableId);
}

function tableOfAssociation(m: ModelState, associationId: string): RouteTable {
  const rtb = m.associationIndex.get(associationId);
  if (rtb === undefined) throw new Ec2ApiError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  return m.routeTable(rtb);
}

/** Parses a destination (host bits are cleared: EC2 canonicalises 10.1.2.3/16 to 10.1.0.0/16). */
export function parseDestination(text: string, expect?: Family): Prefix {
  const p = text.includes('/') ? tryParsePrefix(text, { requireCanonical: false }) : undefined;
  const param = expect === 'ipv6' ? 'destinationIpv6CidrBlock' : 'destinationCidrBlock';
  if (!p || (expect !== undefined && p.family !== expect)) {
    throw invalidValue(`Value (${text}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  }
  return p;
}

export function createRoute(m: ModelState, routeTableId: string, destination: string | Prefix, input: TargetInput): void {
  const table = m.routeTable(routeTableId);
  const dest = typeof destination === 'string' ? parseDestination(destination) : destination;
  const destText = formatPrefix(dest);
  const resolved = resolveTarget(m, table, input, dest.family);
  checkDestination(m, table, dest, destText, resolved.target.kind);
  if (table.routes.has(destText)) {
    throw new Ec2ApiError('RouteAlreadyExists', `The route identified by ${destText} already exists.`);
  }
  if (table.counts[dest.family] >= m.routeLimit) {
    throw new Ec2ApiError('RouteLimitExceeded', 'The maximum number of routes has been reached.');
  }
  table.routes.set(destText, { dest, destText, origin: 'CreateRoute', ...resolved });
  table.counts[dest.family]++;
}

export function replaceRoute(m: ModelState, routeTableId: string, destination: string | Prefix, input: TargetInput): void {
  const table = m.routeTable(routeTableId);
  const dest = typeof destination === 'string' ? parseDestination(destination) : destination;
  const destText = formatPrefix(dest);
  const route = table.routes.get(destText);
  if (!route) {
    throw invalidValue(`There is no route defined for '${destText}' in the route table. Use CreateRoute instead.`);
  }
  if (route.target.kind === 'local') {
    throw invalidValue(`cannot replace local route ${destText} in route table ${routeTableId}`);
  }
  const resolved = resolveTarget(m, table, input, dest.family);
  route.target = resolved.target;
  route.eniId = resolved.eniId;
  route.instanceId = resolved.instanceId;
  route.origin = 'CreateRoute';
}

export function deleteRoute(m: ModelState, routeTableId: string, destination: string | Prefix): void {
  const table = m.routeTable(routeTableId);
  const dest = typeof destination === 'string' ? parseDestination(destination) : destination;
  const destText = formatPrefix(dest);
  const param = dest.family === 'ipv4' ? 'destination-cidr-block' : 'destination-ipv6-cidr-block';
  const route = table.routes.get(destText);
  if (!route) {
    throw new Ec2ApiError('InvalidRoute.NotFound', `no route with ${param} ${destText} in route table ${routeTableId}`);
  }
  if (route.target.kind === 'local') {
    throw invalidValue(`cannot remove local route ${destText} in route table ${routeTableId}`);
  }
  table.routes.delete(destText);
  table.counts[dest.family]--;
}

export function setRouteUnchecked(m: ModelState, routeTableId: string, destination: string, input: TargetInput): void {
  const table = m.routeTable(routeTableId);
  const dest = parseDestination(destination);
  const destText = formatPrefix(dest);
  const target = targetOf(input);
  const eni = target.kind === 'network-interface' ? m.enis.get(target.id) : undefined;
  const inst = target.kind === 'instance' ? m.instances.get(target.id) : undefined;
  const existing = table.routes.get(destText);
  if (!existing) table.counts[dest.family]++;
  else if (existing.target.kind === 'local') table.counts[dest.family]++;
  table.routes.set(destText, {
    dest,
    destText,
    target,
    origin: 'CreateRoute',
    eniId: target.kind === 'network-interface' ? target.id : inst?.primaryEniId,
    instanceId: target.kind === 'instance' ? target.id : eni?.attachment?.instanceId,
  });
}

export function deleteRouteUnchecked(m: ModelState, routeTableId: string, destination: string): boolean {
  const table = m.routeTable(routeTableId);
  const dest = parseDestination(destination);
  const route = table.routes.get(formatPrefix(dest));
  if (!route || route.target.kind === 'local') return false;
  table.routes.delete(route.destText);
  table.counts[dest.family]--;
  return true;
}

function targetOf(input: TargetInput): ModelRouteTarget {
  const given = TARGET_PARAMS.filter(([k]) => input[k] !== undefined && input[k] !== '');
  if (given.length === 0) {
    throw new Ec2ApiError('MissingParameter', `The request must contain exactly one of ${TARGET_PARAMS.map(([, n]) => n).join(', ')}`);
  }
  if (given.length > 1) {
    const [a, b] = given as [(typeof given)[number], (typeof given)[number]];
    throw new Ec2ApiError('InvalidParameterCombination', `The parameter ${a[1]} cannot be used with the parameter ${b[1]}`);
  }
  const [key] = given[0] as (typeof given)[number];
  const id = input[key] as string;
  const kinds: Partial<Record<keyof TargetInput, TargetKind>> = {
    gatewayId: 'gateway',
    instanceId: 'instance',
    networkInterfaceId: 'network-interface',
    natGatewayId: 'nat-gateway',
    vpcPeeringConnectionId: 'vpc-peering-connection',
    transitGatewayId: 'transit-gateway',
    egressOnlyInternetGatewayId: 'egress-only-internet-gateway',
  };
  const kind = kinds[key];
  if (!kind) throw invalidValue(`The target ${key} '${id}' is not supported by this emulator`);
  return { kind, id };
}

interface ResolvedTarget {
  readonly target: ModelRouteTarget;
  readonly eniId: string | undefined;
  readonly instanceId: string | undefined;
}

function resolveTarget(m: ModelState, table: RouteTable, input: TargetInput, family: Family): ResolvedTarget {
  const target = targetOf(input);
  const differentNetworks = (what: string): Ec2ApiError =>
    invalidValue(`route table ${table.id} and network ${what} ${target.id} belong to different networks`);
  switch (target.kind) {
    case 'local':
      throw invalidValue('the local target cannot be used here');
    case 'instance': {
      const inst = m.instance(target.id);
      if (inst.state === 'terminated') {
        throw new Ec2ApiError('IncorrectInstanceState', `The instance '${target.id}' is not in a valid state for this operation.`);
      }
      if (inst.vpcId !== table.vpcId) throw differentNetworks('instance');
      if (inst.enis.size > 1) {
        throw new Ec2ApiError(
          'InvalidInstanceID',
          `There are multiple interfaces attached to instance '${target.id}'. Please specify an interface ID for the operation instead.`,
        );
      }
      return { target, eniId: inst.enis.get(0) ?? inst.primaryEniId, instanceId: inst.id };
    }
    case 'network-interface': {
      const eni = m.eni(target.id);
      if (eni.vpcId !== table.vpcId) throw differentNetworks('interface');
      return { target, eniId: eni.id, instanceId: eni.attachment?.instanceId };
    }
    case 'gateway': {
      const kind: GatewayKind | undefined = target.id.startsWith('igw-')
        ? 'internet-gateway'
        : target.id.startsWith('vgw-')
          ? 'vpn-gateway'
          : target.id.startsWith('vpce-')
            ? 'vpc-endpoint'
            : undefined;
      const gw = kind === undefined ? undefined : m.gateways.get(target.id);
      if (!gw || gw.kind !== kind) throw new Ec2ApiError('InvalidGatewayID.NotFound', `The gateway ID '${target.id}' does not exist`);
      if (gw.vpcId !== table.vpcId) throw differentNetworks('gateway');
      return { target, eniId: undefined, instanceId: undefined };
    }
    case 'nat-gateway': {
      const gw = m.gateway(target.id, 'nat-gateway');
      if (gw.vpcId !== table.vpcId) throw differentNetworks('gateway');
      return { target, eniId: undefined, instanceId: undefined };
    }
    case 'egress-only-internet-gateway':
      if (family !== 'ipv6') throw invalidValue('An egress-only internet gateway can only be the target of IPv6 routes');
      m.gateway(target.id, 'egress-only-internet-gateway');
      return { target, eniId: undefined, instanceId: undefined };
    case 'vpc-peering-connection':
      m.gateway(target.id, 'vpc-peering-connection');
      return { target, eniId: undefined, instanceId: undefined };
    case 'transit-gateway':
      m.gateway(target.id, 'transit-gateway');
      return { target, eniId: undefined, instanceId: undefined };
  }
}

function checkDestination(m: ModelState, table: RouteTable, dest: Prefix, destText: string, kind: TargetKind): void {
  for (const r of RESERVED) {
    if (prefixContains(r, dest)) {
      throw invalidValue(`The destination CIDR block ${destText} is within a reserved range (${formatPrefix(r)}) and cannot be used.`);
    }
  }
  const vpc = m.vpc(table.vpcId);
  const cidrs = dest.family === 'ipv4' ? vpc.cidrs : vpc.ipv6Cidrs;
  for (const c of cidrs) {
    if (!prefixContains(c.cidr, dest)) continue;
    // More specific routes inside the VPC are allowed only for a whole subnet CIDR, to an appliance.
    let isSubnet = false;
    for (const s of m.subnets.values()) {
      if (s.vpcId !== vpc.id) continue;
      const sc = dest.family === 'ipv4' ? s.text : s.ipv6?.text;
      if (sc === destText) isSubnet = true;
    }
    if (!isSubnet || (kind !== 'network-interface' && kind !== 'instance' && kind !== 'gateway')) {
      throw invalidValue(
        `The destination CIDR block ${destText} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`,
      );
    }
  }
}
