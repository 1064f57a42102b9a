// bench:failover, BFD case: a host goes silent because every frame between it and the rest is dropped (nft on the
// controller namespace's bridge port: no RST, no FIN, no ICMP, the link stays up: what a VPC shows when an instance
// hangs or is partitioned), and the VIP moves to the other host. Two hosts run BIRD 2 in namespaces b2v-secNN-h1/-h2;
// bgp2vpc runs as `bgp2vpc run` in the controller namespace; the EC2 emulator runs in this process, reached through a
// namespace bridge. Three sittings on fresh testbeds:
//   bfd     BFD at its defaults (300 ms × 3; BIRD `bfd on` with the same timers), no probes
//   probe   the default TCP probe timers (every 200 ms, timeout 150 ms, fall 2) to port 179, no BFD
//   hold    neither: only the BGP hold timer notices (BIRD proposes 9 s, the shortest common setting), and graceful
//           restart (the testbed's 5 s) then keeps the stale route until it expires, as it would in production
// Everything else at its defaults (vpc.debounce 200 ms) except flap damping, which is off: each run takes a host
// down once, so with damping on a host would be held out after a few runs and the next failover would have nowhere
// to go.
//   detection  drop in place → bgp2vpc's nexthop_unhealthy (bfd, probe) or session_down (hold) log record (Date.now)
//   total      drop in place → the ReplaceRoute that points the VIP's route at the other host, from the emulator's
//              call log (performance.now, the emulator's clock, in this process)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../src/sim/ec2/emulator.js';
import type { PeerView, BfdSessionApiView } from '../src/api/views.js';
import { Bgp2vpcProcess, type LogLine } from '../test/support/bgp2vpc-process.js';
import { checkNetns } from '../test/support/netns/gate.js';
import { NamespaceBridge } from '../test/support/netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress } from '../test/support/netns/testbed.js';
import { waitFor } from '../test/interop/support/wait.js';

const TABLE = 'rtb-0b2b0000000000017';
const VIP = '100.72.200.10/32';
const VIP_ROUTE = '100.72.0.0/16';

export type NetnsMode = 'bfd' | 'probe' | 'hold';
export interface NetnsSample {
  readonly detection: number;
  readonly total: number;
}

/** Why the namespace case cannot run here, or undefined. */
export function netnsUnavailable(): string | undefined {
  const c = checkNetns();
  if (!c.usable) return c.reason;
  if (c.missing.includes('bird')) return 'BIRD is not installed';
  return undefined;
}

const state = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0b2b0000000000017',
      cidr: '198.18.0.0/24',
      subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
      instances: [1, 2].map((n) => ({ name: `h${n}`, subnet: 'sub', privateIp: hostAddress(n), sourceDestCheck: false })),
      routeTables: [{ name: 'rt', id: TABLE, subnets: ['sub'] }],
    },
  ],
};

function configText(mode: NetnsMode, ec2Port: number): string {
  const health =
    mode === 'probe'
      ? 'health: { defaultProfile: hosts, profiles: { hosts: { type: tcp, port: 179 } }, damping: { enabled: false } }'
      : // the default profile probes TCP 179: turned off, so only BFD (or the hold timer) can notice
        'health: { profiles: { default: { type: none } }, damping: { enabled: false } }';
  return `# bench:failover netns case (${mode})
cluster: { name: bench-netns, cidrs: [100.72.0.0/16] }
bgp:
  asn: 65000
  routerId: ${CONTROLLER_ADDRESS}
  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]
  groups: { default: { bfd: ${mode === 'bfd'} } }
  dynamic: [{ range: 198.18.0.0/24, asns: ["65001-65240"] }]
routes: { settleTime: 2s }
${health}
bfd: { listen: [${CONTROLLER_ADDRESS}] }
vpc: { endpoint: "http://127.0.0.1:${ec2Port}", routeTables: [${TABLE}] }
api: { listen: "127.0.0.1:33289" }
log: { level: info }
`;
}

