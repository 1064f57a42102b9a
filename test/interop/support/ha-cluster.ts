// A controller HA cluster for tests and bench:ha, all on 127.0.12.0/24: three `bgp2vpc run` replicas as child
// processes (own BGP address, own API port, own AWS access key), the EC2 emulator in this process, the lease
// store (a real etcd, or the Lease API emulator in this process) and BIRD hosts that peer with every replica.
// Every EC2 write is attributed to a replica by the access key the emulator records.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatusView } from '../../../src/api/views.js';
import { startEmulator, type Emulator } from '../../../src/sim/ec2/emulator.js';
import type { CallRecord } from '../../../src/sim/ec2/call-log.js';
import type { StateDoc } from '../../../src/sim/ec2/state-file.js';
import { startLeaseEmulator, type LeaseEmulator } from '../../../src/sim/lease/lease-emulator.js';
import { BirdHost } from './bird-host.js';
import { Etcd, freePort } from './etcd.js';
import { waitFor } from './wait.js';

export type HaBackendKind = 'etcd' | 'kubernetes';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const NET = {
  replicas: ['127.0.12.1', '127.0.12.2', '127.0.12.3'],
  hosts: ['127.0.12.11', '127.0.12.12'],
  emulator: '127.0.12.40',
  etcd: '127.0.12.50',
  lease: '127.0.12.60',
} as const;
export const TABLE = 'rtb-0a1200000000000c1';
/** The defaults under test: ha.leaseTtl 3s, ha.writeTimeout 1500ms. */
export const TTL_MS = 3000;
export const WRITE_TIMEOUT_MS = 1500;
/**
 * docs/ha.md: a dead leader's last write → the first write of the next, at most TTL + the store's detection lag
 * (etcd's lease expiry check runs every 500 ms; a Lease follower polls every TTL/6 and needs two looks) +
 * writeTimeout + one pass (re-read, plan, write).
 */
export const TAKEOVER_BOUND_MS: Readonly<Record<HaBackendKind, number>> = {
  etcd: TTL_MS + 500 + WRITE_TIMEOUT_MS + 500,
  kubernetes: TTL_MS + (2 * TTL_MS) / 6 + WRITE_TIMEOUT_MS + 500,
};

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0a1200000000000c1',
      cidr: '127.0.12.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.12.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: NET.hosts.map((ip, i) => ({ name: `host${i + 1}`, subnet: 'sub', privateIp: ip, sourceDestCheck: false })),
      routeTables: [
        { name: 'rt', id: TABLE, subnets: ['sub'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
    },
  ],
};

export class Replica {
  private child: ChildProcess | undefined;
  private exited = true;
  paused = false;

  constructor(
    readonly identity: string,
    readonly accessKey: string,
    readonly address: string,
    readonly bgpPort: number,
    readonly apiPort: number,
    readonly configFile: string,
    readonly logFile: string,
  ) {}

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child?.pid;
  }

  start(): void {
    const fd = openSync(this.logFile, 'a');
    const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'run', '-c', this.configFile], {
      cwd: ROOT,
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        AWS_ACCESS_KEY_ID: this.accessKey,
        AWS_SECRET_ACCESS_KEY: 'ha-test',
        AWS_REGION: 'us-east-1',
      },
    });
    closeSync(fd);
    this.exited = false;
    this.paused = false;
    started.add(c);
    c.on('exit', () => {
      this.exited = true;
      started.delete(c);
    });
    this.child = c;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exited) this.child?.kill(sig);
    if (sig === 'SIGSTOP') this.paused = true;
    if (sig === 'SIGCONT') this.paused = false;
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await waitFor(() => this.exited, { timeoutMs: 10_000, what: `${this.identity} to die` });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    if (this.paused) this.signal('SIGCONT');
    this.signal('SIGTERM');
    await waitFor(() => this.exited, { timeoutMs: 15_000, what: `${this.identity} to stop` }).catch(() => this.kill());
  }

  async status(): Promise<StatusView | undefined> {
    if (this.exited || this.paused) return undefined;
    try {
      const r = await fetch(`http://${this.address}:${this.apiPort}/api/v1/status`, { signal: AbortSignal.timeout(2000) });
      return r.ok ? ((await r.json()) as StatusView) : undefined;
    } catch {
      return undefined;
    }
  }

  logTail(lines = 40): string {
    try {
      return `--- ${this.identity} (${this.logFile})\n${readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n')}`;
    } catch {
      return '';
    }
  }
}

