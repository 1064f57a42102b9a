// A VPC with real hosts in network namespaces, for scenario tests and the soak run: `bgp2vpc run` in the
// controller namespace (a child process, so a crash is a crash), the EC2 emulator in this process bridged into that
// namespace, and BGP hosts (BIRD, FRR) announcing their pod /24 and shared VIPs. The route table also holds routes
// bgp2vpc must never touch: the IGW default route, a NAT and a peering route inside the cluster range.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../src/sim/ec2/emulator.js';
import { parseAddress } from '../../../src/net/address.js';
import { longestMatch, parsePrefix } from '../../../src/net/prefix.js';
import { Bgp2vpcProcess } from '../bgp2vpc-process.js';
import { NamespaceBridge } from '../netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress, type NetnsPeerKind } from '../netns/testbed.js';
import { waitFor } from '../../interop/support/wait.js';

export const TABLE = 'rtb-0c4a05000000000f5';
export const CLUSTER = '100.72.0.0/16';
/** Probe profile: fall 2 × interval 300 ms + timeout 250 ms, about 0.9 s to see a silent host. */
export const PROBE = { intervalMs: 300, timeoutMs: 250, fall: 2 };
/** The hold time the hosts propose: a frozen daemon (its kernel still completes TCP handshakes) is seen by it. */
export const HOLD_S = 9;
/** The graceful-restart time the hosts advertise: bgp2vpc keeps a lost session's paths (stale) this long. */
export const GR_S = 5;

export interface HostSpec {
  readonly kind: NetnsPeerKind;
  /** Linked by the userspace wire (delay, jitter, loss, reorder). */
  readonly wire?: boolean;
}

export interface WorldOptions {
  readonly hosts: readonly HostSpec[];
  /** VIP (/32) → the hosts (1-based) that announce it. */
  readonly vips: Readonly<Record<string, readonly number[]>>;
  /** The emulator's and bridge's address in this namespace (default 127.0.15.1). */
  readonly rootHost?: string;
  /** bgp2vpc's log level (default info). */
  readonly logLevel?: string;
}

export interface RouteRow {
  readonly destination: string;
  readonly target: string;
  readonly state: string;
}

export class ChaosWorld {
  private constructor(
    readonly o: WorldOptions,
    readonly bed: NetnsTestbed,
    readonly emu: Emulator,
    readonly bridge: NamespaceBridge,
    readonly daemon: Bgp2vpcProcess,
    readonly dir: string,
    /** The foreign routes as first read: destination → target. */
    readonly foreign: ReadonlyMap<string, string>,
  ) {}

  /** True while restartDaemon() has bgp2vpc down on purpose (the invariants do not count that as a death). */
  restarting = false;

  /** kill -9 bgp2vpc mid-flight and start it again on the same config; resolves once /readyz answers 200. The
   * table is left as it was while bgp2vpc is down (nothing else writes it). */
  async restartDaemon(): Promise<void> {
    this.restarting = true;
    try {
      this.daemon.signal('SIGKILL');
      await this.daemon.exited();
      this.daemon.start();
      await this.daemon.ready(this.bridge.url('api'));
    } finally {
      this.restarting = false;
    }
  }

