// The YAML state file: the shipped example loads; errors name the path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ec2Model } from '../../../src/sim/ec2/model.js';
import { applyState, loadStateFile, StateFileError } from '../../../src/sim/ec2/state-file.js';

const example = fileURLToPath(new URL('../../../src/sim/ec2/example-state.yaml', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bgp2vpc-emu-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string): Promise<Map<string, string>> {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return applyState(new Ec2Model(), await loadStateFile(file));
}

describe('state file', () => {
  it('the example state file builds VPC, subnets, gateways, instances, ENIs and tables', async () => {
    const m = new Ec2Model();
    const names = applyState(m, await loadStateFile(example));
    const id = (n: string): string => names.get(n) ?? `missing ${n}`;
    const vpc = m.vpc(id('prod'));
    expect(vpc.cidrs.map((c) => c.text)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    expect(vpc.ipv6Cidrs.length).toBe(1);
    expect(m.instance(id('node1')).enis.size).toBe(2);
    expect(m.enis.get(id('node1.eni'))?.sourceDestCheck).toBe(false);
    expect(m.enis.get(id('node3.eni'))?.sourceDestCheck).toBe(true);
    expect(m.instance(id('old-node')).state).toBe('terminated');
    expect(m.subnet(id('private-a')).ipv6?.text).toBe('2600:1f18:1234:5601::/64');
    expect(m.enis.get(id('node1.eni'))?.ipv6.map((a) => a.address)).toEqual(['2600:1f18:1234:5601::11']);
    expect(m.enis.get(id('node2.eni'))?.ipv6).toHaveLength(1);
    const pods = m.routesOf(id('pods'));
    expect(pods.filter((r) => r.targetKind !== 'local').map((r) => [r.destination, r.targetKind, r.state])).toEqual([
      ['0.0.0.0/0', 'nat-gateway', 'active'],
      ['172.16.0.0/12', 'vpc-peering-connection', 'active'],
      ['192.168.0.0/16', 'transit-gateway', 'active'],
      ['100.64.0.0/24', 'network-interface', 'active'],
      ['100.64.9.0/24', 'network-interface', 'blackhole'],
      ['fd00:244::/64', 'network-interface', 'active'],
    ]);
    expect(m.routeTable(id('pods')).tags.get('bgp2vpc:cluster')).toBe('demo');
    expect(m.routeTable(id('main')).id).toBe(vpc.mainRouteTableId);
    expect(m.findRoute(id('public'), '0.0.0.0/0')?.gatewayId).toBe(id('igw'));
  });

  it("fixed IDs are kept, the main route table's too", async () => {
    const names = await load(
      'vpcs:\n  - {name: v, id: vpc-0123456789abcdef0, cidr: 10.0.0.0/16, subnets: [{name: s, id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.0.1.0/24}],\n' +
        '     routeTables: [{name: m, main: true, id: rtb-0aaaaaaaaaaaaaaa2}, {name: t, id: rtb-0aaaaaaaaaaaaaaa3}]}\n',
    );
    expect(names.get('v')).toBe('vpc-0123456789abcdef0');
    expect(names.get('s')).toBe('subnet-0aaaaaaaaaaaaaaa1');
    expect(names.get('m')).toBe('rtb-0aaaaaaaaaaaaaaa2');
    expect(names.get('t')).toBe('rtb-0aaaaaaaaaaaaaaa3');
    await expect(
      load(
        'vpcs:\n  - {name: v, id: vpc-0123456789abcdef0, cidr: 10.0.0.0/16}\n  - {name: w, id: vpc-0123456789abcdef0, cidr: 10.1.0.0/16}\n',
      ),
    ).rejects.toThrow(/vpcs\.1 \(w\): InvalidParameterValue/);
  });

  it('ENIs and instances take IPv6 addresses, named or by count, in a subnet with an ipv6Cidr', async () => {
    const doc =
      'vpcs:\n  - name: v\n    cidr: 10.0.0.0/16\n    ipv6Cidr: 2600:1f18:9:900::/56\n' +
      "    subnets: [{name: s, cidr: 10.0.1.0/24, ipv6Cidr: '2600:1f18:9:901::/64'}, {name: s4, cidr: 10.0.2.0/24}]\n" +
      "    instances: [{name: n, subnet: s, ipv6Addresses: ['2600:1f18:9:901::10']}]\n" +
      '    networkInterfaces: [{name: e, subnet: s, ipv6AddressCount: 2, attachTo: n}]\n';
    const m = new Ec2Model();
    const file = join(dir, 'v6.yaml');
    await writeFile(file, doc);
    const names = applyState(m, await loadStateFile(file));
    expect(m.enis.get(names.get('n.eni') ?? '')?.ipv6.map((a) => a.address)).toEqual(['2600:1f18:9:901::10']);
    expect(m.enis.get(names.get('e') ?? '')?.ipv6).toHaveLength(2);
    await expect(load(doc.replace('{name: n, subnet: s,', '{name: n, subnet: s4,'))).rejects.toThrow(
      /vpcs\.0 \(v\): InvalidParameterValue: .*no IPv6 CIDR/,
    );
    await expect(load(doc.replace('ipv6AddressCount: 2', 'ipv6AddressCount: -1'))).rejects.toThrow(/ipv6AddressCount/);
  });

  it('errors: unknown field, bad reference, EC2 rule, YAML syntax, missing file', async () => {
    await expect(load('vpcs:\n  - {name: v, cidr: 10.0.0.0/16, colour: red}\n')).rejects.toThrow(/vpcs\.0: .*colour/);
    await expect(load('vpcs:\n  - {name: v, cidr: 10.0.0.0/16, instances: [{name: n, subnet: nowhere}]}\n')).rejects.toThrow(
      'vpcs.0 (v): unknown subnet "nowhere"',
    );
    await expect(
      load(
        'vpcs:\n  - name: v\n    cidr: 10.0.0.0/16\n    routeTables: [{name: t, routes: [{destination: 10.0.1.0/24, target: {internetGateway: igw-0000000000000dead}}]}]\n',
      ),
    ).rejects.toThrow(/vpcs\.0 \(v\): InvalidGatewayID\.NotFound/);
    await expect(load('vpcs: [\n')).rejects.toBeInstanceOf(StateFileError);
    await expect(loadStateFile(join(dir, 'absent.yaml'))).rejects.toThrow(/cannot read state file/);
    await expect(load('vpcs:\n  - {name: v, cidr: 10.0.0.0/16}\n  - {name: v, cidr: 10.1.0.0/16}\n')).rejects.toThrow(
      'vpc name "v" is used twice',
    );
  });
});
