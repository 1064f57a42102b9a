// The configuration schema: one YAML file, sections cluster, bgp, routes, health, vpc, api, ha, log.
// Keys are camelCase (as in Kubernetes and Calico manifests). Unknown keys are errors. Durations are strings
// with units; CIDRs must be canonical. config/full.yaml documents every option.
import { z } from 'zod';
import { isLoopback, parseAddress, tryParseAddress } from '../net/address.js';
import { formatPrefix, parsePrefix, prefixContains, type Prefix } from '../net/prefix.js';
import { errorMessage } from '../base/errors.js';
import { readSecretFile } from './secret-file.js';
import { asn, asnRange, cidr, community, duration, ipAddress, ipv4Address, lengthBounds, port, portOrZero } from './schema-values.js';
import { haSection } from './schema-ha.js';

/** BFD defaults (RFC 5880): 300 ms × 3, as AWS Route Server, BIRD and FRR examples use. */
export const BFD_DEFAULTS = { multihop: false, minRx: 300, minTx: 300, multiplier: 3, resetSession: false } as const;

/** BFD for a peer group's next hops: true (the defaults), false, or settings. Intervals 50 ms to 60 s. */
const bfdGroup = z.preprocess(
  (v) => (v === true ? {} : v === false ? undefined : v),
  z
    .strictObject({
      /** RFC 5883 (UDP 4784, no TTL check) for hosts that are not on the controller's subnet. */
      multihop: z.boolean().default(BFD_DEFAULTS.multihop),
      /** RequiredMinRxInterval: how often we want to hear from the host. */
      minRx: duration({ min: 50, max: 60_000 }).default(BFD_DEFAULTS.minRx),
      /** DesiredMinTxInterval once Up (1 s while not Up, RFC 5880 §6.8.3). */
      minTx: duration({ min: 50, max: 60_000 }).default(BFD_DEFAULTS.minTx),
      /** Detect Mult we send: the host declares us down after this many missed intervals. */
      multiplier: z.number().int().min(1).max(255).default(BFD_DEFAULTS.multiplier),
      /** Also reset the BGP session of a peer whose address is the next hop (Cease / BFD Down, RFC 9384). */
      resetSession: z.boolean().default(BFD_DEFAULTS.resetSession),
    })
    .optional(),
);

const peerGroup = z.strictObject({
  /** Probe profile name from health.profiles (default: health.defaultProfile). */
  health: z.string().optional(),
  maxPrefixes: z.number().int().min(1).default(10_000),
  maxPrefixAction: z.enum(['reset', 'warn']).default('reset'),
  /** Accept next hops other than the peer's own address (route servers, Calico route reflectors). */
  allowThirdPartyNextHop: z.boolean().default(false),
  /** Accept only prefixes inside these (default: cluster.cidrs). */
  allowedPrefixes: z.array(cidr).optional(),
  prefixLength: z
    .strictObject({ ipv4: lengthBounds(32, 8), ipv6: lengthBounds(128, 32) })
    .prefault({}),
  /** Community → priority (higher wins after LOCAL_PREF, AS path length and MED). */
  priorityCommunities: z.record(community, z.number().int()).default({}),
  gracefulRestart: z.boolean().default(true),
  /** BFD sessions to this group's next hops: BFD Down takes a next hop out at once. */
  bfd: bfdGroup,
});

/** RFC 2385 keys: TCP_MD5SIG_MAXKEYLEN is 80 bytes. */
const md5Password = z.string().refine((s) => {
  const n = Buffer.byteLength(s, 'utf8');
  return n >= 1 && n <= 80;
}, 'a TCP-MD5 password must be 1 to 80 bytes');

