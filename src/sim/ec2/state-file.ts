// The state file (`bgp2vpc emulator --state FILE.yaml`, `startEmulator({state})`, POST /_emulator/setup):
// VPCs with their subnets, gateways, instances, extra ENIs and route tables, referred to by local names.
// See example-state.yaml for every field. applyState() returns name → ID for everything it created.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError, errorMessage } from '../../base/errors.js';
import { Ec2ApiError } from './ec2-error.js';
import type { Ec2Model } from './model.js';
import type { TargetInput } from './route-ops.js';

const tags = z.record(z.string(), z.string());
const name = z.string().min(1);

/** Addressing shared by an ENI and an instance's primary ENI. */
const addressing = {
  id: z.string().optional(),
  subnet: name,
  privateIp: z.string().optional(),
  secondaryIps: z.array(z.string()).optional(),
  ipv6Addresses: z.array(z.string()).optional(),
  ipv6AddressCount: z.number().int().min(0).max(50).optional(),
  sourceDestCheck: z.boolean().optional(),
};

const eniDoc = z.strictObject({
  name: name.optional(),
  ...addressing,
  description: z.string().optional(),
  tags: tags.optional(),
  attachTo: name.optional(),
  deviceIndex: z.number().int().min(1).max(15).optional(),
});

const instanceDoc = z.strictObject({
  name,
  ...addressing,
  instanceType: z.string().optional(),
  state: z.enum(['running', 'stopped', 'terminated']).optional(),
  tags: tags.optional(),
});

const targetDoc = z.strictObject({
  instance: name.optional(),
  networkInterface: name.optional(),
  internetGateway: name.optional(),
  natGateway: name.optional(),
  vpcPeeringConnection: name.optional(),
  transitGateway: name.optional(),
  egressOnlyInternetGateway: name.optional(),
});

const routeDoc = z.strictObject({ destination: z.string(), target: targetDoc });

const routeTableDoc = z.strictObject({
  name,
  id: z.string().optional(),
  main: z.boolean().optional(),
  tags: tags.optional(),
  subnets: z.array(name).optional(),
  routes: z.array(routeDoc).optional(),
});

const vpcDoc = z.strictObject({
  name,
  id: z.string().optional(),
  cidr: z.string(),
  extraCidrs: z.array(z.string()).optional(),
  ipv6Cidr: z.union([z.string(), z.literal(true)]).optional(),
  tags: tags.optional(),
  subnets: z
    .array(
      z.strictObject({
        name,
        id: z.string().optional(),
        cidr: z.string(),
        ipv6Cidr: z.string().optional(),
        az: z.string().optional(),
        tags: tags.optional(),
      }),
    )
    .optional(),
  internetGateways: z.array(z.strictObject({ name, id: z.string().optional(), tags: tags.optional() })).optional(),
  natGateways: z.array(z.strictObject({ name, id: z.string().optional(), subnet: name, tags: tags.optional() })).optional(),
  vpcPeeringConnections: z.array(z.strictObject({ name, id: z.string().optional() })).optional(),
  transitGateways: z.array(z.strictObject({ name, id: z.string().optional() })).optional(),
  egressOnlyInternetGateways: z.array(z.strictObject({ name, id: z.string().optional() })).optional(),
  instances: z.array(instanceDoc).optional(),
  networkInterfaces: z.array(eniDoc).optional(),
  routeTables: z.array(routeTableDoc).optional(),
});

export const stateDocSchema = z.strictObject({
  routeLimit: z.number().int().min(1).max(1000).optional(),
  vpcs: z.array(vpcDoc).default([]),
});

export type StateDoc = z.input<typeof stateDocSchema>;

export class StateFileError extends UserError {
  constructor(message: string) {
    super('EMULATOR_STATE', message);
  }
}

