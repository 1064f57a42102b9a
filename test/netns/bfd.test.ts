// BFD end to end in the netns testbed (namespaces b2v-sec…): bgp2vpc (`bgp2vpc run`, controller namespace) runs BFD
// with three hosts: BIRD 2 (BGP with `bfd on`, single hop), FRR bgpd + bfdd (single hop) and FRR bgpd + bfdd
// (multihop, RFC 5883). No health probes and a 9 s hold time. What proves that BFD moved a route is asserted
// directly: the next hop's health reason is BFD's own diagnostic, the BGP session is still Established, and the
// move came before the hold time could have expired. How fast is measured by `npm run bench:failover --
// --only-netns` (a wall-clock bound here only held on an idle machine: 4.2 s against 0.9 + 3 s under CI load).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { BfdSessionApiView, PeerView } from '../../src/api/views.js';
import { Bgp2vpcProcess } from '../support/bgp2vpc-process.js';
import { netnsGate, netnsUsableTest } from '../support/netns/gate.js';
import { NamespaceBridge } from '../support/netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress } from '../support/netns/testbed.js';
import { Bfdd } from '../support/netns/bfdd.js';
import { waitFor } from '../interop/support/wait.js';

const TABLE = 'rtb-0b2b0000000000016';
const VIP = '100.72.200.10/32';
const VIP_ROUTE = '100.72.0.0/16';
const H3_PREFIX = '100.72.3.0/24';
/** 300 ms × 3 on both sides. */
const DETECTION_MS = 900;
/** The hosts' BGP hold time: a move after it could have been BGP's doing, not BFD's. */
const HOLD_MS = 9000;

const state = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0b2b0000000000016',
      cidr: '198.18.0.0/24',
      subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
      instances: [1, 2, 3].map((n) => ({ name: `h${n}`, subnet: 'sub', privateIp: hostAddress(n), sourceDestCheck: false })),
      routeTables: [{ name: 'rt', id: TABLE, subnets: ['sub'] }],
    },
  ],
};

function configText(ec2Port: number): string {
  return `# netns BFD test (test/netns/bfd.test.ts)
cluster: { name: netns-bfd, cidrs: [100.72.0.0/16] }
bgp:
  asn: 65000
  routerId: ${CONTROLLER_ADDRESS}
  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]
  groups:
    default: { bfd: true }
    remote: { bfd: { multihop: true } }
  dynamic:
    - { range: ${hostAddress(3)}/32, asns: ["65001-65240"], group: remote }
    - { range: 198.18.0.0/24, asns: ["65001-65240"] }
routes: { settleTime: 2s, failbackHoldDown: 2s }
bfd: { listen: [${CONTROLLER_ADDRESS}] }
# No TCP probes (the default profile probes port 179): what moves a route here must be BFD.
health: { profiles: { default: { type: none } } }
vpc: { endpoint: "http://127.0.0.1:${ec2Port}", routeTables: [${TABLE}], debounce: 100ms, driftInterval: 1m }
api: { listen: "127.0.0.1:33289" }
log: { level: info }
`;
}

const gate = netnsGate(['bird', 'birdc', '/usr/lib/frr/bgpd', '/usr/lib/frr/bfdd', 'vtysh']);
netnsUsableTest(gate);