/** Runs `runs` failovers in one mode on a fresh testbed; `say` prints progress. */
export async function benchNetnsFailover(mode: NetnsMode, runs: number, say: (s: string) => void): Promise<NetnsSample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'b2v-sec-bench-'));
  const bed = await NetnsTestbed.up({
    hosts: 2,
    runId: `sec${randomBytes(1).toString('hex')}`,
    ...(mode === 'hold' ? { holdTime: 9 } : {}),
    env: mode === 'bfd' ? { BFD_INTERVAL: '300', BFD_MULT: '3' } : {},
  });
  let emu: Emulator | undefined;
  let bridge: NamespaceBridge | undefined;
  let daemon: Bgp2vpcProcess | undefined;
  try {
    emu = await startEmulator({ host: '127.0.16.1', port: 0, state });
    const e = emu;
    bridge = await NamespaceBridge.start(bed.controllerNs, {
      in: { ec2: { host: '127.0.16.1', port: e.port } },
      out: { api: { port: 33289 } },
      rootHost: '127.0.16.1',
    });
    const b = bridge;
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(mode, b.port('ec2')));
    const d = new Bgp2vpcProcess({
      configFile: join(dir, 'bgp2vpc.yaml'),
      logFile: join(dir, `bgp2vpc-${mode}.log`),
      spawn: (c, a, o) => bed.spawnInController(c, a, o),
    });
    daemon = d;
    /** When bgp2vpc noticed each host: its health verdict, or (hold) the session's end. */
    const noticed: { at: number; host: string }[] = [];
    d.onLine((l: LogLine) => {
      if (typeof l.time !== 'number') return;
      if (l.event === 'nexthop_unhealthy' && typeof l.nextHop === 'string') noticed.push({ at: l.time, host: l.nextHop });
      if (l.event === 'session_down' && typeof l.peer === 'string') noticed.push({ at: l.time, host: l.peer.replace(/:\d+$/, '') });
    });
    d.start();
    await bed.host(1).startPeer('bird', [VIP]);
    await waitFor(async () => (await bed.host(1).peerState()) === 'established', {
      timeoutMs: 60_000,
      what: 'h1 up',
      describe: () => d.log(),
    });
    await bed.host(2).startPeer('bird', [VIP]);
    await d.ready(b.url('api'));
    const eniName = new Map([1, 2].map((n) => [e.names.get(`h${n}.eni`) ?? '', n]));
    const owner = (): number | undefined => eniName.get(e.model.findRoute(TABLE, VIP_ROUTE)?.networkInterfaceId ?? '');
    const api = async <T>(path: string): Promise<T> => (await (await fetch(`${b.url('api')}${path}`)).json()) as T;
    /** Both hosts Established and healthy, and (bfd) both BFD sessions Up. */
    const settled = async (): Promise<boolean> => {
      const peers = (await api<{ peers: PeerView[] }>('/api/v1/peers')).peers;
      const ok = [1, 2].every((n) =>
        peers.some((p) => p.peer === hostAddress(n) && p.state === 'established' && p.health.healthy && p.prefixes.accepted > 0),
      );
      if (!ok || mode !== 'bfd') return ok;
      const s = (await api<{ sessions: BfdSessionApiView[] }>('/api/v1/bfd')).sessions;
      return [1, 2].every((n) => s.some((x) => x.peer === hostAddress(n) && x.state === 'Up'));
    };
    await waitFor(async () => owner() !== undefined && (await settled()), {
      timeoutMs: 60_000,
      what: 'the first route',
      describe: () => d.log(),
    });
    const samples: NetnsSample[] = [];
    for (let i = 0; i < runs; i++) {
      await waitFor(settled, { timeoutMs: 60_000, intervalMs: 50, what: 'both hosts back', describe: () => d.log() });
      const victim = owner();
      if (victim === undefined) throw new Error('no owner of the VIP');
      const other = victim === 1 ? 2 : 1;
      const otherEni = e.names.get(`h${other}.eni`);
      const since = e.calls.at(-1)?.seq ?? 0;
      /** The emulator's time of the ReplaceRoute that sends the VIP's route to the other host, once it came. */
      const replacedAt = (): number | undefined =>
        e.calls.find(
          (c) =>
            c.seq > since &&
            c.action === 'ReplaceRoute' &&
            c.outcome === 'ok' &&
            c.params.DestinationCidrBlock === VIP_ROUTE &&
            c.params.NetworkInterfaceId === otherEni,
        )?.time;
      await bed.host(victim).partition();
      const t0 = performance.now();
      const w0 = Date.now();
      await waitFor(() => replacedAt() !== undefined, {
        timeoutMs: 60_000,
        intervalMs: 5,
        what: `the ReplaceRoute to h${other}`,
        describe: () => d.log(),
      });
      const total = (replacedAt() ?? NaN) - t0;
      const seen = noticed.find((u) => u.at >= w0 && u.host === hostAddress(victim));
      const detection = seen ? seen.at - w0 : NaN;
      samples.push({ detection, total });
      say(
        `${mode} run ${i + 1}/${runs}: h${victim} silent, detection ${Number.isNaN(detection) ? '?' : detection} ms, total ${Math.round(total)} ms`,
      );
      await bed.host(victim).heal();
    }
    return samples;
  } finally {
    await daemon?.stop().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await bed.down();
    await emu?.stop();
    // BENCH_KEEP=1 keeps the directory: bgp2vpc's config and its log per mode.
    if (process.env.BENCH_KEEP === '1') console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
