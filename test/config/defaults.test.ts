// The defaults a user gets: config/minimal.yaml through parseConfig and the daemon's wiring, then the real
// modules built from those options. The configuration schema is the one source of defaults; the health, damping,
// ranking and policy modules have none of their own, so what is checked here is what the daemon runs.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/index.js';
import { healthOptions, policyOptions, routeSpecOptions, speakerOptions, syncOptions } from '../../src/daemon/wiring.js';
import { DEFAULT_SPARE_ROUTES } from '../../src/vpc/vpc-sync-options.js';
import { ImportPolicy } from '../../src/policy/import-policy.js';
import { Speaker } from '../../src/bgp/speaker.js';
import { basicAttributes, encodePackedIpv4Updates } from '../../src/bgp/wire/index.js';
import { path } from '../rib/helpers.js';
import { TestPeer, until } from '../bgp/session/support/test-peer.js';

const MINIMAL = readFileSync(new URL('../../config/minimal.yaml', import.meta.url), 'utf8');
const minimal = parseConfig(MINIMAL, 'config/minimal.yaml');

describe('defaults of config/minimal.yaml', () => {
  it('every peer gets the default group: max-prefix 10,000 with reset, graceful-restart helper', () => {
    const s = speakerOptions(minimal);
    expect(s.dynamic).toHaveLength(1);
    expect(s.dynamic?.[0]).toMatchObject({ group: 'default', maxPrefix: { limit: 10_000, action: 'reset' }, gracefulRestart: true });
    expect(s.holdTime).toBe(90);
  });

  it('the import policy bounds prefix lengths: IPv4 /8–/32, IPv6 /32–/128', () => {
    const p = policyOptions(minimal);
    expect(p.groups).toEqual([
      expect.objectContaining({ name: 'default', ipv4Length: { min: 8, max: 32 }, ipv6Length: { min: 32, max: 128 } }),
    ]);
    // The same file with an IPv6 cluster CIDR: a /31 inside it is refused, a /32 accepted.
    const v6 = parseConfig(MINIMAL.replace('cidrs: [10.244.0.0/16]', 'cidrs: [10.244.0.0/16, "2001:db8::/30"]'));
    const policy = new ImportPolicy(policyOptions(v6));
    const peer = '2001:db8:ffff::5';
    expect(policy.evaluatePath(path(peer, '2001:db8::/31'))).toMatchObject({ accepted: false });
    expect(policy.evaluatePath(path(peer, '2001:db8::/32'))).toMatchObject({ accepted: true });
    expect(policy.evaluatePath(path('10.0.1.5', '10.0.0.0/7'))).toMatchObject({ accepted: false });
  });

  it('the default group gets a health check: TCP connect to port 179 every 200 ms, timeout 150 ms, fall 2, rise 3', () => {
    const h = healthOptions(minimal);
    expect(h.defaultGroup).toBe('default');
    expect(h.groups).toEqual({
      default: {
        probe: { type: 'tcp', port: 179 },
        intervalMs: 200,
        timeoutMs: 150,
        rise: 3,
        fall: 2,
        damping: { penalty: 1000, halfLifeMs: 60_000, suppress: 2000, reuse: 750, maxSuppressMs: 600_000 },
      },
    });
  });

  it('ranking: 30 s failback hold-down, MED within one AS, keep the last route when no candidate is healthy', () => {
    expect(routeSpecOptions(minimal)).toEqual({ whenNoneEligible: 'keep-last', rank: { holdDownMs: 30_000, alwaysCompareMed: false } });
  });

  it('VPC sync: 16 spare routes per table (the same default VpcSync has), debounce 200 ms', () => {
    expect(syncOptions(minimal)).toMatchObject({ spareRoutes: 16, debounceMs: 200, headroom: 0, routeLimit: 'auto' });
    expect(DEFAULT_SPARE_ROUTES).toBe(syncOptions(minimal).spareRoutes);
  });

  it('listing other groups does not drop the default group, and a file can still switch the health check off', () => {
    const c = parseConfig(`${MINIMAL.replace('bgp:\n', 'bgp:\n  groups: { vips: { maxPrefixes: 5 } }\n')}health: { profiles: { default: { type: none } } }\n`);
    expect(speakerOptions(c).dynamic?.[0]?.maxPrefix).toEqual({ limit: 10_000, action: 'reset' });
    expect(policyOptions(c).groups?.map((g) => [g.name, g.ipv6Length])).toEqual([
      ['default', { min: 32, max: 128 }],
      ['vips', { min: 32, max: 128 }],
    ]);
    expect(healthOptions(c).groups.default?.probe).toEqual({ type: 'none' });
  });
});

describe('max-prefix of config/minimal.yaml on a real session', () => {
  let speaker: Speaker | undefined;
  let peer: TestPeer | undefined;
  afterEach(async () => {
    peer?.close();
    await speaker?.stop();
  });

  it('a dynamic peer announcing 10,001 prefixes gets NOTIFICATION Cease / Maximum Number of Prefixes Reached (6/1)', async () => {
    // minimal.yaml, with the listener and the neighbour range moved to this test's loopback block.
    const text = MINIMAL.replace('range: 10.0.0.0/16', 'range: 127.0.13.0/24').replace(
      'bgp:\n',
      'bgp:\n  listen: [{ address: 127.0.13.1, port: 0 }]\n',
    );
    const config: Config = parseConfig(text);
    speaker = new Speaker(speakerOptions(config));
    await speaker.start();
    const port = speaker.addresses()[0]?.port ?? 0;
    peer = await TestPeer.connect({ host: '127.0.13.1', port, localAddress: '127.0.13.10', asn: 64512 });
    await peer.establish();
    const base = (10 << 24) | (244 << 16);
    const prefixes = Array.from({ length: 10_001 }, (_, i) => ({ addr: base + i, len: 32 }));
    peer.send(...encodePackedIpv4Updates(prefixes, basicAttributes({ asPath: [64512], nextHop: '127.0.13.10' })));
    const n = await peer.waitNotification(10_000);
    expect([n.code, n.subcode]).toEqual([6, 1]);
    expect(n.data).toEqual(Buffer.from([0, 1, 1, 0, 0, 0x27, 0x10])); // RFC 4486: AFI 1, SAFI 1, limit 10,000
    await until(() => speaker?.peer('127.0.13.10')?.state !== 'Established', 'the session to close');
  });
});
