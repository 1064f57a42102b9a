// Builds a running daemon from a validated Config: speaker, route spec + policy + health + sources, VPC sync,
// the lifecycle, and the API backend over them. Also applies a reloaded Config (SIGHUP) to the live parts.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { Config } from '../config/index.js';
import { systemClock, type Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import { Speaker } from '../bgp/speaker.js';
import { RouteSpec } from '../rib/route-spec.js';
import { ImportPolicy } from '../policy/import-policy.js';
import { UserError } from '../base/errors.js';
import { HealthMonitor } from '../health/health-monitor.js';
import { checkIcmpCapability } from '../health/icmp.js';
import { SpecFileWatcher } from '../rib/spec-file.js';
import { parsePrefix } from '../net/prefix.js';
import { canonicalAddressText } from '../net/address.js';
import type { SpecEntry } from '../rib/spec-format.js';
import { VpcSync } from '../vpc/vpc-sync.js';
import { createEc2Client, createServiceQuotasClient } from '../vpc/ec2-client.js';
import type { ApiBackend } from '../api/backend.js';
import type { HaView, StatusView } from '../api/views.js';
import type { LeaseBackend } from '../ha/backend.js';
import { Elector } from '../ha/elector.js';
import { haIdentity } from './ha-wiring.js';
import { Daemon } from './daemon.js';
import { ChangeLog } from './change-log.js';
import { RouteSpecRib, SpeakerBgpPort, VpcSyncPort } from './adapters.js';
import {
  bfdGroups,
  healthOptions,
  isLoopbackEndpoint,
  policyOptions,
  routeSpecOptions,
  speakerNeighbors,
  speakerOptions,
  syncOptions,
} from './wiring.js';
import { VERSION } from '../base/version.js';
import { registerTcpMd5DropMetrics } from '../sockopt/tcp-ext-stats.js';
import { requireSocketOptions } from './socket-options.js';
import { BfdService } from '../bfd/bfd-service.js';
import { BfdLink, bfdView } from './bfd-link.js';
import { CeaseSubcode } from '../bgp/wire/constants.js';

export interface AssembleOptions {
  readonly clock?: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** An EC2 client (tests, the demo); default: built from vpc.region / vpc.endpoint and the SDK's default chain. */
  readonly ec2?: EC2Client;
  readonly serviceQuotas?: ServiceQuotasClient;
  /** Controller HA: the lease store (createHaBackend); absent: this process writes alone. */
  readonly haBackend?: LeaseBackend;
}

export interface Assembled {
  readonly daemon: Daemon;
  readonly speaker: Speaker;
  readonly spec: RouteSpec;
  readonly health: HealthMonitor;
  readonly sync: VpcSync;
  readonly elector?: Elector;
  readonly backend: ApiBackend;
  /** Applies a new config to the running parts; returns what could not be applied without a restart. */
  reload(next: Config): Promise<string[]>;
}

export function staticEntries(config: Config): SpecEntry[] {
  return Object.entries(config.routes.static).map(([p, hops]) => ({ prefix: parsePrefix(p), nextHops: hops.map(canonicalAddressText) }));
}

export function assemble(config: Config, opts: AssembleOptions): Assembled {
  const clock = opts.clock ?? systemClock;
  const { logger, metrics } = opts;
  let current = config;

  let health = new HealthMonitor(healthOptions(config), { clock, metrics, log: logger });
  const spec = new RouteSpec({
    clock,
    metrics,
    policy: new ImportPolicy(policyOptions(config)),
    healthOf: (nh) => health.healthOf(nh),
    ...routeSpecOptions(config),
  });
  const makeWatcher = (c: Config): SpecFileWatcher | undefined => {
    if (c.routes.file === undefined) return undefined;
    return new SpecFileWatcher(
      { path: c.routes.file, clock, log: logger },
      {
        onSpec: (entries) => spec.setSpec('file', entries),
        onError: (err) =>
          logger.error(
            { event: 'route_spec_file_error', err: err.message },
            `route spec file rejected, keeping the last good one: ${err.message}`,
          ),
      },
    );
  };
  const rib = new RouteSpecRib({
    spec,
    health,
    staticEntries: staticEntries(config),
    httpPost: config.routes.httpPost,
    ...optional('file', makeWatcher(config)),
  });

  const speaker = new Speaker({ ...speakerOptions(config), clock, logger, metrics });
  if (process.platform === 'linux') registerTcpMd5DropMetrics(metrics);
  const bgp = new SpeakerBgpPort(speaker, () => health);

  const ec2 = opts.ec2 ?? ec2ClientFor(config);
  const serviceQuotas = config.vpc.routeLimit === 'auto' ? (opts.serviceQuotas ?? serviceQuotasClientFor(config)) : undefined;
  // Failover latency: from a failover decision (a chosen next hop lost) to the first EC2 write that follows it.
  const failoverLatency = metrics.histogram(
    'failover_write_latency_seconds',
    'From a failover decision to the first EC2 write sent after it',
    [],
    [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
  );
  let failoverAt: number | undefined;
  const onMutatingSend = (): void => {
    if (failoverAt === undefined) return;
    failoverLatency.observe((clock.now() - failoverAt) / 1000);
    failoverAt = undefined;
  };
  const elector = opts.haBackend
    ? new Elector({
        identity: haIdentity(config),
        backend: opts.haBackend,
        ttlMs: config.ha.leaseTtl,
        inFlightMs: config.ha.writeTimeout,
        clock,
        logger,
        metrics,
      })
    : undefined;
  const syncPort = new VpcSyncPort(
    (mayWrite, writeTerm) =>
      new VpcSync({
        ...syncOptions(config),
        ...(elector ? { mutatingTimeoutMs: config.ha.writeTimeout } : {}),
        ec2,
        ...(serviceQuotas ? { serviceQuotas } : {}),
        clock,
        logger,
        metrics,
        mayWrite,
        writeTerm,
        onMutatingSend,
      }),
    elector,
  );
  const sync = syncPort.sync;
  // A new term: re-read every table and converge (zero writes when nothing changed).
  elector?.onWritable(() => void sync.reconcileNow());
  rib.tableSource = () => syncPort.tables().tables;

  const bfd = new BfdService({ listen: config.bfd.listen, clock, logger, metrics });
  const bfdLink = new BfdLink(
    {
      bfd,
      nextHopTargets: () => spec.nextHopTargets(),
      onNextHops: (l) => spec.onNextHops(() => l()),
      setLiveness: (nh, reason) => health.setLiveness(nh, reason),
      resetPeer: (address, reason) => speaker.resetPeer(address, CeaseSubcode.BFD_DOWN, reason),
      logger,
    },
    bfdGroups(config),
  );

  const daemon = new Daemon(
    { bgp, rib, sync: syncPort, liveness: bfdLink, ...(elector ? { ha: elector } : {}) },
    {
      clock,
      logger,
      metrics,
      settleMs: config.routes.settleTime,
      // With BGP configured, a restart must not converge on an empty RIB while hosts are still reconnecting.
      expectPeers: config.bgp.listen.length > 0 && (config.bgp.dynamic.length > 0 || config.bgp.neighbors.length > 0),
    },
  );
  const changeLog = new ChangeLog(logger, clock);
  spec.onChanges((batch) => {
    if (daemon.phase === 'running' && batch.some((c) => c.failover)) failoverAt ??= clock.now();
    changeLog.record(batch);
  });

  const backend: ApiBackend = {
    ready: () => daemon.ready(),
    status: (): StatusView => {
      const peers = bgp.peers();
      const tables = syncPort.tables().tables;
      return {
        version: VERSION,
        cluster: current.cluster.name,
        uptimeSeconds: Math.floor(daemon.uptimeSeconds),
        ready: daemon.ready(),
        dryRun: current.vpc.dryRun,
        peers: { total: peers.length, established: peers.filter((p) => p.state === 'established').length },
        prefixes: spec.size,
        tables: tables.map((t) => ({ id: t.id, used: t.used, limit: t.limit, desired: t.desired.length })),
        ec2Calls: syncPort.ec2Calls(),
        ha: haView(),
      };
    },
    peers: () => bgp.peers(),
    routes: (page) => rib.routes(page),
    explain: (p) => rib.explain(p),
    tables: () => syncPort.tables(),
    bfd: () => bfdView(bfd.sessions(), clock.now()),
    metrics: async () => {
      updateAggregationRatio();
      return { contentType: metrics.registry.contentType, body: await metrics.text() };
    },
    ...optional('routeSpec', rib.routeSpec),
  };

  function haView(): HaView {
    const writes = syncPort.writesEnabled && !current.vpc.dryRun;
    if (!elector)
      return { role: 'standalone', leader: haIdentity(config), identity: haIdentity(config), backend: 'none', writable: writes };
    const s = elector.status();
    return { ...s, writable: writes && s.writable };
  }

  // Aggregation ratio per table: chosen prefixes over the routes bgp2vpc wants in the table (1 = no aggregation).
  const ratio = metrics.gauge('aggregation_ratio', 'Chosen route spec prefixes per desired route in the table', ['route_table']);
  const seenTables = new Set<string>();
  function updateAggregationRatio(): void {
    const chosen = spec.chosenCount;
    const now = new Set<string>();
    for (const t of syncPort.tables().tables) {
      now.add(t.id);
      ratio.set({ route_table: t.id }, t.desired.length > 0 ? chosen / t.desired.length : 0);
    }
    for (const id of seenTables) if (!now.has(id)) ratio.remove({ route_table: id });
    seenTables.clear();
    for (const id of now) seenTables.add(id);
  }

  async function reload(next: Config): Promise<string[]> {
    requireSocketOptions(next); // a reload that adds keys on a system without them is refused whole
    const restartNeeded: string[] = [];
    const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    const same = (a: unknown, b: unknown): boolean => text(a) === text(b);
    if (!same(next.cluster, current.cluster)) restartNeeded.push('cluster');
    if (!same(next.vpc, current.vpc)) restartNeeded.push('vpc');
    if (!same(next.api, current.api)) restartNeeded.push('api');
    if (!same(next.bfd, current.bfd)) restartNeeded.push('bfd (listen)');
    if (!same(next.ha, current.ha)) restartNeeded.push('ha');
    if (!same(healthOptions(next), healthOptions(current))) {
      // New probe profiles or damping: a fresh monitor takes over every next hop (sessions untouched; damping
      // penalties and EC2 blackhole marks start over).
      const monitor = new HealthMonitor(healthOptions(next), { clock, metrics, log: logger });
      if (monitor.usesIcmp()) await checkIcmpCapability(); // rejects the reload with the fix named
      rib.replaceHealth(monitor);
      health = monitor;
      bfdLink.resync();
    }
    const b0 = current.bgp;
    const b1 = next.bgp;
    if (!same(routeSpecOptions(next), routeSpecOptions(current)) || next.routes.httpPost !== current.routes.httpPost) {
      restartNeeded.push('routes (onNoHealthy, failbackHoldDown, medAcrossAs, httpPost)');
    }
    if (b0.asn !== b1.asn || b0.routerId !== b1.routerId || !same(b0.listen, b1.listen) || b0.holdTime !== b1.holdTime)
      restartNeeded.push('bgp (asn, routerId, listen, holdTime)');
    // Applied live: import policy (sessions untouched; stored paths re-evaluated), neighbours and ranges (only
    // affected sessions reset), static routes and the route spec file.
    spec.setPolicy(new ImportPolicy(policyOptions(next)));
    const n = speakerNeighbors(next);
    speaker.setNeighbors(n.neighbors, n.dynamic);
    bfdLink.setGroups(bfdGroups(next));
    const fileChanged = next.routes.file !== current.routes.file;
    await rib.replaceSources(staticEntries(next), fileChanged ? makeWatcher(next) : rib.currentFile());
    current = next;
    return restartNeeded;
  }

  return {
    daemon,
    speaker,
    spec,
    get health() {
      return health;
    },
    sync,
    ...(elector ? { elector } : {}),
    backend,
    reload,
  };
}

/**
 * The SDK's default chain (environment, profile, IMDS / IRSA) for the region and endpoint configured. An endpoint
 * on loopback is the EC2 emulator: it takes any credentials, so placeholders are used when none are set.
 */
export function ec2ClientFor(config: Config): EC2Client {
  const endpoint = config.vpc.endpoint;
  if (endpoint !== undefined && isLoopbackEndpoint(endpoint) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    return createEc2Client({
      endpoint,
      region: config.vpc.region ?? 'us-east-1',
      credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' },
    });
  }
  // Without vpc.region the SDK's chain decides (AWS_REGION, the profile's region); AWS_DEFAULT_REGION is the CLI's
  // name for it, honoured too.
  const region = config.vpc.region ?? (process.env.AWS_DEFAULT_REGION || undefined);
  return createEc2Client({ ...optional('region', region), ...optional('endpoint', endpoint) });
}

/**
 * The Service Quotas client that reads the route quota (routeLimit auto): vpc.serviceQuotasEndpoint, else
 * vpc.endpoint (the emulator answers both protocols; behind an EC2 interface endpoint, set the Service Quotas one),
 * else the regional endpoint. Credentials and region as for EC2.
 */
export function serviceQuotasClientFor(config: Config): ServiceQuotasClient {
  const endpoint = config.vpc.serviceQuotasEndpoint ?? config.vpc.endpoint;
  if (endpoint !== undefined && isLoopbackEndpoint(endpoint) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    return createServiceQuotasClient({
      endpoint,
      region: config.vpc.region ?? 'us-east-1',
      credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' },
    });
  }
  const region = config.vpc.region ?? (process.env.AWS_DEFAULT_REGION || undefined);
  return createServiceQuotasClient({ ...optional('region', region), ...optional('endpoint', endpoint) });
}

/** A one-line user error when no AWS region can be found for the client (real AWS only). */
export async function requireRegion(ec2: EC2Client): Promise<void> {
  try {
    const region = await ec2.config.region();
    if (region) return;
  } catch {
    // fall through: the SDK's chain found no region
  }
  throw new UserError('NO_AWS_REGION', 'no AWS region: set vpc.region in the config, or AWS_REGION (or a region in the AWS profile)');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
