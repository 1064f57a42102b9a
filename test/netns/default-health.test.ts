// The health check a user gets with no health section at all (config/minimal.yaml's shape): a TCP connect to each
// next hop's BGP port 179 every 200 ms, timeout 150 ms, down after 2 failures. Two real BIRD hosts in network
// namespaces announce a VIP to `bgp2vpc run` in the controller namespace (gobgp-testbed/netns-*.sh); the EC2
// emulator runs in this process, bridged into that namespace.
//
//  - A silent host (its link pulled: no RST, no FIN, no ICMP, as a powered-off instance in a VPC) is taken out
//    within 2 s while its BGP session is still up (hold time 9 s): the probes time out, the VIP moves.
//  - A frozen daemon (SIGSTOP): its kernel still completes TCP handshakes on port 179 until the listen queue is
//    full (connections nobody accepts). BIRD's queue is short: the probes start timing out about 2 s after the
//    freeze and the VIP moves. GoBGP's (Go's default, net.core.somaxconn = 4096) takes ~14 min of probes to fill:
//    the default probe does not notice it, the BGP hold timer does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { Bgp2vpcProcess, REPO_ROOT, type LogLine } from '../support/bgp2vpc-process.js';
import { netnsGate, netnsUsableTest } from '../support/netns/gate.js';
import { NamespaceBridge } from '../support/netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress } from '../support/netns/testbed.js';
import { waitFor } from '../interop/support/wait.js';

const TABLE = 'rtb-0b2b0000000000013';
const VIP = '100.73.200.10/32';
// Announced by host 3 (GoBGP) alone.
const VIP3 = '100.73.210.10/32';
// Two cluster CIDRs that cannot merge, one per VIP: the minimal table for a /32 in a don't-care /24 is the /24, so
// each VIP has a route of its own.
const CLUSTER = '[100.73.200.0/24, 100.73.210.0/24]';
const VIP_ROUTE = '100.73.200.0/24';
// The promise for the defaults: a silent host is out within 2 s.
const SILENT_DETECTION_MS = 2_000;
// Hold time the hosts propose (the session's), and its keepalive period (a third).
const HOLD_S = 9;

const state = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0b2b0000000000013',
      cidr: '198.18.0.0/24',
      subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'h1', subnet: 'sub', privateIp: hostAddress(1), sourceDestCheck: false },
        { name: 'h2', subnet: 'sub', privateIp: hostAddress(2), sourceDestCheck: false },
        { name: 'h3', subnet: 'sub', privateIp: hostAddress(3), sourceDestCheck: false },
      ],
      routeTables: [
        { name: 'rt', id: TABLE, subnets: ['sub'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
    },
  ],
};

/** config/minimal.yaml with what this world must say: the cluster, the listener, the neighbour range, the emulator
 * and its table, a loopback API port, and a 2 s settle time (startup only). Nothing about health. */
function configText(ec2Port: number): string {
  const minimal = readFileSync(join(REPO_ROOT, 'config/minimal.yaml'), 'utf8');
  const text = minimal
    .replace('cidrs: [10.244.0.0/16]', `cidrs: ${CLUSTER}`)
    .replace('routerId: 10.0.0.10', `routerId: ${CONTROLLER_ADDRESS}\n  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]`)
    .replace('range: 10.0.0.0/16', 'range: 198.18.0.0/24')
    .replace('vpcId: vpc-0123456789abcdef0', `endpoint: "http://127.0.0.1:${ec2Port}"\n  routeTables: [${TABLE}]`);
  if (text.includes('health:')) throw new Error('config/minimal.yaml gained a health section: this test is about its absence');
  return `${text}routes: { settleTime: 2s }\napi: { listen: "127.0.0.1:33289" }\n`;
}

const gate = netnsGate(['bird', 'birdc']);
netnsUsableTest(gate);

