// Config → each module's own options. Pure mapping: the modules never see the Config type, and this file is the
// one place that knows both. Units change here (the config speaks ms and YAML names; the speaker speaks seconds).
import type { Config } from '../config/index.js';
import type { SpeakerOptions, StaticNeighbor, DynamicRange } from '../bgp/speaker.js';
import type { GroupPolicyOptions, ImportPolicyOptions } from '../policy/import-policy.js';
import type { HealthMonitorOptions } from '../health/health-monitor.js';
import type { ProbeGroupOptions } from '../health/options.js';
import type { ProbeSpec } from '../health/probes.js';
import type { RouteSpecOptions } from '../rib/route-spec.js';
import type { VpcSyncOptions } from '../vpc/vpc-sync.js';
import type { AuthPolicy } from '../api/auth.js';
import { formatPrefix } from '../net/prefix.js';
import { isLoopback, parseAddress } from '../net/address.js';
import type { BfdGroup } from './bfd-link.js';

type Group = Config['bgp']['groups'][string];
type Profile = Config['health']['profiles'][string];

const sec = (ms: number): number => Math.round(ms / 1000);

/** The peer group's settings; the schema guarantees "default" and every group a neighbour or range names. */
export function groupOf(config: Config, name: string): Group {
  const g = config.bgp.groups[name];
  if (!g) throw new Error(`internal: peer group "${name}" missing after validation`);
  return g;
}

export function groupNames(config: Config): string[] {
  return Object.keys(config.bgp.groups);
}

function peerOptions(config: Config, groupName: string, description?: string) {
  const g = groupOf(config, groupName);
  return {
    group: groupName,
    ...(description !== undefined ? { description } : {}),
    maxPrefix: { limit: g.maxPrefixes, action: g.maxPrefixAction },
    gracefulRestart: g.gracefulRestart,
  };
}

export function speakerNeighbors(config: Config): { neighbors: StaticNeighbor[]; dynamic: DynamicRange[] } {
  return {
    neighbors: config.bgp.neighbors.map((n) => ({
      address: n.address,
      asn: n.asn,
      active: n.active,
      ...(n.port !== undefined ? { port: n.port } : {}),
      ...(n.localAddress !== undefined ? { localAddress: n.localAddress } : {}),
      ...(n.password !== undefined ? { password: n.password } : {}),
      ...peerOptions(config, n.group, n.description),
    })),
    dynamic: config.bgp.dynamic.map((d) => ({
      range: d.range,
      asns: d.asns.map((a) => ({ min: a.min, max: a.max })),
      maxPeers: d.maxPeers,
      ...(d.password !== undefined ? { password: d.password } : {}),
      ...peerOptions(config, d.group),
    })),
  };
}

export function speakerOptions(config: Config): Omit<SpeakerOptions, 'clock' | 'logger' | 'metrics'> {
  const b = config.bgp;
  return {
    asn: b.asn,
    routerId: b.routerId,
    listen: b.listen.map((l) => ({ address: l.address, port: l.port })),
    holdTime: sec(b.holdTime),
    reconnect: { connectRetryMs: b.connectRetry, maxIdleHoldMs: b.idleHoldMax },
    gracefulRestart: { maxRestartTime: sec(b.gracefulRestart.maxRestartTime), stalePathTime: sec(b.gracefulRestart.staleTime) },
    ...speakerNeighbors(config),
  };
}

/** TCP-MD5 keys are configured (they need Linux and koffi: see sockopt/libc.ts). */
export function usesTcpMd5(config: Config): boolean {
  return config.bgp.neighbors.some((n) => n.password !== undefined) || config.bgp.dynamic.some((d) => d.password !== undefined);
}

/** Peer groups with BFD on, in the BFD module's units (µs). */
export function bfdGroups(config: Config): Map<string, BfdGroup> {
  const out = new Map<string, BfdGroup>();
  for (const name of groupNames(config)) {
    const b = groupOf(config, name)?.bfd;
    if (!b) continue;
    out.set(name, {
      multihop: b.multihop,
      resetSession: b.resetSession,
      timers: { desiredMinTxUs: b.minTx * 1000, requiredMinRxUs: b.minRx * 1000, detectMult: b.multiplier },
    });
  }
  return out;
}

