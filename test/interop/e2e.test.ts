// End to end: bgp2vpc as a child process (`bgp2vpc run -c FILE`), the EC2 emulator, and gobgpd (127.0.2.11) and
// BIRD (127.0.2.12) from gobgp-testbed as hosts, both announcing their pod /24 and one anycast VIP with next hop
// self to bgp2vpc on 127.0.2.1. Each host also has a TCP health port on its address (the probe target).
//   announce → routes in the emulator's table with the right ENIs
//   host killed (process SIGKILLed and probe target gone) → ReplaceRoute to the other host within the detection time
//   bgp2vpc SIGKILLed and restarted → zero mutating EC2 calls
//   SIGHUP reload → a new static route appears without session resets
//   config error → exit 1 with file:line:col errors
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerGate, peersInstalledTest } from './support/availability.js';
import { TestbedPeer, stopAllPeers } from './support/testbed.js';
import { waitFor } from './support/wait.js';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { HealthPort } from '../../src/sim/peer/health-port.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CTRL = '127.0.2.1';
const GOBGP = '127.0.2.11';
const BIRD = '127.0.2.12';
const TABLE = 'rtb-0e2e0000000000002';
const VIP = '100.72.200.10';
// Health profile below: fall 2 × interval 200 ms + timeout 150 ms ≈ 550 ms; a session drop is seen at once.
const DETECTION_MS = 2 * 200 + 150;
// A loaded 2-core CI machine: timer lateness, the debounce (100 ms) and the EC2 call itself.
const SLACK_MS = 2500;

const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0e2e0000000000002',
      cidr: '127.0.2.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.2.0/25', az: 'us-east-1a' }],
      internetGateways: [{ name: 'igw' }],
      instances: [
        { name: 'gobgp', subnet: 'sub', privateIp: GOBGP, sourceDestCheck: false },
        { name: 'bird', subnet: 'sub', privateIp: BIRD, sourceDestCheck: false },
      ],
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

function configText(o: { endpoint: string; bgpPort: number; apiPort: number; healthPort: number; extra?: string }): string {
  return `# e2e config (test/interop/e2e.test.ts)
cluster:
  name: e2e
  cidrs: [100.72.0.0/16]
bgp:
  asn: 65000
  routerId: ${CTRL}
  listen: [{ address: ${CTRL}, port: ${o.bgpPort} }]
  dynamic:
    - range: 127.0.2.0/25
      asns: ["65001-65002"]
routes:
  settleTime: 4s
  failbackHoldDown: 2s
${o.extra ?? ''}
health:
  defaultProfile: hosts
  profiles:
    hosts: { type: tcp, port: ${o.healthPort}, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
vpc:
  endpoint: ${o.endpoint}
  routeTables: [${TABLE}]
  debounce: 100ms
  driftInterval: 1m
api:
  listen: ${CTRL}:${o.apiPort}
log:
  level: info
`;
}

/** bgp2vpc as a child process; its output goes to a log file in the work directory. */
class Bgp2vpc {
  child: ChildProcess | undefined;
  exitCode: number | null | undefined;
  private out = '';
  constructor(
    readonly configFile: string,
    readonly apiUrl: string,
  ) {}

  start(): void {
    this.out = '';
    this.exitCode = undefined;
    const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'run', '-c', this.configFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_ACCESS_KEY_ID: 'AKIDE2E', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_REGION: 'us-east-1' },
    });
    c.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    c.on('exit', (code) => (this.exitCode = code));
    this.child = c;
  }

  get log(): string {
    return this.out;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.child && this.exitCode === undefined) this.child.kill(sig);
  }

  async exited(timeoutMs = 20_000): Promise<number | null> {
    await waitFor(() => this.exitCode !== undefined, { timeoutMs, what: 'bgp2vpc to exit', describe: () => this.out.slice(-3000) });
    return this.exitCode ?? null;
  }

  async ready(timeoutMs = 40_000): Promise<void> {
    await waitFor(async () => (await fetch(`${this.apiUrl}/readyz`).catch(() => undefined))?.status === 200, {
      timeoutMs,
      intervalMs: 100,
      what: 'bgp2vpc /readyz',
      describe: () => this.out.slice(-3000),
    });
  }
}

const gate = peerGate(['gobgp', 'bird']);

