// Resources → the XML trees the SDK's deserializer expects (element names from @aws-sdk/client-ec2's schemas:
// routeTableSet/item/routeSet/item/destinationCidrBlock, networkInterfaceSet, privateIpAddressesSet, tagSet…).
import { availableIps } from './compute-ops.js';
import type { Ec2Model } from './model.js';
import {
  INSTANCE_STATE_CODE,
  type CidrAssociation,
  type Eni,
  type Gateway,
  type Instance,
  type RouteTable,
  type Subnet,
  type Tags,
  type Vpc,
} from './model-types.js';
import { describedRoutes } from './described-route.js';
import type { XmlObject, XmlValue } from './xml.js';

export function renderTags(tags: Tags): XmlValue[] {
  const out: XmlValue[] = [];
  for (const [key, value] of tags) out.push({ key, value });
  return out;
}

const assocState = (state: string): XmlObject => ({ state });

export function renderCidrAssociation(a: CidrAssociation): XmlObject {
  return a.cidr.family === 'ipv4'
    ? { associationId: a.associationId, cidrBlock: a.text, cidrBlockState: assocState('associated') }
    : {
        associationId: a.associationId,
        ipv6CidrBlock: a.text,
        ipv6CidrBlockState: assocState('associated'),
        networkBorderGroup: 'us-east-1',
        ipv6Pool: 'Amazon',
      };
}

export function renderVpc(m: Ec2Model, v: Vpc): XmlObject {
  return {
    vpcId: v.id,
    ownerId: m.ownerId,
    state: 'available',
    cidrBlock: v.cidrs[0]?.text,
    cidrBlockAssociationSet: v.cidrs.map(renderCidrAssociation),
    ipv6CidrBlockAssociationSet: v.ipv6Cidrs.length ? v.ipv6Cidrs.map(renderCidrAssociation) : undefined,
    dhcpOptionsId: 'dopt-0emulator000000',
    instanceTenancy: 'default',
    isDefault: false,
    tagSet: v.tags.size ? renderTags(v.tags) : undefined,
  };
}

export function renderSubnetIpv6Association(a: CidrAssociation): XmlObject {
  return { associationId: a.associationId, ipv6CidrBlock: a.text, ipv6CidrBlockState: assocState('associated') };
}

export function renderSubnet(m: Ec2Model, s: Subnet): XmlObject {
  return {
    subnetId: s.id,
    subnetArn: `arn:aws:ec2:${m.region}:${m.ownerId}:subnet/${s.id}`,
    ownerId: m.ownerId,
    state: 'available',
    vpcId: s.vpcId,
    cidrBlock: s.text,
    ipv6CidrBlockAssociationSet: s.ipv6 ? [renderSubnetIpv6Association(s.ipv6)] : undefined,
    availableIpAddressCount: availableIps(s),
    availabilityZone: s.az,
    availabilityZoneId: `use1-az${s.az.charCodeAt(s.az.length - 1) - 96}`,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    tagSet: s.tags.size ? renderTags(s.tags) : undefined,
  };
}

function eniCommon(m: Ec2Model, e: Eni): XmlObject {
  const primary = e.privateIps.find((p) => p.primary) ?? e.privateIps[0];
  return {
    networkInterfaceId: e.id,
    subnetId: e.subnetId,
    availabilityZone: e.az,
    vpcId: e.vpcId,
    description: e.description,
    ownerId: m.ownerId,
    status: e.attachment ? 'in-use' : 'available',
    macAddress: e.macAddress,
    privateIpAddress: primary?.address,
    privateDnsName: primary ? `ip-${primary.address.replace(/\./g, '-')}.ec2.internal` : undefined,
    sourceDestCheck: e.sourceDestCheck,
    groupSet: [],
    privateIpAddressesSet: e.privateIps.map((p) => ({
      privateIpAddress: p.address,
      privateDnsName: `ip-${p.address.replace(/\./g, '-')}.ec2.internal`,
      primary: p.primary,
    })),
    ipv6AddressesSet: e.ipv6.length ? e.ipv6.map((a) => ({ ipv6Address: a.address, isPrimaryIpv6: false })) : undefined,
    interfaceType: 'interface',
  };
}

