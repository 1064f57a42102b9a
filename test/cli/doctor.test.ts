// `bgp2vpc doctor` against the emulator: IAM by DryRun (denial injected), source/dest check, CIDRs, claims, limits.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { renderChecks, runDoctor } from '../../src/cli/doctor-command.js';
import { sockoptUsable } from '../support/sockopt-gate.js';

const state = (opts: { sdc?: boolean; claim?: string; routeLimit?: number } = {}): StateDoc => ({
  ...(opts.routeLimit !== undefined ? { routeLimit: opts.routeLimit } : {}),
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0d0c00000000000007',
      cidr: '10.7.0.0/16',
      subnets: [{ name: 'sub', cidr: '10.7.1.0/24' }],
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'n1', subnet: 'sub', privateIp: '10.7.1.11', sourceDestCheck: false },
        { name: 'n2', subnet: 'sub', privateIp: '10.7.1.12', sourceDestCheck: opts.sdc ?? false },
      ],
      routeTables: [
        {
          name: 'rt',
          id: 'rtb-0d0c00000000000007',
          subnets: ['sub'],
          ...(opts.claim ? { tags: { 'bgp2vpc:cluster': opts.claim } } : {}),
          routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }],
        },
      ],
    },
  ],
});

let emu: Emulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function setup(s: StateDoc, clusterCidr = '100.75.0.0/16', vpcExtra = '', bgpExtra = ''): Promise<string> {
  emu = await startEmulator({ host: '127.0.0.1', port: 0, state: s });
  dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-doctor-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(
    file,
    `cluster: { name: doc, cidrs: [${clusterCidr}] }
bgp: { asn: 65000, routerId: 10.7.1.1, listen: [{ address: 127.0.7.1, port: 0 }]${bgpExtra} }
routes: { static: { 100.75.1.0/24: [10.7.1.11, 10.7.1.12] } }
vpc: { endpoint: ${emu.endpoint}, routeTables: [rtb-0d0c00000000000007]${vpcExtra} }
`,
  );
  return file;
}

const verdicts = (rs: readonly { check: string; verdict: string }[]): Record<string, string> =>
  Object.fromEntries(rs.map((r) => [r.check, r.verdict]));

