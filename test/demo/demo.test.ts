import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansi, plain, renderView, type ViewSnapshot } from '../../src/demo/view.js';
import { blocks } from '../../src/demo/scenario.js';

const root = join(import.meta.dirname, '..', '..');

const snap: ViewSnapshot = {
  step: 'a host dies',
  stepIndex: 2,
  steps: 5,
  elapsedMs: 6100,
  apiUrl: 'http://127.0.0.1:33289',
  narrative: ['node-a crashes'],
  hosts: [
    {
      name: 'node-a',
      ip: '127.0.10.11',
      healthPortOpen: false,
      peer: {
        peer: '127.0.10.11',
        asn: 64601,
        state: 'idle',
        uptimeSeconds: 2,
        capabilities: [],
        prefixes: { received: 2, accepted: 0, rejected: 0 },
        flaps: 1,
        health: { healthy: false, reason: 'session down' },
      },
    },
    { name: 'node-b', ip: '127.0.10.12', healthPortOpen: true },
  ],
  tableId: 'rtb-1',
  limit: 50,
  routes: [
    { destination: '127.0.0.0/16', target: 'local', state: 'active', ours: false },
    { destination: '0.0.0.0/0', target: 'igw-1', state: 'active', ours: false },
    { destination: '100.65.0.0/24', target: 'eni-b', host: 'node-b', state: 'active', ours: true },
  ],
  announced: 9,
  calls: [{ at: 5800, action: 'ReplaceRoute', detail: '100.65.0.0/24 → node-b', outcome: 'ok' }],
  callTotals: { ReplaceRoute: 1 },
  events: ['5.9s failover: 100.65.0.10/32 127.0.10.11 → 127.0.10.12'],
};

describe('demo view', () => {
  it('shows sessions, the table with foreign routes marked, and each EC2 call', () => {
    const text = renderView(snap, plain);
    expect(text).toContain('step 2/5: a host dies');
    expect(text).toMatch(/node-a\s+127\.0\.10\.11\s+64601\s+idle\s+2s\s+0\s+1\s+down \(session down\)/);
    expect(text).toMatch(/node-b\s+127\.0\.10\.12.*not connected/);
    expect(text).toContain('ROUTE TABLE rtb-1  2/50 routes used (1 by bgp2vpc)');
    expect(text).toMatch(/0\.0\.0\.0\/0\s+igw-1\s+active\s+\(not ours: never touched\)/);
    expect(text).toMatch(/100\.65\.0\.0\/24\s+eni-b node-b\s+active\n/);
    expect(text).toMatch(/5\.8s\s+ReplaceRoute\s+100\.65\.0\.0\/24 → node-b\s+ok/);
    expect(text).not.toContain('\x1b[');
  });

  it('colours only with the ANSI paint, and aligns columns despite colour codes', () => {
    const text = renderView(snap, ansi);
    expect(text).toContain('\x1b[31m'); // red for the down host
    const rows = text.split('\n').filter((l) => l.startsWith('  node-') && l.includes('127.0.10.1'));
    // eslint-disable-next-line no-control-regex
    const visible = rows.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').indexOf('127.0.10.1'));
    expect(new Set(visible).size).toBe(1);
  });

  it('blocks() yields consecutive /28s', () => {
    expect(blocks('100.64.200.0/28', 3)).toEqual(['100.64.200.0/28', '100.64.200.16/28', '100.64.200.32/28']);
  });
});

describe('bgp2vpc demo --once', () => {
  it('plays the whole scenario over real BGP on loopback against the emulator and exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli.ts'), 'demo', '--once', '--no-tui', '--api-port', '0', '--speed', '3'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr, stdout).not.toMatch(/bgp2vpc demo:|internal error/);
    expect(code).toBe(0);
    for (const step of ['hosts join', 'a host dies', 'a host flaps', 'more prefixes than the limit', 'the dead host returns'])
      expect(stdout).toContain(step);
    expect(stdout).toMatch(/api VIP 100\.65\.0\.10 now goes to node-b: \d+ ms/);
    expect(stdout).toContain('node-c is damped');
    expect(stdout).toMatch(/\d+ announced prefixes fit in \d+ routes/);
    expect(stdout).toMatch(/0\.0\.0\.0\/0\s+igw-\S+\s+active\s+\(not ours/); // IGW and NAT routes untouched
    expect(stdout).toMatch(/203\.0\.113\.0\/24\s+nat-\S+\s+active/);
    expect(stdout).toContain('demo complete.');
  }, 120_000);
});

describe('demo view fitting', () => {
  it('cuts long lines to the width without breaking colour codes', async () => {
    const { fitLine } = await import('../../src/demo/view.js');
    expect(fitLine('abcdef', 4)).toBe('abcd');
    expect(fitLine(`${ansi.red('abc')}def`, 4)).toBe('\x1b[31mabc\x1b[0md');
  });

  it('keeps the view within the terminal height', async () => {
    const { budgetsFor } = await import('../../src/demo/view.js');
    for (const rows of [24, 30, 40, 60]) {
      const b = budgetsFor(rows);
      const many: ViewSnapshot = {
        ...snap,
        routes: Array.from({ length: 40 }, (_, i) => ({ destination: `100.64.${i}.0/24`, target: 'eni-x', state: 'active', ours: true })),
        calls: Array.from({ length: 40 }, (_, i) => ({ at: i, action: 'CreateRoute', detail: 'x', outcome: 'ok' })),
        events: Array.from({ length: 40 }, (_, i) => `event ${i}`),
        narrative: ['one', 'two', 'three'],
        hosts: Array.from({ length: 6 }, (_, i) => ({ name: `node-${i}`, ip: `127.0.10.${i}`, healthPortOpen: true })),
      };
      const lines = renderView(many, plain, b.routes, b.calls, b.events).split('\n').length;
      expect(lines, `rows ${rows}`).toBeLessThanOrEqual(Math.max(rows, 30));
    }
  });
});
