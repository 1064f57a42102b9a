// A host running BIRD 2 that peers with every controller replica (one `protocol bgp` per replica, as
// docs/host-bird.md shows) and announces IPv4 prefixes with itself as next hop. No kernel protocol: BIRD never
// writes the FIB. No graceful restart, so a dead host's routes leave at once. Started and killed by PID only.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOwnPid, startDaemon, type Daemon } from './daemon.js';
import { freePort } from './etcd.js';
import { waitFor } from './wait.js';

export interface Neighbour {
  readonly address: string;
  readonly port: number;
  readonly asn: number;
}

export class BirdHost {
  private daemon: Daemon | undefined;
  private readonly routes = new Set<string>();
  private port = 0;

  private constructor(
    readonly address: string,
    readonly asn: number,
    private readonly neighbours: readonly Neighbour[],
    readonly dir: string,
  ) {}

  static async start(address: string, asn: number, neighbours: readonly Neighbour[], routes: readonly string[]): Promise<BirdHost> {
    const h = new BirdHost(address, asn, neighbours, mkdtempSync(join(tmpdir(), 'bgp2vpc-ha-bird-')));
    for (const r of routes) h.routes.add(r);
    h.port = await freePort(address);
    await h.up();
    return h;
  }

  get alive(): boolean {
    return this.daemon?.alive() ?? false;
  }

  private writeRoutes(): void {
    writeFileSync(join(this.dir, 'routes4.conf'), [...this.routes].map((p) => `route ${p} blackhole;\n`).join(''));
  }

  async up(): Promise<void> {
    this.writeRoutes();
    const protocols = this.neighbours.map(
      (n, i) => `
protocol bgp replica${i + 1} {
  local ${this.address} port ${this.port} as ${this.asn};
  neighbor ${n.address} port ${n.port} as ${n.asn};
  strict bind yes;
  multihop 1;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import none; export all; next hop self; };
}`,
    );
    writeFileSync(
      join(this.dir, 'bird.conf'),
      `# bgp2vpc HA test host: one session per controller replica. No kernel protocol: BIRD never writes the FIB.
log "${this.dir}/bird.log" all;
router id ${this.address};
protocol device { scan time 60; }
protocol static static4 {
  ipv4;
include "${this.dir}/routes4.conf";
}
${protocols.join('\n')}
`,
    );
    this.daemon = startDaemon(
      'bird',
      'bird',
      ['-f', '-c', join(this.dir, 'bird.conf'), '-s', join(this.dir, 'bird.ctl')],
      join(this.dir, 'bird.out'),
      this.dir,
    );
    await waitFor(() => this.birdc(['show', 'status']).then((o) => o.includes('Daemon is up')), {
      timeoutMs: 20_000,
      what: `BIRD at ${this.address} to start`,
    });
  }

  private birdc(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('birdc', ['-s', join(this.dir, 'bird.ctl'), ...args], { timeout: 10_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    });
  }

  async announce(prefix: string): Promise<void> {
    this.routes.add(prefix);
    this.writeRoutes();
    await this.birdc(['configure']);
  }

  async withdraw(prefix: string): Promise<void> {
    this.routes.delete(prefix);
    this.writeRoutes();
    await this.birdc(['configure']);
  }

  /** Sessions in Established, by protocol name. */
  async established(): Promise<number> {
    const out = await this.birdc(['show', 'protocols']);
    return out.split('\n').filter((l) => /^replica\d+\s+BGP\s.*Established/.test(l)).length;
  }

  /** SIGKILL: the host dies (its sessions reset). */
  async kill(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    if (!d) return;
    killOwnPid(d.pid, this.dir);
    await waitFor(() => !d.alive(), { timeoutMs: 10_000, what: 'BIRD to die' });
    await d.stop();
  }

  async stop(): Promise<void> {
    await this.daemon?.stop(5000);
    this.daemon = undefined;
    if (process.env.TESTBED_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