describe('bgp2vpc doctor', () => {
  it('passes a correct setup and writes nothing', async () => {
    const file = await setup(state());
    const rs = await runDoctor(file);
    const v = verdicts(rs);
    expect(rs.filter((r) => r.verdict === 'fail')).toEqual([]);
    expect(v['EC2 access']).toBe('ok');
    expect(v['IAM ec2:CreateRoute']).toBe('ok');
    expect(v['IAM ec2:CreateTags']).toBe('ok');
    expect(v['next hop 10.7.1.12']).toBe('ok');
    expect(v['cluster CIDR 100.75.0.0/16']).toBe('ok');
    expect(rs.find((r) => r.check === 'limit rtb-0d0c00000000000007')?.detail).toContain(
      '1 routes of others, 0 of ours, limit 500, headroom 0 → 499',
    );
    expect(rs.find((r) => r.check === 'route quota')).toEqual({
      check: 'route quota',
      verdict: 'ok',
      detail: '500 routes per table and family (Service Quotas vpc/L-93826ACB)',
    });
    expect(emu?.count({ mutating: true, outcome: 'ok' })).toBe(0);
    expect(rs.find((r) => r.check === 'health checks (group default)')).toEqual({
      check: 'health checks (group default)',
      verdict: 'ok',
      detail:
        "TCP connect to each next hop's port 179 every 200ms (timeout 150ms); down after 2 failures, up after 3 successes: a silent (powered-off, partitioned) host is taken out within 590ms of its last good probe; a BGP daemon that is frozen while its kernel still accepts connections is noticed only when its BGP hold timer expires (90s)",
    });
    expect(renderChecks(rs)).toContain('No problems found');
  });

  it('checks the socket options that BFD and TCP-MD5 need, only when the config uses them', async () => {
    expect(verdicts(await runDoctor(await setup(state())))['socket options']).toBeUndefined();
    await emu?.stop();
    const rs = await runDoctor(await setup(state(), '100.75.0.0/16', '', ', groups: { default: { bfd: true } }'));
    const row = rs.find((r) => r.check === 'socket options');
    if (sockoptUsable())
      expect(row).toEqual({ check: 'socket options', verdict: 'ok', detail: 'BFD (bgp.groups.*.bfd): libc reachable through koffi' });
    else expect(row?.verdict).toBe('fail');
  });

  it('reports denied IAM actions, source/dest check on, a claimed table and a cluster CIDR inside the VPC, with fixes', async () => {
    const file = await setup(state({ sdc: true, claim: 'other' }), '10.7.128.0/17');
    emu?.faults.deny(['ReplaceRoute']);
    const rs = await runDoctor(file);
    const v = verdicts(rs);
    expect(v['IAM ec2:ReplaceRoute']).toBe('fail');
    expect(v['IAM ec2:CreateRoute']).toBe('ok');
    expect(v['next hop 10.7.1.12']).toBe('fail');
    expect(rs.find((r) => r.check === 'next hop 10.7.1.12')?.fix).toMatch(/--no-source-dest-check.*vpc\.fixSourceDestCheck: true/);
    expect(verdicts(rs)['IAM ec2:ModifyNetworkInterfaceAttribute']).toBeUndefined();
    expect(v['table rtb-0d0c00000000000007']).toBe('fail');
    expect(v['cluster CIDR 10.7.128.0/17']).toBe('fail');
    const text = renderChecks(rs);
    expect(text).toMatch(/FAIL {2}IAM ec2:ReplaceRoute: denied/);
    expect(text).toMatch(/fix: attach deploy\/iam\/bgp2vpc-policy\.json/);
    expect(text).toMatch(/\d+ problem\(s\) to fix/);
  });

  it('warns when a peer group has no health probes', async () => {
    const file = await setup(state());
    writeFileSync(file, `${readFileSync(file, 'utf8')}health: { profiles: { default: { type: none } } }\n`);
    const r = (await runDoctor(file)).find((x) => x.check === 'health checks (group default)');
    expect(r).toMatchObject({ verdict: 'warn', detail: 'no probes: a silent host is noticed only when its BGP hold timer expires (90s)' });
  });

  it('route quota: read from Service Quotas, AWS default with a fix when denied, a configured number wins', async () => {
    let file = await setup(state({ routeLimit: 120 }));
    let rs = await runDoctor(file);
    expect(rs.find((r) => r.check === 'route quota')?.detail).toBe('120 routes per table and family (Service Quotas vpc/L-93826ACB)');
    expect(rs.find((r) => r.check === 'limit rtb-0d0c00000000000007')?.detail).toContain('limit 120, headroom 0 → 119');
    emu?.faults.deny(['GetServiceQuota']);
    rs = await runDoctor(file);
    expect(rs.find((r) => r.check === 'route quota')).toMatchObject({
      verdict: 'warn',
      detail: expect.stringMatching(/^500 routes per table and family \(AWS's default: GetServiceQuota failed: AccessDeniedException/),
      fix: expect.stringContaining('allow servicequotas:GetServiceQuota'),
    });
    expect(rs.find((r) => r.check === 'limit rtb-0d0c00000000000007')?.detail).toContain('limit 500, headroom 0 → 499');
    await emu?.stop();
    file = await setup(state({ routeLimit: 120 }), '100.75.0.0/16', ', routeLimit: 300');
    rs = await runDoctor(file);
    expect(rs.find((r) => r.check === 'route quota')).toMatchObject({
      verdict: 'warn',
      detail: "300 routes per table and family (vpc.routeLimit), above the account's quota of 120 (Service Quotas vpc/L-93826ACB)",
    });
    expect(rs.find((r) => r.check === 'limit rtb-0d0c00000000000007')?.detail).toContain('limit 300');
  });

  it('source/dest check on with vpc.fixSourceDestCheck: a warning, and the permission checked by DryRun', async () => {
    const file = await setup(state({ sdc: true }), '100.75.0.0/16', ', fixSourceDestCheck: true');
    let rs = await runDoctor(file);
    expect(rs.find((r) => r.check === 'next hop 10.7.1.12')).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('bgp2vpc turns it off (vpc.fixSourceDestCheck: true)'),
    });
    expect(verdicts(rs)['IAM ec2:ModifyNetworkInterfaceAttribute']).toBe('ok');
    emu?.faults.deny(['ModifyNetworkInterfaceAttribute']);
    rs = await runDoctor(file);
    expect(verdicts(rs)['IAM ec2:ModifyNetworkInterfaceAttribute']).toBe('fail');
    expect(emu?.count({ action: 'ModifyNetworkInterfaceAttribute', outcome: 'ok' })).toBe(0);
    expect(emu?.model.eni(emu.names.get('n2.eni') ?? '').sourceDestCheck).toBe(true);
  });

  it('fails clearly when EC2 cannot be reached', async () => {
    const file = await setup(state());
    await emu?.stop();
    emu = undefined;
    const rs = await runDoctor(file);
    expect(verdicts(rs)['EC2 access']).toBe('fail');
  });
});
