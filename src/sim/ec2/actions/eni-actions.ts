// Network interfaces: create, attach, detach, delete, describe (with an index for the address filters the
// controller uses on every next hop), secondary private IPs, IPv6 addresses, source/dest check.
import { canonicalAddressText } from '../../../net/address.js';
import { Ec2ApiError } from '../ec2-error.js';
import { compileFilters, paginate, tagFilterValues, type Page } from '../filters.js';
import type { Ec2Model } from '../model.js';
import type { Eni } from '../model-types.js';
import type { Filter } from '../query.js';
import { renderEni } from '../render.js';
import type { XmlObject } from '../xml.js';
import { returnTrue, type ActionContext, type ActionDef } from './action.js';

const ENI_FILTERS = new Set([
  'addresses.private-ip-address',
  'private-ip-address',
  'addresses.primary',
  'ipv6-addresses.ipv6-address', // EC2 has no plain `ipv6-address` filter for ENIs (DescribeInstances does)
  'vpc-id',
  'subnet-id',
  'attachment.instance-id',
  'attachment.attachment-id',
  'attachment.device-index',
  'attachment.status',
  'network-interface-id',
  'status',
  'availability-zone',
  'description',
  'source-dest-check',
  'mac-address',
  'owner-id',
]);

function eniValues(m: Ec2Model): (e: Eni, name: string) => readonly string[] | undefined {
  return (e, name) => {
    switch (name) {
      case 'addresses.private-ip-address':
        return e.privateIps.map((p) => p.address);
      case 'private-ip-address':
        return e.privateIps.filter((p) => p.primary).map((p) => p.address);
      case 'addresses.primary':
        return e.privateIps.map((p) => String(p.primary));
      case 'ipv6-addresses.ipv6-address':
        return e.ipv6.map((a) => a.address);
      case 'vpc-id':
        return [e.vpcId];
      case 'subnet-id':
        return [e.subnetId];
      case 'attachment.instance-id':
        return e.attachment ? [e.attachment.instanceId] : [];
      case 'attachment.attachment-id':
        return e.attachment ? [e.attachment.attachmentId] : [];
      case 'attachment.device-index':
        return e.attachment ? [String(e.attachment.deviceIndex)] : [];
      case 'attachment.status':
        return e.attachment ? ['attached'] : [];
      case 'network-interface-id':
        return [e.id];
      case 'status':
        return [e.attachment ? 'in-use' : 'available'];
      case 'availability-zone':
        return [e.az];
      case 'description':
        return [e.description];
      case 'source-dest-check':
        return [String(e.sourceDestCheck)];
      case 'mac-address':
        return [e.macAddress];
      case 'owner-id':
        return [m.ownerId];
      default:
        return tagFilterValues(e.tags, name);
    }
  };
}

/** Candidates from an index when a filter names addresses, ENI IDs or an instance; otherwise every ENI. */
function candidates(m: Ec2Model, filters: readonly Filter[]): Iterable<Eni> {
  const exact = (f: Filter): boolean => f.values.every((v) => !v.includes('*') && !v.includes('?'));
  for (const f of filters) {
    if ((f.name === 'addresses.private-ip-address' || f.name === 'private-ip-address' || f.name === IPV6_FILTER) && exact(f)) {
      const out = new Set<Eni>();
      for (const v of f.values) for (const id of m.ipIndex.get(v) ?? []) out.add(m.eni(id));
      return out;
    }
    if (f.name === 'network-interface-id' && exact(f)) return f.values.flatMap((id) => m.enis.get(id) ?? []);
    if (f.name === 'attachment.instance-id' && exact(f)) {
      return f.values.flatMap((id) => [...(m.instances.get(id)?.enis.values() ?? [])].flatMap((e) => m.enis.get(e) ?? []));
    }
  }
  return m.enis.values();
}

const IPV6_FILTER = 'ipv6-addresses.ipv6-address';

/** IPv6 filter values in canonical text (`2001:DB8:0::5` finds `2001:db8::5`); patterns and non-addresses as given. */
function canonicalIpv6Filter(f: Filter): Filter {
  if (f.name !== IPV6_FILTER) return f;
  const canon = (v: string): string => {
    if (v.includes('*') || v.includes('?')) return v;
    try {
      return canonicalAddressText(v);
    } catch {
      return v;
    }
  };
  return { name: f.name, values: f.values.map(canon) };
}

export function describeEnis(m: Ec2Model, ids: readonly string[], given: readonly Filter[], page: (items: Eni[]) => Page<Eni>): Page<Eni> {
  const filters = given.map(canonicalIpv6Filter);
  const base = ids.length ? ids.map((id) => m.eni(id)) : candidates(m, filters);
  const match = compileFilters(filters, ENI_FILTERS, eniValues(m));
  const out: Eni[] = [];
  for (const e of base) if (match(e)) out.push(e);
  return page(out);
}

function describeNetworkInterfaces({ model, q }: ActionContext): XmlObject {
  if (q.list('NetworkInterfaceId').length && q.str('MaxResults') !== undefined) {
    throw new Ec2ApiError(
      'InvalidParameterCombination',
      'The parameter networkInterfaceIdSet cannot be used with the parameter maxResults',
    );
  }
  const page = describeEnis(model, q.list('NetworkInterfaceId'), q.filters(), (items) => paginate(items, q));
  return { networkInterfaceSet: page.items.map((e) => renderEni(model, e)), nextToken: page.nextToken };
}

