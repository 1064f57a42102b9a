import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/index.js';
import { usesIcmpProbes } from '../../src/daemon/run-daemon.js';
import { runPing } from '../../src/health/icmp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const base = (health: string, groups = ''): string => `cluster: { name: t, cidrs: [100.70.0.0/16] }
bgp:
  asn: 65000
  routerId: 10.0.0.1
  listen: [{ address: 127.0.0.1, port: 0 }]
${groups}vpc: { vpcId: vpc-0abc, endpoint: "http://127.0.0.1:1" }
api: { listen: "127.0.0.1:0" }
health:
${health}`;

describe('ICMP probes at startup', () => {
  it('knows when a profile in use is ICMP', () => {
    expect(usesIcmpProbes(parseConfig(base('  profiles: { default: { type: icmp } }\n')))).toBe(true);
    expect(usesIcmpProbes(parseConfig(base('  profiles: { default: { type: tcp, port: 22 } }\n')))).toBe(false);
    // Defined but used by nobody: no check needed.
    expect(usesIcmpProbes(parseConfig(base('  profiles: { spare: { type: icmp } }\n')))).toBe(false);
    // Named by a group.
    expect(usesIcmpProbes(parseConfig(base('  profiles: { p: { type: icmp } }\n', '  groups: { g: { health: p } }\n')))).toBe(true);
  });

  it('`bgp2vpc run` refuses to start, in one line naming the fix, when ping cannot run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-icmp-'));
    const file = join(dir, 'icmp.yaml');
    writeFileSync(file, base('  profiles: { default: { type: icmp } }\n'));
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', `${root}src/cli.ts`, 'run', '-c', file],
        { cwd: root, env: { ...process.env, PATH: '/nonexistent' }, timeout: 30_000 },
        (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      );
    });
    expect(r.code).toBe(1);
    // JSON log records may precede it; the reason is the last line, and there is no stack trace.
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^bgp2vpc: ICMP health probes need the ping binary .*install iputils-ping, or use tcp\/http probes$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  // CI installs iputils-ping (.ci/run, which also sets BGP2VPC_REQUIRE_PEERS): there a missing ping fails this
  // test. Elsewhere a missing ping skips it, reported as skipped with the reason (never a silent pass).
  it('a real ICMP echo to 127.0.0.1 is answered', async (ctx) => {
    const havePing = ['/usr/bin/ping', '/bin/ping'].some((p) => existsSync(p));
    const required = process.env.CI !== undefined || process.env.BGP2VPC_REQUIRE_PEERS === '1';
    if (!havePing && !required) ctx.skip('ping is not installed (apt-get install iputils-ping): real ICMP probe not checked here');
    expect(await runPing('127.0.0.1', AbortSignal.timeout(3000))).toEqual({ ok: true, detail: 'icmp echo reply' });
  });
});

describe('AWS region at startup', () => {
  it('`bgp2vpc run` against real AWS with no region anywhere is one line and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-region-'));
    const file = join(dir, 'noregion.yaml');
    writeFileSync(
      file,
      'cluster: { name: t, cidrs: [100.70.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1, listen: [{ address: 127.0.0.1, port: 0 }] }\nvpc: { vpcId: vpc-0abc }\napi: { listen: "127.0.0.1:0" }\n',
    );
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    };
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', `${root}src/cli.ts`, 'run', '-c', file],
        { cwd: root, env, timeout: 30_000 },
        (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      );
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      'bgp2vpc: no AWS region: set vpc.region in the config, or AWS_REGION (or a region in the AWS profile)',
    );
  });
});
