// The emulator's model: VPCs, subnets, instances, ENIs, gateways and route tables. Synchronous and free of I/O: the
// HTTP layer and the tests call the same methods. Errors are Ec2ApiError with EC2's codes. The state and its
// lookups are model-state.ts; compute (instances, ENIs) is compute-ops.ts, IPv6 ipv6-ops.ts, routes
// route-ops.ts; this class is the facade other code uses.
import { formatPrefix, longestMatch, prefixContains, prefixesOverlap, tryParsePrefix, type Prefix } from '../../net/prefix.js';
import { parseAddress } from '../../net/address.js';
import { Ec2ApiError, invalidIdFor } from './ec2-error.js';
import { ModelState, parseCidr, toTags, type TagInput } from './model-state.js';
import type { CidrAssociation, Eni, Gateway, GatewayKind, Instance, RouteTable, DescribedRoute, Subnet, Vpc } from './model-types.js';
import * as compute from './compute-ops.js';
import * as ipv6ops from './ipv6-ops.js';
import * as routes from './route-ops.js';
import { findDescribedRoute, describedRoutes } from './described-route.js';

export interface CreateVpcInput {
  readonly cidr: string;
  readonly ipv6Cidr?: string | true; // true: an Amazon-provided /56
  readonly tags?: TagInput;
  readonly id?: string;
  /** A fixed ID for the main route table (state files). */
  readonly mainRouteTableId?: string;
}

export interface CreateSubnetInput {
  readonly vpcId: string;
  readonly cidr: string;
  readonly ipv6Cidr?: string;
  readonly az?: string;
  readonly tags?: TagInput;
  readonly id?: string;
}

const GATEWAY_PREFIX: Readonly<Record<GatewayKind, string>> = {
  'internet-gateway': 'igw',
  'nat-gateway': 'nat',
  'vpc-peering-connection': 'pcx',
  'transit-gateway': 'tgw',
  'egress-only-internet-gateway': 'eigw',
  'vpn-gateway': 'vgw',
  'vpc-endpoint': 'vpce',
};

export class Ec2Model extends ModelState {
  // ---- tags ----------------------------------------------------------------------------------------------

  createTags(resourceIds: readonly string[], tags: TagInput): void {
    const maps = resourceIds.map((id) => {
      const t = this.resourceTags(id);
      if (!t) throw invalidIdFor(id);
      return t;
    });
    for (const m of maps) for (const [k, v] of Object.entries(tags)) m.set(k, v);
  }

  /** Deletes tags by key; a given value deletes the tag only when it matches (EC2 semantics). */
  deleteTags(resourceIds: readonly string[], tags: ReadonlyArray<{ key: string; value?: string }>): void {
    const maps = resourceIds.map((id) => {
      const t = this.resourceTags(id);
      if (!t) throw invalidIdFor(id);
      return t;
    });
    for (const m of maps) {
      if (tags.length === 0) m.clear();
      for (const { key, value } of tags) if (value === undefined || m.get(key) === value) m.delete(key);
    }
  }

  // ---- VPCs and subnets ----------------------------------------------------------------------------------

  createVpc(input: CreateVpcInput): Vpc {
    const cidr = parseCidr(input.cidr, 'ipv4');
    if (cidr.len < 16 || cidr.len > 28) {
      throw new Ec2ApiError('InvalidVpc.Range', `The CIDR '${input.cidr}' is invalid.`);
    }
    const id = this.newId('vpc', input.id);
    const mainRouteTableId = this.newId('rtb', input.mainRouteTableId);
    const vpc: Vpc = {
      id,
      seq: this.nextSeq(),
      cidrs: [{ associationId: this.ids.next('vpc-cidr-assoc'), cidr, text: formatPrefix(cidr) }],
      ipv6Cidrs: [],
      mainRouteTableId,
      tags: toTags(input.tags),
    };
    this.vpcs.set(id, vpc);
    this.vpcTables.set(id, new Set());
    routes.createRouteTable(this, { vpcId: id, id: mainRouteTableId, main: true });
    if (input.ipv6Cidr !== undefined) this.associateVpcCidr(id, { ipv6: input.ipv6Cidr });
    return vpc;
  }

