// The whole daemon with per-AZ route tables (vpc.preferSameAz, the default): a VPC with one table per AZ in three
// AZs, a VIP announced over real BGP on loopback by hosts in AZs a and b (127.0.17.x, kept apart from other tests).
// Each table routes the VIP to its own AZ's host, c's to the default; host b dies → only table b changes; b returns
// → table b fails back after the hold-down; GET /api/v1/routes?prefix= explains the choice per table; a restart
// writes nothing.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { parseConfig } from '../../src/config/index.js';
import { runDaemon, type RunningDaemon } from '../../src/daemon/run-daemon.js';
import { createLogger, silentLogger } from '../../src/base/log.js';
import { SimHost } from '../../src/sim/peer/sim-host.js';
import { HealthPort } from '../../src/sim/peer/health-port.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';

const VIP = '100.71.200.10/32';
const AZ = ['a', 'b', 'c'] as const;
const TABLE = { a: 'rtb-0a2a000000000000a', b: 'rtb-0a2a000000000000b', c: 'rtb-0a2a000000000000c' } as const;
const HOST = { a: '127.0.17.11', b: '127.0.17.71' } as const;

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0a2a0000000000017',
      cidr: '127.0.17.0/24',
      subnets: AZ.map((az, i) => ({ name: `sub-${az}`, cidr: `127.0.17.${i * 64}/26`, az: `us-east-1${az}` })),
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'a', subnet: 'sub-a', privateIp: HOST.a, sourceDestCheck: false },
        { name: 'b', subnet: 'sub-b', privateIp: HOST.b, sourceDestCheck: false },
      ],
      routeTables: AZ.map((az) => ({
        name: `rt-${az}`,
        id: TABLE[az],
        subnets: [`sub-${az}`],
        routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }],
      })),
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

const config = (endpoint: string, healthPort: number) =>
  parseConfig(
    `
cluster: { name: t17, cidrs: [100.71.0.0/16] }
bgp:
  asn: 65000
  routerId: 127.0.17.1
  listen: [{ address: 127.0.17.1, port: 0 }]
  holdTime: 9s
  dynamic: [{ range: 127.0.17.0/24, asns: ["65001-65100"] }]
routes: { settleTime: 1500ms, failbackHoldDown: 1s }
health:
  defaultProfile: hosts
  profiles: { hosts: { type: tcp, port: ${healthPort}, interval: 200ms, timeout: 150ms, rise: 2, fall: 3 } }
vpc:
  endpoint: ${endpoint}
  routeTables: [${TABLE.a}, ${TABLE.b}, ${TABLE.c}]
  debounce: 50ms
  driftInterval: 30s
api: { listen: "127.0.17.1:0" }
`,
    'test.yaml',
  );

