import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatIssue, loadConfig, parseConfig, type ConfigIssue } from '../../src/config/index.js';
import { MAX_CONFIG_BYTES } from '../../src/config/load.js';
import { formatPrefix } from '../../src/net/prefix.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const MIN = `cluster:
  name: prod
  cidrs: [10.244.0.0/16]
bgp:
  asn: 65000
  routerId: 10.0.0.10
vpc:
  vpcId: vpc-0abc
`;

function issuesOf(text: string, env: Record<string, string> = {}): ConfigIssue[] {
  try {
    parseConfig(text, 'c.yaml', { env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('loads config/full.yaml (every option documented) and config/minimal.yaml', () => {
    const full = loadConfig(`${root}config/full.yaml`, { env: {} });
    expect(full.cluster.cidrs.map(formatPrefix)).toEqual(['10.244.0.0/16', 'fd00:244::/56']);
    expect(full.bgp.dynamic[0]?.asns).toEqual([{ min: 65001, max: 65001 }, { min: 64512, max: 65534 }]);
    expect(full.health.profiles.nodes?.interval).toBe(200);
    expect(full.api.token).toBe('change-me-to-a-long-random-token');
    const min = loadConfig(`${root}config/minimal.yaml`);
    expect(min.bgp.listen).toEqual([{ address: '0.0.0.0', port: 179 }]);
  });

  it('fills defaults and freezes the result', () => {
    const c = parseConfig(MIN);
    expect(c.bgp.holdTime).toBe(90_000);
    expect(c.vpc.routeLimit).toBe('auto');
    expect(c.vpc.debounce).toBe(200);
    expect(c.vpc.rate.mutating).toEqual({ burst: 50, perSecond: 5 });
    expect(c.routes.onNoHealthy).toBe('keep');
    expect(c.api.listen).toBe('127.0.0.1:33289');
    expect(c.log).toEqual({ level: 'info', format: 'json' });
    expect(Object.isFrozen(c.bgp)).toBe(true);
    expect(Object.isFrozen(c.cluster.cidrs)).toBe(true);
  });

  it('reports every error at once with file:line:col and path', () => {
    const text = `cluster:
  name: prod
  cidrs: [10.244.1.0/16]
bgp:
  asn: 70000000000
  routerId: 10.0.0.1
  holdTime: 2s
  colour: blue
  dynamic:
    - range: 10.0.0.0/16
      asns: ["5-1"]
vpc:
  routeLimit: 50
