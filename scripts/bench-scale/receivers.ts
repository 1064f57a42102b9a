// Receivers of the scale benchmark besides bgp2vpc: BIRD 2 and gobgpd, each accepting every host of 127.20.0.0/16
// through one dynamic-neighbour range (BIRD `neighbor range`, gobgpd `dynamic-neighbors`), passive, importing
// everything, exporting nothing, never writing the FIB. Counted through their CLIs, at most once a second.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../test/interop/support/daemon.js';
import { waitFor } from '../../test/interop/support/wait.js';
import { HOST_NET } from './scenario.js';

export const HOST_ASN = 65001;

export interface ScaleReceiver {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** gobgpd drops IPv4 next hops in 127/8 (TESTBED.md gotcha 1): its hosts announce this next hop instead. */
  readonly nextHopFor?: (hostAddress: string) => string;
  start(): Promise<void>;
  /** Sessions Established and prefixes held. */
  counts(): Promise<{ established: number; prefixes: number }>;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

export class BirdScaleReceiver implements ScaleReceiver {
  readonly name = 'bird';
  readonly address = '127.0.14.21';
  readonly port = 1792;
  private daemon: Daemon | undefined;
  private readonly ctl: string;
  constructor(private readonly dir: string) {
    this.ctl = join(dir, 'bird-scale.ctl');
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'bird-scale.conf');
    // No kernel protocol. BIRD keeps routes whose next hop it cannot resolve (no IGP route to 127.20/16: a static
    // route there is not installed) as unreachable: they are imported and counted all the same.
    writeFileSync(
      conf,
      `log "${join(this.dir, 'bird-scale.log')}" { warning, error, fatal };
router id ${this.address};
protocol device { scan time 60; }
protocol bgp hosts {
  local ${this.address} port ${this.port} as 65000;
  neighbor range ${HOST_NET} as ${HOST_ASN};
  dynamic name "h";
  strict bind yes;
  multihop 1;
  passive on;
  ipv4 { import all; export none; igp table master4; };
}
`,
    );
    this.daemon = startDaemon('bird-scale', 'bird', ['-f', '-c', conf, '-s', this.ctl], join(this.dir, 'bird-scale.out'), this.dir);
    await waitFor(() => run('birdc', ['-s', this.ctl, 'show', 'status']).then((o) => o.includes('Daemon is up')), {
      timeoutMs: 20_000,
      what: 'BIRD receiver',
    });
  }

  async counts(): Promise<{ established: number; prefixes: number }> {
    const protos = await run('birdc', ['-s', this.ctl, 'show', 'protocols']);
    const established = protos.split('\n').filter((l) => /^h\d+\s.*Established/.test(l)).length;
    const count = await run('birdc', ['-s', this.ctl, 'show', 'route', 'count']);
    const m = /(\d+) of (\d+) routes for (\d+) networks/.exec(count);
    return { established, prefixes: m ? Number(m[3]) : 0 };
  }

  get pid(): number | undefined {
    return this.daemon?.pid;
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}

export class GobgpScaleReceiver implements ScaleReceiver {
  readonly name = 'gobgpd';
  readonly address = '127.0.14.22';
  readonly port = 1793;
  private readonly grpc = '50171';
  private daemon: Daemon | undefined;
  constructor(private readonly dir: string) {}

  /** 127.20.x.y → 198.18.x.y (a benchmark range gobgpd accepts as a next hop). */
  readonly nextHopFor = (hostAddress: string): string => hostAddress.replace(/^127\.20\./, '198.18.');

  async start(): Promise<void> {
    const conf = join(this.dir, 'gobgpd-scale.toml');
    writeFileSync(
      conf,
      `[global.config]
  as = 65000
  router-id = "${this.address}"
  port = ${this.port}
  local-address-list = ["${this.address}"]
[global.apply-policy.config]
  default-export-policy = "reject-route"
[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "hosts"
    peer-as = ${HOST_ASN}
  [peer-groups.transport.config]
    passive-mode = true
    local-address = "${this.address}"
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
[[dynamic-neighbors]]
  [dynamic-neighbors.config]
    prefix = "${HOST_NET}"
    peer-group = "hosts"
`,
    );
    this.daemon = startDaemon(
      'gobgpd-scale',
      'gobgpd',
      ['-f', conf, '-p', '--api-hosts', `${this.address}:${this.grpc}`, '--pprof-disable', '-l', 'warn'],
      join(this.dir, 'gobgpd-scale.log'),
      this.dir,
    );
    await waitFor(() => run('gobgp', ['-u', this.address, '-p', this.grpc, 'global']).then(() => true), {
      timeoutMs: 20_000,
      what: 'gobgpd receiver',
    });
  }

  async counts(): Promise<{ established: number; prefixes: number }> {
    const out = await run('gobgp', ['-u', this.address, '-p', this.grpc, 'neighbor']);
    const established = out.split('\n').filter((l) => /\bEstabl/.test(l)).length;
    const rib = await run('gobgp', ['-u', this.address, '-p', this.grpc, 'global', 'rib', 'summary']);
    const m = /Destination:\s*(\d+)/.exec(rib);
    return { established, prefixes: m ? Number(m[1]) : 0 };
  }

  get pid(): number | undefined {
    return this.daemon?.pid;
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}
