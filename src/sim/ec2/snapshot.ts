// A JSON view of the whole model (GET /_emulator/state, the CLI's summary, debugging).
import type { Ec2Model } from './model.js';
import { isMainTable } from './route-ops.js';

export function snapshot(m: Ec2Model): Record<string, unknown> {
  const tags = (t: ReadonlyMap<string, string>) => Object.fromEntries(t);
  return {
    routeLimit: m.routeLimit,
    vpcs: [...m.vpcs.values()].map((v) => ({
      id: v.id,
      cidrs: v.cidrs.map((c) => c.text),
      ipv6Cidrs: v.ipv6Cidrs.map((c) => c.text),
      mainRouteTableId: v.mainRouteTableId,
      tags: tags(v.tags),
    })),
    subnets: [...m.subnets.values()].map((s) => ({
      id: s.id,
      vpcId: s.vpcId,
      cidr: s.text,
      ipv6Cidr: s.ipv6?.text,
      az: s.az,
      tags: tags(s.tags),
    })),
    instances: [...m.instances.values()].map((i) => ({
      id: i.id,
      state: i.state,
      subnetId: i.subnetId,
      primaryEniId: i.primaryEniId,
      enis: Object.fromEntries(i.enis),
      sourceDestCheck: m.enis.get(i.primaryEniId)?.sourceDestCheck,
      tags: tags(i.tags),
    })),
    networkInterfaces: [...m.enis.values()].map((e) => ({
      id: e.id,
      subnetId: e.subnetId,
      privateIps: e.privateIps.map((p) => p.address),
      ipv6Addresses: e.ipv6.map((a) => a.address),
      instanceId: e.attachment?.instanceId,
      deviceIndex: e.attachment?.deviceIndex,
      sourceDestCheck: e.sourceDestCheck,
    })),
    gateways: [...m.gateways.values()].map((g) => ({ id: g.id, kind: g.kind, vpcId: g.vpcId })),
    routeTables: [...m.routeTables.values()].map((t) => ({
      id: t.id,
      vpcId: t.vpcId,
      main: isMainTable(t),
      subnets: [...t.associations.values()].flatMap((a) => a.subnetId ?? []),
      tags: tags(t.tags),
      routes: m.routesOf(t.id),
    })),
  };
}
