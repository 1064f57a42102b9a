// `bgp2vpc plan --spec`: reads the tables, prints the diff, writes nothing (dry run forced).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { planCommand } from '../../src/cli/plan-command.js';

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0a1a00000000000006',
      cidr: '10.6.0.0/16',
      subnets: [{ name: 'sub', cidr: '10.6.1.0/24' }],
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'n1', subnet: 'sub', privateIp: '10.6.1.11', sourceDestCheck: false },
        { name: 'n2', subnet: 'sub', privateIp: '10.6.1.12', sourceDestCheck: false },
      ],
      routeTables: [
        {
          name: 'rt',
          id: 'rtb-0a1a00000000000006',
          subnets: ['sub'],
          routes: [
            { destination: '0.0.0.0/0', target: { internetGateway: 'igw' } },
            { destination: '100.74.9.0/24', target: { networkInterface: 'n2.eni' } },
          ],
        },
      ],
    },
  ],
};

let emu: Emulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('bgp2vpc plan', () => {
  it('prints creates, replaces and deletes for a spec file and makes no EC2 write', async () => {
    emu = await startEmulator({ host: '127.0.0.1', port: 0, state });
    dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-plan-'));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ '100.74.1.0/24': ['10.6.1.11'], '100.74.2.0/24': ['10.6.1.12'] }));
    writeFileSync(
      join(dir, 'c.yaml'),
      `cluster: { name: plan, cidrs: [100.74.0.0/16] }
bgp: { asn: 65000, routerId: 10.6.1.1, listen: [] }
vpc: { endpoint: ${emu.endpoint}, routeTables: [rtb-0a1a00000000000006] }
`,
    );
    const before = emu.count({ mutating: true });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await planCommand({ config: join(dir, 'c.yaml'), spec: join(dir, 'spec.json') }, [])).toBe(0);
    const text = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(text).toContain('dry run');
    expect(text).toMatch(/rtb-0a1a00000000000006: \d+ to create/);
    const n1 = emu.names.get('n1.eni') ?? '?';
    expect(text).toContain(`→ ${n1}`);
    expect(text).not.toContain('0.0.0.0/0'); // the IGW route is not ours and not in the plan
    expect(emu.count({ mutating: true })).toBe(before);

    const json = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await planCommand({ config: join(dir, 'c.yaml'), spec: join(dir, 'spec.json'), json: true }, []);
    const doc = JSON.parse(json.mock.calls.map((c) => String(c[0])).join('')) as {
      tables: { id: string; ops: { kind: string; target?: string }[] }[];
      prefixes: number;
    };
    expect(doc.prefixes).toBe(2);
    expect(doc.tables[0]?.id).toBe('rtb-0a1a00000000000006');
    expect(doc.tables[0]?.ops.some((o) => o.target === n1)).toBe(true);
    expect(emu.count({ mutating: true })).toBe(before);
  });

  it('rejects a bad --settle with a one-line user error', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-plan-'));
    writeFileSync(
      join(dir, 'c.yaml'),
      `cluster: { name: plan, cidrs: [100.74.0.0/16] }\nbgp: { asn: 65000, routerId: 10.6.1.1 }\nvpc: { vpcId: vpc-01 }\n`,
    );
    await expect(planCommand({ config: join(dir, 'c.yaml'), settle: 'soon' }, [])).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
