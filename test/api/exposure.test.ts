// API exposure: without api.token the API may only listen on loopback (anyone who reaches it could POST a route
// spec). A non-loopback listener without a token is a configuration error: check-config and run exit 1 with one
// line, before anything listens. The token comparison stays constant-time (SHA-256 of both sides, timingSafeEqual).
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { checkAuth } from '../../src/api/auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const base = 'cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1 }\nvpc: { vpcId: vpc-01 }\n';
const TOKEN = 'a-token-of-twenty-chars';

const issues = (text: string): string[] => {
  try {
    parseConfig(text, 'c.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.line}:${i.col}: ${i.path}: ${i.message}`);
    throw err;
  }
};

describe('API listener without a token', () => {
  it.each(['0.0.0.0:33289', '10.0.0.10:33289', '[::]:33289', '[2001:db8::1]:8080'])('refuses %s', (listen) => {
    expect(issues(`${base}api: { listen: "${listen}" }\n`)).toEqual([
      `4:16: api.listen: ${listen} is not a loopback address and api.token is not set: anyone who reaches it could rewrite the routes (POST /route_spec); set api.token (e.g. \${BGP2VPC_TOKEN}) or listen on 127.0.0.1`,
    ]);
  });

  it.each(['127.0.0.1:33289', '127.0.13.5:0', 'localhost:33289', '[::1]:33289'])('accepts loopback %s', (listen) => {
    expect(issues(`${base}api: { listen: "${listen}" }\n`)).toEqual([]);
  });

  it('accepts any address with a token, and the default listener (127.0.0.1:33289) without one', () => {
    expect(issues(`${base}api: { listen: "0.0.0.0:33289", token: ${TOKEN} }\n`)).toEqual([]);
    expect(issues(base)).toEqual([]);
  });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `${root}src/cli.ts`, ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('bgp2vpc run with an exposed API and no token', () => {
  it('exits 1 with one line naming the fix, and check-config says the same', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bgp2vpc-api-')), 'exposed.yaml');
    writeFileSync(file, `${base}api: { listen: "0.0.0.0:0" }\n`);
    const message = `${file}:4:16: api.listen: 0.0.0.0:0 is not a loopback address and api.token is not set: anyone who reaches it could rewrite the routes (POST /route_spec); set api.token (e.g. \${BGP2VPC_TOKEN}) or listen on 127.0.0.1`;
    const run = await cli('run', '-c', file);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `bgp2vpc: ${message}\n` });
    const check = await cli('check-config', file);
    expect(check).toMatchObject({ code: 1, stderr: `${message}\n${file}: 1 error\n` });
  }, 30_000);
});

describe('token comparison', () => {
  it('compares SHA-256 digests of both sides with timingSafeEqual, whatever the lengths', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const policy = { token: TOKEN };
    expect(checkAuth(policy, true, `Bearer ${TOKEN}`)).toBe('allow');
    expect(checkAuth(policy, true, 'Bearer x')).toBe('invalid');
    expect(checkAuth(policy, true, `Bearer ${TOKEN}x`)).toBe('invalid');
    expect(checkAuth(policy, true, undefined)).toBe('missing');
    expect(spy).toHaveBeenCalledTimes(3);
    for (const [a, b] of spy.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
      expect(b).toEqual(crypto.createHash('sha256').update(TOKEN).digest());
    }
  });
});
