// bench:failover:silent — a truly silent (powered-off) host: its probes time out, nothing refuses them.
//
// bench:failover runs in one process on loopback and closes the health port, so each probe fails at once with
// ECONNREFUSED. A powered-off instance in a VPC never answers: no RST, no ICMP, no FIN; every probe waits for its
// timeout. Here the hosts are real: two BIRD daemons in network namespaces (gobgp-testbed/netns-*.sh, names
// b2v-safe-…, static ARP as in a VPC) announce one VIP to `bgp2vpc run` (the CLI, its own process) in the
// controller namespace, on config/minimal.yaml with no health section: the defaults a user gets (TCP connect to
// port 179 every 200 ms, timeout 150 ms, down after 2 failures). The EC2 emulator runs in this process, bridged
// into the controller namespace. BGP hold time is each daemon's own (BIRD: 240 s), so only the probes can tell.
//
// Each run takes the host that owns the VIP silent and measures:
//   detection  fault → bgp2vpc logs the failover decision (pino `time` of the `failover` line, epoch ms)
//   total      fault → the emulator receives the ReplaceRoute that moves the VIP (its call-log time)
// t0 is taken just before the fault script starts, so both include the script's own time (a bash + ip/nft, a few
// tens of ms). Two ways to go silent, alternating hosts; the host comes back (healthy, a standby) before the next run:
//   link-down   the host's NIC goes down (netns-fault.sh link-down: eth0 down inside the host)
//   drop        every frame to and from the host dropped on the bridge, links up (netns-fault.sh partition)
// Usage (root, under flock /tmp/bgp2vpc-heavy.lock): npm run bench:failover:silent [-- --runs 15] [--damping off]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/sim/ec2/emulator.js';
import { Bgp2vpcProcess, REPO_ROOT, type LogLine } from '../test/support/bgp2vpc-process.js';
import { NamespaceBridge } from '../test/support/netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress } from '../test/support/netns/testbed.js';
import { waitFor } from '../test/interop/support/wait.js';

const TABLE = 'rtb-0b2b0000000000113';
const VIP = '100.73.200.10/32';
const VIP_ROUTE = '100.73.200.0/24';
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 15;
// Health damping (on by default) suppresses a next hop that keeps failing: this benchmark fails the same two hosts
// every few seconds, and when the session survives (drop) the penalty passes `suppress` after about three runs, so
// the host stays out for minutes. `--damping off` turns it off; it changes when a returned host is used again, not
// how fast a failure is detected.
const DAMPING_OFF = process.argv.includes('--damping') && process.argv[process.argv.indexOf('--damping') + 1] === 'off';
// The namespaces are b2v-safe-ctl, b2v-safe-h1, b2v-safe-h2 (NB_RUN_ID names them).
process.env.NB_RUN_ID = 'safe';

const state = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0b2b0000000000113',
      cidr: '198.18.0.0/24',
      subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
      instances: [1, 2].map((n) => ({ name: `h${n}`, subnet: 'sub', privateIp: hostAddress(n), sourceDestCheck: false })),
      routeTables: [{ name: 'rt', id: TABLE, subnets: ['sub'] }],
    },
  ],
};