/** `password` (literal or ${VAR}) or `passwordFile` (read at load and reload), not both; the result in `password`. */
function resolvePassword<T extends { password?: string | undefined; passwordFile?: string | undefined }>(v: T, ctx: z.RefinementCtx): T {
  if (v.passwordFile === undefined) return v;
  if (v.password !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'set password or passwordFile, not both' });
    return v;
  }
  let password: string;
  try {
    password = readSecretFile(v.passwordFile);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: errorMessage(err) });
    return v;
  }
  const n = Buffer.byteLength(password, 'utf8');
  if (n < 1 || n > 80) ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: `the file holds ${n} bytes; a TCP-MD5 password must be 1 to 80` });
  return { ...v, password };
}

const neighbor = z.strictObject({
  address: ipAddress,
  asn,
  description: z.string().optional(),
  port: port.optional(),
  /** Also connect out to this neighbour (default: wait for it to connect). */
  active: z.boolean().default(false),
  localAddress: ipAddress.optional(),
  group: z.string().default('default'),
  /** TCP-MD5 key (RFC 2385) for this neighbour; use ${VAR} or passwordFile to keep it out of the file. */
  password: md5Password.optional(),
  passwordFile: z.string().min(1).optional(),
}).transform(resolvePassword);

const dynamicRange = z.strictObject({
  range: cidr,
  asns: z.array(asnRange).min(1),
  group: z.string().default('default'),
  maxPeers: z.number().int().min(1).default(1000),
  /** One TCP-MD5 key for every host in the range (a prefix key in the kernel). */
  password: md5Password.optional(),
  passwordFile: z.string().min(1).optional(),
}).transform(resolvePassword);

const listen = z.strictObject({ address: ipAddress, port: portOrZero.default(179) });

/**
 * Probe timing when a profile does not say. TCP/HTTP: a dead host is down after `fall` failed probes, at most
 * fall × interval × 1.1 (jitter) + timeout = 2 × 220 + 150 = 590 ms after its last good probe; `rise` good probes
 * bring it back. ICMP runs the system ping once per probe (a process each, health/icmp.ts), hence slower:
 * 2 × 550 + 400 = 1.5 s. These are the only probe defaults: the health module has none of its own.
 */
export const PROBE_TIMING = {
  tcp: { interval: 200, timeout: 150 },
  icmp: { interval: 500, timeout: 400 },
  rise: 3,
  fall: 2,
} as const;

/**
 * The health check every peer group gets unless the file says otherwise: a TCP connect to the next hop's BGP
 * port (179), on which BIRD, GoBGP, FRR and Calico's BIRD listen by default. It detects a host that is powered
 * off, partitioned or whose BGP daemon is gone (the connect times out or is refused); it does not detect a
 * frozen BGP daemon whose kernel still completes the handshake (the BGP hold timer does), nor a host that
 * forwards badly. Hosts must accept TCP 179 from bgp2vpc (security groups) for it to pass.
 */
export const DEFAULT_PROFILE = { type: 'tcp', port: 179 } as const;

const probe = z
  .strictObject({
    type: z.enum(['none', 'tcp', 'http', 'icmp']).default('none'),
    port: port.optional(),
    path: z.string().startsWith('/').default('/healthz'),
    interval: duration({ min: 50 }).optional(),
    timeout: duration({ min: 10 }).optional(),
    rise: z.number().int().min(1).max(100).default(PROBE_TIMING.rise),
    fall: z.number().int().min(1).max(100).default(PROBE_TIMING.fall),
  })
  .transform((p) => {
    const t = p.type === 'icmp' ? PROBE_TIMING.icmp : PROBE_TIMING.tcp;
    return { ...p, interval: p.interval ?? t.interval, timeout: p.timeout ?? t.timeout };
  })
  .superRefine((p, ctx) => {
    if ((p.type === 'tcp' || p.type === 'http') && p.port === undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: `a ${p.type} probe needs a port` });
    }
    if (p.timeout > p.interval) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout must not exceed interval' });
  });

const bucket = (burst: number, perSecond: number) =>
  z
    .strictObject({ burst: z.number().int().min(1).default(burst), perSecond: z.number().positive().default(perSecond) })
    .prefault({})