/** Validates a parsed document; errors name the path (`vpcs.0.subnets.1.cidr: …`). */
export function parseStateDoc(input: unknown, source = 'state'): z.output<typeof stateDocSchema> {
  const r = stateDocSchema.safeParse(input ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    const path = first?.path.join('.') ?? '';
    throw new StateFileError(`${source}: ${path ? `${path}: ` : ''}${first?.message ?? 'invalid'}`);
  }
  return r.data;
}

export async function loadStateFile(file: string): Promise<z.output<typeof stateDocSchema>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StateFileError(`cannot read state file ${file}: ${errorMessage(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new StateFileError(`${file}: ${errorMessage(err).split('\n')[0] ?? 'invalid YAML'}`);
  }
  return parseStateDoc(doc, file);
}

/** Creates everything in the document; returns local name → resource ID. Fails with StateFileError. */
export function applyState(model: Ec2Model, input: StateDoc): Map<string, string> {
  const doc = parseStateDoc(input);
  const names = new Map<string, string>();
  const put = (kind: string, n: string, id: string): void => {
    if (names.has(n)) throw new StateFileError(`${kind} name "${n}" is used twice`);
    names.set(n, id);
  };
  const ref = (n: string, what: string): string => {
    const id = names.get(n) ?? (/^[a-z]+-[0-9a-f]+$/.test(n) ? n : undefined);
    if (id === undefined) throw new StateFileError(`unknown ${what} "${n}"`);
    return id;
  };
  if (doc.routeLimit !== undefined) model.routeLimit = doc.routeLimit;
  for (const [vi, v] of doc.vpcs.entries()) {
    const at = `vpcs.${vi} (${v.name})`;
    try {
      const mainId = v.routeTables?.find((t) => t.main)?.id;
      const vpc = model.createVpc({
        cidr: v.cidr,
        ...(v.ipv6Cidr !== undefined ? { ipv6Cidr: v.ipv6Cidr } : {}),
        tags: { Name: v.name, ...v.tags },
        ...(v.id ? { id: v.id } : {}),
        ...(mainId ? { mainRouteTableId: mainId } : {}),
      });
      put('vpc', v.name, vpc.id);
      for (const c of v.extraCidrs ?? []) model.associateVpcCidr(vpc.id, { ipv4: c });
      for (const s of v.subnets ?? []) {
        const sn = model.createSubnet({
          vpcId: vpc.id,
          cidr: s.cidr,
          ...(s.ipv6Cidr ? { ipv6Cidr: s.ipv6Cidr } : {}),
          ...(s.az ? { az: s.az } : {}),
          tags: { Name: s.name, ...s.tags },
          ...(s.id ? { id: s.id } : {}),
        });
        put('subnet', s.name, sn.id);
      }
      for (const g of v.internetGateways ?? []) {
        const gw = model.createGateway('internet-gateway', {
          vpcId: vpc.id,
          tags: { Name: g.name, ...g.tags },
          ...(g.id ? { id: g.id } : {}),
        });
        put('internet gateway', g.name, gw.id);
      }
      for (const g of v.natGateways ?? []) {
        const gw = model.createGateway('nat-gateway', {
          subnetId: ref(g.subnet, 'subnet'),
          tags: { Name: g.name, ...g.tags },
          ...(g.id ? { id: g.id } : {}),
        });
        put('NAT gateway', g.name, gw.id);
      }
      const simple = [
        ['vpc-peering-connection', v.vpcPeeringConnections],
        ['transit-gateway', v.transitGateways],
        ['egress-only-internet-gateway', v.egressOnlyInternetGateways],
      ] as const;
      for (const [kind, list] of simple) {
        for (const g of list ?? [])
          put(kind, g.name, model.createGateway(kind, { vpcId: vpc.id, tags: { Name: g.name }, ...(g.id ? { id: g.id } : {}) }).id);
      }
      for (const i of v.instances ?? []) {
        const [inst] = model.runInstances({
          subnetId: ref(i.subnet, 'subnet'),
          ...(i.privateIp ? { privateIp: i.privateIp } : {}),
          ...(i.secondaryIps ? { secondaryIps: i.secondaryIps } : {}),
          ...(i.ipv6Addresses ? { ipv6Addresses: i.ipv6Addresses } : {}),
          ...(i.ipv6AddressCount !== undefined ? { ipv6AddressCount: i.ipv6AddressCount } : {}),
          ...(i.sourceDestCheck !== undefined ? { sourceDestCheck: i.sourceDestCheck } : {}),
          ...(i.instanceType ? { instanceType: i.instanceType } : {}),
          ...(i.id ? { id: i.id } : {}),
          tags: { Name: i.name, ...i.tags },
        });
        if (!inst) continue;
        put('instance', i.name, inst.id);
        names.set(`${i.name}.eni`, inst.primaryEniId);
      }
      for (const e of v.networkInterfaces ?? []) {
        const eni = model.createEni({
          subnetId: ref(e.subnet, 'subnet'),
          ...(e.privateIp ? { privateIp: e.privateIp } : {}),
          ...(e.secondaryIps ? { secondaryIps: e.secondaryIps } : {}),
          ...(e.ipv6Addresses ? { ipv6Addresses: e.ipv6Addresses } : {}),
          ...(e.ipv6AddressCount !== undefined ? { ipv6AddressCount: e.ipv6AddressCount } : {}),
          ...(e.sourceDestCheck !== undefined ? { sourceDestCheck: e.sourceDestCheck } : {}),
          ...(e.description !== undefined ? { description: e.description } : {}),
          ...(e.tags ? { tags: e.tags } : {}),
          ...(e.id ? { id: e.id } : {}),
        });
        if (e.name) put('network interface', e.name, eni.id);
        if (e.attachTo) model.attachEni(eni.id, ref(e.attachTo, 'instance'), e.deviceIndex ?? 1);
      }
      for (const t of v.routeTables ?? []) {
        const table = t.main ? model.routeTable(vpc.mainRouteTableId) : model.createRouteTable(vpc.id, {}, t.id);
        put('route table', t.name, table.id);
        model.createTags([table.id], { Name: t.name, ...t.tags });
        for (const s of t.subnets ?? []) model.associateRouteTable(table.id, ref(s, 'subnet'));
        for (const r of t.routes ?? []) model.createRoute(table.id, r.destination, targetInput(r.target, ref));
      }
      for (const i of v.instances ?? []) {
        const id = names.get(i.name);
        if (id === undefined || i.state === undefined || i.state === 'running') continue;
        if (i.state === 'stopped') model.stopInstance(id);
        else model.terminateInstance(id);
      }
    } catch (err) {
      if (err instanceof Ec2ApiError) throw new StateFileError(`${at}: ${err.code}: ${err.message}`);
      if (err instanceof StateFileError) throw new StateFileError(`${at}: ${err.message}`);
      throw err;
    }
  }
  return names;
}

function targetInput(t: z.output<typeof targetDoc>, ref: (n: string, what: string) => string): TargetInput {
  const given = Object.entries(t).filter(([, v]) => v !== undefined);
  if (given.length !== 1)
    throw new StateFileError(
      'a route target needs exactly one of instance, networkInterface, internetGateway, natGateway, vpcPeeringConnection, transitGateway, egressOnlyInternetGateway',
    );
  const [key, n] = given[0] as [keyof typeof t, string];
  const id = ref(n, key);
  switch (key) {
    case 'instance':
      return { instanceId: id };
    case 'networkInterface':
      return { networkInterfaceId: id };
    case 'internetGateway':
      return { gatewayId: id };
    case 'natGateway':
      return { natGatewayId: id };
    case 'vpcPeeringConnection':
      return { vpcPeeringConnectionId: id };
    case 'transitGateway':
      return { transitGatewayId: id };
    case 'egressOnlyInternetGateway':
      return { egressOnlyInternetGatewayId: id };
  }
}
