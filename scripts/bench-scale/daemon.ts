// bgp2vpc in the scale benchmark, as a user runs it: `node dist/cli.js run -c FILE` in its own process, against
// the EC2 emulator (in the benchmark's process: one VPC with the hosts as instances in three AZ subnets and one
// route table for the VIP range). Two configurations: "populate" (client-side EC2 buckets opened wide, no probes:
// fills the table fast and measures the BGP side like the other receivers) and "real" (EC2's buckets, TCP probes
// of every host, onNoHealthy: keep).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { tcpProbe } from '../../src/health/probes.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { startDaemon, type Daemon } from '../../test/interop/support/daemon.js';
import { waitFor } from '../../test/interop/support/wait.js';
import { HOST_ASN, type ScaleReceiver } from './receivers.js';
import { AZ_NAMES, HOST_NET, POD_NET, VIP_NET, type Scenario } from './scenario.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const TABLE = 'rtb-05ca1e0000000000a';
export const HEALTH_PORT = 1794;

export type DaemonMode = 'populate' | 'real';

export function emulatorState(s: Scenario): StateDoc {
  return {
    routeLimit: 1000,
    vpcs: [
      {
        name: 'scale',
        id: 'vpc-05ca1e0000000000a',
        cidr: HOST_NET,
        subnets: AZ_NAMES.map((az, i) => ({ name: `hosts-${i}`, cidr: `127.20.${i * 8}.0/21`, az })),
        instances: s.hosts.map((h) => ({ name: h.name, subnet: `hosts-${h.az}`, privateIp: h.address, sourceDestCheck: false })),
        routeTables: [{ name: 'vips', id: TABLE, subnets: AZ_NAMES.map((_, i) => `hosts-${i}`), routes: [] }],
      },
    ],
  };
}

export class DaemonScaleReceiver implements ScaleReceiver {
  readonly name = 'bgp2vpc';
  readonly address = '127.0.14.20';
  readonly port = 1790;
  private readonly api = `http://127.0.14.20:1791`;
  private daemon: Daemon | undefined;
  emulator: Emulator | undefined;

  constructor(
    private readonly dir: string,
    private readonly scenario: Scenario,
    /** Initial convergence wait (routes.settleTime): long enough for every host to connect. */
    private readonly settleS = 45,
    /** bgp.holdTime (s), the hosts' too: a session negotiates the lower of the two. */
    private readonly holdTime = 90,
  ) {}

  async startEmulator(): Promise<Emulator> {
    this.emulator = await startEmulator({ host: '127.0.14.23', port: 0, state: emulatorState(this.scenario) });
    return this.emulator;
  }

  /** Starts the daemon process in one of its two configurations. */
  async startMode(mode: DaemonMode): Promise<void> {
    const emu = this.emulator ?? (await this.startEmulator());
    const conf = join(this.dir, `bgp2vpc-${mode}.yaml`);
    const real = mode === 'real';
    writeFileSync(
      conf,
      `cluster: { name: scale, cidrs: [${VIP_NET}] }
bgp:
  asn: 65000
  routerId: ${this.address}
  holdTime: ${this.holdTime}s
  listen: [{ address: ${this.address}, port: ${this.port} }]
  dynamic: [{ range: ${HOST_NET}, asns: [${HOST_ASN}], maxPeers: 10000 }]
  groups: { default: { allowedPrefixes: [${POD_NET}, ${VIP_NET}], maxPrefixes: 100 } }
routes: { settleTime: ${this.settleS}s, onNoHealthy: keep }
${
  real
    ? `health:
  defaultProfile: hosts
  profiles: { hosts: { type: tcp, port: ${HEALTH_PORT}, interval: 1s, timeout: 500ms, rise: 2, fall: 2 } }
`
    : // No probes (the default profile probes the BGP port, where the simulated hosts do not listen).
      `health: { profiles: { default: { type: none } } }
`
}vpc:
  region: us-east-1
  endpoint: ${emu.endpoint}
  routeTables: [${TABLE}]
  routeLimit: 1000
${real ? '' : '  rate: { mutating: { burst: 1000, perSecond: 1000 }, describe: { burst: 1000, perSecond: 1000 } }\n'}api: { listen: "127.0.14.20:1791" }
log: { level: warn }
`,
    );
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' };
    this.daemon = startDaemon(
      `bgp2vpc-${mode}`,
      process.execPath,
      [CLI, 'run', '-c', conf],
      join(this.dir, `bgp2vpc-${mode}.log`),
      this.dir,
      env,
    );
    await waitFor(() => fetch(`${this.api}/healthz`).then((r) => r.ok), { timeoutMs: 30_000, what: 'bgp2vpc run to answer /healthz' });
    // The API answers before BGP listens (the route tables are read first); the simulated hosts connect once.
    await waitFor(async () => (await tcpProbe(this.address, this.port, AbortSignal.timeout(1_000))).ok, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'bgp2vpc to listen for BGP',
    });
  }

  start(): Promise<void> {
    return this.startMode('populate');
  }

  async counts(): Promise<{ established: number; prefixes: number }> {
    const st = (await (await fetch(`${this.api}/api/v1/status`)).json()) as { peers: { established: number }; prefixes: number };
    return { established: st.peers.established, prefixes: st.prefixes };
  }

  /** Ready: converged and the tables read (GET /readyz). */
  async ready(): Promise<boolean> {
    return (await fetch(`${this.api}/readyz`)).ok;
  }

  get pid(): number | undefined {
    return this.daemon?.pid;
  }

  async stopDaemon(): Promise<void> {
    await this.daemon?.stop(30_000);
    this.daemon = undefined;
  }

  async stop(): Promise<void> {
    await this.stopDaemon();
    await this.emulator?.stop();
    this.emulator = undefined;
  }
}
