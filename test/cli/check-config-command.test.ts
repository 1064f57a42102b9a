import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `${root}src/cli.ts`, ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('bgp2vpc check-config', () => {
  it('exits 0 on config/full.yaml and says what health checking each peer group gets', async () => {
    const r = await cli('check-config', 'config/full.yaml');
    const timing =
      'every 200ms (timeout 150ms); down after 2 failures, up after 3 successes: a silent (powered-off, partitioned) host is taken out within 590ms of its last good probe';
    expect(r).toMatchObject({
      code: 0,
      stdout: [
        'config/full.yaml: ok',
        `health checks, group default: TCP connect to each next hop's port 22 ${timing}`,
        `health checks, group vips: HTTP GET http://<next hop>:8080/healthz expecting 2xx ${timing}`,
        '',
      ].join('\n'),
    });
  });

  it('config/minimal.yaml gets a TCP probe of port 179, and says what it does not notice', async () => {
    const r = await cli('check-config', 'config/minimal.yaml');
    expect(r).toMatchObject({
      code: 0,
      stdout:
        'config/minimal.yaml: ok\n' +
        "health checks, group default: TCP connect to each next hop's port 179 every 200ms (timeout 150ms); down after 2 failures, up after 3 successes: a silent (powered-off, partitioned) host is taken out within 590ms of its last good probe; a BGP daemon that is frozen while its kernel still accepts connections is noticed only when its BGP hold timer expires (90s)\n",
    });
  });

  it('says so when a group has no probes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bgp2vpc-cfg-')), 'none.yaml');
    writeFileSync(
      file,
      'cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1, holdTime: 30s }\nvpc: { vpcId: vpc-01 }\nhealth: { profiles: { default: { type: none } } }\n',
    );
    const r = await cli('check-config', file);
    expect(r).toMatchObject({
      code: 0,
      stdout: `${file}: ok\nhealth checks, group default: no probes: a silent host is noticed only when its BGP hold timer expires (30s)\n`,
    });
  });

  it('exits 1 with line-numbered errors and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'cluster:\n  name: prod\n  cidrs: [10.244.0.0/16]\nbgp:\n  asn: 65000\n  routerId: nope\nvpc:\n  vpcId: vpc-1\n  bogus: 1\n',
    );
    const r = await cli('check-config', file);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      `${file}:6:13: bgp.routerId: invalid IP address "nope"`,
      `${file}:9:3: vpc.bogus: unknown key "bogus"`,
      `${file}: 2 errors`,
      '',
    ]);
  });

  it('a missing file is one line on stderr and exit 1', async () => {
    const r = await cli('check-config', '/nonexistent.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^bgp2vpc: cannot read config \/nonexistent.yaml/);
  });

  it('--version and --help exit 0; an unknown command exits 1', async () => {
    expect((await cli('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await cli('check-config', '--help')).code).toBe(0);
    expect((await cli('nope')).code).toBe(1);
  });

  it('--print shows that a password or token is set, never its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-cfg-'));
    const file = join(dir, 'keys.yaml');
    writeFileSync(
      file,
      'cluster: { name: t, cidrs: [10.244.0.0/16] }\nbgp:\n  asn: 65000\n  routerId: 10.0.0.1\n' +
        '  neighbors: [{ address: 10.0.0.5, asn: 65001, password: md5-secret-value }]\n' +
        'vpc: { vpcId: vpc-1 }\napi: { token: api-secret-token-value }\n',
    );
    const r = await cli('check-config', '--print', file);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { bgp: { neighbors: { password: string }[] }; api: { token: string } };
    expect(printed.bgp.neighbors[0]?.password).toBe('<redacted>');
    expect(printed.api.token).toBe('<redacted>');
    expect(r.stdout + r.stderr).not.toMatch(/md5-secret-value|api-secret-token-value/);
  });
});
