// TypeScript face of the network-namespace testbed (gobgp-testbed/netns-*.sh): every call runs those scripts with
// this testbed's environment, so CI, people at a terminal and tests share one implementation.
//
//   const bed = await NetnsTestbed.up({ hosts: 2, holdTime: 9 });        // b2v-<id>-ctl, -h1, -h2
//   await bed.host(1).startPeer('bird', ['10.1.0.0/24']);                 // BIRD in b2v-<id>-h1, 198.18.0.11
//   const ctl = bed.spawnInController(process.execPath, [...]);          // bgp2vpc in b2v-<id>-ctl, 198.18.0.1
//   await bed.host(1).linkDown();                                        // silence, as a dead instance in a VPC
//   await bed.down();                                                    // exactly what this run created
//
// Each testbed has its own run id (names b2v-<id>-…), its own mkdtemp directory and an exit hook, so testbeds of
// parallel runs never collide and a killed test leaves nothing a later `netns-down.sh --stale` cannot find.
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TESTBED_HOME } from '../../interop/support/testbed.js';

const run = promisify(execFile);

export type NetnsPeerKind = 'bird' | 'gobgp' | 'frr' | 'exabgp';

export interface NetemOptions {
  readonly delayMs?: number;
  readonly jitterMs?: number;
  readonly lossPct?: number;
  readonly reorderPct?: number;
}

export class NetemUnsupported extends Error {
  readonly code = 'NETEM_UNSUPPORTED';
}

export interface NetnsOptions {
  readonly hosts: number;
  /** Hosts linked by the userspace wire (lib/wire.py) instead of a veth: netem() works without sch_netem. */
  readonly wire?: readonly number[];
  /** Permanent ARP/ND entries (default true): a dead host is silence, as in a VPC, not EHOSTUNREACH. */
  readonly staticNeigh?: boolean;
  /** Hold time the hosts' daemons propose, seconds (default: each daemon's own). */
  readonly holdTime?: number;
  /** Graceful-restart time BIRD and FRR advertise, seconds (default 5). */
  readonly grTime?: number;
  /** The controller's BGP port the hosts connect to (default 1179). */
  readonly controllerPort?: number;
  /** Run id (1-5 of [a-z0-9]): names become b2v-<id>-… (default random). */
  readonly runId?: string;
  /** More environment for the scripts and the hosts' daemons (e.g. BFD_INTERVAL, MD5_PASSWORD). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Addresses of the testbed's one subnet (gobgp-testbed/lib/netns.sh). */
export const CONTROLLER_ADDRESS = '198.18.0.1';
export const CONTROLLER_ADDRESS6 = 'fdb2:7600::1';
export const NETNS_SUBNET = '198.18.0.0/24';
export const hostAddress = (n: number): string => `198.18.0.${10 + n}`;
export const hostAddress6 = (n: number): string => `fdb2:7600::${10 + n}`;
export const hostAsn = (n: number): number => 65000 + n;

/** Starts `cmd` inside namespace `ns`. nsenter execs it (the child's PID is the command's) and, unlike `ip netns
 * exec`, keeps our mount namespace. */
function spawnIn(ns: string, cmd: string, args: readonly string[], opts: SpawnOptions): ChildProcess {
  return spawn('nsenter', [`--net=/run/netns/${ns}`, '--', cmd, ...args], opts);
}

export class NetnsHost {
  constructor(
    private readonly bed: NetnsTestbed,
    readonly n: number,
  ) {}
  get ns(): string {
    return `${this.bed.prefix}h${this.n}`;
  }
  get address(): string {
    return hostAddress(this.n);
  }
  get address6(): string {
    return hostAddress6(this.n);
  }
  get asn(): number {
    return hostAsn(this.n);
  }
  private fault(cmd: string, ...args: string[]): Promise<string> {
    return this.bed.script('netns-fault.sh', cmd, String(this.n), ...args);
  }
  private daemon(cmd: string, ...args: string[]): Promise<string> {
    return this.bed.script('netns-host.sh', String(this.n), cmd, ...args);
  }
  /** host: the host's NIC goes down; bridge: its cable is pulled (the host keeps its address). */
  async linkDown(side: 'host' | 'bridge' = 'host'): Promise<void> {
    await this.fault('link-down', side);
  }
  async linkUp(side: 'host' | 'bridge' = 'host'): Promise<void> {
    await this.fault('link-up', side);
  }
  /** Every frame between this host and everything else dropped, links up. */
  async partition(): Promise<void> {
    await this.fault('partition');
  }
  /** Undoes partition() and loss(). */
  async heal(): Promise<void> {
    await this.fault('heal');
  }
  /** Random loss of pct % of frames each way (nft). */
  async loss(pct: number): Promise<void> {
    await this.fault('loss', String(Math.round(pct)));
  }
  /** Delay, jitter, loss, reordering: the userspace wire (hosts in `wire`) or tc netem; NetemUnsupported otherwise. */
  async netem(o: NetemOptions): Promise<void> {
    const a: string[] = [];
    if (o.delayMs) a.push('delay', `${o.delayMs}ms`, ...(o.jitterMs ? [`${o.jitterMs}ms`] : []));
    if (o.lossPct) a.push('loss', `${o.lossPct}%`);
    if (o.reorderPct) a.push('reorder', `${o.reorderPct}%`);
    if (a.length === 0) return this.netemClear();
    try {
      await this.fault('netem', ...a);
    } catch (e) {
      if ((e as { code?: unknown }).code === 3) throw new NetemUnsupported(`host ${this.n}: no sch_netem and no userspace wire`);
      throw e;
    }
  }
  async netemClear(): Promise<void> {
    await this.fault('netem-clear');
  }
  /** Every link fault of this host undone. */
  async clear(): Promise<void> {
    await this.fault('clear');
  }
  /** A real BGP daemon in this host announcing `routes` with next hop self to the controller. */
  async startPeer(kind: NetnsPeerKind, routes: readonly string[] = []): Promise<void> {
    await this.daemon('up', kind, ...routes);
  }
  async announce(prefix: string, nextHop = 'self'): Promise<void> {
    await this.daemon('announce', prefix, nextHop);
  }
  async withdraw(prefix: string): Promise<void> {
    await this.daemon('withdraw', prefix);
  }
  /** SIGTERM (a NOTIFICATION where the daemon sends one) or SIGKILL (a crash: TCP close only). */
  async stopPeer(o: { readonly kill?: boolean } = {}): Promise<void> {
    await this.daemon('down', ...(o.kill === true ? ['--kill'] : []));
  }
  /** A reboot: down (SIGKILL by default), then up with graceful restart (BIRD -R, FRR always). */
  async restartPeer(o: { readonly kill?: boolean } = { kill: true }): Promise<void> {
    await this.daemon('restart', ...(o.kill === true ? ['--kill'] : []));
  }
  /** SIGSTOP: the process keeps its sockets, its kernel still ACKs and completes TCP handshakes. */
  async freeze(): Promise<void> {
    await this.daemon('freeze');
  }
  async thaw(): Promise<void> {
    await this.daemon('thaw');
  }
  /** The daemon's own view of its session ('established', 'active', ...), 'frozen' or 'stopped'. */
  async peerState(): Promise<string> {
    return (await this.daemon('state')).trim();
  }
  /** Any command inside this host's namespace (a health port, a probe target). Killed at down(). */
  spawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return this.bed.track(spawnIn(this.ns, cmd, args, opts));
  }
}

