// bgp2vpc as a user runs it, as an ingest-benchmark receiver: `node dist/cli.js run -c FILE` (speaker, import
// policy, route spec, VPC sync with aggregation, API) against `node dist/cli.js emulator` in its own process. The
// sender's next hop is an instance of the emulated VPC, so every prefix is resolved, aggregated and planned like a
// real one. Counted the way the issue and gobgpd/BIRD/FRR are: the peer's accepted-prefix counter
// (GET /api/v1/peers, O(peers)). The route spec and VPC sync's change intake run synchronously in the UPDATE's
// processing, so when the counter moves they have run too; VPC sync's passes (aggregation, plan) follow after its
// debounce and are part of the event-loop figures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../../test/interop/support/daemon.js';
import { waitFor } from '../../test/interop/support/wait.js';
import { rssOf, type Receiver } from './receivers.js';
import { SENDER, type SenderTarget } from './sender.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const ADDRESS = '127.0.0.34';
const EMULATOR_PORT = 1835;
const API_PORT = 1836;
const TABLE = 'rtb-0be0000000000000a';

/** Event-loop delay of the daemon since the previous read (prom-client resets its histogram on every scrape). */
export interface LoopLag {
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class DaemonReceiver implements Receiver {
  readonly name = 'bgp2vpc';
  readonly target: SenderTarget = { name: 'daemon', address: ADDRESS, port: 1834, asn: 65034 };
  private emulator: Daemon | undefined;
  private daemon: Daemon | undefined;
  private readonly api = `http://${ADDRESS}:${API_PORT}`;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    const state = join(this.dir, 'daemon-vpc.yaml');
    // The sender's next hop (192.0.2.20) is an instance in the VPC; the benchmark prefixes (10.0.0.0 + i) are in
    // the cluster CIDR, outside the VPC CIDR.
    writeFileSync(
      state,
      `routeLimit: 1000
vpcs:
  - name: bench
    id: vpc-0be0000000000000a
    cidr: 192.0.2.0/24
    subnets: [{name: hosts, cidr: 192.0.2.0/25, az: us-east-1a}]
    instances: [{name: sender, subnet: hosts, privateIp: ${SENDER.nextHop}, sourceDestCheck: false}]
    routeTables: [{name: pods, id: ${TABLE}, subnets: [hosts], routes: []}]
`,
    );
    const conf = join(this.dir, 'daemon.yaml');
    writeFileSync(
      conf,
      `cluster: { name: bench, cidrs: [10.0.0.0/8] }
bgp:
  asn: ${this.target.asn}
  routerId: ${ADDRESS}
  listen: [{ address: ${ADDRESS}, port: ${this.target.port} }]
  neighbors: [{ address: ${SENDER.address}, asn: ${SENDER.asn} }]
  groups: { default: { maxPrefixes: 5000000, allowThirdPartyNextHop: true } }
routes: { settleTime: 1s }
vpc:
  region: us-east-1
  endpoint: http://127.0.0.1:${EMULATOR_PORT}
  routeTables: [${TABLE}]
  routeLimit: 1000
api: { listen: "${ADDRESS}:${API_PORT}" }
log: { level: warn }
`,
    );
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' };
    this.emulator = startDaemon(
      'emulator',
      process.execPath,
      [CLI, 'emulator', '--host', '127.0.0.1', '--port', String(EMULATOR_PORT), '--state', state],
      join(this.dir, 'emulator.log'),
      this.dir,
      env,
    );
    await waitFor(() => fetch(`http://127.0.0.1:${EMULATOR_PORT}/_emulator/state`).then((r) => r.ok), {
      timeoutMs: 30_000,
      what: 'the EC2 emulator',
    });
    this.daemon = startDaemon('bgp2vpc', process.execPath, [CLI, 'run', '-c', conf], join(this.dir, 'daemon.log'), this.dir, env);
    await waitFor(() => fetch(`${this.api}/healthz`).then((r) => r.ok), { timeoutMs: 30_000, what: 'bgp2vpc run to answer /healthz' });
  }

  async accepted(): Promise<number> {
    const body = (await (await fetch(`${this.api}/api/v1/peers`)).json()) as { peers: { peer: string; prefixes: { accepted: number } }[] };
    return body.peers.find((p) => p.peer === SENDER.address)?.prefixes.accepted ?? 0;
  }

  /** The daemon's event-loop delay since the last call (its /metrics resets the histogram). */
  async loopLag(): Promise<LoopLag> {
    const text = await (await fetch(`${this.api}/metrics`)).text();
    const read = (name: string): number =>
      Number(new RegExp(`^bgp2vpc_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { p99Ms: read('p99') * 1000, maxMs: read('max') * 1000 };
  }

  /** What the daemon's memory is made of, from its /metrics (bytes). */
  async memory(): Promise<Record<'rss' | 'heapUsed' | 'heapTotal' | 'external', number>> {
    const text = await (await fetch(`${this.api}/metrics`)).text();
    const read = (name: string): number => Number(new RegExp(`^bgp2vpc_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return {
      rss: read('process_resident_memory_bytes'),
      heapUsed: read('nodejs_heap_size_used_bytes'),
      heapTotal: read('nodejs_heap_size_total_bytes'),
      external: read('nodejs_external_memory_bytes'),
    };
  }

  get healthzUrl(): string {
    return `${this.api}/healthz`;
  }

  get pid(): number | undefined {
    return this.daemon?.pid;
  }

  rssBytes(): number {
    return rssOf(this.daemon?.pid);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
    await this.emulator?.stop();
  }
}
