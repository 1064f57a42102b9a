// Instances: RunInstances, Terminate/Stop/StartInstances, DescribeInstances, Modify/DescribeInstanceAttribute.
import { Ec2ApiError } from '../ec2-error.js';
import { compileFilters, paginate, tagFilterValues } from '../filters.js';
import type { Ec2Model } from '../model.js';
import { INSTANCE_STATE_CODE, type Instance, type InstanceStateName } from '../model-types.js';
import { renderReservation } from '../render.js';
import type { QueryParams } from '../query.js';
import type { XmlObject } from '../xml.js';
import { returnTrue, type ActionContext, type ActionDef } from './action.js';

const INSTANCE_FILTERS = new Set([
  'instance-id',
  'vpc-id',
  'subnet-id',
  'private-ip-address',
  'instance-state-name',
  'instance-state-code',
  'availability-zone',
  'network-interface.network-interface-id',
  'network-interface.addresses.private-ip-address',
  'ipv6-address',
  'network-interface.ipv6-address',
  'network-interface.ipv6-addresses.ipv6-address',
  'instance-type',
  'image-id',
  'reservation-id',
]);

function instanceValues(m: Ec2Model): (i: Instance, name: string) => readonly string[] | undefined {
  const enisOf = (i: Instance) => [...i.enis.values()].flatMap((id) => m.enis.get(id) ?? []);
  return (i, name) => {
    switch (name) {
      case 'instance-id':
        return [i.id];
      case 'vpc-id':
        return [i.vpcId];
      case 'subnet-id':
        return [i.subnetId];
      case 'private-ip-address':
        return (m.enis.get(i.primaryEniId)?.privateIps ?? []).filter((p) => p.primary).map((p) => p.address);
      case 'instance-state-name':
        return [i.state];
      case 'instance-state-code':
        return [String(INSTANCE_STATE_CODE[i.state])];
      case 'availability-zone':
        return [i.az];
      case 'network-interface.network-interface-id':
        return enisOf(i).map((e) => e.id);
      case 'network-interface.addresses.private-ip-address':
        return enisOf(i).flatMap((e) => e.privateIps.map((p) => p.address));
      case 'ipv6-address':
        return (m.enis.get(i.primaryEniId)?.ipv6 ?? []).map((a) => a.address);
      case 'network-interface.ipv6-address':
      case 'network-interface.ipv6-addresses.ipv6-address':
        return enisOf(i).flatMap((e) => e.ipv6.map((a) => a.address));
      case 'instance-type':
        return [i.instanceType];
      case 'image-id':
        return [i.imageId];
      case 'reservation-id':
        return [i.reservationId];
      default:
        return tagFilterValues(i.tags, name);
    }
  };
}

function runInstances({ model, q }: ActionContext): XmlObject {
  const nic = q.structs('NetworkInterface').find((n) => n.str('DeviceIndex') === '0');
  const subnetId = q.str('SubnetId') ?? nic?.str('SubnetId');
  if (subnetId === undefined) {
    throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter SubnetId (this emulator has no default VPC)');
  }
  const min = q.int('MinCount') ?? 1;
  const max = q.int('MaxCount') ?? min;
  if (min < 1 || max < min) throw new Ec2ApiError('InvalidParameterValue', `Invalid MinCount/MaxCount ${min}/${max}`);
  const primaryFromNic = nic
    ?.structs('PrivateIpAddresses')
    .find((p) => p.bool('Primary'))
    ?.str('PrivateIpAddress');
  const privateIp = q.str('PrivateIpAddress') ?? nic?.str('PrivateIpAddress') ?? primaryFromNic;
  const secondaryIps = (nic?.structs('PrivateIpAddresses') ?? [])
    .filter((p) => p.bool('Primary') !== true)
    .map((p) => p.required('PrivateIpAddress'));
  const secondaryCount = nic?.int('SecondaryPrivateIpAddressCount');
  // Top level: `Ipv6AddressCount`, `Ipv6Address.N.Ipv6Address`; in the device-0 interface: `…Ipv6Addresses.N.Ipv6Address`.
  const ipv6Count = q.int('Ipv6AddressCount') ?? nic?.int('Ipv6AddressCount');
  const ipv6Specs = [...q.structs('Ipv6Address'), ...(nic?.structs('Ipv6Addresses') ?? [])];
  const ipv6Addresses = ipv6Specs.map((s) => s.required('Ipv6Address'));
  const instances = model.runInstances({
    subnetId,
    count: max,
    ...(privateIp !== undefined ? { privateIp } : {}),
    ...(secondaryIps.length ? { secondaryIps } : {}),
    ...(secondaryCount !== undefined ? { secondaryIpCount: secondaryCount } : {}),
    ...(ipv6Addresses.length ? { ipv6Addresses } : {}),
    ...(ipv6Count !== undefined ? { ipv6AddressCount: ipv6Count } : {}),
    imageId: q.str('ImageId') ?? 'ami-0emulator0000000',
    instanceType: q.str('InstanceType') ?? 't3.micro',
    tags: q.tagSpecifications('instance'),
  });
  const first = instances[0] as Instance;
  return renderReservation(model, first.reservationId, instances);
}