export const configSchema = z
  .strictObject({
    cluster: z.strictObject({
      /** Ownership tag value: route tables are claimed with bgp2vpc:cluster=<name>. */
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-", up to 63'),
      /** Managed space: routes are only ever created, replaced or deleted inside these. */
      cidrs: z.array(cidr).min(1),
    }),
    bgp: z.strictObject({
      asn,
      routerId: ipv4Address,
      listen: z.array(listen).default([{ address: '0.0.0.0', port: 179 }]),
      holdTime: duration({ max: 65_535_000 })
        .refine((ms) => ms === 0 || ms >= 3000, 'hold time must be 0 or at least 3s (RFC 4271 §4.2)')
        .default(90_000),
      connectRetry: duration({ min: 100 }).default(5000),
      idleHoldMax: duration({ min: 100 }).default(120_000),
      gracefulRestart: z
        .strictObject({
          /** Upper bound on how long a restarting peer's paths are kept (the peer's own restart time applies if shorter). */
          maxRestartTime: duration().default(120_000),
          /** Upper bound on how long stale paths wait for End-of-RIB after the peer is back. */
          staleTime: duration().default(300_000),
        })
        .prefault({}),
      /** Peer groups; "default" is always there (the schema's defaults when the file does not list it). */
      groups: z
        .record(z.string(), peerGroup)
        .default({})
        .transform((g) => ('default' in g ? g : { default: peerGroup.parse({}), ...g })),
      neighbors: z.array(neighbor).default([]),
      dynamic: z.array(dynamicRange).default([]),
    }),
    routes: z
      .strictObject({
        /** romana/vpc-router route spec file: {"10.55.0.0/16": ["10.0.0.5", "10.0.0.6"]}, watched. */
        file: z.string().optional(),
        /** Static routes ("fixedconf"): prefix → next hops in preference order. */
        static: z.record(z.string(), z.array(ipAddress).min(1)).default({}),
        /** Accept POST /route_spec. */
        httpPost: z.boolean().default(true),
        /** What to do with a prefix when no candidate is healthy. */
        onNoHealthy: z.enum(['keep', 'remove']).default('keep'),
        /** A preferred next hop must stay healthy this long before traffic fails back to it. */
        failbackHoldDown: duration().default(30_000),
        /** Compare MED between paths from different neighbour ASes. */
        medAcrossAs: z.boolean().default(false),
        /** Initial convergence: wait this long (or for End-of-RIB from every GR peer) before the first write. */
        settleTime: duration().default(10_000),
      })
      .prefault({}),
    health: z
      .strictObject({
        defaultProfile: z.string().default('default'),
        /** Probe profiles; "default" is DEFAULT_PROFILE when the file does not define it. */
        profiles: z
          .record(z.string(), probe)
          .default({})
          .transform((p) => ('default' in p ? p : { default: probe.parse(DEFAULT_PROFILE), ...p })),
        damping: z
          .strictObject({
            enabled: z.boolean().default(true),
            halfLife: duration({ min: 1000 }).default(60_000),
            penalty: z.number().int().min(1).default(1000),
            suppress: z.number().int().min(1).default(2000),
            reuse: z.number().int().min(1).default(750),
            maxSuppress: duration().default(600_000),
          })
          .refine((d) => d.reuse < d.suppress, { message: 'reuse must be below suppress', path: ['reuse'] })
          .prefault({}),
      })
      .prefault({}),
    vpc: z
      .strictObject({
        region: z.string().optional(),
        /** EC2 endpoint override: the emulator (http://127.0.0.1:5000) or a VPC interface endpoint. */
        endpoint: z.url().optional(),
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must look like vpc-0123abcd').optional(),
        /** Route tables to manage. Without them, tables of vpcId carrying discoverTags are used. */
        routeTables: z.array(z.string().regex(/^rtb-[0-9a-f]+$/, 'must look like rtb-0123abcd')).default([]),
        discoverTags: z.record(z.string(), z.string()).default({}),
        /**
         * Without routeTables: the tables of vpcId carrying discoverTags (tags), or the tables associated with the
         * subnets of the next-hop instances (association; discoverTags, if any, narrow them), re-run every drift pass.
         */
        discoverBy: z.enum(['tags', 'association']).default('tags'),
        /** Discovery leaves out tables without an explicit subnet association. */
        skipUnassociatedTables: z.boolean().default(false),
        /**
         * A table whose subnets are all in one AZ routes a prefix several hosts announce to a healthy host in that
         * AZ when there is one (ranking step after LOCAL_PREF, AS path, MED and priority; before stickiness).
         */
        preferSameAz: z.boolean().default(true),
        /**
         * Routes per table and address family: `auto` reads the account's quota "Routes per route table" (Service
         * Quotas vpc/L-93826ACB; AWS's default 500 when that cannot be read); a number (1..1000) overrides it.
         */
        routeLimit: z.union([z.literal('auto'), z.number().int().min(1).max(1000)]).default('auto'),
        /** Service Quotas endpoint for routeLimit auto (default: vpc.endpoint when set, else the regional one). */
        serviceQuotasEndpoint: z.url().optional(),
        /** Routes to leave free in every table for the operator. */
        headroom: z.number().int().min(0).default(0),
        /**
         * Routes a table may carry above the minimal table so that a change costs the fewest EC2 writes (a failover:
         * one ReplaceRoute) rather than a rewrite to the new minimum; past that, or past the limit, the table is
         * re-minimised. 0: always the minimal table. Same default as src/vpc (DEFAULT_SPARE_ROUTES).
         */
        spareRoutes: z.number().int().min(0).max(1000).default(16),
        debounce: duration().default(200),
        driftInterval: duration({ min: 1000 }).default(60_000),
        /** A route change waiting this long for EC2 is a stall: one warning, /readyz 503 until it is applied. */
        stallWarning: duration({ min: 1000 }).default(15_000),
        dryRun: z.boolean().default(false),
        /** Turn the source/destination check off on next-hop ENIs (ModifyNetworkInterfaceAttribute, once per ENI). */
        fixSourceDestCheck: z.boolean().default(false),
        rate: z
          .strictObject({ mutating: bucket(50, 5), describe: bucket(100, 20) })
          .prefault({}),
      })
      .superRefine((v, ctx) => {
        if (v.routeTables.length === 0 && v.vpcId === undefined) {
          ctx.addIssue({ code: 'custom', message: 'set vpcId (tables discovered by tag) or routeTables' });
        }
        if (v.routeTables.length > 0 && (v.discoverBy !== 'tags' || v.skipUnassociatedTables)) {
          ctx.addIssue({ code: 'custom', path: ['discoverBy'], message: 'discoverBy and skipUnassociatedTables apply to discovery: leave routeTables empty' });
        }
        if (typeof v.routeLimit === 'number' && v.headroom >= v.routeLimit) ctx.addIssue({ code: 'custom', path: ['headroom'], message: 'headroom must be below routeLimit' });
      }),
    api: z
      .strictObject({
        listen: z
          .string()
          .regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+|localhost):\d{1,5}$/, 'must be address:port, e.g. 127.0.0.1:33289')
          .default('127.0.0.1:33289'),
        /** Bearer token required for writes (POST /route_spec). Use ${BGP2VPC_TOKEN} to keep it out of the file. */
        token: z.string().min(16, 'use a token of at least 16 characters').optional(),
        /** Also require the token for reads (default: when api.listen is not a loopback address). */
        protectReads: z.boolean().optional(),
        maxBodyBytes: z.number().int().min(1024).default(1_048_576),
      })
      .prefault({}),
    bfd: z
      .strictObject({
        /** Addresses BFD receives on (UDP 3784, and 4784 for multihop). Default: every address of both families. */
        listen: z.array(ipAddress).default([]),
      })
      .default({ listen: [] }),
    ha: haSection,
    log: z
      .strictObject({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['json', 'pretty']).default('json'),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    const groups = new Set(['default', ...Object.keys(c.bgp.groups)]);
    c.bgp.neighbors.forEach((n, i) => {
      if (!groups.has(n.group)) ctx.addIssue({ code: 'custom', path: ['bgp', 'neighbors', i, 'group'], message: `unknown group "${n.group}" (define it under bgp.groups)` });
    });
    c.bgp.dynamic.forEach((d, i) => {
      if (!groups.has(d.group)) ctx.addIssue({ code: 'custom', path: ['bgp', 'dynamic', i, 'group'], message: `unknown group "${d.group}" (define it under bgp.groups)` });
    });
    const seen = new Map<string, number>();
    c.bgp.neighbors.forEach((n, i) => {
      const prev = seen.get(n.address);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['bgp', 'neighbors', i, 'address'], message: `duplicate neighbour ${n.address} (also bgp.neighbors.${prev})` });
      seen.set(n.address, i);
    });
    checkMd5Coverage(c.bgp.neighbors, c.bgp.dynamic, ctx);
    const profiles = new Set(['default', ...Object.keys(c.health.profiles)]);
    if (!profiles.has(c.health.defaultProfile)) {
      ctx.addIssue({ code: 'custom', path: ['health', 'defaultProfile'], message: `unknown profile "${c.health.defaultProfile}"` });
    }
    for (const [name, g] of Object.entries(c.bgp.groups)) {
      if (g.health !== undefined && !profiles.has(g.health)) {
        ctx.addIssue({ code: 'custom', path: ['bgp', 'groups', name, 'health'], message: `unknown health profile "${g.health}"` });
      }
    }
    // Anyone who can reach the API could rewrite the route spec (POST /route_spec) without a token.
    const apiHost = c.api.listen.slice(0, c.api.listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const apiAddr = tryParseAddress(apiHost);
    if (c.api.token === undefined && apiHost !== 'localhost' && !(apiAddr && isLoopback(apiAddr))) {
      ctx.addIssue({
        code: 'custom',
        path: ['api', 'listen'],
        message: `${c.api.listen} is not a loopback address and api.token is not set: anyone who reaches it could rewrite the routes (POST /route_spec); set api.token (e.g. \${BGP2VPC_TOKEN}) or listen on 127.0.0.1`,
      });
    }
    for (const key of Object.keys(c.routes.static)) {
      try {
        parsePrefix(key);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['routes', 'static', key], message: errorMessage(err) });
      }
    }
  });

