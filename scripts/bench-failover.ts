// bench:failover — host death → route moved (detection + decision + EC2 call), with default settings.
//
// In one process: the EC2 emulator, bgp2vpc (runDaemon, the config defaults: TCP probe every 200 ms, timeout 150 ms,
// fall 2, debounce 200 ms) and two simulated hosts on 127.0.5.11/.12 that both announce a service VIP. Each run
// kills the host that currently owns the VIP and measures, on one monotonic clock:
//   detection  death → the route spec picks the other host (its change event)
//   sync       that event → the emulator receives the ReplaceRoute (debounce, planning, the EC2 call)
//   total      death → ReplaceRoute received
// Two kinds of death, 20 runs each (alternating hosts; the dead one comes back before the next run):
//   crash      the host's process dies: BGP session reset and health port refusing (a crashed daemon or reboot)
//   silent     the host goes silent: the BGP session stays open (no FIN, no NOTIFICATION) and probes fail, as a
//              powered-off or partitioned host looks; only the health probes can tell
// vpc-router's figures are its documented defaults (ICMP check every 2 s, route recheck every 30 s), not measured.
// Then, where network namespaces work (root, Linux, BIRD installed), the BFD case of bench-failover-netns.ts: a host's
// frames are dropped, BFD at 300 ms × 3 next to the default probe timers and the hold timer alone, --netns-runs each
// (default 10; the hold-timer case a third of that, each run takes ~20 s). --no-netns skips it.
// Usage: npm run bench:failover [-- --runs 20] [--netns-runs 10] [--netns-modes bfd,probe,hold] [--no-netns | --only-netns]
import { createServer } from 'node:net';
import { parseConfig } from '../src/config/index.js';
import { runDaemon } from '../src/daemon/run-daemon.js';
import { createLogger, silentLogger } from '../src/base/log.js';
import { startEmulator } from '../src/sim/ec2/emulator.js';
import type { StateDoc } from '../src/sim/ec2/state-file.js';
import { SimHost } from '../src/sim/peer/sim-host.js';
import { HealthPort } from '../src/sim/peer/health-port.js';
import { createEmulatorEc2Client } from '../src/vpc/ec2-client.js';
import { benchNetnsFailover, netnsUnavailable, type NetnsMode, type NetnsSample } from './bench-failover-netns.js';

const CTRL = '127.0.5.1';
const HOSTS = [
  { name: 'a', ip: '127.0.5.11', asn: 65011 },
  { name: 'b', ip: '127.0.5.12', asn: 65012 },
] as const;
const TABLE = 'rtb-0be4c0000000000005';
const VIP = '100.73.0.10/32';
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 20;
const DEADLINE_MS = 20_000;

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0be4c0000000000005',
      cidr: '127.0.5.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.5.0/25', az: 'us-east-1a' }],
      instances: HOSTS.map((h) => ({ name: h.name, subnet: 'sub', privateIp: h.ip, sourceDestCheck: false })),
      routeTables: [{ name: 'rt', id: TABLE, subnets: ['sub'] }],
    },
  ],
};

async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a ? a.port : 0;
}

async function until(cond: () => boolean, what: string, intervalMs = 2): Promise<void> {
  const end = performance.now() + DEADLINE_MS;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number): string => `${Math.round(x)} ms`;

interface Sample {
  readonly detection: number;
  readonly sync: number;
  readonly total: number;
}

