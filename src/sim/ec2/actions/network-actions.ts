// VPCs, subnets (and their IPv6 CIDR), internet and NAT gateways, tags.
import { Ec2ApiError } from '../ec2-error.js';
import { compileFilters, paginate, tagFilterValues } from '../filters.js';
import type { Subnet, Vpc } from '../model-types.js';
import {
  renderCidrAssociation,
  renderInternetGateway,
  renderNatGateway,
  renderSubnet,
  renderSubnetIpv6Association,
  renderVpc,
} from '../render.js';
import type { XmlObject } from '../xml.js';
import { returnTrue, type ActionContext, type ActionDef } from './action.js';

const VPC_FILTERS = new Set([
  'vpc-id',
  'cidr',
  'cidr-block',
  'cidr-block-association.cidr-block',
  'ipv6-cidr-block-association.ipv6-cidr-block',
  'state',
  'is-default',
  'owner-id',
]);

function vpcValues(v: Vpc, name: string): readonly string[] | undefined {
  switch (name) {
    case 'vpc-id':
      return [v.id];
    case 'cidr':
    case 'cidr-block':
      return v.cidrs[0] ? [v.cidrs[0].text] : [];
    case 'cidr-block-association.cidr-block':
      return v.cidrs.map((c) => c.text);
    case 'ipv6-cidr-block-association.ipv6-cidr-block':
      return v.ipv6Cidrs.map((c) => c.text);
    case 'state':
      return ['available'];
    case 'is-default':
      return ['false'];
    default:
      return tagFilterValues(v.tags, name);
  }
}

const SUBNET_FILTERS = new Set([
  'subnet-id',
  'vpc-id',
  'cidr',
  'cidr-block',
  'cidrBlock',
  'availability-zone',
  'state',
  'ipv6-cidr-block-association.ipv6-cidr-block',
]);

function subnetValues(s: Subnet, name: string): readonly string[] | undefined {
  switch (name) {
    case 'subnet-id':
      return [s.id];
    case 'vpc-id':
      return [s.vpcId];
    case 'cidr':
    case 'cidr-block':
    case 'cidrBlock':
      return [s.text];
    case 'availability-zone':
      return [s.az];
    case 'state':
      return ['available'];
    case 'ipv6-cidr-block-association.ipv6-cidr-block':
      return s.ipv6 ? [s.ipv6.text] : [];
    default:
      return tagFilterValues(s.tags, name);
  }
}

function createVpc({ model, q }: ActionContext): XmlObject {
  const ipv6 = q.bool('AmazonProvidedIpv6CidrBlock') ? true : q.str('Ipv6CidrBlock');
  const vpc = model.createVpc({
    cidr: q.required('CidrBlock'),
    ...(ipv6 !== undefined ? { ipv6Cidr: ipv6 } : {}),
    tags: q.tagSpecifications('vpc'),
  });
  return { vpc: renderVpc(model, vpc) };
}

function describeVpcs({ model, q }: ActionContext): XmlObject {
  const ids = q.list('VpcId');
  const base = ids.length ? ids.map((id) => model.vpc(id)) : [...model.vpcs.values()];
  const page = paginate(base.filter(compileFilters(q.filters(), VPC_FILTERS, vpcValues)), q);
  return { vpcSet: page.items.map((v) => renderVpc(model, v)), nextToken: page.nextToken };
}

function associateVpcCidrBlock({ model, q }: ActionContext): XmlObject {
  const vpcId = q.required('VpcId');
  const v4 = q.str('CidrBlock');
  const v6 = q.bool('AmazonProvidedIpv6CidrBlock') ? true : q.str('Ipv6CidrBlock');
  const assoc = model.associateVpcCidr(vpcId, v4 !== undefined ? { ipv4: v4 } : v6 !== undefined ? { ipv6: v6 } : {});
  return assoc.cidr.family === 'ipv4'
    ? { vpcId, cidrBlockAssociation: renderCidrAssociation(assoc) }
    : { vpcId, ipv6CidrBlockAssociation: renderCidrAssociation(assoc) };
}

function createSubnet({ model, q }: ActionContext): XmlObject {
  const ipv6 = q.str('Ipv6CidrBlock');
  const az = q.str('AvailabilityZone');
  const subnet = model.createSubnet({
    vpcId: q.required('VpcId'),
    cidr: q.required('CidrBlock'),
    ...(ipv6 !== undefined ? { ipv6Cidr: ipv6 } : {}),
    ...(az !== undefined ? { az } : {}),
    tags: q.tagSpecifications('subnet'),
  });
  return { subnet: renderSubnet(model, subnet) };
}

function associateSubnetCidrBlock({ model, q }: ActionContext): XmlObject {
  const subnetId = q.required('SubnetId');
  const cidr = q.str('Ipv6CidrBlock');
  if (cidr === undefined) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter Ipv6CidrBlock (IPAM pools are not emulated)');
  }
  const a = model.associateSubnetIpv6Cidr(subnetId, cidr);
  return { subnetId, ipv6CidrBlockAssociation: renderSubnetIpv6Association(a) };
}

