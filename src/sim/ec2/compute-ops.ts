// Instances and ENIs: launch, terminate/stop/start, ENI create/attach/detach/delete, private IPs and the
// source/destination check (an instance's value is its primary ENI's, as in EC2).
import { formatIpv4, tryParseAddress } from '../../net/address.js';
import { prefixContainsAddress } from '../../net/prefix.js';
import { Ec2ApiError, invalidValue } from './ec2-error.js';
import { toTags, type ModelState, type TagInput } from './model-state.js';
import { assignIpv6, releaseIpv6, takeIpv6, unassignIpv6, type Ipv6Request } from './ipv6-ops.js';
import type { Eni, Instance, Ipv6Address, PrivateIp, Subnet } from './model-types.js';

export interface RunInstancesInput {
  readonly subnetId: string;
  readonly count?: number;
  /** Primary private IP (only with count 1). */
  readonly privateIp?: string;
  readonly secondaryIps?: readonly string[];
  readonly secondaryIpCount?: number;
  /** IPv6 addresses for the primary ENI, named (only with count 1) or by count (not both). */
  readonly ipv6Addresses?: readonly string[];
  readonly ipv6AddressCount?: number;
  readonly sourceDestCheck?: boolean;
  readonly imageId?: string;
  readonly instanceType?: string;
  readonly tags?: TagInput;
  readonly eniTags?: TagInput;
  readonly id?: string;
  readonly eniId?: string;
}

export interface CreateEniInput {
  readonly subnetId: string;
  readonly privateIp?: string;
  readonly secondaryIps?: readonly string[];
  readonly secondaryIpCount?: number;
  /** IPv6 addresses from the subnet's IPv6 block, named or by count (not both). */
  readonly ipv6Addresses?: readonly string[];
  readonly ipv6AddressCount?: number;
  readonly description?: string;
  readonly sourceDestCheck?: boolean;
  readonly tags?: TagInput;
  readonly id?: string;
}

export function runInstances(m: ModelState, input: RunInstancesInput): Instance[] {
  const subnet = m.subnet(input.subnetId);
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw invalidValue(`Invalid count ${count}`);
  if (count > 1 && input.privateIp !== undefined) {
    throw new Ec2ApiError('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance');
  }
  if (count > 1 && (input.ipv6Addresses?.length ?? 0) > 0) {
    throw new Ec2ApiError('InvalidParameterCombination', 'Cannot specify IPv6 addresses when launching more than one instance');
  }
  const reservationId = m.ids.next('r');
  const out: Instance[] = [];
  for (let n = 0; n < count; n++) {
    const eni = createEni(m, {
      subnetId: subnet.id,
      ...(input.privateIp !== undefined ? { privateIp: input.privateIp } : {}),
      ...(input.secondaryIps ? { secondaryIps: input.secondaryIps } : {}),
      ...(input.secondaryIpCount !== undefined ? { secondaryIpCount: input.secondaryIpCount } : {}),
      ...(input.ipv6Addresses ? { ipv6Addresses: input.ipv6Addresses } : {}),
      ...(input.ipv6AddressCount !== undefined ? { ipv6AddressCount: input.ipv6AddressCount } : {}),
      ...(input.sourceDestCheck !== undefined ? { sourceDestCheck: input.sourceDestCheck } : {}),
      ...(input.eniTags ? { tags: input.eniTags } : {}),
      ...(input.eniId !== undefined && n === 0 ? { id: input.eniId } : {}),
      description: 'Primary network interface',
    });
    const id = m.newId('i', n === 0 ? input.id : undefined);
    const inst: Instance = {
      id,
      seq: m.nextSeq(),
      reservationId,
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      az: subnet.az,
      imageId: input.imageId ?? 'ami-0emulator0000000',
      instanceType: input.instanceType ?? 't3.micro',
      launchTime: new Date(m.wallClock()),
      state: 'running',
      primaryEniId: eni.id,
      enis: new Map([[0, eni.id]]),
      tags: toTags(input.tags),
    };
    m.instances.set(id, inst);
    attach(m, eni, inst, 0, true);
    out.push(inst);
  }
  return out;
}

export function terminateInstance(m: ModelState, id: string): Instance {
  const inst = m.instance(id);
  if (inst.state === 'terminated') return inst;
  inst.state = 'terminated';
  for (const eniId of [...inst.enis.values()]) {
    const eni = m.enis.get(eniId);
    if (!eni) continue;
    const del = eni.attachment?.deleteOnTermination ?? false;
    detach(m, eni);
    if (del) removeEni(m, eni);
  }
  return inst;
}

export function stopInstance(m: ModelState, id: string): Instance {
  const inst = m.instance(id);
  if (inst.state === 'terminated') {
    throw new Ec2ApiError('IncorrectInstanceState', `This instance '${id}' is not in a state from which it can be stopped.`);
  }
  inst.state = 'stopped';
  return inst;
}

