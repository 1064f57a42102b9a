// The exact EC2 writes the daemon makes, with the aggregator it runs in production (src/aggregate: the minimal
// table, closest to the previous one), for each event a user meets: the first sync, a new host, a withdrawn
// prefix, a silent host's failover, a crash, and a host that returns. Everything in-process against the EC2
// emulator, with simulated hosts over real BGP on 127.0.13.0/24; every step waits until the table has settled
// and then compares the emulator's call log of mutating calls, in order, with what the step must write.
//
// Cluster 100.77.0.0/16: unannounced space inside it is "don't care", so the minimal table covers several hosts'
// prefixes with one /16 and names the others as more specific routes. Hosts a .11, b .12, c .13, d .14 announce
// 100.77.<n>.0/24 (n = 1..4); a and b also announce the VIP 100.77.200.10/32. Hold time 30 s, so a frozen host's
// session outlives its step. A target change is one ReplaceRoute, never a delete + create; a failover may also
// re-aggregate (create and delete more specifics), and the failover replace always comes first.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { parseConfig } from '../../src/config/index.js';
import { runDaemon, type RunningDaemon } from '../../src/daemon/run-daemon.js';
import { createLogger, silentLogger } from '../../src/base/log.js';
import { SimHost } from '../../src/sim/peer/sim-host.js';
import { HealthPort } from '../../src/sim/peer/health-port.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';
import { formatPrefix } from '../../src/net/prefix.js';

