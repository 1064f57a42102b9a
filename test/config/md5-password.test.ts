// TCP-MD5 passwords in the config: literal, ${VAR} or passwordFile (read at load), 1–80 bytes, and no neighbour or
// range without a key inside a keyed range (the kernel matches keys by longest prefix).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const cfg = (bgp: string) => `cluster: { name: t, cidrs: [100.70.0.0/16] }
bgp:
  asn: 65000
  routerId: 10.0.0.1
${bgp}
vpc: { vpcId: vpc-0abc }
`;

function errors(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, 'c.yaml', { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-md5-'));
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 's3cret-from-file\n');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '\n');

describe('TCP-MD5 passwords', () => {
  it('takes a literal, an environment variable or a file (one trailing newline dropped)', () => {
    const c = parseConfig(
      cfg(`  neighbors:
    - { address: 10.0.0.5, asn: 65001, password: literal-key }
    - { address: 10.0.0.6, asn: 65001, password: "\${NODE_B_KEY}" }
  dynamic:
    - { range: 10.1.0.0/16, asns: [65002], passwordFile: ${keyFile} }`),
      'c.yaml',
      { env: { NODE_B_KEY: 'from-env' } },
    );
    expect(c.bgp.neighbors.map((n) => n.password)).toEqual(['literal-key', 'from-env']);
    expect(c.bgp.dynamic[0]?.password).toBe('s3cret-from-file');
  });

  it('reports a bad key or file at its position, without the key', () => {
    expect(
      errors(
        cfg(`  neighbors:
    - { address: 10.0.0.5, asn: 65001, password: "${'x'.repeat(81)}" }
    - { address: 10.0.0.6, asn: 65001, password: a, passwordFile: ${keyFile} }
    - { address: 10.0.0.7, asn: 65001, passwordFile: ${join(dir, 'missing')} }
    - { address: 10.0.0.8, asn: 65001, passwordFile: ${emptyFile} }`),
      ),
    ).toEqual([
      'c.yaml:6:50: bgp.neighbors.0.password: a TCP-MD5 password must be 1 to 80 bytes',
      'c.yaml:7:50: bgp.neighbors.1.password: set password or passwordFile, not both',
      `c.yaml:8:54: bgp.neighbors.2.passwordFile: cannot read ${join(dir, 'missing')} (ENOENT)`,
      'c.yaml:9:54: bgp.neighbors.3.passwordFile: the file holds 0 bytes; a TCP-MD5 password must be 1 to 80',
    ]);
  });

  it('refuses a neighbour or range without a key inside a keyed range', () => {
    expect(
      errors(
        cfg(`  neighbors:
    - { address: 10.1.2.3, asn: 65001 }
    - { address: 10.1.2.4, asn: 65001, password: own-key }
  dynamic:
    - { range: 10.1.0.0/16, asns: [65002], password: range-key }
    - { range: 10.1.9.0/24, asns: [65003] }
    - { range: 10.2.0.0/16, asns: [65004] }`),
      ),
    ).toEqual([
      'c.yaml:6:7: bgp.neighbors.0: neighbour 10.1.2.3 has no password but lies inside bgp.dynamic.0 (10.1.0.0/16), which has one: the kernel would demand that key from it',
      'c.yaml:10:7: bgp.dynamic.1: range 10.1.9.0/24 has no password but lies inside bgp.dynamic.0 (10.1.0.0/16), which has one: the kernel would demand that key from it',
    ]);
  });
});
