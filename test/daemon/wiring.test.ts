// Config → module options: units, groups, profiles, and the emulator special cases.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import {
  apiAuth,
  apiListen,
  healthOptions,
  isLoopbackEndpoint,
  policyOptions,
  routeSpecOptions,
  speakerOptions,
  syncOptions,
} from '../../src/daemon/wiring.js';
import { ImportPolicy } from '../../src/policy/import-policy.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import { peerView } from '../../src/daemon/adapters.js';
import type { PeerStatus } from '../../src/bgp/speaker.js';

const full = loadConfig(join(import.meta.dirname, '..', '..', 'config', 'full.yaml'), { env: { BGP2VPC_TOKEN: 'x'.repeat(20) } });

describe('wiring', () => {
  it('maps bgp to the speaker in seconds, with groups turned into per-peer options', () => {
    const s = speakerOptions(full);
    expect(s.holdTime).toBe(90);
    expect(s.gracefulRestart).toEqual({ maxRestartTime: 120, stalePathTime: 300 });
    expect(s.reconnect).toEqual({ connectRetryMs: 5000, maxIdleHoldMs: 120_000 });
    expect(s.neighbors?.[0]).toMatchObject({
      address: '10.0.1.5',
      asn: 65001,
      port: 179,
      active: false,
      localAddress: '10.0.0.10',
      group: 'default',
      maxPrefix: { limit: 10000, action: 'reset' },
    });
    expect(s.dynamic?.[1]).toMatchObject({
      group: 'vips',
      asns: [{ min: 65100, max: 65199 }],
      maxPeers: 1000,
      maxPrefix: { limit: 100, action: 'warn' },
    });
  });

  it('hands TCP-MD5 passwords to the speaker per neighbour and per range', () => {
    const c = parseConfig(`cluster: { name: t, cidrs: [100.70.0.0/16] }
bgp:
  asn: 65000
  routerId: 10.0.0.1
  neighbors: [{ address: 10.0.0.5, asn: 65001, password: n-key }, { address: 10.0.0.6, asn: 65001 }]
  dynamic: [{ range: 10.1.0.0/16, asns: [65002], password: r-key }]
vpc: { vpcId: vpc-0abc }
`);
    const s = speakerOptions(c);
    expect(s.neighbors?.map((n) => n.password)).toEqual(['n-key', undefined]);
    expect(s.neighbors?.[1]).not.toHaveProperty('password');
    expect(s.dynamic?.[0]?.password).toBe('r-key');
  });

  it('builds an import policy with one group per peer group and community priorities', () => {
    const p = policyOptions(full);
    expect(p.clusterCidrs).toEqual(['10.244.0.0/16', 'fd00:244::/56']);
    expect(p.allowLoopbackNextHops).toBe(false);
    const vips = p.groups?.find((g) => g.name === 'vips');
    expect(vips).toMatchObject({ peers: ['10.0.200.0/24'], ipv4Length: { min: 32, max: 32 }, allowThirdPartyNextHop: false });
    expect(p.groups?.find((g) => g.name === 'default')?.communityPriorities).toEqual(['65000:100=100', '65000:50=50']);
    expect(() => new ImportPolicy(p)).not.toThrow();
  });

  it('gives each peer group its probe profile and the damping settings', () => {
    const h = healthOptions(full);
    expect(h.groups.default).toMatchObject({ probe: { type: 'tcp', port: 22 }, intervalMs: 200, timeoutMs: 150, rise: 3, fall: 2 });
    expect(h.groups.vips).toMatchObject({ probe: { type: 'http', port: 8080, path: '/healthz' } });
    expect(h.groups.default?.damping).toEqual({ penalty: 1000, halfLifeMs: 60_000, suppress: 2000, reuse: 750, maxSuppressMs: 600_000 });
    expect(() => new HealthMonitor(h).stop()).not.toThrow();
  });

  it('maps routes and vpc options', () => {
    expect(routeSpecOptions(full)).toEqual({ whenNoneEligible: 'keep-last', rank: { holdDownMs: 30_000, alwaysCompareMed: false } });
    const v = syncOptions(full);
    expect(v.tables).toEqual({ ids: ['rtb-0123456789abcdef0'] });
    const byAssoc = syncOptions({
      ...full,
      vpc: { ...full.vpc, routeTables: [], discoverBy: 'association', skipUnassociatedTables: true },
    });
    expect(byAssoc.tables).toEqual({ vpcId: full.vpc.vpcId, tags: full.vpc.discoverTags, by: 'association', skipUnassociated: true });
    expect(v).toMatchObject({
      clusterName: 'prod',
      routeLimit: 'auto',
      headroom: 2,
      debounceMs: 200,
      driftIntervalMs: 60_000,
      dryRun: false,
    });
    expect(apiListen(full)).toEqual({ host: '127.0.0.1', port: 33289 });
  });

  it('treats only loopback endpoints as the emulator (loopback next hops allowed, placeholder credentials)', () => {
    expect(isLoopbackEndpoint('http://127.0.0.1:5000')).toBe(true);
    expect(isLoopbackEndpoint('http://[::1]:5000')).toBe(true);
    expect(isLoopbackEndpoint('http://localhost:5000')).toBe(true);
    expect(isLoopbackEndpoint('https://ec2.us-east-1.amazonaws.com')).toBe(false);
    expect(isLoopbackEndpoint(undefined)).toBe(false);
    const c = parseConfig(
      'cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1 }\nvpc: { vpcId: vpc-01, endpoint: "http://127.0.0.1:5000" }\n',
    );
    expect(policyOptions(c).allowLoopbackNextHops).toBe(true);
    expect(syncOptions(c).tables).toEqual({ vpcId: 'vpc-01', tags: {}, by: 'tags', skipUnassociated: false });
    expect(
      apiListen(
        parseConfig(
          'cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1 }\nvpc: { vpcId: vpc-01 }\napi: { listen: "[::1]:8080" }\n',
        ),
      ),
    ).toEqual({ host: '::1', port: 8080 });
  });

  // Campaign defect 8: /api/v1/routes was readable without the token by anyone who could reach the listener.
  it('requires the token for reads by default when the API listens beyond loopback', () => {
    const api = (extra: string) =>
      apiAuth(
        parseConfig(
          `cluster: { name: x, cidrs: [100.64.0.0/16] }\nbgp: { asn: 65000, routerId: 10.0.0.1 }\nvpc: { vpcId: vpc-01 }\n${extra}`,
        ),
      );
    const token = 't'.repeat(20);
    expect(api('')).toEqual({ protectReads: false });
    expect(api(`api: { listen: "127.0.15.9:8080", token: ${token} }`)).toEqual({ protectReads: false, token });
    expect(api(`api: { listen: "localhost:8080", token: ${token} }`)).toEqual({ protectReads: false, token });
    expect(api(`api: { listen: "0.0.0.0:8080", token: ${token} }`)).toEqual({ protectReads: true, token });
    expect(api(`api: { listen: "[::]:8080", token: ${token} }`)).toEqual({ protectReads: true, token });
    expect(api(`api: { listen: "10.0.0.5:8080", token: ${token}, protectReads: false }`)).toEqual({ protectReads: false, token });
    expect(api(`api: { listen: "127.0.0.1:8080", token: ${token}, protectReads: true }`)).toEqual({ protectReads: true, token });
  });
});