export class NetnsTestbed {
  readonly dir: string;
  private runId = '';
  private readonly env: NodeJS.ProcessEnv;
  private readonly children = new Set<ChildProcess>();
  private readonly exitHook = (): void => this.downSync();

  private constructor(readonly options: NetnsOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'b2v-netns-'));
    this.env = {
      ...process.env,
      NB_DIR: this.dir,
      NB_OWNER: String(process.pid),
      NB_STATIC_NEIGH: options.staticNeigh === false ? '0' : '1',
      HOLD_TIME: String(options.holdTime ?? 0),
      GR_TIME: String(options.grTime ?? 5),
      CONTROLLER_PORT: String(options.controllerPort ?? 1179),
      ...(options.runId !== undefined ? { NB_RUN_ID: options.runId } : {}),
      ...options.env,
    };
  }

  static async up(o: NetnsOptions): Promise<NetnsTestbed> {
    const bed = new NetnsTestbed(o);
    process.once('exit', bed.exitHook);
    try {
      bed.runId = (await bed.script('netns-up.sh', '--hosts', String(o.hosts), ...wireArgs(o.wire))).trim();
    } catch (e) {
      await bed.down();
      throw e;
    }
    bed.env.NB_RUN_ID = bed.runId;
    return bed;
  }

  /** b2v-<run id>-: the start of every namespace and link name of this testbed. */
  get prefix(): string {
    return `b2v-${this.runId}-`;
  }
  get controllerNs(): string {
    return `${this.prefix}ctl`;
  }
  get controllerPort(): number {
    return this.options.controllerPort ?? 1179;
  }

  host(n: number): NetnsHost {
    return new NetnsHost(this, n);
  }

  /** Grows the testbed to `total` hosts. */
  async addHosts(total: number, o: { readonly wire?: readonly number[] } = {}): Promise<void> {
    await this.script('netns-up.sh', '--hosts', String(total), ...wireArgs(o.wire));
  }

  /** A process in the controller namespace (bgp2vpc, a probe). Killed at down(). */
  spawnInController(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return this.track(spawnIn(this.controllerNs, cmd, args, opts));
  }

  /** Partition between the controller and a service it reaches on its loopback at `port` (EC2 via the bridge). */
  async blockControllerPort(port: number): Promise<void> {
    await this.script('netns-fault.sh', 'ctl-port-block', String(port));
  }
  async unblockControllerPort(port: number): Promise<void> {
    await this.script('netns-fault.sh', 'ctl-port-unblock', String(port));
  }

  /** @internal */
  track(c: ChildProcess): ChildProcess {
    this.children.add(c);
    c.once('exit', () => this.children.delete(c));
    return c;
  }

  /** @internal Runs a gobgp-testbed script with this testbed's environment (asynchronously: a synchronous exec would
   * stall in-process servers such as the EC2 emulator); resolves to its stdout. */
  async script(name: string, ...args: string[]): Promise<string> {
    const r = await run(join(TESTBED_HOME, name), args, { env: this.env });
    return r.stdout;
  }

  async down(): Promise<void> {
    const exited = [...this.children].map(
      (c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()))),
    );
    for (const c of this.children) c.kill('SIGTERM');
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
    for (const c of this.children) c.kill('SIGKILL');
    await this.script('netns-down.sh');
    process.removeListener('exit', this.exitHook);
    if (process.env.NETNS_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }

  /** For exit hooks: SIGKILL our children, then netns-down.sh synchronously. */
  downSync(): void {
    for (const c of this.children) c.kill('SIGKILL');
    spawnSync(join(TESTBED_HOME, 'netns-down.sh'), { env: { ...this.env, NB_DOWN_SIG: 'KILL' }, stdio: 'ignore' });
  }
}

function wireArgs(wire: readonly number[] | undefined): string[] {
  return wire && wire.length > 0 ? ['--wire', wire.join(',')] : [];
}