export interface HaClusterOptions {
  readonly backend: HaBackendKind;
  /** Prefixes each host announces from the start (host i: its own /24 and the shared VIP). */
  readonly hostRoutes?: readonly (readonly string[])[];
}

export class HaCluster {
  readonly replicas: Replica[] = [];
  hosts: BirdHost[] = [];
  etcd: Etcd | undefined;
  lease: LeaseEmulator | undefined;

  private constructor(
    readonly backend: HaBackendKind,
    readonly emu: Emulator,
    readonly dir: string,
  ) {}

  static async start(o: HaClusterOptions): Promise<HaCluster> {
    const dir = mkdtempSync(join(tmpdir(), `bgp2vpc-ha-${o.backend}-`));
    const emu = await startEmulator({ host: NET.emulator, port: 0, state });
    const c = new HaCluster(o.backend, emu, dir);
    try {
      let haYaml: string;
      if (o.backend === 'etcd') {
        c.etcd = await Etcd.start(NET.etcd);
        haYaml = `  backend: etcd\n  etcd:\n    endpoints: [${c.etcd.endpoint}]\n`;
      } else {
        c.lease = await startLeaseEmulator({ host: NET.lease });
        const kubeconfig = join(dir, 'kubeconfig');
        writeFileSync(
          kubeconfig,
          `apiVersion: v1\nkind: Config\nclusters: [{ name: emu, cluster: { server: "${c.lease.url}", insecure-skip-tls-verify: true } }]\n` +
            `users: [{ name: anon, user: {} }]\ncontexts: [{ name: emu, context: { cluster: emu, user: anon } }]\ncurrent-context: emu\n`,
        );
        haYaml = `  backend: kubernetes\n  kubernetes:\n    namespace: bgp2vpc\n    kubeconfig: ${kubeconfig}\n`;
      }
      for (const [i, address] of NET.replicas.entries()) {
        const identity = `replica-${i + 1}`;
        const r = new Replica(
          identity,
          `AKIDREPLICA${i + 1}`,
          address,
          await freePort(address),
          await freePort(address),
          join(dir, `${identity}.yaml`),
          join(dir, `${identity}.log`),
        );
        writeFileSync(r.configFile, configText(r, emu.endpoint, haYaml));
        c.replicas.push(r);
      }
      for (const r of c.replicas) r.start();
      const neighbours = c.replicas.map((r) => ({ address: r.address, port: r.bgpPort, asn: 65000 }));
      const routes = o.hostRoutes ?? [
        ['100.72.11.0/24', '100.72.200.10/32'],
        ['100.72.12.0/24', '100.72.200.10/32'],
      ];
      for (const [i, address] of NET.hosts.entries()) c.hosts.push(await BirdHost.start(address, 65011 + i, neighbours, routes[i] ?? []));
      return c;
    } catch (err) {
      await c.stop();
      throw err;
    }
  }

  replicaByKey(key: string | null): Replica | undefined {
    return this.replicas.find((r) => r.accessKey === key);
  }

  /** The ENI of host i (0-based) in the emulator. */
  eni(i: number): string {
    return this.emu.names.get(`host${i + 1}.eni`) ?? `?host${i + 1}`;
  }

  /** The ENI an address is routed to (longest match in the managed table), or undefined. */
  routeTo(address: string): string | undefined {
    return this.emu.model.routeForAddress(TABLE, address)?.networkInterfaceId;
  }

  /**
   * A change that needs a write: the host that `prefix`'s first address is not routed to now announces it (the
   * aggregated table may already send unannounced space to the other host). Returns that host and address.
   */
  async announceNeedingWrite(prefix: string): Promise<{ host: number; address: string }> {
    const address = prefix.replace(/0\/\d+$/, '1');
    const host = this.routeTo(address) === this.eni(0) ? 1 : 0;
    await this.hosts[host]?.announce(prefix);
    return { host, address };
  }