/** True when EC2 is the local emulator: then next hops on 127.0.0.0/8 are allowed (demo and tests only). */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  try {
    return isLoopbackHost(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

export function policyOptions(
  config: Config,
  vpc: { vpcCidrs?: readonly string[]; subnetCidrs?: readonly string[] } = {},
): ImportPolicyOptions {
  const groups: GroupPolicyOptions[] = groupNames(config).map((name) => {
    const g = groupOf(config, name);
    const peers = [
      ...config.bgp.neighbors.filter((n) => n.group === name).map((n) => n.address),
      ...config.bgp.dynamic.filter((d) => d.group === name).map((d) => formatPrefix(d.range)),
    ];
    return {
      name,
      peers,
      ...(g.allowedPrefixes ? { allowedPrefixes: g.allowedPrefixes.map(formatPrefix) } : {}),
      ipv4Length: g.prefixLength.ipv4,
      ipv6Length: g.prefixLength.ipv6,
      allowThirdPartyNextHop: g.allowThirdPartyNextHop,
      communityPriorities: Object.entries(g.priorityCommunities).map(([c, p]) => `${c}=${p}`),
    };
  });
  return {
    clusterCidrs: config.cluster.cidrs.map(formatPrefix),
    groups,
    defaultGroup: 'default',
    allowLoopbackNextHops: isLoopbackEndpoint(config.vpc.endpoint),
    ...(vpc.vpcCidrs ? { vpcCidrs: vpc.vpcCidrs } : {}),
    ...(vpc.subnetCidrs ? { subnetCidrs: vpc.subnetCidrs } : {}),
  };
}

function probeSpec(p: Profile): ProbeSpec {
  switch (p.type) {
    case 'tcp':
      return { type: 'tcp', port: p.port ?? 0 };
    case 'http':
      return { type: 'http', port: p.port ?? 0, path: p.path };
    case 'icmp':
      return { type: 'icmp' };
    case 'none':
      return { type: 'none' };
    default: {
      const never: never = p.type;
      return never;
    }
  }
}

/** A peer group's probe profile: its own, else health.defaultProfile (the schema checks that both exist). */
export function profileOf(config: Config, group: string): Profile {
  const name = groupOf(config, group).health ?? config.health.defaultProfile;
  const p = config.health.profiles[name];
  if (!p) throw new Error(`internal: health profile "${name}" missing after validation`);
  return p;
}

/** Probe settings per peer group: the group's profile (or health.defaultProfile), with the damping settings. */
export function healthOptions(config: Config): HealthMonitorOptions {
  const h = config.health;
  const damping = h.damping.enabled
    ? {
        penalty: h.damping.penalty,
        halfLifeMs: h.damping.halfLife,
        suppress: h.damping.suppress,
        reuse: h.damping.reuse,
        maxSuppressMs: h.damping.maxSuppress,
      }
    : (false as const);
  const groups: Record<string, ProbeGroupOptions> = {};
  for (const name of groupNames(config)) {
    const p = profileOf(config, name);
    groups[name] = { probe: probeSpec(p), intervalMs: p.interval, timeoutMs: p.timeout, rise: p.rise, fall: p.fall, damping };
  }
  return { groups, defaultGroup: 'default' };
}

export function routeSpecOptions(config: Config): Pick<RouteSpecOptions, 'rank' | 'whenNoneEligible'> {
  return {
    whenNoneEligible: config.routes.onNoHealthy === 'keep' ? 'keep-last' : 'remove',
    rank: { holdDownMs: config.routes.failbackHoldDown, alwaysCompareMed: config.routes.medAcrossAs },
  };
}

export function syncOptions(config: Config): Omit<VpcSyncOptions, 'ec2' | 'clock' | 'logger' | 'metrics' | 'mayWrite'> {
  const v = config.vpc;
  return {
    clusterName: config.cluster.name,
    clusterCidrs: config.cluster.cidrs,
    tables:
      v.routeTables.length > 0
        ? { ids: v.routeTables }
        : { vpcId: v.vpcId ?? '', tags: v.discoverTags, by: v.discoverBy, skipUnassociated: v.skipUnassociatedTables },
    routeLimit: v.routeLimit,
    headroom: v.headroom,
    spareRoutes: v.spareRoutes,
    debounceMs: v.debounce,
    driftIntervalMs: v.driftInterval,
    dryRun: v.dryRun,
    fixSourceDestCheck: v.fixSourceDestCheck,
    preferSameAz: v.preferSameAz,
    rate: { mutating: { ...v.rate.mutating }, describe: { ...v.rate.describe } },
    stallWarningMs: v.stallWarning,
  };
}

export interface ApiListen {
  readonly host: string;
  readonly port: number;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  try {
    return isLoopback(parseAddress(host));
  } catch {
    return false;
  }
}

/** The token for writes; for reads too when asked, or by default when the API is reachable from other machines. */
export function apiAuth(config: Config): AuthPolicy {
  return {
    protectReads: config.api.protectReads ?? !isLoopbackHost(apiListen(config).host),
    ...(config.api.token !== undefined ? { token: config.api.token } : {}),
  };
}

export function apiListen(config: Config): ApiListen {
  const text = config.api.listen;
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)) };
}