/** config/minimal.yaml with only what this world must say; nothing about health. */
function configText(ec2Port: number): string {
  const text = readFileSync(join(REPO_ROOT, 'config/minimal.yaml'), 'utf8')
    .replace('cidrs: [10.244.0.0/16]', 'cidrs: [100.73.200.0/24]')
    .replace('routerId: 10.0.0.10', `routerId: ${CONTROLLER_ADDRESS}\n  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]`)
    .replace('range: 10.0.0.0/16', 'range: 198.18.0.0/24')
    .replace('vpcId: vpc-0123456789abcdef0', `endpoint: "http://127.0.0.1:${ec2Port}"\n  routeTables: [${TABLE}]`);
  if (text.includes('health:')) throw new Error('config/minimal.yaml gained a health section: this benchmark is about its absence');
  const damping = DAMPING_OFF ? 'health: { damping: { enabled: false } }\n' : '';
  return `${text}routes: { settleTime: 2s }\napi: { listen: "127.0.0.1:33289" }\n${damping}`;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const ms = (x: number): string => `${Math.round(x)} ms`;

type Mode = 'link-down' | 'drop';
interface Sample {
  readonly detection: number;
  readonly total: number;
  readonly writes: string;
  /** The failover's reason was a probe timeout (silence), not a refusal or a session loss. */
  readonly probeTimeout: boolean;
  /** bgp2vpc still had the victim's BGP session when the VIP had moved: the probes alone decided. */
  readonly sessionUp: boolean;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'b2v-safe-'));
  const bed = await NetnsTestbed.up({ hosts: 2 });
  const emu = await startEmulator({ host: '127.0.13.1', port: 0, state });
  const bridge = await NamespaceBridge.start(bed.controllerNs, {
    in: { ec2: { host: '127.0.13.1', port: emu.port } },
    out: { api: { port: 33289 } },
    rootHost: '127.0.13.1',
  });
  writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(bridge.port('ec2')));
  const daemon = new Bgp2vpcProcess({ configFile: join(dir, 'bgp2vpc.yaml'), spawn: (c, a, o) => bed.spawnInController(c, a, o) });
  const failovers: LogLine[] = [];
  daemon.onLine((l) => {
    if (l.event === 'failover' && l.prefix === VIP) failovers.push(l);
  });
  const results: Record<Mode, Sample[]> = { 'link-down': [], drop: [] };
  // A run that fails ends the benchmark; what was measured before it is still reported.
  const errors: string[] = [];
  try {
    daemon.start();
    const eniHost = (eni: string | undefined): number | undefined =>
      [1, 2].find((n) => emu.names.get(`h${n}.eni`) === eni && eni !== undefined);
    const owner = (): number | undefined => eniHost(emu.model.findRoute(TABLE, VIP_ROUTE)?.networkInterfaceId);
    const peer = async (n: number): Promise<{ state: string; health: { healthy: boolean } } | undefined> => {
      const r = (await (await fetch(`${bridge.url('api')}/api/v1/peers`)).json()) as {
        peers: { peer: string; state: string; health: { healthy: boolean } }[];
      };
      return r.peers.find((p) => p.peer === hostAddress(n));
    };
    const settled = async (n: number): Promise<boolean> => {
      const p = await peer(n);
      return p?.state === 'established' && p.health.healthy;
    };
    await bed.host(1).startPeer('bird', [VIP]);
    await bed.host(2).startPeer('bird', [VIP]);
    await daemon.ready(bridge.url('api'));
    await waitFor(async () => (await settled(1)) && (await settled(2)) && owner() !== undefined, {
      timeoutMs: 60_000,
      what: 'both hosts Established and healthy, the VIP routed',
      describe: () => daemon.log(),
    });

    for (const mode of ['link-down', 'drop'] as const) {
      for (let i = 0; i < RUNS && errors.length === 0; i++) {
        const victim = owner();
        if (victim === undefined) throw new Error('no owner of the VIP');
        const other = victim === 1 ? 2 : 1;
        await waitFor(async () => (await settled(other)) && (await settled(victim)), {
          timeoutMs: 30_000,
          what: 'both hosts healthy before the fault',
          describe: () => daemon.log(),
        });
        const seq = emu.callLog.lastSeq;
        const before = failovers.length;
        const wall0 = Date.now();
        const mono0 = performance.now();
        if (mode === 'link-down') await bed.host(victim).linkDown();
        else await bed.host(victim).partition();
        try {
          const f = await waitFor(() => failovers.slice(before).find((l) => l.to === hostAddress(other)), {
            timeoutMs: 20_000,
            intervalMs: 5,
            what: `the failover of the VIP to host ${other}`,
            describe: () => daemon.log(),
          });
          const replace = await waitFor(
            () => emu.calls.find((c) => c.seq > seq && c.action === 'ReplaceRoute' && c.params.DestinationCidrBlock === VIP_ROUTE),
            { timeoutMs: 20_000, intervalMs: 5, what: 'the ReplaceRoute' },
          );
          const writes = emu.calls
            .filter((c) => c.seq > seq && c.mutating)
            .map((c) => c.action)
            .join('+');
          const sessionUp = (await peer(victim))?.state === 'established';
          const sample: Sample = {
            detection: Number(f.time) - wall0,
            total: replace.time - mono0,
            writes,
            probeTimeout: /tcp 179: timeout/.test(String(f.msg)),
            sessionUp,
          };
          results[mode].push(sample);
          process.stderr.write(`${mode} #${i + 1}: ${JSON.stringify(sample)} (${String(f.msg)})\n`);
        } finally {
          if (mode === 'link-down') await bed.host(victim).linkUp();
          else await bed.host(victim).heal();
        }
      }
    }
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await daemon.stop();
    await bridge.close();
    await bed.down();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const row = (name: string, xs: readonly Sample[]): string => {
    const w = new Map<string, number>();
    for (const x of xs) w.set(x.writes, (w.get(x.writes) ?? 0) + 1);
    return `| ${name} | ${xs.length} | ${ms(median(xs.map((x) => x.detection)))} | **${ms(median(xs.map((x) => x.total)))}** | ${ms(
      Math.min(...xs.map((x) => x.total)),
    )} | ${ms(Math.max(...xs.map((x) => x.total)))} | ${[...w].map(([k, v]) => `${k} ×${v}`).join(', ')} | ${
      xs.filter((x) => x.probeTimeout).length
    } / ${xs.filter((x) => x.sessionUp).length} |`;
  };
  process.stdout.write(
    [
      '| silent host | runs | failover decided, median | ReplaceRoute received, median | min | max | EC2 writes per run | probe timeout / session still up |',
      '|---|---|---|---|---|---|---|---|',
      row('link down (NIC down in the host)', results['link-down']),
      row('frames dropped (bridge, links up)', results.drop),
    ].join('\n') + '\n',
  );
  if (errors.length > 0) {
    process.stderr.write(`bench-failover-silent: stopped early: ${errors.join('; ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-failover-silent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