export function startInstance(m: ModelState, id: string): Instance {
  const inst = m.instance(id);
  if (inst.state === 'terminated') {
    throw new Ec2ApiError('IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`);
  }
  inst.state = 'running';
  return inst;
}

export function setSourceDestCheck(m: ModelState, instanceId: string, value: boolean): void {
  const inst = m.instance(instanceId);
  const eni = m.enis.get(inst.primaryEniId);
  if (inst.state === 'terminated' || !eni) {
    throw new Ec2ApiError('IncorrectInstanceState', `The instance '${instanceId}' is not in a valid state for this operation.`);
  }
  eni.sourceDestCheck = value;
}

export function createEni(m: ModelState, input: CreateEniInput): Eni {
  const subnet = m.subnet(input.subnetId);
  const ips: PrivateIp[] = [];
  const take = (text: string | undefined, primary: boolean): void => {
    const value = text === undefined ? allocate(subnet) : reserve(subnet, text);
    ips.push({ address: formatIpv4(value), value, primary });
  };
  let ipv6: Ipv6Address[];
  try {
    take(input.privateIp, true);
    for (const s of input.secondaryIps ?? []) take(s, false);
    for (let n = 0; n < (input.secondaryIpCount ?? 0); n++) take(undefined, false);
    ipv6 = takeIpv6(subnet, {
      ...(input.ipv6Addresses ? { addresses: input.ipv6Addresses } : {}),
      ...(input.ipv6AddressCount !== undefined ? { count: input.ipv6AddressCount } : {}),
    });
  } catch (err) {
    for (const ip of ips) subnet.used.delete(ip.value);
    throw err;
  }
  const id = m.newId('eni', input.id);
  const seq = m.nextSeq();
  const eni: Eni = {
    id,
    seq,
    vpcId: subnet.vpcId,
    subnetId: subnet.id,
    az: subnet.az,
    description: input.description ?? '',
    macAddress: `02:${[24, 16, 8, 0].map((s) => ((seq >>> s) & 255).toString(16).padStart(2, '0')).join(':')}:00`,
    privateIps: ips,
    ipv6,
    sourceDestCheck: input.sourceDestCheck ?? true,
    attachment: undefined,
    tags: toTags(input.tags),
  };
  m.enis.set(id, eni);
  for (const ip of ips) indexIp(m, ip.address, id);
  for (const a of ipv6) indexIp(m, a.address, id);
  return eni;
}

export function attachEni(m: ModelState, eniId: string, instanceId: string, deviceIndex: number): string {
  const eni = m.eni(eniId);
  const inst = m.instance(instanceId);
  if (eni.attachment) {
    throw new Ec2ApiError('InvalidNetworkInterface.InUse', `Interface: [${eniId}] in use.`);
  }
  if (inst.state === 'terminated') {
    throw new Ec2ApiError('IncorrectInstanceState', `The instance '${instanceId}' is not in a valid state for this operation.`);
  }
  if (eni.az !== inst.az) {
    throw new Ec2ApiError(
      'InvalidParameterCombination',
      'You may not attach a network interface to an instance if they are not in the same availability zone',
    );
  }
  if (eni.vpcId !== inst.vpcId) {
    throw new Ec2ApiError('InvalidParameterValue', `Network interface ${eniId} and instance ${instanceId} belong to different networks.`);
  }
  if (!Number.isInteger(deviceIndex) || deviceIndex < 1 || deviceIndex > 15 || inst.enis.has(deviceIndex)) {
    throw new Ec2ApiError(
      'InvalidParameterValue',
      `Instance '${instanceId}' already has an interface attached at device index '${deviceIndex}'.`,
    );
  }
  return attach(m, eni, inst, deviceIndex, false);
}

export function detachEni(m: ModelState, attachmentId: string, force: boolean): void {
  const eniId = m.attachmentIndex.get(attachmentId);
  const eni = eniId === undefined ? undefined : m.enis.get(eniId);
  if (!eni?.attachment) {
    throw new Ec2ApiError('InvalidAttachmentID.NotFound', `Interface attachment '${attachmentId}' does not exist.`);
  }
  if (eni.attachment.deviceIndex === 0 && !force) {
    throw new Ec2ApiError('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.');
  }
  detach(m, eni);
}

export function deleteEni(m: ModelState, id: string, force: boolean): void {
  const eni = m.eni(id);
  if (eni.attachment) {
    if (!force) throw new Ec2ApiError('InvalidNetworkInterface.InUse', `The interface ${id} is currently in use.`);
    detach(m, eni);
  }
  removeEni(m, eni);
}

export function assignPrivateIps(m: ModelState, eniId: string, addresses: readonly string[], count: number): string[] {
  const eni = m.eni(eniId);
  const subnet = m.subnet(eni.subnetId);
  const added: PrivateIp[] = [];
  try {
    for (const a of addresses) {
      const value = reserve(subnet, a);
      added.push({ address: formatIpv4(value), value, primary: false });
    }
    for (let n = 0; n < count; n++) {
      const value = allocate(subnet);
      added.push({ address: formatIpv4(value), value, primary: false });
    }
  } catch (err) {
    for (const ip of added) subnet.used.delete(ip.value);
    throw err;
  }
  for (const ip of added) {
    eni.privateIps.push(ip);
    indexIp(m, ip.address, eni.id);
  }
  return added.map((ip) => ip.address);
}

function attach(m: ModelState, eni: Eni, inst: Instance, deviceIndex: number, deleteOnTermination: boolean): string {
  const attachmentId = m.ids.next('eni-attach');
  eni.attachment = { attachmentId, instanceId: inst.id, deviceIndex, deleteOnTermination, attachTime: new Date(m.wallClock()) };
  inst.enis.set(deviceIndex, eni.id);
  m.attachmentIndex.set(attachmentId, eni.id);
  return attachmentId;
}

function detach(m: ModelState, eni: Eni): void {
  const a = eni.attachment;
  if (!a) return;
  const inst = m.instances.get(a.instanceId);
  if (inst?.enis.get(a.deviceIndex) === eni.id) inst.enis.delete(a.deviceIndex);
  m.attachmentIndex.delete(a.attachmentId);
  eni.attachment = undefined;
}

function removeEni(m: ModelState, eni: Eni): void {
  const subnet = m.subnets.get(eni.subnetId);
  for (const ip of eni.privateIps) subnet?.used.delete(ip.value);
  releaseIpv6(subnet, eni.ipv6);
  for (const address of [...eni.privateIps.map((p) => p.address), ...eni.ipv6.map((a) => a.address)]) unindexIp(m, address, eni.id);
  m.enis.delete(eni.id);
}

/** AssignIpv6Addresses: the model's part after ipv6-ops reserved the addresses (index them). */
export function assignIpv6Addresses(m: ModelState, eniId: string, req: Ipv6Request): string[] {
  const eni = m.eni(eniId);
  const added = assignIpv6(m, eni, req);
  for (const a of added) indexIp(m, a, eni.id);
  return added;
}

/** UnassignIpv6Addresses: the addresses leave the ENI (and the index); returns them in canonical text. */
export function unassignIpv6Addresses(m: ModelState, eniId: string, addresses: readonly string[]): string[] {
  const eni = m.eni(eniId);
  const gone = unassignIpv6(m, eni, addresses).map((a) => a.address);
  for (const a of gone) unindexIp(m, a, eni.id);
  return gone;
}

function unindexIp(m: ModelState, address: string, eniId: string): void {
  const set = m.ipIndex.get(address);
  set?.delete(eniId);
  if (set?.size === 0) m.ipIndex.delete(address);
}

function indexIp(m: ModelState, address: string, eniId: string): void {
  let set = m.ipIndex.get(address);
  if (!set) m.ipIndex.set(address, (set = new Set()));
  set.add(eniId);
}

function reserve(subnet: Subnet, text: string): bigint {
  const a = tryParseAddress(text);
  if (!a || a.family !== 'ipv4') throw invalidValue(`Invalid private IP address '${text}'`);
  const last = subnet.cidr.addr + (1n << BigInt(32 - subnet.cidr.len)) - 1n;
  if (!prefixContainsAddress(subnet.cidr, a) || a.addr < subnet.cidr.addr + 4n || a.addr === last) {
    throw invalidValue(`Address ${text} does not fall within the subnet's address range`);
  }
  if (subnet.used.has(a.addr)) throw new Ec2ApiError('InvalidIPAddress.InUse', `Address ${text} is in use.`);
  subnet.used.add(a.addr);
  return a.addr;
}

function allocate(subnet: Subnet): bigint {
  const last = subnet.cidr.addr + (1n << BigInt(32 - subnet.cidr.len)) - 1n;
  const first = subnet.cidr.addr + 4n;
  const span = last - first;
  for (let tries = 0n; tries < span; tries++) {
    if (subnet.nextHost >= last) subnet.nextHost = first;
    const v = subnet.nextHost++;
    if (!subnet.used.has(v)) {
      subnet.used.add(v);
      return v;
    }
  }
  throw new Ec2ApiError(
    'InsufficientFreeAddressesInSubnet',
    `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`,
  );
}

/** Free IPv4 addresses in a subnet (AvailableIpAddressCount). */
export function availableIps(subnet: Subnet): number {
  return 2 ** (32 - subnet.cidr.len) - 5 - subnet.used.size;
}