`;
    const got = issuesOf(text).map((i) => `${i.line}:${i.col} ${i.path}`);
    expect(got).toEqual([
      '3:11 cluster.cidrs.0',
      '5:8 bgp.asn',
      '7:13 bgp.holdTime',
      '8:3 bgp.colour',
      '11:14 bgp.dynamic.0.asns.0',
      '13:3 vpc',
    ]);
    const msgs = issuesOf(text).map((i) => i.message);
    expect(msgs[0]).toContain('did you mean 10.244.0.0/16');
    expect(msgs[2]).toContain('RFC 4271');
    expect(msgs[3]).toBe('unknown key "colour"');
  });

  it('formats errors as one line each', () => {
    try {
      parseConfig(MIN.replace('asn: 65000', 'asn: "x"'), 'f.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe('f.yaml:5:8: bgp.asn: expected number, received string');
    }
  });

  it('keeps an error on one line when the key itself spans lines or holds control characters (found by npm run fuzz)', () => {
    // A YAML key may be a flow mapping; a long one is rendered over several lines. Both are unknown keys here.
    const long = `{ alpha: ${'a'.repeat(60)}, beta: ${'b'.repeat(60)} }`;
    const text = `${MIN}health:\n  ? ${long}\n  : x\n  "bell\\u0007": y\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(2);
    for (const i of issues) expect([...`${i.path} ${i.message}`].filter((ch) => ch < ' ')).toEqual([]);
    expect(issues[0]?.message).toMatch(/^unknown key "\{\\n {2}alpha: a{60},\\n {2}beta: b{60}\\n\}"$/);
    expect(issues[1]).toMatchObject({ path: 'health.bell\\u0007', message: 'unknown key "bell\\u0007"' });
    try {
      parseConfig(text, 'c.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.split('\n')).toHaveLength(2);
    }
  });

  it('names a missing required key at its parent', () => {
    const [i] = issuesOf(MIN.replace('  routerId: 10.0.0.10\n', ''));
    expect(i).toMatchObject({ line: 5, col: 3, path: 'bgp.routerId', message: 'missing required key "routerId"' });
  });

  it('reports YAML syntax errors with their position', () => {
    const [i] = issuesOf('cluster:\n  name: [unclosed\n');
    expect(i?.line).toBeGreaterThanOrEqual(2);
    expect(i?.path).toBe('');
  });

  it('refuses duplicate keys', () => {
    const issues = issuesOf(MIN + 'vpc:\n  vpcId: vpc-0def\n');
    expect(issues[0]?.message).toMatch(/^duplicate key "vpc" \(first at line \d+\)$/);
    expect(issues[0]?.line).toBe(MIN.split('\n').length);
  });

  it('expands ${VAR} and ${VAR:-default}; an unset variable is an error at its position', () => {
    const text = MIN + 'api:\n  token: ${TOKEN}\n  listen: ${LISTEN:-127.0.0.1:9999}\n';
    const c = parseConfig(text, 'c.yaml', { env: { TOKEN: 'abcdefghijklmnopqrstuvwxyz' } });
    expect(c.api.token).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(c.api.listen).toBe('127.0.0.1:9999');
    const [i] = issuesOf(text);
    expect(i).toMatchObject({ line: 10, col: 10, path: 'api.token' });
    expect(i?.message).toContain('TOKEN is not set');
  });

  it('checks cross references: groups, health profiles, duplicate neighbours, static prefixes', () => {
    const text =
      MIN.replace('vpc:', `  neighbors:
    - { address: 10.0.1.5, asn: 65001, group: nope }
    - { address: 10.0.1.5, asn: 65002 }
  groups:
    g1: { health: missing }
routes:
  static:
    10.244.1.0/16: [10.0.1.5]
vpc:`);
    const got = issuesOf(text).map((i) => `${i.path}: ${i.message}`);
    expect(got).toEqual([
      'bgp.neighbors.0.group: unknown group "nope" (define it under bgp.groups)',
      'bgp.neighbors.1.address: duplicate neighbour 10.0.1.5 (also bgp.neighbors.0)',
      'bgp.groups.g1.health: unknown health profile "missing"',
      'routes.static.10.244.1.0/16: "10.244.1.0/16" has host bits set (did you mean 10.244.0.0/16?)',
    ]);
  });

  it('validates probes: port required for tcp/http, timeout within interval', () => {
    const text = MIN + 'health:\n  profiles:\n    p:\n      type: tcp\n      interval: 100ms\n      timeout: 1s\n';
    expect(issuesOf(text).map((i) => `${i.path}: ${i.message}`)).toEqual([
      'health.profiles.p.port: a tcp probe needs a port',
      'health.profiles.p.timeout: timeout must not exceed interval',
    ]);
  });

  it('needs a VPC or explicit tables, and headroom below the limit', () => {
    expect(issuesOf(MIN.replace('  vpcId: vpc-0abc', '  routeLimit: 50\n  headroom: 60'))).toHaveLength(2);
    // with routeLimit auto the quota is only known at run time: the headroom is checked against it then
    expect(issuesOf(MIN.replace('  vpcId: vpc-0abc', '  headroom: 60'))).toHaveLength(1);
  });

  it('discovery by association (or tags, the default), only without explicit routeTables', () => {
    const c = parseConfig(MIN + '  discoverBy: association\n  skipUnassociatedTables: true\n');
    expect([c.vpc.discoverBy, c.vpc.skipUnassociatedTables]).toEqual(['association', true]);
    expect(parseConfig(MIN).vpc.discoverBy).toBe('tags');
    expect(issuesOf(MIN + '  routeTables: [rtb-0abc]\n  discoverBy: association\n').map((i) => `${i.path}: ${i.message}`)).toEqual([
      'vpc.discoverBy: discoverBy and skipUnassociatedTables apply to discovery: leave routeTables empty',
    ]);
  });

  it('routeLimit is auto (the default) or a number from 1 to 1000', () => {
    expect(parseConfig(MIN + '  routeLimit: auto\n').vpc.routeLimit).toBe('auto');
    expect(parseConfig(MIN + '  routeLimit: 1000\n').vpc.routeLimit).toBe(1000);
    expect(issuesOf(MIN + '  routeLimit: automatic\n').map((i) => i.path)).toEqual(['vpc.routeLimit']);
    expect(issuesOf(MIN + '  routeLimit: 1001\n').map((i) => i.path)).toEqual(['vpc.routeLimit']);
  });

  it('a missing file is one line', () => {
    expect(() => loadConfig('/nonexistent/bgp2vpc.yaml')).toThrow(/^cannot read config \/nonexistent\/bgp2vpc.yaml: ENOENT/);
  });
});