  /** Adds an IPv4 CIDR or an IPv6 CIDR (true: Amazon-provided /56) and its local route to every table. */
  associateVpcCidr(vpcId: string, add: { ipv4?: string; ipv6?: string | true }): CidrAssociation {
    const vpc = this.vpc(vpcId);
    let assoc: CidrAssociation;
    if (add.ipv4 !== undefined) {
      const cidr = parseCidr(add.ipv4, 'ipv4');
      if (vpc.cidrs.some((c) => prefixesOverlap(c.cidr, cidr))) {
        throw new Ec2ApiError('InvalidVpc.Range', `The CIDR '${add.ipv4}' overlaps with an existing CIDR of the VPC.`);
      }
      if (vpc.cidrs.length >= 5) throw new Ec2ApiError('CidrLimitExceeded', 'This network has met its maximum number of allowed CIDRs: 5');
      assoc = { associationId: this.ids.next('vpc-cidr-assoc'), cidr, text: formatPrefix(cidr) };
      vpc.cidrs.push(assoc);
    } else if (add.ipv6 !== undefined) {
      if (vpc.ipv6Cidrs.length >= 5)
        throw new Ec2ApiError('CidrLimitExceeded', 'This network has met its maximum number of allowed IPv6 CIDRs: 5');
      let cidr: Prefix;
      if (add.ipv6 === true) {
        const n = BigInt(++this.ipv6Counter);
        cidr = { family: 'ipv6', addr: (0x26001f18n << 96n) | (n << 72n), len: 56 };
      } else {
        cidr = parseCidr(add.ipv6, 'ipv6');
      }
      assoc = { associationId: this.ids.next('vpc-cidr-assoc'), cidr, text: formatPrefix(cidr) };
      vpc.ipv6Cidrs.push(assoc);
    } else {
      throw new Ec2ApiError('MissingParameter', 'Either CidrBlock or an IPv6 CIDR block must be specified');
    }
    for (const rtbId of this.vpcTables.get(vpcId) ?? []) routes.addLocalRoute(this.routeTable(rtbId), assoc.cidr);
    return assoc;
  }

  createSubnet(input: CreateSubnetInput): Subnet {
    const vpc = this.vpc(input.vpcId);
    const cidr = parseCidr(input.cidr, 'ipv4');
    if (cidr.len < 16 || cidr.len > 28 || !vpc.cidrs.some((c) => prefixContains(c.cidr, cidr))) {
      throw new Ec2ApiError('InvalidSubnet.Range', `The CIDR '${input.cidr}' is invalid.`);
    }
    for (const s of this.subnets.values()) {
      if (s.vpcId === vpc.id && prefixesOverlap(s.cidr, cidr)) {
        throw new Ec2ApiError('InvalidSubnet.Conflict', `The CIDR '${input.cidr}' conflicts with another subnet`);
      }
    }
    const ipv6 =
      input.ipv6Cidr === undefined ? undefined : ipv6ops.newSubnetIpv6(this, ipv6ops.checkSubnetIpv6Cidr(this, vpc, input.ipv6Cidr));
    const id = this.newId('subnet', input.id);
    const subnet: Subnet = {
      id,
      seq: this.nextSeq(),
      vpcId: vpc.id,
      cidr,
      text: formatPrefix(cidr),
      ipv6,
      az: input.az ?? `${this.region}a`,
      tags: toTags(input.tags),
      used: new Set(),
      nextHost: cidr.addr + 4n, // AWS reserves the first four addresses and the last
      usedIpv6: new Set(),
      nextIpv6Host: ipv6 ? ipv6.cidr.addr + 4n : 0n,
    };
    this.subnets.set(id, subnet);
    return subnet;
  }

  /** AssociateSubnetCidrBlock: the subnet's IPv6 /64 (one per subnet, inside a VPC IPv6 CIDR). */
  associateSubnetIpv6Cidr(subnetId: string, ipv6Cidr: string): CidrAssociation {
    return ipv6ops.associateSubnetIpv6(this, subnetId, ipv6Cidr);
  }

  /** Creates an internet gateway, NAT gateway, peering connection, transit gateway... (model-level). */
  createGateway(kind: GatewayKind, opts: { vpcId?: string; subnetId?: string; tags?: TagInput; id?: string } = {}): Gateway {
    let vpcId = opts.vpcId;
    if (opts.subnetId !== undefined) vpcId = this.subnet(opts.subnetId).vpcId;
    if (vpcId !== undefined) this.vpc(vpcId);
    const gw: Gateway = {
      id: this.newId(GATEWAY_PREFIX[kind], opts.id),
      seq: this.nextSeq(),
      kind,
      vpcId,
      subnetId: opts.subnetId,
      createTime: new Date(this.wallClock()),
      tags: toTags(opts.tags),
    };
    this.gateways.set(gw.id, gw);
    return gw;
  }