describe('peer view', () => {
  const status = (over: { state?: PeerStatus['state']; staleUntil?: number; lastError?: string }): PeerStatus => ({
    peer: '10.0.1.10',
    kind: 'dynamic',
    asn: 65010,
    state: 'Established',
    uptimeMs: 61_500,
    messagesReceived: 9,
    capabilities: ['ipv4-unicast'],
    families: ['ipv4'],
    counters: {
      updates: 3,
      received: 5,
      withdrawn: 1,
      rejected: 1,
      treatAsWithdraw: 0,
      flaps: 2,
      notificationsSent: 0,
      notificationsReceived: 0,
      accepted: 4,
      stale: 0,
      ipv4: 4,
      ipv6: 0,
    } as PeerStatus['counters'],
    ...over,
  });
  const health = new HealthMonitor({ groups: {} });

  it('shows an established, healthy peer with its counters', () => {
    expect(peerView(status({}), health)).toMatchObject({
      peer: '10.0.1.10',
      state: 'established',
      uptimeSeconds: 61,
      prefixes: { received: 5, accepted: 4, rejected: 1 },
      flaps: 2,
      health: { healthy: true },
    });
  });

  it('shows a restarting graceful-restart peer as stale, and a down peer as unhealthy', () => {
    expect(peerView(status({ state: 'Active', staleUntil: 1000 }), health).state).toBe('stale');
    expect(peerView(status({ state: 'Idle', lastError: 'hold timer expired' }), health)).toMatchObject({
      state: 'idle',
      lastError: 'hold timer expired',
      health: { healthy: false, reason: 'session down' },
    });
  });

  it('shows a next hop marked down by EC2 as unhealthy with the reason', () => {
    health.markUnhealthy('10.0.1.10', 'EC2: blackhole');
    expect(peerView(status({}), health).health).toMatchObject({ healthy: false, reason: expect.stringContaining('blackhole') as unknown });
  });
});