// Hostile and broken files (campaign defects 4, 5 and 6): each is the operator's to fix, so a ConfigError or a
// UserError (exit 1, one line each), never an internal error.
describe('config files that could hurt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2v-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer): string => {
    const f = join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  const rejected = (f: string): ConfigIssue[] => {
    try {
      loadConfig(f, { env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return [...err.issues];
      throw err;
    }
    throw new Error('expected the config to be rejected');
  };

  it('an alias bomb is a config error at the first alias, not an internal error', () => {
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const f = file('bomb.yaml', `${MIN}${levels.join('\n')}\n`);
    expect(rejected(f)).toEqual([
      {
        file: f,
        line: MIN.split('\n').length + 1,
        col: 10,
        path: '',
        message: 'aliases expand too much (first alias *a0): Excessive alias count indicates a resource exhaustion attack',
      },
    ]);
  });

  it('a few aliases are still fine', () => {
    const f = file('alias.yaml', `${MIN}health:\n  profiles:\n    a: &p { type: tcp, port: 80 }\n    b: *p\n`);
    expect(loadConfig(f, { env: {} }).health.profiles.b?.port).toBe(80);
  });

  it('invalid UTF-8 is refused at its line and column (it used to become U+FFFD in api.token)', () => {
    const text = Buffer.concat([Buffer.from(`${MIN}api:\n  token: "abcdé`), Buffer.from([0xff, 0xfe]), Buffer.from('ghijklmnopqrstu"\n')]);
    const f = file('utf8.yaml', text);
    expect(rejected(f)).toEqual([
      { file: f, line: MIN.split("\n").length + 1, col: 16, path: '', message: 'invalid UTF-8 (byte 0xff at offset 131): the config must be UTF-8' },
    ]);
    expect(formatIssue(rejected(f)[0] as ConfigIssue)).toMatch(/utf8\.yaml:10:16: \(root\): invalid UTF-8/);
  });

  it(`refuses a file over ${MAX_CONFIG_BYTES} bytes before parsing it, however large`, () => {
    const f = file('big.yaml', MIN + `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(() => loadConfig(f, { env: {} })).toThrow(new RegExp(`^config ${f} is larger than ${MAX_CONFIG_BYTES} bytes`));
    // 50 MB (sparse: nothing is written or read) took 1.85 GB to parse before the cap.
    const huge = file('huge.yaml', MIN);
    truncateSync(huge, 50 * 1024 * 1024);
    expect(() => loadConfig(huge, { env: {} })).toThrow(/is larger than/);
    expect(loadConfig(file('exact.yaml', MIN + `#${'x'.repeat(MAX_CONFIG_BYTES - MIN.length - 2)}\n`), { env: {} }).cluster.name).toBe('prod');
  });

  it('checks duplicate keys of a large mapping in linear time (10k/20k/40k keys took 1.0/2.8/9.9 s)', () => {
    const n = 40_000;
    const lines = Array.from({ length: n }, (_, i) => `    10.${(i >> 8) & 255}.${i & 255}.0/24: [10.0.0.5]`);
    lines.push('    10.0.7.0/24: [10.0.0.6]');
    const issues = issuesOf(`${MIN.replace('10.244.0.0/16', '10.0.0.0/8')}routes:\n  static:\n${lines.join('\n')}\n`);
    expect(issues.map((i) => [i.line, i.message])).toEqual([[MIN.split('\n').length + 2 + n, 'duplicate key "10.0.7.0/24" (first at line 18)']]);
  });
});