describe.runIf(gate.run)('the default health check (no health section): silent hosts, frozen daemons', () => {
  let bed: NetnsTestbed;
  let emu: Emulator;
  let bridge: NamespaceBridge;
  let daemon: Bgp2vpcProcess;
  let dir: string;
  const failovers: (LogLine & { at: number })[] = [];
  const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? `?${name}`;
  const vipEni = (): string | undefined => emu.model.findRoute(TABLE, VIP_ROUTE)?.networkInterfaceId;
  const peerView = async (n: number): Promise<{ state: string; health: { healthy: boolean; reason?: string } } | undefined> => {
    const r = (await (await fetch(`${bridge.url('api')}/api/v1/peers`)).json()) as {
      peers: { peer: string; state: string; health: { healthy: boolean; reason?: string } }[];
    };
    return r.peers.find((p) => p.peer === hostAddress(n));
  };
  const peerState = async (n: number): Promise<string | undefined> => (await peerView(n))?.state;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b2v-safe-'));
    bed = await NetnsTestbed.up({ hosts: 3, holdTime: HOLD_S });
    emu = await startEmulator({ host: '127.0.13.1', port: 0, state });
    bridge = await NamespaceBridge.start(bed.controllerNs, {
      in: { ec2: { host: '127.0.13.1', port: emu.port } },
      out: { api: { port: 33289 } },
      rootHost: '127.0.13.1',
    });
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(bridge.port('ec2')));
    daemon = new Bgp2vpcProcess({ configFile: join(dir, 'bgp2vpc.yaml'), spawn: (c, a, o) => bed.spawnInController(c, a, o) });
    daemon.onLine((l) => {
      if (l.event === 'failover' && l.prefix === VIP) failovers.push({ ...l, at: Date.now() });
    });
    daemon.start();
    // Host 1 first, so it is the first choice for the VIP (stickiness).
    await bed.host(1).startPeer('bird', [VIP]);
    await waitFor(async () => (await bed.host(1).peerState()) === 'established', {
      what: 'host 1 Established',
      describe: () => daemon.log(),
    });
    await bed.host(2).startPeer('bird', [VIP]);
    await daemon.ready(bridge.url('api'));
    await waitFor(async () => (await peerState(2)) === 'established', { what: 'host 2 Established', describe: () => daemon.log() });
    await waitFor(() => vipEni() === eni('h1'), { what: 'the VIP routed to h1', describe: () => daemon.log() });
    // gobgpd's first connect comes 5–8 s after it starts.
    await bed.host(3).startPeer('gobgp', [VIP3]);
    await waitFor(async () => (await peerState(3)) === 'established', {
      timeoutMs: 60_000,
      what: 'host 3 Established',
      describe: () => daemon.log(),
    });
    // Every route in place, and no EC2 call for a second: the steps below compare the calls they cause.
    await waitFor(() => emu.model.findRoute(TABLE, '100.73.210.0/24')?.networkInterfaceId === eni('h3'), {
      what: "host 3's VIP routed",
      describe: () => daemon.log(),
    });
    for (let last = -1; last !== emu.callLog.lastSeq;) {
      last = emu.callLog.lastSeq;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await bridge?.close();
    await bed?.down();
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`a silent host (link down) is taken out within ${SILENT_DETECTION_MS} ms, its BGP session still up`, async () => {
    const seq = emu.calls.at(-1)?.seq ?? 0;
    const before = failovers.length;
    const t0 = Date.now();
    await bed.host(1).linkDown();
    try {
      const f = await waitFor(() => failovers.slice(before).find((l) => l.to === hostAddress(2)), {
        timeoutMs: 20_000,
        intervalMs: 10,
        what: 'the failover of the VIP to host 2',
        describe: () => daemon.log(),
      });
      const detection = (typeof f.time === 'number' ? f.time : f.at) - t0;
      console.log(`silent host: failover decided ${detection} ms after the link went down`);
      expect(String(f.msg)).toMatch(/tcp 179: timeout/); // silence: the connect times out, nothing refuses it
      expect(detection).toBeLessThan(SILENT_DETECTION_MS);
      await waitFor(() => vipEni() === eni('h2'), { timeoutMs: 10_000, intervalMs: 10, what: 'the VIP route to move to h2' });
      const writes = emu.calls
        .filter((c) => c.seq > seq && c.mutating)
        .map((c) => [c.action, c.params.DestinationCidrBlock, c.params.NetworkInterfaceId]);
      expect(writes, JSON.stringify(emu.model.routesOf(TABLE))).toEqual([['ReplaceRoute', VIP_ROUTE, eni('h2')]]);
      // The probes, not the hold timer: bgp2vpc still has the session with host 1.
      expect(await peerState(1)).toBe('established');
    } finally {
      await bed.host(1).linkUp();
    }
  });

  it('a frozen BIRD (SIGSTOP) is taken out once its listen queue on 179 is full, before the hold timer', async () => {
    // Host 1 is back and healthy; the VIP stays on host 2 (stickiness). Now host 2's daemon freezes.
    await waitFor(async () => (await peerView(1))?.health.healthy === true, { timeoutMs: 60_000, what: 'host 1 back and healthy' });
    expect(vipEni()).toBe(eni('h2'));
    const before = failovers.length;
    const t0 = Date.now();
    await bed.host(2).freeze();
    try {
      const f = await waitFor(() => failovers.slice(before).find((l) => l.to === hostAddress(1)), {
        timeoutMs: (HOLD_S + 20) * 1000,
        intervalMs: 20,
        what: 'the failover of the VIP to host 1',
        describe: () => daemon.log(),
      });
      const after = (typeof f.time === 'number' ? f.time : f.at) - t0;
      console.log(`frozen BIRD: failover ${after} ms after SIGSTOP (${String(f.msg)})`);
      // The probe, not the session: the handshakes completed at first (the kernel answers for the frozen process),
      // so it took longer than the 590 ms of a silent host; then the full queue dropped SYNs and probes timed out.
      expect(String(f.msg)).toMatch(/tcp 179: timeout/);
      expect(after).toBeGreaterThan(1_000);
      expect(await peerState(2)).toBe('established');
    } finally {
      await bed.host(2).thaw();
    }
  }, 60_000);

  it('a frozen GoBGP (SIGSTOP; a listen queue of thousands) is not noticed by the probe, only by the hold timer', async () => {
    await waitFor(async () => (await peerView(3))?.health.healthy === true, { what: 'host 3 healthy' });
    const t0 = Date.now();
    await bed.host(3).freeze();
    try {
      // Probes keep passing while the session's hold timer runs: healthy after 4 s, twice the silent-host bound.
      await new Promise((r) => setTimeout(r, 4_000));
      expect(await peerView(3)).toMatchObject({ state: 'established', health: { healthy: true } });
      // Then the hold timer (9 s after the last KEEPALIVE, RFC 4271 §6.5) ends the session.
      await waitFor(async () => (await peerState(3)) !== 'established', {
        timeoutMs: (HOLD_S + 20) * 1000,
        intervalMs: 50,
        what: "host 3's session to end",
        describe: () => daemon.log(),
      });
      const after = Date.now() - t0;
      console.log(`frozen GoBGP: session down ${after} ms after SIGSTOP`);
      expect(after).toBeGreaterThanOrEqual(((HOLD_S * 2) / 3) * 1000 - 500);
      expect(daemon.log(400)).toMatch(/hold.timer.expired/i);
    } finally {
      await bed.host(3).thaw();
    }
  }, 60_000);
});
