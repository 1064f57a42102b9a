// The netns testbed end to end: two real BIRD hosts, each in its own network namespace, announce the same VIP to
// bgp2vpc running (as `bgp2vpc run`) in the controller namespace; the EC2 emulator runs in this process and is
// bridged into that namespace. Pulling the chosen host's link (the host goes silent: no RST, no FIN, no ICMP)
// moves the VIP to the other host with exactly one ReplaceRoute.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { Bgp2vpcProcess } from '../support/bgp2vpc-process.js';
import { netnsGate, netnsUsableTest } from '../support/netns/gate.js';
import { NamespaceBridge } from '../support/netns/namespace-bridge.js';
import { CONTROLLER_ADDRESS, NetnsTestbed, hostAddress } from '../support/netns/testbed.js';
import { waitFor } from '../interop/support/wait.js';

const TABLE = 'rtb-0b2b0000000000015';
const VIP = '100.72.200.10/32';
// The minimal table for one /32 in a don't-care /16 is the /16 (ORTC with don't-care space).
const VIP_ROUTE = '100.72.0.0/16';
// Probe profile below: fall 2 × interval 200 ms + timeout 150 ms = 550 ms after the link goes down.
const DETECTION_MS = 2 * 200 + 150;
// A loaded 2-core machine: timer lateness, the 100 ms debounce, the EC2 call through the bridge.
const SLACK_MS = 3000;

const state = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0b2b0000000000015',
      cidr: '198.18.0.0/24',
      subnets: [{ name: 'sub', cidr: '198.18.0.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'h1', subnet: 'sub', privateIp: hostAddress(1), sourceDestCheck: false },
        { name: 'h2', subnet: 'sub', privateIp: hostAddress(2), sourceDestCheck: false },
      ],
      routeTables: [
        { name: 'rt', id: TABLE, subnets: ['sub'], routes: [{ destination: '0.0.0.0/0', target: { internetGateway: 'igw' } }] },
      ],
    },
  ],
};

function configText(ec2Port: number): string {
  return `# netns smoke test (test/netns/smoke.test.ts)
cluster: { name: netns-smoke, cidrs: [100.72.0.0/16] }
bgp:
  asn: 65000
  routerId: ${CONTROLLER_ADDRESS}
  listen: [{ address: ${CONTROLLER_ADDRESS}, port: 1179 }]
  dynamic: [{ range: 198.18.0.0/24, asns: ["65001-65240"] }]
routes: { settleTime: 2s, failbackHoldDown: 2s }
health:
  defaultProfile: hosts
  profiles:
    hosts: { type: tcp, port: 179, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
vpc: { endpoint: "http://127.0.0.1:${ec2Port}", routeTables: [${TABLE}], debounce: 100ms, driftInterval: 1m }
api: { listen: "127.0.0.1:33289" }
log: { level: info }
`;
}

const gate = netnsGate(['bird', 'birdc']);
netnsUsableTest(gate);

describe.runIf(gate.run)('netns testbed: BIRD hosts in namespaces, bgp2vpc in the controller namespace', () => {
  let bed: NetnsTestbed;
  let emu: Emulator;
  let bridge: NamespaceBridge;
  let daemon: Bgp2vpcProcess;
  let dir: string;
  const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? `?${name}`;
  const vipEni = (): string | undefined => emu.model.findRoute(TABLE, VIP_ROUTE)?.networkInterfaceId;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b2v-smoke-'));
    bed = await NetnsTestbed.up({ hosts: 2, holdTime: 9 });
    emu = await startEmulator({ host: '127.0.15.1', port: 0, state });
    bridge = await NamespaceBridge.start(bed.controllerNs, {
      in: { ec2: { host: '127.0.15.1', port: emu.port } },
      out: { api: { port: 33289 } },
      rootHost: '127.0.15.1',
    });
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(bridge.port('ec2')));
    daemon = new Bgp2vpcProcess({ configFile: join(dir, 'bgp2vpc.yaml'), spawn: (c, a, o) => bed.spawnInController(c, a, o) });
    daemon.start();
    // Host 1 first, so it is the first choice for the VIP (stickiness); bgp2vpc is ready once a peer is up.
    await bed.host(1).startPeer('bird', [VIP]);
    await waitFor(async () => (await bed.host(1).peerState()) === 'established', {
      what: 'host 1 Established',
      describe: () => daemon.log(),
    });
    await bed.host(2).startPeer('bird', [VIP]);
    await daemon.ready(bridge.url('api'));
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    await bridge?.close();
    await bed?.down();
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('routes the VIP to the first host through the emulator, across the namespaces', async () => {
    await waitFor(async () => (await bed.host(2).peerState()) === 'established', { what: 'host 2 Established' });
    await waitFor(() => vipEni() === eni('h1'), {
      timeoutMs: 30_000,
      what: 'the VIP routed to h1',
      describe: () => `${JSON.stringify(emu.model.routesOf(TABLE))}\n${daemon.log()}`,
    });
    expect(
      emu.model
        .routesOf(TABLE)
        .map((r) => r.destination)
        .sort(),
      JSON.stringify(emu.model.routesOf(TABLE)),
    ).toEqual(['0.0.0.0/0', VIP_ROUTE, '198.18.0.0/24']);
    const peers = (await (await fetch(`${bridge.url('api')}/api/v1/peers`)).json()) as { peers: { peer: string; state: string }[] };
    expect(peers.peers.map((p) => [p.peer, p.state]).sort()).toEqual([
      [hostAddress(1), 'established'],
      [hostAddress(2), 'established'],
    ]);
  });

  it('moves the VIP to the other host with one ReplaceRoute when the first host goes silent', async () => {
    const seq = emu.calls.at(-1)?.seq ?? 0;
    const t0 = Date.now();
    await bed.host(1).linkDown();
    await waitFor(() => vipEni() === eni('h2'), {
      timeoutMs: 20_000,
      intervalMs: 10,
      what: 'the VIP to move to h2',
      describe: () => daemon.log(),
    });
    expect(Date.now() - t0).toBeLessThan(DETECTION_MS + SLACK_MS);
    const writes = emu.calls
      .filter((c) => c.seq > seq && c.mutating)
      .map((c) => [c.action, c.params.DestinationCidrBlock, c.params.NetworkInterfaceId]);
    expect(writes).toEqual([['ReplaceRoute', VIP_ROUTE, eni('h2')]]);
    // Silence, not a refusal: no NOTIFICATION, no FIN reached bgp2vpc, so its session with host 1 is still up
    // (the 9 s hold timer has not run out); the probe timeouts alone moved the VIP.
    const peers = (await (await fetch(`${bridge.url('api')}/api/v1/peers`)).json()) as { peers: { peer: string; state: string }[] };
    expect(peers.peers.find((p) => p.peer === hostAddress(1))?.state).toBe('established');
    await bed.host(1).linkUp();
  });
});