function describeSubnets({ model, q }: ActionContext): XmlObject {
  const ids = q.list('SubnetId');
  const base = ids.length ? ids.map((id) => model.subnet(id)) : [...model.subnets.values()];
  const page = paginate(base.filter(compileFilters(q.filters(), SUBNET_FILTERS, subnetValues)), q);
  return { subnetSet: page.items.map((s) => renderSubnet(model, s)), nextToken: page.nextToken };
}

function createInternetGateway({ model, q }: ActionContext): XmlObject {
  const gw = model.createGateway('internet-gateway', { tags: q.tagSpecifications('internet-gateway') });
  return { internetGateway: renderInternetGateway(model, gw) };
}

function attachInternetGateway({ model, q }: ActionContext): XmlObject {
  model.attachInternetGateway(q.required('InternetGatewayId'), q.required('VpcId'));
  return returnTrue;
}

function describeInternetGateways({ model, q }: ActionContext): XmlObject {
  const ids = new Set(q.list('InternetGatewayId'));
  const all = [...model.gateways.values()].filter((g) => g.kind === 'internet-gateway' && (ids.size === 0 || ids.has(g.id)));
  const match = compileFilters(q.filters(), new Set(['internet-gateway-id', 'attachment.vpc-id']), (g: (typeof all)[number], n) =>
    n === 'internet-gateway-id' ? [g.id] : n === 'attachment.vpc-id' ? (g.vpcId ? [g.vpcId] : []) : tagFilterValues(g.tags, n),
  );
  return { internetGatewaySet: all.filter(match).map((g) => renderInternetGateway(model, g)) };
}

function createNatGateway({ model, q }: ActionContext): XmlObject {
  const gw = model.createGateway('nat-gateway', { subnetId: q.required('SubnetId'), tags: q.tagSpecifications('natgateway') });
  return { natGateway: renderNatGateway(gw), clientToken: q.str('ClientToken') };
}

function createTags({ model, q }: ActionContext): XmlObject {
  const tags: Record<string, string> = {};
  for (const t of q.tags()) tags[t.key] = t.value ?? '';
  const ids = q.list('ResourceId');
  if (ids.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  model.createTags(ids, tags);
  return returnTrue;
}

function deleteTags({ model, q }: ActionContext): XmlObject {
  const ids = q.list('ResourceId');
  if (ids.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  model.deleteTags(
    ids,
    q.tags().map((t) => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value })),
  );
  return returnTrue;
}

interface TagRow {
  readonly seq: number;
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
}

function describeTags({ model, q }: ActionContext): XmlObject {
  const rows: TagRow[] = [];
  const collections = [model.vpcs, model.subnets, model.instances, model.enis, model.routeTables, model.gateways] as const;
  for (const coll of collections) {
    for (const r of coll.values()) {
      for (const [key, value] of r.tags) {
        rows.push({ seq: r.seq * 1000 + rows.length, resourceId: r.id, resourceType: model.resourceType(r.id), key, value });
      }
    }
  }
  const known = new Set(['resource-id', 'resource-type', 'key', 'value']);
  const match = compileFilters(q.filters(), known, (t: TagRow, n) =>
    n === 'resource-id'
      ? [t.resourceId]
      : n === 'resource-type'
        ? [t.resourceType]
        : n === 'key'
          ? [t.key]
          : n === 'value'
            ? [t.value]
            : undefined,
  );
  const page = paginate(rows.filter(match), q);
  return {
    tagSet: page.items.map((t) => ({ resourceId: t.resourceId, resourceType: t.resourceType, key: t.key, value: t.value })),
    nextToken: page.nextToken,
  };
}

export const networkActions: Readonly<Record<string, ActionDef>> = {
  CreateVpc: { kind: 'mutating', handler: createVpc },
  DescribeVpcs: { kind: 'describe', handler: describeVpcs },
  AssociateVpcCidrBlock: { kind: 'mutating', handler: associateVpcCidrBlock },
  CreateSubnet: { kind: 'mutating', handler: createSubnet },
  AssociateSubnetCidrBlock: { kind: 'mutating', handler: associateSubnetCidrBlock },
  DescribeSubnets: { kind: 'describe', handler: describeSubnets },
  CreateInternetGateway: { kind: 'mutating', handler: createInternetGateway },
  AttachInternetGateway: { kind: 'mutating', handler: attachInternetGateway },
  DescribeInternetGateways: { kind: 'describe', handler: describeInternetGateways },
  CreateNatGateway: { kind: 'mutating', handler: createNatGateway },
  CreateTags: { kind: 'mutating', handler: createTags },
  DeleteTags: { kind: 'mutating', handler: deleteTags },
  DescribeTags: { kind: 'describe', handler: describeTags },
};
