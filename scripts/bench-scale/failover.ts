// The failover half of the scale benchmark (bgp2vpc only): after the table was filled, the daemon restarts with
// EC2's real request rates (the emulator throttles like EC2, the client mirrors it), TCP probes of every host and
// onNoHealthy: keep. The restart must write nothing. Then every host of one AZ goes silent at once (no keepalives,
// health port closed, connections left open): count the EC2 writes and time until every multi-AZ VIP routed to
// that AZ is routed to the other one, against the floor EC2's bucket sets for the writes needed (50 at once, then
// 5 per second). VIPs announced only in the silent AZ must keep their routes and cost no write.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from '../../test/support/fleet.js';
import type { Emulator } from '../../src/sim/ec2/emulator.js';
import type { DaemonScaleReceiver } from './daemon.js';
import { HEALTH_PORT, TABLE } from './daemon.js';
import { hostSpecs, waitUntil, type SessionOptions } from './sessions.js';
import { FAILING_AZ, vipsStranded, vipsToMove, type Scenario, type VipPlan } from './scenario.js';

export interface FailoverFigures {
  readonly restartEstablishS: number;
  /** Mutating EC2 calls from the restart until the freeze (must be 0). */
  readonly restartWrites: number;
  readonly toMove: number;
  readonly stranded: number;
  /** Routes whose target changed, appeared or went away between before and after (the writes needed). */
  readonly neededWrites: number;
  readonly writes: Readonly<Record<string, number>>;
  readonly throttled: number;
  /** Silence → first write. */
  readonly detectionS: number;
  /** First → last write. */
  readonly writePhaseS: number;
  /** Silence → every VIP to move routed to its new host. */
  readonly allMovedS: number;
  /** What EC2's bucket allows for neededWrites: max(0, W − 50) / 5 s. */
  readonly floorS: number;
  readonly strandedKept: boolean;
  /** Sessions that ended during the measurement (their hold timer): their withdrawals are in the writes too. */
  readonly sessionsLost: number;
}

type Table = Map<string, string>;

/** Destination → target of every route in the VPC table. */
function table(emu: Emulator): Table {
  const t: Table = new Map();
  for (const r of emu.model.routesOf(TABLE)) t.set(r.destination, r.networkInterfaceId ?? r.gatewayId ?? '?');
  return t;
}

function parse(cidr: string): { addr: number; len: number } {
  const [a, l] = cidr.split('/');
  const addr = (a as string).split('.').reduce((x, o) => x * 256 + Number(o), 0);
  return { addr, len: Number(l) };
}

/**
 * The target the table sends a /32's address to (longest match). Not net/prefix's longestMatch on purpose: this runs
 * for every VIP against every route each 100 ms poll, in the process that serves the emulator's EC2 calls; at 950
 * VIPs and 1,000 routes it takes 11–15 ms with plain numbers against 28–39 ms with longestMatch's bigint prefixes.
 */
function routeOf(t: Table, vip: string): string | undefined {
  const v = parse(vip).addr;
  let best: { len: number; target: string } | undefined;
  for (const [dest, target] of t) {
    const p = parse(dest);
    const size = 2 ** (32 - p.len);
    if (v >= p.addr && v < p.addr + size && (!best || p.len > best.len)) best = { len: p.len, target };
  }
  return best?.target;
}

export function eniOfHost(emu: Emulator, s: Scenario, index: number): string {
  return emu.names.get(`${s.hosts[index]?.name ?? ''}.eni`) ?? '?';
}

/** Every VIP routed to one of its announcers (which one depends on who announced first: the choice is sticky). */
export async function tableComplete(emu: Emulator, s: Scenario, timeoutMs: number): Promise<void> {
  const announcers = new Map(s.vips.map((v) => [v.prefix, new Set(v.hosts.map((h) => eniOfHost(emu, s, h)))]));
  await waitUntil(
    () => {
      const t = table(emu);
      for (const [vip, enis] of announcers) if (!enis.has(routeOf(t, vip) ?? '')) return Promise.resolve(undefined);
      return Promise.resolve(true);
    },
    timeoutMs,
    500,
    'every VIP routed to its first host',
  );
}

export async function measureFailover(d: DaemonScaleReceiver, fleet: Fleet, s: Scenario, o: SessionOptions): Promise<FailoverFigures> {
  const emu = d.emulator as Emulator;
  await d.stopDaemon();
  await fleet.stopHosts();
  emu.faults.throttle(true);
  const seqRestart = lastSeq(emu);
  await d.startMode('real');
  const restartEstablishMs = await fleet.start(
    { host: d.address, port: d.port },
    hostSpecs(s, d, { ...o, healthPort: HEALTH_PORT }),
    o.concurrency,
  );
  await waitUntil(async () => ((await d.ready()) && (await d.counts()).prefixes >= s.prefixes) || undefined, 300_000, 500, 'bgp2vpc ready');
  await sleep(15_000); // passes after convergence, probes risen; the bucket refills meanwhile
  const restartWrites = emu.calls.filter((c) => c.seq > seqRestart && c.mutating).length;

  const move: VipPlan[] = vipsToMove(s);
  const stranded = vipsStranded(s);
  const newEni = new Map(move.map((v) => [v.prefix, eniOfHost(emu, s, Math.min(...v.hosts.filter((h) => s.hosts[h]?.az !== FAILING_AZ)))]));
  const before = table(emu);
  const sessionsBefore = (await d.counts()).established;
  const seqFreeze = lastSeq(emu);
  const t0 = performance.now();
  await fleet.request({ op: 'freeze', hosts: s.hosts.filter((h) => h.az === FAILING_AZ).map((h) => h.name) });
  const floorGuess = Math.max(0, move.length - 50) / 5;
  const movedAt = await waitUntil(
    () => {
      const t = table(emu);
      for (const [vip, eni] of newEni) if (routeOf(t, vip) !== eni) return Promise.resolve(undefined);
      return Promise.resolve(performance.now());
    },
    (floorGuess * 2 + 180) * 1000,
    100,
    'every multi-AZ VIP of the silent AZ to move',
  );
  await sleep(10_000); // anything the daemon still writes after the last move counts too
  const after = table(emu);
  const sessionsLost = sessionsBefore - (await d.counts()).established;
  const calls = emu.calls.filter((c) => c.seq > seqFreeze && c.mutating);
  const ok = calls.filter((c) => c.outcome === 'ok');
  const writes: Record<string, number> = {};
  for (const c of ok) writes[c.action] = (writes[c.action] ?? 0) + 1;
  let needed = 0;
  for (const [dest, target] of after) if (before.get(dest) !== target) needed++;
  for (const dest of before.keys()) if (!after.has(dest)) needed++;
  const firstWrite = ok[0]?.time ?? movedAt;
  const lastWrite = ok.at(-1)?.time ?? movedAt;
  return {
    restartEstablishS: restartEstablishMs / 1000,
    restartWrites,
    toMove: move.length,
    stranded: stranded.length,
    neededWrites: needed,
    writes,
    throttled: calls.filter((c) => c.outcome === 'RequestLimitExceeded').length,
    detectionS: (firstWrite - t0) / 1000,
    writePhaseS: (lastWrite - firstWrite) / 1000,
    allMovedS: (movedAt - t0) / 1000,
    floorS: Math.max(0, needed - 50) / 5,
    sessionsLost,
    strandedKept: stranded.every((v) => routeOf(after, v.prefix) === routeOf(before, v.prefix) && routeOf(after, v.prefix) !== undefined),
  };
}

function lastSeq(emu: Emulator): number {
  return emu.calls.at(-1)?.seq ?? 0;
}