  /** Removes a gateway of any kind (drift: a NAT gateway deleted by hand); routes to it go blackhole. */
  deleteGateway(id: string): void {
    if (!this.gateways.delete(id)) throw new Ec2ApiError('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
  }

  attachInternetGateway(igwId: string, vpcId: string): void {
    const gw = this.gateway(igwId, 'internet-gateway');
    this.vpc(vpcId);
    if (gw.vpcId !== undefined) {
      throw new Ec2ApiError('Resource.AlreadyAssociated', `resource ${igwId} is already attached to network ${gw.vpcId}`);
    }
    gw.vpcId = vpcId;
  }

  // ---- compute and routes (see compute-ops.ts, route-ops.ts) ---------------------------------------------

  runInstances(input: compute.RunInstancesInput): Instance[] {
    return compute.runInstances(this, input);
  }
  terminateInstance(id: string): Instance {
    return compute.terminateInstance(this, id);
  }
  stopInstance(id: string): Instance {
    return compute.stopInstance(this, id);
  }
  startInstance(id: string): Instance {
    return compute.startInstance(this, id);
  }
  setSourceDestCheck(instanceId: string, value: boolean): void {
    compute.setSourceDestCheck(this, instanceId, value);
  }
  createEni(input: compute.CreateEniInput): Eni {
    return compute.createEni(this, input);
  }
  attachEni(eniId: string, instanceId: string, deviceIndex: number): string {
    return compute.attachEni(this, eniId, instanceId, deviceIndex);
  }
  detachEni(attachmentId: string, force = false): void {
    compute.detachEni(this, attachmentId, force);
  }
  /** DeleteNetworkInterface; `force` detaches first (drift: the ENI vanishes behind the controller's back). */
  deleteEni(id: string, force = false): void {
    compute.deleteEni(this, id, force);
  }
  assignPrivateIps(eniId: string, addresses: readonly string[], count = 0): string[] {
    return compute.assignPrivateIps(this, eniId, addresses, count);
  }
  /** AssignIpv6Addresses: named addresses or a count (not both); returns the new addresses. */
  assignIpv6Addresses(eniId: string, req: ipv6ops.Ipv6Request): string[] {
    return compute.assignIpv6Addresses(this, eniId, req);
  }
  /** UnassignIpv6Addresses (e.g. to move an address to another ENI); returns the removed addresses. */
  unassignIpv6Addresses(eniId: string, addresses: readonly string[]): string[] {
    return compute.unassignIpv6Addresses(this, eniId, addresses);
  }
  createRouteTable(vpcId: string, tags?: TagInput, id?: string): RouteTable {
    return routes.createRouteTable(this, { vpcId, ...(tags ? { tags } : {}), ...(id ? { id } : {}) });
  }
  associateRouteTable(routeTableId: string, subnetId: string): string {
    return routes.associateRouteTable(this, routeTableId, subnetId);
  }
  createRoute(routeTableId: string, destination: string, target: routes.TargetInput): void {
    routes.createRoute(this, routeTableId, destination, target);
  }
  replaceRoute(routeTableId: string, destination: string, target: routes.TargetInput): void {
    routes.replaceRoute(this, routeTableId, destination, target);
  }
  deleteRoute(routeTableId: string, destination: string): void {
    routes.deleteRoute(this, routeTableId, destination);
  }
  /** Writes a route without EC2's checks (limit, VPC CIDR, existing): drift made by hand. */
  setRouteUnchecked(routeTableId: string, destination: string, target: routes.TargetInput): void {
    routes.setRouteUnchecked(this, routeTableId, destination, target);
  }
  /** Removes a non-local route if present, without checks (drift). Returns whether it existed. */
  deleteRouteUnchecked(routeTableId: string, destination: string): boolean {
    return routes.deleteRouteUnchecked(this, routeTableId, destination);
  }
  /** The table's routes as Describe shows them (state computed now: blackhole when the target is gone). */
  routesOf(routeTableId: string): readonly DescribedRoute[] {
    return describedRoutes(this, this.routeTable(routeTableId));
  }
  /** The route the VPC router takes for an address (longest prefix match; prefix-list routes ignored), or undefined. */
  routeForAddress(routeTableId: string, address: string): DescribedRoute | undefined {
    return longestMatch(
      this.routesOf(routeTableId),
      (r) => tryParsePrefix(r.destination, { requireCanonical: false }),
      parseAddress(address),
    );
  }
  /** The route for a destination (any text form), or undefined. */
  findRoute(routeTableId: string, destination: string): DescribedRoute | undefined {
    return findDescribedRoute(this, routeTableId, destination);
  }
}