describe.runIf(gate.run)('BFD with BIRD and FRR bfdd in namespaces', () => {
  let bed: NetnsTestbed;
  let emu: Emulator;
  let bridge: NamespaceBridge;
  let daemon: Bgp2vpcProcess;
  let dir: string;
  let bfdd2: Bfdd;
  let bfdd3: Bfdd;
  const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? `?${name}`;
  const vipEni = (): string | undefined => emu.model.findRoute(TABLE, VIP_ROUTE)?.networkInterfaceId;
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${bridge.url('api')}${path}`)).json()) as T;
  const bfd = async (n: number): Promise<BfdSessionApiView | undefined> =>
    (await api<{ sessions: BfdSessionApiView[] }>('/api/v1/bfd')).sessions.find((s) => s.peer === hostAddress(n));
  const peer = async (n: number): Promise<PeerView | undefined> =>
    (await api<{ peers: PeerView[] }>('/api/v1/peers')).peers.find((p) => p.peer === hostAddress(n));
  const logs = (): string => `${daemon.log()}\n--- bfdd h2\n${bfdd2?.log(15)}\n--- bfdd h3\n${bfdd3?.log(15)}`;
  const bfdState = async (n: number, s: string): Promise<void> => {
    await waitFor(async () => (await bfd(n))?.state === s, { timeoutMs: 20_000, what: `BFD with h${n} ${s}`, describe: logs });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b2v-sec-bfd-'));
    const runId = `sec${randomBytes(1).toString('hex')}`;
    bed = await NetnsTestbed.up({ hosts: 3, holdTime: 9, runId, env: { BFD_INTERVAL: '300', BFD_MULT: '3' } });
    emu = await startEmulator({ host: '127.0.16.1', port: 0, state });
    bridge = await NamespaceBridge.start(bed.controllerNs, {
      in: { ec2: { host: '127.0.16.1', port: emu.port } },
      out: { api: { port: 33289 } },
      rootHost: '127.0.16.1',
    });
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(bridge.port('ec2')));
    daemon = new Bgp2vpcProcess({ configFile: join(dir, 'bgp2vpc.yaml'), spawn: (c, a, o) => bed.spawnInController(c, a, o) });
    daemon.start();
    // Host 1 first, so it is the first choice for the VIP (stickiness keeps it there).
    await bed.host(1).startPeer('bird', [VIP]);
    await waitFor(async () => (await bed.host(1).peerState()) === 'established', { what: 'host 1 Established', describe: logs });
    bfdd2 = Bfdd.start(bed.host(2), [{ peer: CONTROLLER_ADDRESS, local: hostAddress(2) }]);
    await bed.host(2).startPeer('frr', [VIP]);
    bfdd3 = Bfdd.start(bed.host(3), [{ peer: CONTROLLER_ADDRESS, local: hostAddress(3), multihop: true }]);
    await bed.host(3).startPeer('frr', [H3_PREFIX]);
    await daemon.ready(bridge.url('api'));
  }, 120_000);

  afterAll(async () => {
    bfdd2?.stop();
    bfdd3?.stop();
    await daemon?.stop();
    await bridge?.close();
    await bed?.down();
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sessions come Up with BIRD and FRR bfdd (single hop) and FRR bfdd (multihop) at 300 ms × 3', async () => {
    for (const n of [1, 2, 3]) await bfdState(n, 'Up');
    const s = await Promise.all([1, 2, 3].map((n) => bfd(n)));
    expect(s.map((x) => [x?.multihop, x?.txIntervalMs, x?.detectionTimeMs, x?.remoteMultiplier])).toEqual([
      [false, 300, DETECTION_MS, 3],
      [false, 300, DETECTION_MS, 3],
      [true, 300, DETECTION_MS, 3],
    ]);
    expect(await bfdd2.show()).toMatch(new RegExp(`${CONTROLLER_ADDRESS.replace(/\./g, '\\.')}\\s.*up`));
    await waitFor(() => vipEni() === eni('h1'), { timeoutMs: 30_000, what: 'the VIP routed to h1', describe: logs });
  });

  it('host 1 (BIRD) loses its link: BFD moves the VIP to host 2 (one ReplaceRoute) while BGP is still up', async () => {
    const seq = emu.calls.at(-1)?.seq ?? 0;
    const t0 = Date.now();
    await bed.host(1).linkDown();
    await waitFor(() => vipEni() === eni('h2'), { timeoutMs: 20_000, intervalMs: 10, what: 'the VIP to move to h2', describe: logs });
    expect(Date.now() - t0).toBeLessThan(HOLD_MS);
    const writes = emu.calls.filter((c) => c.seq > seq && c.mutating).map((c) => [c.action, c.params.NetworkInterfaceId]);
    expect(writes).toEqual([['ReplaceRoute', eni('h2')]]);
    // The 9 s hold timer has not run out: BFD moved it. No probes are configured.
    expect((await peer(1))?.state).toBe('established');
    expect(await bfd(1)).toMatchObject({ state: 'Down', diagnostic: 'control detection time expired' });
    expect((await peer(1))?.health).toMatchObject({ healthy: false, reason: 'BFD down (control detection time expired)' });
    await bed.host(1).linkUp();
    await bfdState(1, 'Up');
  });

  it('bfdd on host 2 stops sending (frozen; bgpd keeps the session): the VIP moves back to host 1', async () => {
    await waitFor(async () => (await peer(1))?.health.healthy === true, { what: 'h1 healthy again', describe: logs });
    const t0 = Date.now();
    bfdd2.freeze();
    try {
      await waitFor(() => vipEni() === eni('h1'), { timeoutMs: 20_000, intervalMs: 10, what: 'the VIP to move to h1', describe: logs });
      expect(Date.now() - t0).toBeLessThan(HOLD_MS);
      expect((await peer(2))?.state).toBe('established');
      expect((await peer(2))?.health).toMatchObject({ healthy: false, reason: 'BFD down (control detection time expired)' });
      expect(await bfd(2)).toMatchObject({ state: 'Down', diagnostic: 'control detection time expired' });
    } finally {
      bfdd2.thaw();
    }
    await bfdState(2, 'Up');
  });

  it('an operator shutting the BFD peer down on the host (AdminDown) is not a failure (RFC 5882 §3.2)', async () => {
    await bfdd2.adminDown({ peer: CONTROLLER_ADDRESS, local: hostAddress(2) }, true);
    await waitFor(async () => (await bfd(2))?.remoteState === 'AdminDown', { what: 'h2 AdminDown', describe: logs });
    expect(await bfd(2)).toMatchObject({ state: 'Down', diagnostic: 'neighbor signaled session down' });
    expect((await peer(2))?.health.healthy).toBe(true);
    await bfdd2.adminDown({ peer: CONTROLLER_ADDRESS, local: hostAddress(2) }, false);
    await bfdState(2, 'Up');
  });

  it('multihop: bfdd on host 3 goes silent, host 3 is marked down while its BGP session stays up', async () => {
    bfdd3.freeze();
    try {
      await waitFor(async () => (await peer(3))?.health.healthy === false, { timeoutMs: 10_000, what: 'h3 unhealthy', describe: logs });
      expect((await peer(3))?.health.reason).toBe('BFD down (control detection time expired)');
      expect((await peer(3))?.state).toBe('established');
    } finally {
      bfdd3.thaw();
    }
    await bfdState(3, 'Up');
    await waitFor(async () => (await peer(3))?.health.healthy === true, { what: 'h3 healthy again', describe: logs });
  });
});
