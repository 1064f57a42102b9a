// The emulator's state: the resources by ID, the indexes that make every lookup O(1), ID allocation, and the lookups
// that answer EC2's NotFound errors. The operations (compute-ops.ts, ipv6-ops.ts, route-ops.ts) work on it; the
// Ec2Model facade (model.ts) extends it with the public methods.
import { formatPrefix, parsePrefix, tryParsePrefix, type Prefix } from '../../net/prefix.js';
import { Ec2ApiError, gatewayNotFound, invalidValue, notFound } from './ec2-error.js';
import { IdAllocator } from './ids.js';
import type { Eni, Gateway, GatewayKind, Instance, RouteTable, Subnet, Tags, Vpc } from './model-types.js';

/** EC2's default quota of routes per route table and family since June 2025 (was 50; adjustable to 1000). */
export const DEFAULT_ROUTE_LIMIT = 500;

export interface ModelOptions {
  readonly routeLimit?: number;
  readonly seed?: number;
  readonly region?: string;
  readonly ownerId?: string;
  /** Wall-clock time for launch/attach timestamps (default Date.now). */
  readonly wallClock?: () => number;
}

export type TagInput = Readonly<Record<string, string>>;

export class ModelState {
  readonly ids: IdAllocator;
  readonly region: string;
  readonly ownerId: string;
  routeLimit: number;
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly instances = new Map<string, Instance>();
  readonly enis = new Map<string, Eni>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly gateways = new Map<string, Gateway>();
  /** Route table association ID → route table ID. */
  readonly associationIndex = new Map<string, string>();
  /** Subnet ID → its explicit association ID. */
  readonly subnetAssociation = new Map<string, string>();
  /** VPC ID → its route table IDs. */
  readonly vpcTables = new Map<string, Set<string>>();
  /** Private IP text → ENI IDs holding it (IPs are unique per VPC, not globally). */
  readonly ipIndex = new Map<string, Set<string>>();
  /** ENI attachment ID → ENI ID. */
  readonly attachmentIndex = new Map<string, string>();
  private seqCounter = 0;
  /** Amazon-provided IPv6 /56 blocks handed out so far. */
  protected ipv6Counter = 0;
  readonly wallClock: () => number;

  constructor(opts: ModelOptions = {}) {
    this.routeLimit = opts.routeLimit ?? DEFAULT_ROUTE_LIMIT;
    this.ids = new IdAllocator(opts.seed ?? 1);
    this.region = opts.region ?? 'us-east-1';
    this.ownerId = opts.ownerId ?? '123456789012';
    this.wallClock = opts.wallClock ?? Date.now;
  }

  nextSeq(): number {
    return ++this.seqCounter;
  }

  /** A new ID, or the caller's (checked for its prefix and uniqueness). */
  newId(prefix: string, wanted?: string): string {
    if (wanted === undefined) return this.ids.next(prefix);
    if (!wanted.startsWith(`${prefix}-`) || this.resourceTags(wanted) !== undefined) {
      throw invalidValue(`Cannot use the ID '${wanted}' for a new ${prefix} resource`);
    }
    this.ids.claim(wanted);
    return wanted;
  }

  // ---- lookups -------------------------------------------------------------------------------------------

  vpc(id: string): Vpc {
    const v = this.vpcs.get(id);
    if (!v) throw notFound('InvalidVpcID.NotFound', 'vpc', id);
    return v;
  }

  subnet(id: string): Subnet {
    const s = this.subnets.get(id);
    if (!s) throw notFound('InvalidSubnetID.NotFound', 'subnet', id);
    return s;
  }

  instance(id: string): Instance {
    const i = this.instances.get(id);
    if (!i) throw new Ec2ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return i;
  }

  eni(id: string): Eni {
    const e = this.enis.get(id);
    if (!e) throw new Ec2ApiError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
    return e;
  }

  routeTable(id: string): RouteTable {
    const t = this.routeTables.get(id);
    if (!t) throw new Ec2ApiError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
    return t;
  }

  gateway(id: string, kind: GatewayKind): Gateway {
    const g = this.gateways.get(id);
    if (!g || g.kind !== kind) throw gatewayNotFound(kind, id);
    return g;
  }

  /** The tag map of any resource by ID, or undefined when there is no such resource. */
  resourceTags(id: string): Tags | undefined {
    return (
      this.vpcs.get(id)?.tags ??
      this.subnets.get(id)?.tags ??
      this.instances.get(id)?.tags ??
      this.enis.get(id)?.tags ??
      this.routeTables.get(id)?.tags ??
      this.gateways.get(id)?.tags
    );
  }

  /** EC2's resource-type name for an ID (DescribeTags). */
  resourceType(id: string): string {
    if (this.vpcs.has(id)) return 'vpc';
    if (this.subnets.has(id)) return 'subnet';
    if (this.instances.has(id)) return 'instance';
    if (this.enis.has(id)) return 'network-interface';
    if (this.routeTables.has(id)) return 'route-table';
    return this.gateways.get(id)?.kind ?? 'unknown';
  }
}

export function toTags(input: TagInput | undefined): Tags {
  return new Map(Object.entries(input ?? {}));
}

export function parseCidr(text: string, family: 'ipv4' | 'ipv6'): Prefix {
  const p = tryParsePrefix(text, { requireCanonical: false });
  if (!p || p.family !== family || !text.includes('/')) {
    throw invalidValue(`Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  }
  return parsePrefix(formatPrefix(p));
}