  static async up(o: WorldOptions): Promise<ChaosWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'b2v-chaos-'));
    const wire = o.hosts.flatMap((h, i) => (h.wire ? [i + 1] : []));
    const bed = await NetnsTestbed.up({ hosts: o.hosts.length, wire, holdTime: HOLD_S, grTime: GR_S });
    const rootHost = o.rootHost ?? '127.0.15.1';
    let emu: Emulator | undefined;
    let bridge: NamespaceBridge | undefined;
    try {
      emu = await startEmulator({ host: rootHost, port: 0, state: stateDoc(o.hosts.length) });
      bridge = await NamespaceBridge.start(bed.controllerNs, {
        in: { ec2: { host: rootHost, port: emu.port } },
        out: { api: { port: 33289 } },
        rootHost,
      });
      writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(bridge.port('ec2'), o.logLevel ?? 'info'));
      const daemon = new Bgp2vpcProcess({
        configFile: join(dir, 'bgp2vpc.yaml'),
        logFile: join(dir, 'bgp2vpc.log'),
        spawn: (c, a, opts) => bed.spawnInController(c, a, opts),
      });
      const foreign = new Map(emu.model.routesOf(TABLE).map((r) => [r.destination, targetOf(r)] as const));
      const w = new ChaosWorld(o, bed, emu, bridge, daemon, dir, foreign);
      daemon.start();
      trace('hosts starting');
      await Promise.all(o.hosts.map((h, i) => bed.host(i + 1).startPeer(h.kind, w.announced(i + 1))));
      trace('hosts started');
      await daemon.ready(bridge.url('api'));
      trace('bgp2vpc ready');
      await w.waitQuiet(60_000);
      trace('quiet');
      return w;
    } catch (e) {
      await bridge?.close();
      await bed.down();
      await emu?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  get hostCount(): number {
    return this.o.hosts.length;
  }

  /** What host n announces: its pod /24 and its VIPs. */
  announced(n: number): string[] {
    return [podOf(n), ...Object.entries(this.o.vips).flatMap(([vip, hs]) => (hs.includes(n) ? [vip] : []))];
  }

  /** Every announced prefix → the hosts announcing it. */
  announcements(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (let n = 1; n <= this.hostCount; n++) for (const p of this.announced(n)) m.set(p, [...(m.get(p) ?? []), n]);
    return m;
  }

  eniOf(n: number): string {
    return this.emu.names.get(`h${n}.eni`) ?? `?h${n}`;
  }

  hostOfEni(eni: string): number | undefined {
    for (let n = 1; n <= this.hostCount; n++) if (this.eniOf(n) === eni) return n;
    return undefined;
  }

  table(): RouteRow[] {
    return this.emu.model.routesOf(TABLE).map((r) => ({ destination: r.destination, target: targetOf(r), state: r.state }));
  }

  /** The route the table uses for the first address of `prefix` (longest match). */
  routeFor(prefix: string, rows: readonly RouteRow[] = this.table()): RouteRow | undefined {
    return longestMatch(rows, (r) => parsePrefix(r.destination), parseAddress(prefix.split('/')[0] as string));
  }

  async api<T>(path: string): Promise<T> {
    const r = await fetch(`${this.bridge.url('api')}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return (await r.json()) as T;
  }

  /** Seconds host n's session has been Established (undefined when it is not, or bgp2vpc cannot say). */
  async sessionUptime(n: number): Promise<number | undefined> {
    try {
      const p = (await this.api<{ peers: { peer: string; state: string; uptimeSeconds: number }[] }>('/api/v1/peers')).peers.find(
        (x) => x.peer === hostAddress(n),
      );
      return p?.state === 'established' ? p.uptimeSeconds : undefined;
    } catch {
      return undefined;
    }
  }

  /** bgp2vpc's resident set size, bytes (0 when it is not running). */
  rss(): number {
    const pid = this.daemon.child?.pid;
    if (pid === undefined || !this.daemon.running) return 0;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** bgp2vpc's open file descriptors (sockets, files, pipes; 0 when it is not running). */
  fds(): number {
    const pid = this.daemon.child?.pid;
    if (pid === undefined || !this.daemon.running) return 0;
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return 0;
    }
  }

  /**
   * Quiet: every host's session is Established, nothing waits for EC2, bgp2vpc's desired routes are the table's,
   * every announced prefix goes to an active route to one of its announcers, and the foreign routes are as found.
   * Returns what is not so yet (empty when quiet).
   */
  async notQuiet(): Promise<string[]> {
    const why: string[] = [];
    const peers = await this.api<{ peers: { peer: string; state: string }[] }>('/api/v1/peers');
    for (let n = 1; n <= this.hostCount; n++) {
      const st = peers.peers.find((p) => p.peer === hostAddress(n))?.state ?? 'absent';
      if (st !== 'established') why.push(`h${n} session ${st}`);
    }
    const tables = await this.api<{ tables: { desired: { destination: string; target: string }[] }[]; pending?: unknown }>(
      '/api/v1/tables',
    );
    if (tables.pending !== undefined) why.push(`changes pending for EC2: ${JSON.stringify(tables.pending)}`);
    const rows = this.table();
    const owned = rows.filter((r) => r.target.startsWith('eni-'));
    const desired = (tables.tables[0]?.desired ?? []).map((d) => `${d.destination} ${d.target}`).sort();
    const actual = owned.map((r) => `${r.destination} ${r.target}`).sort();
    if (desired.join() !== actual.join()) why.push(`desired ${desired.join(', ')} ≠ table ${actual.join(', ')}`);
    why.push(...this.misrouted(rows, new Set()));
    why.push(...this.foreignChanged(rows));
    return why;
  }

  /**
   * Announced prefixes not routed to a live announcer. `dead` hosts (unreachable, or no longer announcing) are not
   * live: a prefix only they announce is no one's to route (bgp2vpc may keep, drop or re-aggregate it), and a
   * route to one of them while a live announcer exists is reported as "→ dead". Exempt hosts are neither
   * required nor forbidden.
   */
  misrouted(rows: readonly RouteRow[], dead: ReadonlySet<number>, exempt: ReadonlySet<number> = new Set()): string[] {
    const out: string[] = [];
    for (const [p, hs] of this.announcements()) {
      // Exempt hosts (coming back, or on a link that may drop their session) may or may not announce right now.
      const live = hs.filter((x) => !dead.has(x) && !exempt.has(x));
      if (live.length === 0) continue;
      const r = this.routeFor(p, rows);
      const h = r ? this.hostOfEni(r.target) : undefined;
      if (!r || h === undefined) out.push(`${p} has no route to a host (${r?.destination ?? 'none'} → ${r?.target ?? '-'})`);
      else if (!hs.includes(h)) out.push(`${p} → h${h}, which does not announce it`);
      else if (r.state !== 'active') out.push(`${p} → ${r.destination} is ${r.state}`);
      else if (dead.has(h)) out.push(`${p} → dead h${h} while h${live.join(',h')} live`);
    }
    return out;
  }

  foreignChanged(rows: readonly RouteRow[]): string[] {
    const now = new Map(rows.map((r) => [r.destination, r.target]));
    return [...this.foreign].flatMap(([d, t]) => (now.get(d) === t ? [] : [`foreign route ${d} → ${t} is now ${now.get(d) ?? 'gone'}`]));
  }

  async waitQuiet(timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    let last: string[] = [];
    await waitFor(async () => (last = await this.notQuiet()).length === 0, {
      timeoutMs,
      intervalMs: 200,
      what: 'the world to be quiet',
      describe: () => `${last.join('\n')}\n${this.daemon.log(30)}`,
    });
    return Date.now() - t0;
  }

  async down(): Promise<void> {
    await this.daemon.stop();
    await this.bridge.close();
    await this.bed.down();
    await this.emu.stop();
    if (process.env.NETNS_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}

const trace = (what: string): void => {
  if (process.env.CHAOS_TRACE === '1') process.stderr.write(`${new Date().toISOString()} chaos world: ${what}\n`);
};

export const podOf = (n: number): string => `100.72.${n}.0/24`;

function targetOf(r: { networkInterfaceId?: string; gatewayId?: string; natGatewayId?: string; vpcPeeringConnectionId?: string }): string {
  return r.networkInterfaceId ?? r.natGatewayId ?? r.vpcPeeringConnectionId ?? r.gatewayId ?? '?';
}

function stateDoc(hosts: number) {
  return {
    routeLimit: 50,
    vpcs: [
      {
        name: 'vpc',
        id: 'vpc-0c4a05000000000f5',
        cidr: '198.18.0.0/24',
        subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
        internetGateways: [{ name: 'igw' }],
        natGateways: [{ name: 'nat', subnet: 'sub' }],
        vpcPeeringConnections: [{ name: 'pcx' }],
        instances: Array.from({ length: hosts }, (_, i) => ({
          name: `h${i + 1}`,
          subnet: 'sub',
          privateIp: hostAddress(i + 1),
          sourceDestCheck: false,
        })),
        routeTables: [
          {
            name: 'rt',
            id: TABLE,
            subnets: ['sub'],
            routes: [
              { destination: '0.0.0.0/0', target: { internetGateway: 'igw' } },
              { destination: '100.72.250.0/24', target: { natGateway: 'nat' } },
              { destination: '100.72.251.0/24', target: { vpcPeeringConnection: 'pcx' } },
            ],
          },
        ],
      },
    ],
  };
}

function configText(ec2Port: number, level: string): string {
  return `# chaos world (test/support/chaos/world.ts)
cluster: { name: chaos, cidrs: [${CLUSTER}] }
bgp:
  asn: 65000
  routerId: ${CONTROLLER_ADDRESS}
  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]
  dynamic: [{ range: 198.18.0.0/24, asns: ["65001-65240"] }]
  holdTime: ${HOLD_S}s
  idleHoldMax: 10s
# Above the hosts' reconnect time, as docs/operations.md asks: BIRD's error wait grows to 10 s after a failed
# session (gobgp-testbed/lib/bird.sh), plus its 1 s connect delay. End-of-RIB converges sooner when every host is back.
routes: { settleTime: 15s, failbackHoldDown: 2s }
health:
  defaultProfile: hosts
  profiles:
    hosts: { type: tcp, port: 179, interval: ${PROBE.intervalMs}ms, timeout: ${PROBE.timeoutMs}ms, rise: 2, fall: ${PROBE.fall} }
vpc: { endpoint: "http://127.0.0.1:${ec2Port}", routeTables: [${TABLE}], debounce: 100ms, driftInterval: 20s }
api: { listen: "127.0.0.1:33289" }
log: { level: ${level} }
`;
}