const CTRL = '127.0.13.1';
const TABLE = 'rtb-0e3c0000000000013';
const HOSTS = [
  { name: 'a', ip: '127.0.13.11', asn: 65011, pod: '100.77.1.0/24' },
  { name: 'b', ip: '127.0.13.12', asn: 65012, pod: '100.77.2.0/24' },
  { name: 'c', ip: '127.0.13.13', asn: 65013, pod: '100.77.3.0/24' },
  { name: 'd', ip: '127.0.13.14', asn: 65014, pod: '100.77.4.0/24' },
] as const;
type Name = (typeof HOSTS)[number]['name'];
const VIP = '100.77.200.10/32';

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0e3c0000000000013',
      cidr: '127.0.13.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.13.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: HOSTS.map((h) => ({ name: h.name, subnet: 'sub', privateIp: h.ip, sourceDestCheck: false })),
      routeTables: [
        { name: 'rt', id: TABLE, subnets: ['sub'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
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

/** Polls (20 ms) with a generous deadline: the machine is shared and loaded. */
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exact EC2 writes with the production aggregator', () => {
  let emu: Emulator;
  let d: RunningDaemon;
  let healthPort: number;
  const sims = new Map<Name, SimHost>();
  const ports = new Map<Name, HealthPort>();
  let mark = 0;

  const eni = (n: Name): string => emu.names.get(`${n}.eni`) ?? `?${n}`;
  const nameOfEni = (id: string | undefined): string => HOSTS.find((h) => eni(h.name) === id)?.name ?? String(id);
  /** Mutating calls since the last mark, as "Action destination → host". */
  const writes = (): string[] =>
    emu.calls
      .filter((c) => c.seq > mark && c.mutating)
      .map((c) =>
        c.action === 'CreateTags'
          ? `CreateTags ${c.params['ResourceId.1'] ?? ''}`
          : `${c.action} ${c.params.DestinationCidrBlock ?? ''}${c.params.NetworkInterfaceId ? ` → ${nameOfEni(c.params.NetworkInterfaceId)}` : ''}${c.outcome === 'ok' ? '' : ` (${c.outcome})`}`,
      );
  /** Our routes in the table, sorted by destination text. */
  const table = (): string[] =>
    emu.model
      .routesOf(TABLE)
      .filter((r) => r.networkInterfaceId !== undefined)
      .map((r) => `${r.destination} → ${nameOfEni(r.networkInterfaceId)}`)
      .sort();
  /** Converged: the daemon writes, and the last desired set is in the table with nothing pending. */
  const settled = (): boolean => d.parts.daemon.phase === 'running' && d.parts.sync.converged();
  /** Waits for `cond` and a converged sync, then until a debounce window (200 ms) and more passes with no new call. */
  const settle = async (cond: () => boolean, what: string): Promise<void> => {
    await until(() => cond() && settled(), what);
    for (;;) {
      const last = emu.callLog.lastSeq;
      await new Promise((r) => setTimeout(r, 300));
      if (settled() && emu.callLog.lastSeq === last && cond()) return;
    }
  };
  const chosen = (prefix: string): string | undefined => d.parts.spec.chosen().find((r) => formatPrefix(r.prefix) === prefix)?.nextHop;
  const ipOf = (n: Name): string => HOSTS.find((h) => h.name === n)?.ip ?? '';
  const sim = (n: Name): SimHost => sims.get(n) as SimHost;
  const port = (n: Name): HealthPort => ports.get(n) as HealthPort;
  const startHost = async (n: Name): Promise<void> => {
    await port(n).open();
    await sim(n).start();
  };

  beforeAll(async () => {
    emu = await startEmulator({ host: '127.0.0.1', port: 0, state });
    healthPort = await freePort(HOSTS[0].ip);
    const bgpPort = await freePort(CTRL);
    // Defaults everywhere but what a deployment must say, a probe port of our own, a short settle time and a short
    // failback hold-down (so the stickiness check below can outlast it).
    const config = parseConfig(
      `cluster: { name: exact, cidrs: [100.77.0.0/16] }
bgp: { asn: 65000, routerId: ${CTRL}, listen: [{ address: ${CTRL}, port: ${bgpPort} }], holdTime: 30s, dynamic: [{ range: 127.0.13.0/25, asns: ["65000-65100"] }] }
routes: { settleTime: 1s, failbackHoldDown: 1s }
health: { profiles: { default: { type: tcp, port: ${healthPort} } } }
vpc: { endpoint: ${emu.endpoint}, routeTables: [${TABLE}] }
api: { listen: "${CTRL}:0" }
`,
      'exact-calls.yaml',
    );
    d = await runDaemon(config, {
      logger: process.env.DAEMON_TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : silentLogger,
      ec2: createEmulatorEc2Client(emu.endpoint),
    });
    for (const h of HOSTS) {
      sims.set(h.name, new SimHost({ name: h.name, localAddress: h.ip, remoteHost: CTRL, remotePort: bgpPort, asn: h.asn, holdTime: 30 }));
      ports.set(h.name, new HealthPort(h.ip, healthPort));
      sim(h.name).announce(h.name === 'a' || h.name === 'b' ? [h.pod, VIP] : [h.pod]);
    }
  }, 30_000);

  afterAll(async () => {
    await d?.stop();
    for (const s of sims.values()) s.kill();
    for (const p of ports.values()) await p.close();
    await emu?.stop();
  });

  it('first sync: the claim tag, then the minimal table, creates only', async () => {
    mark = emu.callLog.lastSeq;
    for (const n of ['a', 'b', 'c'] as const) await startHost(n);
    await settle(
      () => chosen(VIP) === ipOf('a') && chosen(HOSTS[1].pod) === ipOf('b') && chosen(HOSTS[2].pod) === ipOf('c'),
      'the first table',
    );
    // Announced: 1.0/24 and the VIP → a (lowest address wins the VIP's tie), 2.0/24 → b, 3.0/24 → c. Three routes
    // cover it, using the unannounced space of the cluster CIDR.
    expect(writes()).toEqual([
      `CreateTags ${TABLE}`,
      'CreateRoute 100.77.0.0/16 → a',
      'CreateRoute 100.77.2.0/23 → b',
      'CreateRoute 100.77.3.0/24 → c',
    ]);
    expect(table()).toEqual(['100.77.0.0/16 → a', '100.77.2.0/23 → b', '100.77.3.0/24 → c']);
  }, 60_000);

  it('a new host: one CreateRoute', async () => {
    mark = emu.callLog.lastSeq;
    await startHost('d');
    await settle(() => chosen(HOSTS[3].pod) === ipOf('d'), "d's prefix");
    expect(writes()).toEqual(['CreateRoute 100.77.4.0/22 → d']);
  }, 60_000);

  it('a withdrawn prefix: one DeleteRoute (its space becomes "don\'t care")', async () => {
    mark = emu.callLog.lastSeq;
    sim('c').withdraw([HOSTS[2].pod]);
    await settle(() => chosen(HOSTS[2].pod) === undefined, "c's prefix to go");
    expect(writes()).toEqual(['DeleteRoute 100.77.3.0/24']);
    expect(table()).toEqual(['100.77.0.0/16 → a', '100.77.2.0/23 → b', '100.77.4.0/22 → d']);
  }, 60_000);

  it('a silent host (session open, health port closed): one CreateRoute of the VIP to the survivor', async () => {
    mark = emu.callLog.lastSeq;
    sim('a').freeze();
    await port('a').close();
    await settle(() => chosen(VIP) === ipOf('b'), 'the VIP to move to b');
    // Desired: 1.0/24 → a (no other candidate; routes.onNoHealthy keep), 2.0/24 and the VIP → b, 4.0/24 → d. The
    // minimal table has 3 routes (the /16 to b, a /23 to a) and would cost 3 writes from here; with the default
    // vpc.spareRoutes the installed table is mended instead: one CreateRoute of the VIP's /32, 4 routes.
    expect(writes()).toEqual(['CreateRoute 100.77.200.10/32 → b']);
    expect(table()).toEqual(['100.77.0.0/16 → a', '100.77.2.0/23 → b', '100.77.200.10/32 → b', '100.77.4.0/22 → d']);
  }, 60_000);

  it("the silent host's session ends: its prefix is withdrawn, one ReplaceRoute of the aggregate it held", async () => {
    mark = emu.callLog.lastSeq;
    sim('a').kill();
    await settle(() => chosen(HOSTS[0].pod) === undefined, "a's prefix to go");
    // The /16 pointed at a, which now announces nothing: it is re-targeted to the minimal table's choice there.
    expect(writes()).toEqual(['ReplaceRoute 100.77.0.0/16 → b']);
    expect(table()).toEqual(['100.77.0.0/16 → b', '100.77.2.0/23 → b', '100.77.200.10/32 → b', '100.77.4.0/22 → d']);
  }, 60_000);

  it('a host that returns: one CreateRoute; the VIP stays on b (stickiness)', async () => {
    mark = emu.callLog.lastSeq;
    await startHost('a');
    await settle(() => chosen(HOSTS[0].pod) === ipOf('a') && d.parts.health.healthOf(ipOf('a')).healthy, "a's prefix");
    // Outlast the failback hold-down (1 s here): a and b tie on every BGP step, only stickiness keeps the VIP on b.
    await new Promise((r) => setTimeout(r, 1_500));
    await settle(() => true, 'the table after the hold-down');
    expect(writes()).toEqual(['CreateRoute 100.77.1.0/24 → a']);
    expect(chosen(VIP)).toBe(ipOf('b'));
  }, 60_000);

  it('a crash (session reset, probe refused) of the VIP owner: the routes to it re-targeted, its withdrawn /23 deleted', async () => {
    mark = emu.callLog.lastSeq;
    sim('b').kill();
    await port('b').close();
    await settle(() => chosen(VIP) === ipOf('a') && chosen(HOSTS[1].pod) === undefined, 'the VIP to move to a');
    // Desired: 1.0/24 and the VIP → a, 4.0/24 → d. Every route to b is mended: the /16 and the VIP's /32 re-targeted
    // to a (ReplaceRoute, failovers first), b's withdrawn /23 deleted (last). The minimal table (the /16 to a and
    // d's /22) would cost 4 writes from this table.
    expect(writes()).toEqual(['ReplaceRoute 100.77.0.0/16 → a', 'ReplaceRoute 100.77.200.10/32 → a', 'DeleteRoute 100.77.2.0/23']);
    expect(table()).toEqual(['100.77.0.0/16 → a', '100.77.1.0/24 → a', '100.77.200.10/32 → a', '100.77.4.0/22 → d']);
  }, 60_000);

  it('stopping writes nothing: no route is deleted', async () => {
    mark = emu.callLog.lastSeq;
    await d.stop();
    expect(writes()).toEqual([]);
  });
});
