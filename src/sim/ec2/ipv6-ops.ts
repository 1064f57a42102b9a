// IPv6 on subnets and ENIs, as EC2 does it: a subnet holds at most one /64 from its VPC's IPv6 CIDRs (given at
// CreateSubnet or added by AssociateSubnetCidrBlock); an ENI in such a subnet takes IPv6 addresses, named or by
// count (CreateNetworkInterface, RunInstances, AssignIpv6Addresses). As for IPv4, the first four addresses and
// the last one of the subnet's block are reserved.
import { formatIpv6, tryParseAddress } from '../../net/address.js';
import { formatPrefix, prefixContains, prefixContainsAddress, prefixesOverlap, type Prefix } from '../../net/prefix.js';
import { Ec2ApiError, invalidValue } from './ec2-error.js';
import { parseCidr, type ModelState } from './model-state.js';
import type { CidrAssociation, Eni, Ipv6Address, Subnet, Vpc } from './model-types.js';

/** EC2's per-interface ceiling on IPv6 addresses (the largest instance types); bounds a count request. */
export const MAX_IPV6_PER_ENI = 50;

export interface Ipv6Request {
  /** Addresses asked for by name. */
  readonly addresses?: readonly string[];
  /** How many addresses EC2 should pick. */
  readonly count?: number;
}

/** A subnet IPv6 block: a /64 inside one of the VPC's IPv6 CIDRs, overlapping no other subnet's block. */
export function checkSubnetIpv6Cidr(m: ModelState, vpc: Vpc, text: string): Prefix {
  const p6 = parseCidr(text, 'ipv6');
  if (p6.len !== 64 || !vpc.ipv6Cidrs.some((c) => prefixContains(c.cidr, p6))) {
    throw new Ec2ApiError('InvalidSubnet.Range', `The IPv6 CIDR '${text}' is invalid.`);
  }
  for (const s of m.subnets.values()) {
    if (s.vpcId === vpc.id && s.ipv6 && prefixesOverlap(s.ipv6.cidr, p6)) {
      throw new Ec2ApiError('InvalidSubnet.Conflict', `The IPv6 CIDR '${text}' conflicts with another subnet`);
    }
  }
  return p6;
}

export function newSubnetIpv6(m: ModelState, cidr: Prefix): CidrAssociation {
  return { associationId: m.ids.next('subnet-cidr-assoc'), cidr, text: formatPrefix(cidr) };
}

/** AssociateSubnetCidrBlock: gives a subnet without one its IPv6 /64. */
export function associateSubnetIpv6(m: ModelState, subnetId: string, text: string): CidrAssociation {
  const subnet = m.subnet(subnetId);
  if (subnet.ipv6) {
    throw invalidValue(`The subnet '${subnetId}' already has an IPv6 CIDR block (${subnet.ipv6.text}); a subnet can have only one.`);
  }
  const assoc = newSubnetIpv6(m, checkSubnetIpv6Cidr(m, m.vpc(subnet.vpcId), text));
  subnet.ipv6 = assoc;
  subnet.nextIpv6Host = assoc.cidr.addr + 4n;
  return assoc;
}

/**
 * Reserves the requested IPv6 addresses in the subnet (all or none). Naming addresses and giving a count in one
 * request is refused, as EC2 does; so is asking for any in a subnet without an IPv6 block.
 */