function stateChanges(model: Ec2Model, q: QueryParams, apply: (id: string) => Instance): XmlObject {
  const ids = q.list('InstanceId');
  if (ids.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter InstanceId');
  for (const id of ids) model.instance(id); // all exist, or nothing changes
  const set = ids.map((id) => {
    const before: InstanceStateName = model.instance(id).state;
    const after = apply(id).state;
    return {
      instanceId: id,
      previousState: { code: INSTANCE_STATE_CODE[before], name: before },
      currentState: { code: INSTANCE_STATE_CODE[after], name: after },
    };
  });
  return { instancesSet: set };
}

function describeInstances({ model, q }: ActionContext): XmlObject {
  const ids = q.list('InstanceId');
  if (ids.length && q.str('MaxResults') !== undefined) {
    throw new Ec2ApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const base = ids.length ? ids.map((id) => model.instance(id)) : [...model.instances.values()];
  const matched = base.filter(compileFilters(q.filters(), INSTANCE_FILTERS, instanceValues(model)));
  const page = paginate(matched, q);
  const byReservation = new Map<string, Instance[]>();
  for (const i of page.items) {
    const list = byReservation.get(i.reservationId);
    if (list) list.push(i);
    else byReservation.set(i.reservationId, [i]);
  }
  return {
    reservationSet: [...byReservation].map(([rid, list]) => renderReservation(model, rid, list)),
    nextToken: page.nextToken,
  };
}

function modifyInstanceAttribute({ model, q }: ActionContext): XmlObject {
  const id = q.required('InstanceId');
  model.instance(id);
  const direct = q.bool('SourceDestCheck.Value');
  const attr = q.str('Attribute');
  let value = direct;
  if (value === undefined && attr === 'sourceDestCheck') value = q.bool('Value');
  if (value === undefined) {
    if (attr !== undefined || [...q.entries()].some(([k]) => k.endsWith('.Value'))) {
      throw new Ec2ApiError('InvalidParameterValue', 'Only the sourceDestCheck attribute is supported by this emulator');
    }
    throw new Ec2ApiError('MissingParameter', 'The request must contain an attribute to modify');
  }
  model.setSourceDestCheck(id, value);
  return returnTrue;
}

function describeInstanceAttribute({ model, q }: ActionContext): XmlObject {
  const id = q.required('InstanceId');
  const attr = q.required('Attribute');
  const inst = model.instance(id);
  switch (attr) {
    case 'sourceDestCheck':
      return { instanceId: id, sourceDestCheck: { value: model.enis.get(inst.primaryEniId)?.sourceDestCheck ?? true } };
    case 'instanceType':
      return { instanceId: id, instanceType: { value: inst.instanceType } };
    default:
      throw new Ec2ApiError('InvalidParameterValue', `Value (${attr}) for parameter attribute is invalid. Unknown attribute.`);
  }
}

export const computeActions: Readonly<Record<string, ActionDef>> = {
  RunInstances: { kind: 'mutating', handler: runInstances },
  TerminateInstances: { kind: 'mutating', handler: ({ model, q }) => stateChanges(model, q, (id) => model.terminateInstance(id)) },
  StopInstances: { kind: 'mutating', handler: ({ model, q }) => stateChanges(model, q, (id) => model.stopInstance(id)) },
  StartInstances: { kind: 'mutating', handler: ({ model, q }) => stateChanges(model, q, (id) => model.startInstance(id)) },
  DescribeInstances: { kind: 'describe', handler: describeInstances },
  ModifyInstanceAttribute: { kind: 'mutating', handler: modifyInstanceAttribute },
  DescribeInstanceAttribute: { kind: 'describe', handler: describeInstanceAttribute },
};