  /** destination → ENI of the routes to ENIs in the managed table. */
  routes(): Map<string, string> {
    return new Map(
      this.emu.model
        .routesOf(TABLE)
        .filter((r) => r.networkInterfaceId !== undefined)
        .map((r) => [r.destination, r.networkInterfaceId ?? '']),
    );
  }

  /** Mutating calls after the call-log sequence number `since`. */
  writes(since = 0): CallRecord[] {
    return this.emu.callLog.entries(since).filter((c) => c.mutating);
  }

  /** The statuses of the replicas that run and are not stopped. */
  async statuses(): Promise<{ replica: Replica; status: StatusView }[]> {
    const out = await Promise.all(this.replicas.map(async (replica) => ({ replica, status: await replica.status() })));
    return out.filter((x): x is { replica: Replica; status: StatusView } => x.status !== undefined);
  }

  /** Waits until exactly one replica writes and every other running one names it as leader; returns it. */
  async leader(timeoutMs = 60_000): Promise<Replica> {
    return waitFor(
      async () => {
        const s = await this.statuses();
        const live = this.replicas.filter((r) => r.running && !r.paused);
        if (s.length !== live.length) return undefined;
        const writers = s.filter((x) => x.status.ha.role === 'leader' && x.status.ha.writable);
        const w = writers[0];
        if (writers.length !== 1 || !w) return undefined;
        return s.every((x) => x.status.ha.leader === w.replica.identity) ? w.replica : undefined;
      },
      { timeoutMs, intervalMs: 100, what: 'exactly one writing leader, named by every replica', describe: () => this.describe() },
    );
  }

  /** Waits for the first mutating call after `since` that matches; returns it. */
  async nextWrite(since: number, match: (c: CallRecord) => boolean, what: string, timeoutMs = 30_000): Promise<CallRecord> {
    return waitFor(() => this.writes(since).find(match), { timeoutMs, intervalMs: 20, what, describe: () => this.describe() });
  }

  /** The lease store goes away (etcd SIGKILLed; the API server's port closed). */
  async storeDown(): Promise<void> {
    if (this.etcd) await this.etcd.kill();
    else await this.lease?.outage('unreachable');
  }

  async storeUp(): Promise<void> {
    if (this.etcd) await this.etcd.up();
    else await this.lease?.outage(false);
  }

  /** Each replica's readiness and HA view, then the tails of their logs (for failure messages). */
  async describe(): Promise<string> {
    const lines = await Promise.all(
      this.replicas.map(async (r) => {
        const s = await r.status();
        const state = !r.running ? 'not running' : r.paused ? 'SIGSTOPped' : s ? JSON.stringify({ ready: s.ready, ha: s.ha }) : 'no answer';
        return `${r.identity} (pid ${r.pid ?? '-'}): ${state}`;
      }),
    );
    return `${lines.join('\n')}\n${this.logTails()}`;
  }

  logTails(): string {
    return this.replicas.map((r) => r.logTail()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.stop()));
    await Promise.all(this.hosts.map((h) => h.stop()));
    await this.etcd?.stop();
    await this.lease?.stop();
    await this.emu.stop();
    if (process.env.TESTBED_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}

function configText(r: Replica, endpoint: string, haYaml: string): string {
  return `# controller HA test replica (test/interop/support/ha-cluster.ts)
cluster:
  name: ha
  cidrs: [100.72.0.0/16]
bgp:
  asn: 65000
  routerId: ${r.address}
  listen: [{ address: ${r.address}, port: ${r.bgpPort} }]
  dynamic:
    - range: 127.0.12.8/29
      asns: ["65011-65012"]
routes:
  settleTime: 3s
# The BIRD hosts here do not listen on 179, so the default TCP probe would hold them down: a host's death
# reaches the replicas as its BGP session ending.
health:
  profiles:
    default: { type: none }
vpc:
  endpoint: ${endpoint}
  region: us-east-1
  routeTables: [${TABLE}]
api:
  listen: ${r.address}:${r.apiPort}
ha:
  identity: ${r.identity}
${haYaml}log:
  level: info
`;
}

/** Replicas started in this process: a test that died half-way must not leave them behind. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of started) c.kill('SIGKILL');
});