export function renderEni(m: Ec2Model, e: Eni): XmlObject {
  const a = e.attachment;
  return {
    ...eniCommon(m, e),
    availabilityZone: e.az,
    requesterManaged: false,
    attachment: a
      ? {
          attachmentId: a.attachmentId,
          instanceId: a.instanceId,
          instanceOwnerId: m.ownerId,
          deviceIndex: a.deviceIndex,
          networkCardIndex: 0,
          status: 'attached',
          attachTime: a.attachTime,
          deleteOnTermination: a.deleteOnTermination,
        }
      : undefined,
    tagSet: renderTags(e.tags),
  };
}

export function renderInstance(m: Ec2Model, i: Instance): XmlObject {
  const primary = m.enis.get(i.primaryEniId);
  const live = i.state !== 'terminated';
  const enis: XmlValue[] = [];
  for (const [, eniId] of [...i.enis].sort((a, b) => a[0] - b[0])) {
    const e = m.enis.get(eniId);
    if (!e?.attachment) continue;
    enis.push({
      ...eniCommon(m, e),
      attachment: {
        attachmentId: e.attachment.attachmentId,
        deviceIndex: e.attachment.deviceIndex,
        networkCardIndex: 0,
        status: 'attached',
        attachTime: e.attachment.attachTime,
        deleteOnTermination: e.attachment.deleteOnTermination,
      },
    });
  }
  const ip = live ? primary?.privateIps.find((p) => p.primary)?.address : undefined;
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: { code: INSTANCE_STATE_CODE[i.state], name: i.state },
    privateDnsName: ip ? `ip-${ip.replace(/\./g, '-')}.ec2.internal` : '',
    dnsName: '',
    amiLaunchIndex: 0,
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.az, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: live ? i.subnetId : undefined,
    vpcId: live ? i.vpcId : undefined,
    privateIpAddress: ip,
    sourceDestCheck: live ? primary?.sourceDestCheck : undefined,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    networkInterfaceSet: enis,
    tagSet: i.tags.size ? renderTags(i.tags) : undefined,
  };
}

export function renderReservation(m: Ec2Model, reservationId: string, instances: readonly Instance[]): XmlObject {
  return {
    reservationId,
    ownerId: m.ownerId,
    groupSet: [],
    instancesSet: instances.map((i) => renderInstance(m, i)),
  };
}

export function renderRouteTable(m: Ec2Model, t: RouteTable): XmlObject {
  return {
    routeTableId: t.id,
    vpcId: t.vpcId,
    ownerId: m.ownerId,
    routeSet: describedRoutes(m, t).map((r) => ({
      destinationCidrBlock: r.family === 'ipv4' ? r.destination : undefined,
      destinationIpv6CidrBlock: r.family === 'ipv6' ? r.destination : undefined,
      gatewayId: r.gatewayId,
      instanceId: r.instanceId,
      instanceOwnerId: r.instanceOwnerId,
      networkInterfaceId: r.networkInterfaceId,
      natGatewayId: r.natGatewayId,
      vpcPeeringConnectionId: r.vpcPeeringConnectionId,
      transitGatewayId: r.transitGatewayId,
      egressOnlyInternetGatewayId: r.egressOnlyInternetGatewayId,
      state: r.state,
      origin: r.origin,
    })),
    associationSet: [...t.associations.values()].map((a) => ({
      routeTableAssociationId: a.id,
      routeTableId: t.id,
      subnetId: a.subnetId,
      main: a.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: renderTags(t.tags),
  };
}

export function renderInternetGateway(m: Ec2Model, g: Gateway): XmlObject {
  return {
    internetGatewayId: g.id,
    ownerId: m.ownerId,
    attachmentSet: g.vpcId !== undefined ? [{ vpcId: g.vpcId, state: 'available' }] : [],
    tagSet: renderTags(g.tags),
  };
}

export function renderNatGateway(g: Gateway): XmlObject {
  return {
    natGatewayId: g.id,
    subnetId: g.subnetId,
    vpcId: g.vpcId,
    state: 'available',
    connectivityType: 'public',
    createTime: g.createTime,
    natGatewayAddressSet: [],
    tagSet: renderTags(g.tags),
  };
}