async function main(): Promise<void> {
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, state });
  const healthPort = await freePort(HOSTS[0].ip);
  const bgpPort = await freePort(CTRL);
  // Defaults everywhere except what a deployment must say (cluster, listener, probe port, table, emulator).
  const config = parseConfig(
    `cluster: { name: bench, cidrs: [100.73.0.0/16] }
bgp: { asn: 65000, routerId: ${CTRL}, listen: [{ address: ${CTRL}, port: ${bgpPort} }], dynamic: [{ range: 127.0.5.0/25, asns: ["65000-65100"] }] }
routes: { settleTime: 1s }
health: { defaultProfile: hosts, profiles: { hosts: { type: tcp, port: ${healthPort} } } }
vpc: { endpoint: ${emu.endpoint}, routeTables: [${TABLE}] }
api: { listen: "${CTRL}:0" }
`,
    'bench-failover.yaml',
  );
  const d = await runDaemon(config, {
    logger: process.env.BENCH_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger,
    ec2: createEmulatorEc2Client(emu.endpoint),
  });
  const eniOf = new Map<string, string>(HOSTS.map((h) => [emu.names.get(`${h.name}.eni`) ?? '', h.name]));
  // The table may aggregate: the VIP's owner is the target of the longest route covering it.
  const owner = (): string | undefined => eniOf.get(emu.model.routeForAddress(TABLE, VIP.split('/')[0] ?? '')?.networkInterfaceId ?? '');
  let lastChange = { at: 0, to: '' };
  d.parts.spec.onChanges((batch) => {
    for (const c of batch) if (c.prefixText === VIP && c.to !== undefined) lastChange = { at: performance.now(), to: c.to };
  });

  const hosts = new Map<string, { name: string; ip: string; asn: number; sim: SimHost; health: HealthPort }>(
    HOSTS.map((h) => [
      h.name,
      {
        ...h,
        sim: new SimHost({ name: h.name, localAddress: h.ip, remoteHost: CTRL, remotePort: bgpPort, asn: h.asn }),
        health: new HealthPort(h.ip, healthPort),
      },
    ]),
  );
  for (const h of hosts.values()) {
    await h.health.open();
    h.sim.announce([VIP, h.name === 'a' ? '100.73.1.0/24' : '100.73.2.0/24']);
    await h.sim.start();
  }
  await until(() => owner() !== undefined, 'the first route', 20);
  const results: Record<'crash' | 'silent', Sample[]> = { crash: [], silent: [] };
  const writes: number[] = [];

  for (const mode of ['crash', 'silent'] as const) {
    for (let i = 0; i < RUNS; i++) {
      const victimName = owner();
      const victim = victimName ? hosts.get(victimName) : undefined;
      const other = [...hosts.values()].find((h) => h !== victim);
      if (!victim || !other) throw new Error('no owner of the VIP');
      // The survivor must be healthy and settled before the kill.
      await until(
        () => d.parts.health.healthOf(other.ip).healthy && d.parts.sync.status().every((t) => t.pendingOps === 0),
        'a settled table',
        10,
      );
      const seq = emu.calls.at(-1)?.seq ?? 0;
      const t0 = performance.now();
      if (mode === 'crash') {
        victim.sim.kill();
        await victim.health.close();
      } else {
        victim.sim.freeze();
        await victim.health.close();
      }
      // The VIP has moved when the table's longest match for it points at the survivor (aggregation may move it with
      // a ReplaceRoute, or a CreateRoute / DeleteRoute of a more specific route). Polled every 2 ms.
      await until(() => owner() === other.name, 'the VIP to move');
      const at = performance.now();
      writes.push(emu.calls.filter((c) => c.seq > seq && c.mutating).length);
      if (lastChange.to !== other.ip) throw new Error(`the VIP went to ${lastChange.to}, expected ${other.ip}`);
      results[mode].push({ detection: lastChange.at - t0, sync: Math.max(0, at - lastChange.at), total: at - t0 });
      // Bring the victim back (it stays a standby: stickiness keeps the VIP where it is).
      victim.sim.kill();
      await until(
        () => d.parts.speaker.peer(victim.ip)?.state !== 'Established',
        `the controller to see ${victim.name}'s session close`,
        5,
      );
      await victim.health.open();
      for (let attempt = 1; ; attempt++) {
        try {
          await victim.sim.start();
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      await until(() => d.parts.health.healthOf(victim.ip).healthy, `${victim.name} healthy again`, 10);
    }
  }

  await d.stop();
  for (const h of hosts.values()) {
    h.sim.kill();
    await h.health.close();
  }
  await emu.stop();

  const row = (name: string, xs: readonly Sample[]): string =>
    `| ${name} | ${xs.length} | ${ms(
      pct(
        xs.map((x) => x.detection),
        50,
      ),
    )} | ${ms(
      pct(
        xs.map((x) => x.sync),
        50,
      ),
    )} | **${ms(
      pct(
        xs.map((x) => x.total),
        50,
      ),
    )}** | **${ms(
      pct(
        xs.map((x) => x.total),
        99,
      ),
    )}** | ${ms(Math.max(...xs.map((x) => x.total)))} |`;
  const lines = [
    '| death | runs | detection p50 | decision + EC2 p50 | total p50 | total p99 | max |',
    '|---|---|---|---|---|---|---|',
    row('crash (session reset, probe refused)', results.crash),
    row('silent (session open, probes fail)', results.silent),
    '| vpc-router defaults (documented, not measured) | | ICMP every 2 s | next recheck, up to 30 s | ≥ 2 s | up to ~32 s | |',
  ];
  const p99 = Math.max(
    pct(
      results.crash.map((x) => x.total),
      99,
    ),
    pct(
      results.silent.map((x) => x.total),
      99,
    ),
  );
  const sortedWrites = [...writes].sort((a, b) => a - b);
  process.stdout.write(
    `${lines.join('\n')}\n\nEC2 writes until the VIP moved: median ${sortedWrites[Math.floor(sortedWrites.length / 2)] ?? 0}, max ${sortedWrites.at(-1) ?? 0}\n` +
      `target p99 ≤ 1500 ms: ${p99 <= 1500 ? 'met' : 'NOT met'} (worst p99 ${ms(p99)})\n`,
  );
}

async function netnsCase(): Promise<void> {
  if (process.argv.includes('--no-netns')) return;
  const why = netnsUnavailable();
  if (why !== undefined) {
    process.stdout.write(`\nBFD case (network namespaces) skipped: ${why}\n`);
    return;
  }
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  const argN = process.argv.indexOf('--netns-runs');
  const n = argN > 0 ? Number(process.argv[argN + 1]) : 10;
  const argM = process.argv.indexOf('--netns-modes');
  const modes = argM > 0 ? (process.argv[argM + 1] ?? '').split(',') : ['bfd', 'probe', 'hold'];
  const bench = async (m: NetnsMode, runs: number): Promise<NetnsSample[]> => (modes.includes(m) ? benchNetnsFailover(m, runs, say) : []);
  const bfd = await bench('bfd', n);
  const probe = await bench('probe', n);
  const hold = await bench('hold', Math.max(1, Math.round(n / 3)));
  const row = (name: string, xs: readonly NetnsSample[]): string => {
    if (xs.length === 0) return `| ${name} | not run | | | | | |`;
    const d = xs.map((x) => x.detection);
    const t = xs.map((x) => x.total);
    return `| ${name} | ${xs.length} | ${ms(pct(d, 50))} | ${ms(Math.max(...d))} | **${ms(pct(t, 50))}** | ${ms(pct(t, 99))} | ${ms(Math.max(...t))} |`;
  };
  const p99 = pct(
    bfd.map((x) => x.total),
    99,
  );
  process.stdout.write(
    [
      '',
      '| host silent: its frames dropped (netns) | runs | detection p50 | detection max | total p50 | total p99 | total max |',
      '|---|---|---|---|---|---|---|',
      row('BFD 300 ms × 3, no probes', bfd),
      row('TCP probe, default timers (200 ms, fall 2), no BFD', probe),
      row('hold timer only (9 s), then GR stale time (5 s)', hold),
      '',
      bfd.length ? `BFD target p99 ≤ 1000 ms: ${p99 <= 1000 ? 'met' : 'NOT met'} (p99 ${ms(p99)} over ${bfd.length} runs)` : '',
      '',
    ].join('\n'),
  );
}

(process.argv.includes('--only-netns') ? Promise.resolve() : main())
  .then(() => netnsCase())
  .catch((err: unknown) => {
    process.stderr.write(`bench-failover: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