/** Waits for cond; on timeout the error says what was awaited and, from state(), where things stood. */
async function until(cond: () => boolean, what: string, state: () => string = () => '', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms}ms waiting for ${what} (${state()})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('daemon with per-AZ route tables', () => {
  it('routes a VIP to the same-AZ host per table, fails over and back per table, restarts with zero writes', async () => {
    const emu: Emulator = await startEmulator({ host: '127.0.0.1', port: 0, state });
    cleanup.push(() => emu.stop());
    const healthPort = await freePort(HOST.a);
    const ports = { a: new HealthPort(HOST.a, healthPort), b: new HealthPort(HOST.b, healthPort) };
    for (const p of Object.values(ports)) await p.open();
    cleanup.push(async () => {
      for (const p of Object.values(ports)) await p.close();
    });
    const cfg = config(emu.endpoint, healthPort);
    expect(cfg.vpc.preferSameAz).toBe(true);
    expect(cfg.vpc.routeLimit).toBe('auto'); // no routeLimit in the config
    const start = async (): Promise<RunningDaemon> => {
      const d = await runDaemon(cfg, {
        logger: process.env.DAEMON_TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger,
        ec2: createEmulatorEc2Client(emu.endpoint),
      });
      cleanup.push(() => d.stop());
      return d;
    };
    const host = (name: 'a' | 'b', port: number, i: number): SimHost => {
      const h = new SimHost({ name, localAddress: HOST[name], remoteHost: '127.0.17.1', remotePort: port, asn: 65001 + i });
      cleanup.push(() => h.kill());
      h.announce([VIP]);
      return h;
    };
    const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? '?';
    // Where a table sends the VIP: longest prefix match (the route may be an aggregate).
    const vipIn = (table: string): string | undefined => emu.model.routeForAddress(table, VIP.split('/')[0] ?? '')?.networkInterfaceId;
    const where = (): string => AZ.map((az) => vipIn(TABLE[az])).join(' ');
    const replaces = (table: string): number =>
      emu.calls.filter((c) => c.action === 'ReplaceRoute' && c.params.RouteTableId === table).length;

    let d = await start();
    // Where things stood, for a timeout's message: tables, peers, health, phase, pending writes.
    const seen = (): string => {
      const peers = d.parts.speaker.peers().map((p) => `${p.peer} ${p.state}`);
      const health = Object.values(HOST).map((h) => `${h} ${d.parts.health.healthOf(h).reason}`);
      const pending = d.parts.sync.status().map((t) => t.pendingOps);
      return `tables ${where()}; peers ${peers.join(', ')}; health ${health.join(', ')}; phase ${d.parts.daemon.phase}; pending ${pending.join(' ')}`;
    };
    const port = d.parts.speaker.addresses()[0]?.port ?? 0;
    let hostA = host('a', port, 0);
    let hostB = host('b', port, 1);
    await hostA.start();
    await hostB.start();
    await until(() => where() === `${eni('a')} ${eni('b')} ${eni('a')}`, 'each table on its own AZ (c on the default)', seen);
    expect(d.parts.sync.status().map((t) => [t.id, t.az])).toEqual(AZ.map((az) => [TABLE[az], `us-east-1${az}`]));
    // ...so the daemon plans for the account's quota: the emulator's default, EC2's 500
    expect(d.parts.sync.routeQuota()).toEqual({ limit: 500, source: 'service-quotas' });
    expect(d.parts.sync.status().map((t) => t.families.ipv4?.limit)).toEqual([500, 500, 500]);

    // the API explains the choice per table
    const x = (await (await fetch(`${d.api.url}/api/v1/routes?prefix=${VIP}`)).json()) as {
      chosen: string;
      tables: { routeTable: string; az?: string; chosen: string; candidates?: { nextHop: string; result: string }[] }[];
    };
    expect(x.chosen).toBe(HOST.a);
    expect(x.tables.map((t) => [t.routeTable, t.az, t.chosen])).toEqual([
      [TABLE.a, 'us-east-1a', HOST.a],
      [TABLE.b, 'us-east-1b', HOST.b],
      [TABLE.c, 'us-east-1c', HOST.a],
    ]);
    expect(x.tables[1]?.candidates?.map((c) => c.result)).toEqual(['chosen (az)', 'lost: not in the preferred AZ']);

    // b dies: only table b changes
    const before = { a: replaces(TABLE.a), b: replaces(TABLE.b), c: replaces(TABLE.c) };
    hostB.kill();
    await ports.b.close();
    await until(() => vipIn(TABLE.b) === eni('a'), 'table b to fail over to a', seen);
    expect([replaces(TABLE.a), replaces(TABLE.b), replaces(TABLE.c)]).toEqual([before.a, before.b + 1, before.c]);

    // b returns: table b fails back after the hold-down, the others stay
    await ports.b.open();
    hostB = host('b', port, 1);
    await hostB.start();
    await until(() => vipIn(TABLE.b) === eni('b'), 'table b to fail back to b', seen);
    expect([replaces(TABLE.a), replaces(TABLE.b), replaces(TABLE.c)]).toEqual([before.a, before.b + 2, before.c]);
    await until(() => d.parts.sync.status().every((t) => t.pendingOps === 0), 'the tables to settle', seen);

    // restart with the same hosts: zero writes
    await d.stop();
    hostA.kill();
    hostB.kill();
    const mutatingBefore = emu.count({ mutating: true });
    d = await start();
    const port2 = d.parts.speaker.addresses()[0]?.port ?? 0;
    hostA = host('a', port2, 0);
    hostB = host('b', port2, 1);
    await hostA.start();
    await hostB.start();
    await until(() => d.parts.daemon.phase === 'running', 'convergence', seen);
    await until(() => d.parts.sync.status().every((t) => t.pendingOps === 0) && d.parts.sync.converged(), 'a reconcile pass', seen);
    await new Promise((r) => setTimeout(r, 300)); // one debounce window more for late changes
    expect(emu.count({ mutating: true })).toBe(mutatingBefore);
    expect(where()).toBe(`${eni('a')} ${eni('b')} ${eni('a')}`);
  }, 90_000);
});