export function takeIpv6(subnet: Subnet, req: Ipv6Request): Ipv6Address[] {
  const named = req.addresses ?? [];
  const count = req.count ?? 0;
  if (named.length > 0 && req.count !== undefined) {
    throw new Ec2ApiError('InvalidParameterCombination', 'IPv6 addresses and IPv6 address count may not be specified on the same request');
  }
  if (!Number.isInteger(count) || count < 0 || count > MAX_IPV6_PER_ENI) {
    throw invalidValue(`Value (${count}) for parameter ipv6AddressCount is invalid. It must be between 0 and ${MAX_IPV6_PER_ENI}.`);
  }
  if (named.length + count === 0) return [];
  const block = subnet.ipv6;
  if (!block) throw invalidValue(`The subnet '${subnet.id}' has no IPv6 CIDR block; IPv6 addresses cannot be assigned in it.`);
  const taken: Ipv6Address[] = [];
  try {
    for (const text of named) taken.push(reserve(subnet, block.cidr, text));
    for (let n = 0; n < count; n++) taken.push(allocate(subnet, block.cidr));
  } catch (err) {
    releaseIpv6(subnet, taken);
    throw err;
  }
  return taken;
}

export function releaseIpv6(subnet: Subnet | undefined, addresses: readonly Ipv6Address[]): void {
  for (const a of addresses) subnet?.usedIpv6.delete(a.value);
}

/** AssignIpv6Addresses: more IPv6 addresses on an existing ENI; returns the new ones. */
export function assignIpv6(m: ModelState, eni: Eni, req: Ipv6Request): string[] {
  const subnet = m.subnet(eni.subnetId);
  const added = takeIpv6(subnet, req);
  if (eni.ipv6.length + added.length > MAX_IPV6_PER_ENI) {
    releaseIpv6(subnet, added);
    throw invalidValue(`The network interface '${eni.id}' cannot hold more than ${MAX_IPV6_PER_ENI} IPv6 addresses.`);
  }
  eni.ipv6.push(...added);
  return added.map((a) => a.address);
}

/** UnassignIpv6Addresses: removes the named addresses (all must be on the ENI); returns them as stored. */
export function unassignIpv6(m: ModelState, eni: Eni, addresses: readonly string[]): Ipv6Address[] {
  const gone: Ipv6Address[] = [];
  for (const text of addresses) {
    const a = tryParseAddress(text);
    const held = a?.family === 'ipv6' ? eni.ipv6.find((x) => x.value === a.addr) : undefined;
    if (!held) throw invalidValue(`Some of the specified addresses are not assigned to interface ${eni.id}: ${text}`);
    if (!gone.includes(held)) gone.push(held);
  }
  for (const g of gone) eni.ipv6.splice(eni.ipv6.indexOf(g), 1);
  releaseIpv6(m.subnets.get(eni.subnetId), gone);
  return gone;
}

function lastOf(block: Prefix): bigint {
  return block.addr + (1n << BigInt(128 - block.len)) - 1n;
}

function reserve(subnet: Subnet, block: Prefix, text: string): Ipv6Address {
  const a = tryParseAddress(text);
  if (!a || a.family !== 'ipv6') throw invalidValue(`Invalid IPv6 address '${text}'`);
  if (!prefixContainsAddress(block, a) || a.addr < block.addr + 4n || a.addr === lastOf(block)) {
    throw invalidValue(`Address ${text} does not fall within the subnet's address range`);
  }
  if (subnet.usedIpv6.has(a.addr)) throw new Ec2ApiError('InvalidIPAddress.InUse', `Address ${text} is in use.`);
  subnet.usedIpv6.add(a.addr);
  return { address: formatIpv6(a.addr), value: a.addr };
}

function allocate(subnet: Subnet, block: Prefix): Ipv6Address {
  const first = block.addr + 4n;
  const last = lastOf(block);
  // A /64 never fills up in practice; the bound only keeps a corrupted state from looping forever.
  for (let tries = 0; tries < 1_000_000; tries++) {
    if (subnet.nextIpv6Host < first || subnet.nextIpv6Host >= last) subnet.nextIpv6Host = first;
    const v = subnet.nextIpv6Host++;
    if (!subnet.usedIpv6.has(v)) {
      subnet.usedIpv6.add(v);
      return { address: formatIpv6(v), value: v };
    }
  }
  throw new Ec2ApiError('InsufficientFreeAddressesInSubnet', `There are not enough free IPv6 addresses in subnet '${subnet.id}'.`);
}
