// A restart must not write before every host that owns an installed route has been heard from. Found by the soak
// (issue 15): after kill -9 and restart, two of three graceful-restart hosts reconnected at once and sent
// End-of-RIB, the daemon converged on "End-of-RIB from all 2 peers" and moved the third host's routes away while
// that host was still reconnecting (~6 s of misrouted traffic). In-process daemon, the EC2 emulator, simulated hosts
// over real BGP on 127.0.47.x (used by no other test).
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { parseConfig } from '../../src/config/index.js';
import { runDaemon, type RunningDaemon } from '../../src/daemon/run-daemon.js';
import { createLogger, silentLogger } from '../../src/base/log.js';
import { SimHost } from '../../src/sim/peer/sim-host.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';
import { waitFor } from '../interop/support/wait.js';

const HOSTS = [
  { name: 'a', ip: '127.0.47.11', prefix: '100.71.1.0/24' },
  { name: 'b', ip: '127.0.47.12', prefix: '100.71.2.0/24' },
  { name: 'c', ip: '127.0.47.13', prefix: '100.71.3.0/24' },
];
const TABLE = 'rtb-0e2e0000000000047';

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0e2e0000000000047',
      cidr: '127.0.47.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.47.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: HOSTS.map((h) => ({ name: h.name, subnet: 'sub', privateIp: h.ip, sourceDestCheck: false })),
      routeTables: [
        { name: 'rt', id: TABLE, subnets: ['sub'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
    },
  ],
};

// Settle time far beyond the test's waits: only End-of-RIB can converge here. No health probes (the hosts'
// liveness is their sessions), aggregation on as the daemon runs it.
const CONFIG = `
cluster: { name: t47, cidrs: [100.71.0.0/16] }
bgp:
  asn: 65000
  routerId: 127.0.47.1
  listen: [{ address: 127.0.47.1, port: 0 }]
  holdTime: 9s
  dynamic: [{ range: 127.0.47.0/25, asns: ["65001-65100"] }]
routes: { settleTime: 60s }
health: { defaultProfile: off, profiles: { off: { type: none } } }
vpc:
  endpoint: ENDPOINT
  routeTables: [${TABLE}]
  debounce: 50ms
  driftInterval: 30s
api: { listen: "127.0.47.1:0" }
`;