function createNetworkInterface({ model, q }: ActionContext): XmlObject {
  const specs = q.structs('PrivateIpAddresses');
  const primary = q.str('PrivateIpAddress') ?? specs.find((s) => s.bool('Primary'))?.str('PrivateIpAddress');
  const secondary = specs.filter((s) => s.bool('Primary') !== true).map((s) => s.required('PrivateIpAddress'));
  const count = q.int('SecondaryPrivateIpAddressCount');
  const ipv6Addresses = q.structs('Ipv6Addresses').map((s) => s.required('Ipv6Address'));
  const ipv6AddressCount = q.int('Ipv6AddressCount');
  const description = q.str('Description');
  const eni = model.createEni({
    subnetId: q.required('SubnetId'),
    ...(primary !== undefined ? { privateIp: primary } : {}),
    ...(secondary.length ? { secondaryIps: secondary } : {}),
    ...(count !== undefined ? { secondaryIpCount: count } : {}),
    ...(ipv6Addresses.length ? { ipv6Addresses } : {}),
    ...(ipv6AddressCount !== undefined ? { ipv6AddressCount } : {}),
    ...(description !== undefined ? { description } : {}),
    tags: q.tagSpecifications('network-interface'),
  });
  return { networkInterface: renderEni(model, eni), clientToken: q.str('ClientToken') };
}

function attachNetworkInterface({ model, q }: ActionContext): XmlObject {
  const deviceIndex = q.int('DeviceIndex');
  if (deviceIndex === undefined) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter deviceIndex');
  const attachmentId = model.attachEni(q.required('NetworkInterfaceId'), q.required('InstanceId'), deviceIndex);
  return { attachmentId, networkCardIndex: 0 };
}

function detachNetworkInterface({ model, q }: ActionContext): XmlObject {
  model.detachEni(q.required('AttachmentId'), q.bool('Force') ?? false);
  return returnTrue;
}

function deleteNetworkInterface({ model, q }: ActionContext): XmlObject {
  model.deleteEni(q.required('NetworkInterfaceId'));
  return returnTrue;
}

function assignPrivateIpAddresses({ model, q }: ActionContext): XmlObject {
  const eniId = q.required('NetworkInterfaceId');
  const addresses = q.list('PrivateIpAddress');
  const count = q.int('SecondaryPrivateIpAddressCount') ?? 0;
  if (addresses.length === 0 && count === 0) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain either PrivateIpAddress or SecondaryPrivateIpAddressCount');
  }
  const added = model.assignPrivateIps(eniId, addresses, count);
  return {
    networkInterfaceId: eniId,
    assignedPrivateIpAddressesSet: added.map((privateIpAddress) => ({ privateIpAddress })),
  };
}

function assignIpv6Addresses({ model, q }: ActionContext): XmlObject {
  const eniId = q.required('NetworkInterfaceId');
  const addresses = q.list('Ipv6Addresses');
  const count = q.int('Ipv6AddressCount');
  if (addresses.length === 0 && count === undefined) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain either Ipv6Addresses or Ipv6AddressCount');
  }
  const added = model.assignIpv6Addresses(eniId, { addresses, ...(count !== undefined ? { count } : {}) });
  return { networkInterfaceId: eniId, assignedIpv6Addresses: added };
}

function unassignIpv6Addresses({ model, q }: ActionContext): XmlObject {
  const eniId = q.required('NetworkInterfaceId');
  const addresses = q.list('Ipv6Addresses');
  if (addresses.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter Ipv6Addresses');
  return { networkInterfaceId: eniId, unassignedIpv6Addresses: model.unassignIpv6Addresses(eniId, addresses) };
}

function modifyNetworkInterfaceAttribute({ model, q }: ActionContext): XmlObject {
  const eni = model.eni(q.required('NetworkInterfaceId'));
  const sdc = q.bool('SourceDestCheck.Value');
  if (sdc === undefined) throw new Ec2ApiError('InvalidParameterValue', 'Only the sourceDestCheck attribute is supported by this emulator');
  eni.sourceDestCheck = sdc;
  return returnTrue;
}

export const eniActions: Readonly<Record<string, ActionDef>> = {
  CreateNetworkInterface: { kind: 'mutating', handler: createNetworkInterface },
  AttachNetworkInterface: { kind: 'mutating', handler: attachNetworkInterface },
  DetachNetworkInterface: { kind: 'mutating', handler: detachNetworkInterface },
  DeleteNetworkInterface: { kind: 'mutating', handler: deleteNetworkInterface },
  DescribeNetworkInterfaces: { kind: 'describe', handler: describeNetworkInterfaces },
  AssignPrivateIpAddresses: { kind: 'mutating', handler: assignPrivateIpAddresses },
  AssignIpv6Addresses: { kind: 'mutating', handler: assignIpv6Addresses },
  UnassignIpv6Addresses: { kind: 'mutating', handler: unassignIpv6Addresses },
  ModifyNetworkInterfaceAttribute: { kind: 'mutating', handler: modifyNetworkInterfaceAttribute },
};