/**
 * The kernel picks a TCP-MD5 key by longest prefix and cannot exempt an address inside a keyed range: a neighbour
 * or range without a password inside a range with one would be asked for that range's key.
 */
function checkMd5Coverage(
  neighbors: readonly { address: string; password?: string | undefined }[],
  ranges: readonly { range: Prefix; password?: string | undefined }[],
  ctx: z.RefinementCtx,
): void {
  const keyed = ranges.map((r, i) => ({ r, i })).filter((x) => x.r.password !== undefined);
  if (keyed.length === 0) return;
  const inside = (p: Prefix, path: (string | number)[], what: string): void => {
    const k = keyed.find((x) => x.r.range.len < p.len && prefixContains(x.r.range, p));
    if (k)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `${what} has no password but lies inside bgp.dynamic.${k.i} (${formatPrefix(k.r.range)}), which has one: the kernel would demand that key from it`,
      });
  };
  neighbors.forEach((n, i) => {
    if (n.password !== undefined) return;
    const a = parseAddress(n.address);
    inside({ family: a.family, addr: a.addr, len: a.family === 'ipv4' ? 32 : 128 }, ['bgp', 'neighbors', i], `neighbour ${n.address}`);
  });
  ranges.forEach((r, i) => {
    if (r.password === undefined) inside(r.range, ['bgp', 'dynamic', i], `range ${formatPrefix(r.range)}`);
  });
}

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
