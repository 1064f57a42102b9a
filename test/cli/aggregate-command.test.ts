// The `bgp2vpc aggregate` command, run as a real child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-agg-'));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli.ts'), 'aggregate', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('bgp2vpc aggregate', { timeout: 60_000 }, () => {
  it('reads the wrapped format, merges across hosts, prints sorted JSON and stats', async () => {
    const input = file(
      'wrapped.json',
      JSON.stringify({
        cluster: ['10.244.0.0/16'],
        routes: {
          'fd00:0:0:1::/64': 'i-a',
          '10.244.3.0/24': 'i-a',
          '10.244.2.0/24': 'i-b',
          '10.244.1.0/24': 'i-a',
          '10.244.0.0/24': 'i-a',
          'fd00::/64': 'i-a',
        },
      }),
    );
    const r = await cli(['--in', input, '--stats', '--cluster', 'fd00::/56']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { cidr: '10.244.0.0/16', target: 'i-a' },
      { cidr: '10.244.2.0/24', target: 'i-b' },
      { cidr: 'fd00::/56', target: 'i-a' },
    ]);
    expect(r.stderr).toContain('input prefixes: 6');
    expect(r.stderr).toMatch(/ipv4: 2 routes \(unlimited optimum 2\), damaged addresses 0/);
    expect(r.stderr).toMatch(/ipv6: 1 routes \(unlimited optimum 1\)/);
    expect(r.stderr).toMatch(/time: [\d.]+ ms/);
  });

  it('reads the list format, applies --limit per family and warns about the damage; --out writes the file', async () => {
    const input = file(
      'list.json',
      JSON.stringify([
        { cidr: '10.0.0.0/24', target: 'a' },
        { cidr: '10.0.1.0/24', target: 'b' },
        { cidr: '10.0.2.0/23', target: 'c' },
      ]),
    );
    const out = join(dir, 'out.json');
    const r = await cli(['--in', input, '--limit', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    // Without cluster CIDRs nothing unannounced may be covered: the best two routes keep the /23 and one /24.
    const table = JSON.parse(readFileSync(out, 'utf8')) as { cidr: string; target: string }[];
    expect(table).toHaveLength(2);
    expect(table).toContainEqual({ cidr: '10.0.2.0/23', target: 'c' });
    expect(r.stderr).toMatch(/warning: ipv4: the minimal table needs 3 routes but the limit is 2; 256 announced addresses/);
  });

  it('prefers the previous table among equally small ones', async () => {
    const input = file('plain.json', JSON.stringify({ '10.0.0.0/25': 'a', '10.0.0.128/25': 'b' }));
    const prev = file('prev.json', JSON.stringify({ '10.0.0.128/25': 'b', '10.0.0.0/25': 'a' }));
    const without = await cli(['--in', input, '--cluster', '10.0.0.0/24']);
    const withPrev = await cli(['--in', input, '--cluster', '10.0.0.0/24', '--previous', prev]);
    expect(JSON.parse(without.stdout)).toHaveLength(2);
    expect(JSON.parse(withPrev.stdout)).toEqual([
      { cidr: '10.0.0.0/25', target: 'a' },
      { cidr: '10.0.0.128/25', target: 'b' },
    ]);
  });

  it.each([
    ['invalid JSON', '{"10.0.0.0/24": ', [], /invalid JSON/],
    ['a non-canonical CIDR', '{"10.0.0.1/24": "a"}', [], /has host bits set \(did you mean 10\.0\.0\.0\/24\?\)/],
    ['an invalid CIDR', '{"10.0.0.300/24": "a"}', [], /invalid IP address/],
    ['a missing target', '[{"cidr": "10.0.0.0/24"}]', [], /missing target/],
    ['a bad limit', '{"10.0.0.0/24": "a"}', ['--limit', '-3'], /--limit must be a non-negative integer/],
    ['a bad --cluster', '{"10.0.0.0/24": "a"}', ['--cluster', '10.0.0.0'], /--cluster "10\.0\.0\.0" is not a CIDR/],
  ] as const)('rejects %s with one line and exit 1', async (_name, content, extra, message) => {
    const r = await cli(['--in', file('bad.json', content), ...extra]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('bgp2vpc:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