describe.runIf(gate.run)('e2e: bgp2vpc run + EC2 emulator + gobgpd and BIRD', () => {
  let emu: Emulator;
  let dir: string;
  let daemon: Bgp2vpc;
  let gobgp: TestbedPeer;
  let bird: TestbedPeer;
  const ports: HealthPort[] = [];
  let cfg: { endpoint: string; bgpPort: number; apiPort: number; healthPort: number };
  let survivor: { peer: TestbedPeer; name: string; ip: string; pod: string };

  const eni = (name: string): string => emu.names.get(`${name}.eni`) ?? `?${name}`;
  const routeTo = (addr: string): string | undefined => emu.model.routeForAddress(TABLE, addr)?.networkInterfaceId;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-e2e-'));
    emu = await startEmulator({ host: '127.0.0.1', port: 0, state });
    cfg = { endpoint: emu.endpoint, bgpPort: await freePort(CTRL), apiPort: await freePort(CTRL), healthPort: await freePort(GOBGP) };
    for (const ip of [GOBGP, BIRD]) {
      const p = new HealthPort(ip, cfg.healthPort);
      await p.open();
      ports.push(p);
    }
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText(cfg));
    daemon = new Bgp2vpc(join(dir, 'bgp2vpc.yaml'), `http://${CTRL}:${cfg.apiPort}`);
    daemon.start();
    const common = { controllerAddress: CTRL, controllerPort: cfg.bgpPort, controllerAsn: 65000, nextHopMode: 'self' as const, dir };
    gobgp = await TestbedPeer.start({
      kind: 'gobgp',
      address: GOBGP,
      asn: 65001,
      port: await freePort(GOBGP),
      grpcPort: await freePort(GOBGP),
      routes: ['100.72.1.0/24', `${VIP}/32`],
      ...common,
    });
    bird = await TestbedPeer.start({
      kind: 'bird',
      address: BIRD,
      asn: 65002,
      port: await freePort(BIRD),
      routes: ['100.72.2.0/24', `${VIP}/32`],
      ...common,
    });
  }, 120_000);

  afterAll(async () => {
    daemon?.signal('SIGKILL');
    await stopAllPeers();
    for (const p of ports) await p.close();
    await emu?.stop();
    if (dir && process.env.TESTBED_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('routes every announced prefix to the ENI of the host that announced it', async () => {
    await daemon.ready();
    await waitFor(() => routeTo('100.72.1.9') === eni('gobgp') && routeTo('100.72.2.9') === eni('bird') && routeTo(VIP) !== undefined, {
      timeoutMs: 30_000,
      what: 'routes for both pod CIDRs and the VIP',
      describe: () => `${JSON.stringify(emu.model.routesOf(TABLE))}\n${daemon.log.slice(-3000)}\n${gobgp.logTail()}\n${bird.logTail()}`,
    });
    // Equal paths: the first host heard keeps the VIP (stickiness); gobgpd connects 5–8 s after start, BIRD at once.
    expect([eni('gobgp'), eni('bird')]).toContain(routeTo(VIP));
    expect(emu.model.findRoute(TABLE, '0.0.0.0/0')?.gatewayId).toMatch(/^igw-/);
  });

  it('moves the VIP to the other host with a ReplaceRoute within the detection time when its host dies', async () => {
    const mark = emu.callLog.lastSeq;
    const ownerIsGobgp = routeTo(VIP) === eni('gobgp');
    const [owner, port] = ownerIsGobgp ? [gobgp, ports[0]] : [bird, ports[1]];
    survivor = ownerIsGobgp
      ? { peer: bird, name: 'bird', ip: BIRD, pod: '100.72.2.9' }
      : { peer: gobgp, name: 'gobgp', ip: GOBGP, pod: '100.72.1.9' };
    const t0 = Date.now();
    await Promise.all([owner.crash(), port?.close()]);
    await waitFor(() => routeTo(VIP) === eni(survivor.name), {
      timeoutMs: 15_000,
      intervalMs: 10,
      what: `the VIP to move to ${survivor.name}`,
      describe: () => daemon.log.slice(-3000),
    });
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(DETECTION_MS + SLACK_MS);
    expect(routeTo(survivor.pod)).toBe(eni(survivor.name));
    // The calls it took, once nothing more is written for 1 s: the failover is one ReplaceRoute, first (of the VIP's
    // /32 or of the aggregate that covers it, depending on which host held the VIP); then at most the DeleteRoute
    // of the dead host's own prefix, withdrawn with its session. Never a delete and a create for the same route.
    let seen = emu.callLog.lastSeq;
    let quietSince = Date.now();
    await waitFor(
      () => {
        if (emu.callLog.lastSeq !== seen) [seen, quietSince] = [emu.callLog.lastSeq, Date.now()];
        return Date.now() - quietSince > 1_000;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: 'EC2 calls to stop' },
    );
    const writes = emu.callLog
      .entries(mark)
      .filter((c) => c.mutating)
      .map((c) => c.action);
    expect(writes[0], JSON.stringify(emu.model.routesOf(TABLE))).toBe('ReplaceRoute');
    expect(writes.slice(1).every((a) => a === 'DeleteRoute') && writes.length <= 2, writes.join(', ')).toBe(true);
  });

  it('makes zero mutating EC2 calls when bgp2vpc is SIGKILLed and restarted with unchanged hosts', async () => {
    // The dead host may be a graceful-restart peer (BIRD): its paths stay, stale, until its restart time runs out.
    // Wait for that, so the restart below really starts from the same hosts.
    const deadEni = eni(survivor.name === 'bird' ? 'gobgp' : 'bird');
    await waitFor(() => !emu.model.routesOf(TABLE).some((r) => r.networkInterfaceId === deadEni), {
      timeoutMs: 30_000,
      what: 'the dead host to leave the table',
      describe: () => JSON.stringify(emu.model.routesOf(TABLE)),
    });
    await waitFor(
      async () => {
        const t = (await (await fetch(`${daemon.apiUrl}/api/v1/tables`)).json()) as {
          tables: { pending?: { creates: number; replaces: number; deletes: number } }[];
        };
        return t.tables.every((x) => !x.pending || x.pending.creates + x.pending.replaces + x.pending.deletes === 0);
      },
      { timeoutMs: 15_000, what: 'the table to settle' },
    );
    const before = emu.count({ mutating: true });
    const seq = emu.calls.at(-1)?.seq ?? 0;
    daemon.signal('SIGKILL');
    await daemon.exited();
    daemon.start();
    await daemon.ready();
    await survivor.peer.waitEstablished();
    // One settle window more so a late write would be seen.
    await new Promise((r) => setTimeout(r, 1500));
    const writes = emu.calls.filter((c) => c.seq > seq && c.mutating).map((c) => `${c.action} ${JSON.stringify(c.params)}`);
    expect(emu.count({ mutating: true }), `${writes.join('\n')}\n${daemon.log.slice(-6000)}`).toBe(before);
    expect(routeTo(VIP)).toBe(eni(survivor.name));
  });

  it('reloads the config on SIGHUP: a new static route appears, sessions stay up', async () => {
    const flapsBefore = (
      (await (await fetch(`${daemon.apiUrl}/api/v1/peers`)).json()) as { peers: { peer: string; flaps: number }[] }
    ).peers.find((p) => p.peer === survivor.ip)?.flaps;
    writeFileSync(join(dir, 'bgp2vpc.yaml'), configText({ ...cfg, extra: `  static:\n    100.72.250.0/24: [${survivor.ip}]` }));
    daemon.signal('SIGHUP');
    // The table may already cover the new prefix through an aggregate, so look at the route spec itself.
    await waitFor(
      async () => {
        const r = (await (await fetch(`${daemon.apiUrl}/api/v1/routes`)).json()) as { routes: { prefix: string; chosen?: string }[] };
        return r.routes.some((x) => x.prefix === '100.72.250.0/24' && x.chosen === survivor.ip);
      },
      { timeoutMs: 15_000, what: 'the static route in the route spec', describe: () => daemon.log.slice(-3000) },
    );
    await waitFor(() => /config reloaded/.test(daemon.log), { timeoutMs: 5_000, what: 'the reload log line' });
    await waitFor(() => routeTo('100.72.250.9') === eni(survivor.name), { timeoutMs: 10_000, what: 'the static route in the table' });
    const after = (
      (await (await fetch(`${daemon.apiUrl}/api/v1/peers`)).json()) as { peers: { peer: string; flaps: number; state: string }[] }
    ).peers.find((p) => p.peer === survivor.ip);
    expect(after?.state).toBe('established');
    expect(after?.flaps).toBe(flapsBefore);
  });

  it('stops on SIGTERM with a Cease to peers and deletes no route', async () => {
    const deletes = emu.count({ action: 'DeleteRoute' });
    daemon.signal('SIGTERM');
    expect(await daemon.exited()).toBe(0);
    expect(emu.count({ action: 'DeleteRoute' })).toBe(deletes);
    expect(routeTo(VIP)).toBe(eni(survivor.name));
    if (survivor.name === 'bird') expect(readFileSync(join(bird.dir, 'bird.log'), 'utf8')).toMatch(/Administrative shutdown|Cease/i);
  });
});

describe('e2e: configuration errors', () => {
  it('exits 1 with every error as file:line:col before touching anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-e2e-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'cluster:\n  name: "bad name!"\n  cidrs: [10.244.1.0/16]\nbgp:\n  asn: 65000\n  routerId: 10.0.0.1\n  holdTime: 2s\nvpc:\n  vpcId: vpc-01\n',
    );
    const d = new Bgp2vpc(file, 'http://127.0.0.1:1');
    d.start();
    expect(await d.exited()).toBe(1);
    expect(d.log).toMatch(/bad\.yaml:2:\d+: cluster\.name/);
    expect(d.log).toMatch(/bad\.yaml:3:\d+: cluster\.cidrs\.0: .*host bits/);
    expect(d.log).toMatch(/bad\.yaml:7:\d+: bgp\.holdTime/);
    expect(d.log).not.toMatch(/\n\s+at /); // no stack trace
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});

peersInstalledTest(gate, 'e2e: gobgpd and BIRD are');