const until = (cond: () => boolean, what: string): Promise<unknown> => waitFor(cond, { what, timeoutMs: 30_000, intervalMs: 20 });

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** The emulator, a daemon factory and simulated hosts (a, b, c) that connect to a given daemon. */
async function world(vpc: StateDoc = state, config = CONFIG, hosts = HOSTS, table = TABLE) {
  const emu: Emulator = await startEmulator({ host: '127.0.0.1', port: 0, state: vpc });
  cleanup.push(() => emu.stop());
  const cfg = parseConfig(config.replace('ENDPOINT', emu.endpoint), 'test.yaml');
  const start = async (): Promise<RunningDaemon> => {
    const d = await runDaemon(cfg, {
      logger: process.env.DAEMON_TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger,
      ec2: createEmulatorEc2Client(emu.endpoint),
    });
    cleanup.push(() => d.stop());
    return d;
  };
  const connect = (d: RunningDaemon, i: number, extra: readonly string[] = []): SimHost => {
    const h = hosts[i] as (typeof HOSTS)[number];
    const host = new SimHost({
      name: h.name,
      localAddress: h.ip,
      remoteHost: '127.0.47.1',
      remotePort: d.parts.speaker.addresses()[0]?.port ?? 0,
      asn: 65001 + i,
      gracefulRestartTime: 120,
      families: ['ipv4'],
    });
    cleanup.push(() => host.kill());
    host.announce([h.prefix, ...extra]);
    return host;
  };
  const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? '?';
  /** Which host a table sends an address to (longest match: the aggregator may cover prefixes with one route). */
  const hostFor = (addr: string, rtb = table): string => {
    const to = emu.model.routeForAddress(rtb, addr)?.networkInterfaceId;
    return hosts.find((x) => eni(x.name) === to)?.name ?? '?';
  };
  const writesSince = (seq: number): string[] => emu.calls.filter((x) => x.seq > seq && x.mutating).map((x) => x.action);
  /** A restart where hosts `early` are back first (all announcing `extra`) and `late` a second later: its writes. */
  const restartLate = async (early: readonly number[], late: number, extra: readonly string[]): Promise<string[]> => {
    const mark = emu.callLog.lastSeq;
    const d = await start();
    const back = early.map((i) => connect(d, i, extra));
    for (const h of back) await h.start();
    const last = hosts[early.at(-1) ?? 0]?.ip ?? '';
    await until(() => (d.parts.speaker.peer(last)?.state ?? '') === 'Established', `${last} up`);
    await sleep(1000);
    await connect(d, late, extra).start();
    await until(() => d.parts.daemon.phase === 'running' && d.parts.sync.converged(), 'convergence');
    await sleep(300); // a few debounce windows for a late write
    return writesSince(mark);
  };
  return { emu, start, connect, hostFor, writesSince, restartLate };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('restart convergence waits for the hosts of the installed routes', () => {
  it('two hosts back with End-of-RIB do not decide for a third that is still reconnecting: zero writes', async () => {
    const { emu, start, connect, hostFor, writesSince } = await world();
    const forwarding = (): string[] => HOSTS.map((h) => `${h.prefix} → ${hostFor(h.prefix.replace(/0\/24$/, '5'))}`);

    // First life: all three hosts, End-of-RIB from each, the table installed.
    let d = await start();
    const first = HOSTS.map((_, i) => connect(d, i));
    for (const h of first) await h.start();
    const want = ['100.71.1.0/24 → a', '100.71.2.0/24 → b', '100.71.3.0/24 → c'];
    await until(() => d.parts.daemon.phase === 'running' && d.parts.sync.converged() && forwarding().join() === want.join(), 'the table');

    // Stop (routes stay in the table), the hosts' sessions drop.
    await d.stop();
    for (const h of first) h.kill();

    const mark = emu.callLog.lastSeq;
    d = await start();
    const a = connect(d, 0);
    const b = connect(d, 1);
    await a.start();
    await b.start();
    // a and b are Established and have sent End-of-RIB; well past the 1 s minimum and quiet time, the daemon must
    // still be waiting for c, whose route is in the table.
    await until(() => (d.parts.speaker.peer('127.0.47.12')?.state ?? '') === 'Established', 'b up');
    await sleep(3000);
    expect(d.parts.daemon.phase).toBe('converging');
    const c = connect(d, 2);
    await c.start();
    await until(() => d.parts.daemon.phase === 'running' && d.parts.sync.converged(), 'convergence after c is back');
    await sleep(300); // a few debounce windows for a late write
    expect(writesSince(mark)).toEqual([]);
    expect(forwarding()).toEqual(want);
  }, 90_000);

  it('a VIP announced by two hosts stays with the installed one whichever reconnects first: zero writes', async () => {
    const { start, connect, hostFor, restartLate } = await world();
    const VIP = '100.71.200.10/32';
    const vip = '100.71.200.10';
    // First life: a and b announce the VIP, it goes to a (lowest address); a withdraws it (failover to b) and
    // announces it again: b keeps it (stickiness). The table now sends the VIP to b, the higher address.
    const d = await start();
    const a1 = connect(d, 0, [VIP]);
    const b1 = connect(d, 1, [VIP]);
    await a1.start();
    await b1.start();
    await until(() => d.parts.daemon.phase === 'running' && d.parts.sync.converged() && hostFor(vip) === 'a', 'the VIP on a');
    a1.withdraw([VIP]);
    await until(() => d.parts.sync.converged() && hostFor(vip) === 'b', 'the VIP on b');
    a1.announce([VIP]);
    await sleep(500);
    await until(() => d.parts.sync.converged(), 'quiet');
    expect(hostFor(vip)).toBe('b');
    await d.stop();
    a1.kill();
    b1.kill();

    // Restart: a is back first, b a second later. A fresh ranking would give the VIP to a (first to announce, and
    // lowest address) and the first pass would move it there: a ReplaceRoute for nothing. The installed table says b.
    expect(await restartLate([0], 1, [VIP])).toEqual([]);
    expect(hostFor(vip)).toBe('b');
  }, 90_000);
});

// Per-AZ tables (vpc.preferSameAz): a and b in AZ a, c in AZ b; one table per AZ, listed AZ b's first.
const AZ_HOSTS = [
  { name: 'a', ip: '127.0.47.11', prefix: '100.71.1.0/24' },
  { name: 'b', ip: '127.0.47.12', prefix: '100.71.2.0/24' },
  { name: 'c', ip: '127.0.47.75', prefix: '100.71.3.0/24' },
];
const RTB_A = 'rtb-0e2e00000000047a0';
const RTB_B = 'rtb-0e2e00000000047b0';
const azState: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0e2e0000000000047',
      cidr: '127.0.47.0/24',
      subnets: [
        { name: 'sub-a', cidr: '127.0.47.0/26', az: 'us-east-1a' },
        { name: 'sub-b', cidr: '127.0.47.64/26', az: 'us-east-1b' },
      ],
      internetGateways: [{ name: 'igw' }],
      instances: AZ_HOSTS.map((h) => ({
        name: h.name,
        subnet: h.name === 'c' ? 'sub-b' : 'sub-a',
        privateIp: h.ip,
        sourceDestCheck: false,
      })),
      routeTables: [
        { name: 'rt-a', id: RTB_A, subnets: ['sub-a'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
        { name: 'rt-b', id: RTB_B, subnets: ['sub-b'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
    },
  ],
};
const AZ_CONFIG = CONFIG.replace(`routeTables: [${TABLE}]`, `routeTables: [${RTB_B}, ${RTB_A}]`);

describe('restart with per-AZ route tables', () => {
  it("each AZ's table keeps its installed host of a shared VIP whichever host reconnects first: zero writes", async () => {
    const { start, connect, hostFor, restartLate } = await world(azState, AZ_CONFIG, AZ_HOSTS, RTB_A);
    const VIP = '100.71.200.10/32';
    const vip = '100.71.200.10';
    const both = (): string => `${hostFor(vip, RTB_A)} ${hostFor(vip, RTB_B)}`;
    // First life: the VIP goes to a in AZ a's table (same AZ, lowest address) and to c in AZ b's. a withdraws it
    // (AZ a's table fails over to b) and announces it again: b keeps it. Installed: AZ a → b, AZ b → c.
    const d = await start();
    const first = [0, 1, 2].map((i) => connect(d, i, [VIP]));
    for (const h of first) await h.start();
    await until(() => d.parts.daemon.phase === 'running' && d.parts.sync.converged() && both() === 'a c', 'the VIP on a and c');
    first[0]?.withdraw([VIP]);
    await until(() => d.parts.sync.converged() && both() === 'b c', 'AZ a on b');
    first[0]?.announce([VIP]);
    await sleep(500);
    await until(() => d.parts.sync.converged(), 'quiet');
    expect(both()).toBe('b c');
    await d.stop();
    for (const h of first) h.kill();

    // Restart: a and c are back first, b a second later. Ranked afresh, AZ a's table would go to a (lowest
    // address); started from the first table listed (AZ b's: c), its view would too. Its own table says b.
    expect(await restartLate([0, 2], 1, [VIP])).toEqual([]);
    expect(both()).toBe('b c');
  }, 90_000);
});
