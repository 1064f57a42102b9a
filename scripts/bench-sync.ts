// VPC sync benchmark on the EC2 emulator (in process, real HTTP, real @aws-sdk/client-ec2).
//
//  1. Latency: 1,000 chosen-next-hop changes, one at a time, with the daemon's default aggregator as `bgp2vpc run`
//     has it (16 spare routes), with the same at vpc.spareRoutes 0 (always the minimal table), and with exactTable
//     (one route per prefix: the sync's own cost). For each change, the
//     time from the debounce timer firing until the table forwards every prefix to its chosen host by longest
//     match (the emulator's arrival stamp of the call that made it so, same clock), so the debounce window itself
//     is excluded. Client buckets are opened wide here: this part measures the pipeline (resolve from cache,
//     aggregate, plan, sign, HTTP), not EC2's refill rate, which part 3 covers.
//  2. EC2 calls per change (during part 1: the count and the call sequence of every change, measured, not assumed),
//     at steady state (the same set again, plus a full re-read pass) and on restart (a new VpcSync, same table).
//  3. Mass failover: 200 routes move to another host at once under EC2's real throttle rates (mutating bucket
//     50, refill 5/s, on both sides), with exactTable so that 200 prefixes really are 200 writes (the default
//     aggregator would make it one). Lower bound: 50 immediately + 150 at 5/s = 30 s from the change (a failover
//     does not wait for the debounce).
//
// Usage: npm run bench:sync [-- --changes 1000 --failover 200]
import { performance } from 'node:perf_hooks';
import type { Clock } from '../src/base/clock.js';
import { makePrefix, formatPrefix, parsePrefix, prefixContains, type Prefix } from '../src/net/prefix.js';
import { startEmulator, type Emulator } from '../src/sim/ec2/emulator.js';
import { createEmulatorEc2Client } from '../src/vpc/ec2-client.js';
import { exactTable } from '../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../src/vpc/ownership.js';
import type { DesiredRoute } from '../src/vpc/types.js';
import { VpcSync } from '../src/vpc/vpc-sync.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const CHANGES = arg('changes', 1000);
const FAILOVER = arg('failover', 200);
const DEBOUNCE = 37; // an odd value so the instrumented clock can tell the debounce timer from the others

const CLUSTER: Prefix[] = [makePrefix('ipv4', 10n << 24n, 8)];
const slash24 = (i: number): Prefix => makePrefix('ipv4', (10n << 24n) | (BigInt(100 + (i >> 8)) << 16n) | (BigInt(i & 255) << 8n), 24);

/** systemClock, but remembers when the debounce timer last fired. */
function instrumentedClock(): Clock & { debounceFiredAt: number } {
  const c = {
    debounceFiredAt: 0,
    now: () => performance.now(),
    setTimeout(fn: () => void, ms: number) {
      const wrapped = ms === DEBOUNCE ? () => ((c.debounceFiredAt = performance.now()), fn()) : fn;
      const t = setTimeout(wrapped, ms);
      return { cancel: () => clearTimeout(t) };
    },
  };
  return c;
}

interface World {
  emu: Emulator;
  tableId: string;
  hosts: { ip: string; eniId: string }[];
}

async function world(hosts: number, routeLimit: number, throttle: boolean): Promise<World> {
  const emu = await startEmulator({ port: 0, routeLimit });
  const m = emu.model;
  const vpc = m.createVpc({ cidr: '172.31.0.0/16' });
  const subnet = m.createSubnet({ vpcId: vpc.id, cidr: '172.31.0.0/20' });
  const hs = [];
  for (let i = 0; i < hosts; i++) {
    const ip = `172.31.${i >> 8}.${(i & 255) + 10}`;
    const [inst] = m.runInstances({ subnetId: subnet.id, privateIp: ip, sourceDestCheck: false });
    if (!inst) throw new Error('runInstances');
    hs.push({ ip, eniId: inst.primaryEniId });
  }
  const igw = m.createGateway('internet-gateway', { vpcId: vpc.id });
  const rtb = m.createRouteTable(vpc.id, { [CLAIM_TAG]: 'bench' });
  m.createRoute(rtb.id, '0.0.0.0/0', { gatewayId: igw.id });
  if (throttle) emu.faults.throttle(true);
  return { emu, tableId: rtb.id, hosts: hs };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(2)} ms`;

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The target (ENI) of the longest route in the table covering `p`, or undefined. */
function forwardedTo(w: World, p: Prefix): string | undefined {
  let best: { len: number; eni: string } | undefined;
  for (const r of w.emu.model.routesOf(w.tableId)) {
    const q = parsePrefix(r.destination);
    if (prefixContains(q, p) && (!best || q.len > best.len)) best = { len: q.len, eni: r.networkInterfaceId ?? '' };
  }
  return best?.eni;
}

async function latencyAndCalls(mode: 'production' | 'minimal' | 'exact'): Promise<void> {
  const w = await world(20, 50, false);
  const ec2 = createEmulatorEc2Client(w.emu.endpoint);
  const clock = instrumentedClock();
  const wide = { burst: 1e9, perSecond: 1e9 };
  const mk = (): VpcSync =>
    new VpcSync({
      ec2,
      clusterName: 'bench',
      clusterCidrs: CLUSTER,
      tables: { ids: [w.tableId] },
      debounceMs: DEBOUNCE,
      // production: no aggregate option, so VpcSync runs the daemon's default aggregator (src/aggregate) with the
      // default spare routes, exactly as `bgp2vpc run` does; minimal: the same with vpc.spareRoutes 0 (re-minimise
      // on every change); exact: one route per prefix, the sync's own cost without aggregation.
      ...(mode === 'exact' ? { aggregate: exactTable } : mode === 'minimal' ? { spareRoutes: 0 } : {}),
      rate: { mutating: wide, describe: wide },
      clock,
    });
  let sync = mk();
  await sync.start();
  const N = 40;
  const choice = Array.from({ length: N }, (_, i) => i % w.hosts.length);
  const desired = (): DesiredRoute[] => choice.map((h, i) => ({ prefix: slash24(i), nextHop: w.hosts[h]!.ip }));
  /** Every one of the N prefixes is forwarded (longest match) to its chosen host. */
  const allForwarded = (): boolean => choice.every((h, i) => forwardedTo(w, slash24(i)) === w.hosts[h]!.eniId);
  sync.setDesired(desired());
  await sync.reconcileNow();
  if (!allForwarded()) throw new Error('initial table does not forward every prefix to its host');

  w.emu.reset();
  const afterDebounce: number[] = [];
  const endToEnd: number[] = [];
  /** Mutating calls per change → how many changes took that many. */
  const writesPerChange = new Map<number, number>();
  const shapes = new Map<string, number>();
  let seq = w.emu.callLog.lastSeq;
  for (let k = 0; k < CHANGES; k++) {
    const i = k % N;
    choice[i] = ((choice[i] ?? 0) + 1) % w.hosts.length;
    const t0 = performance.now();
    sync.setDesired(desired());
    let fixedAt = 0;
    // Done when the table forwards every prefix (longest match) to its chosen host: aggregation may make the move
    // with a ReplaceRoute of the /24, of an aggregate, or a create/delete of a more specific. The O(1) check first
    // so the harness does not steal CPU from what it measures; the time is the emulator's arrival stamp of the
    // call after which the table was first seen right.
    let checkedSeq = seq;
    await waitUntil(
      () => {
        const last = w.emu.callLog.lastSeq;
        if (last === checkedSeq) return false;
        checkedSeq = last;
        if (!allForwarded()) return false;
        fixedAt = w.emu.callLog.entries(last - 1).at(-1)!.time;
        return true;
      },
      10_000,
      `change ${k} forwarded`,
    );
    // Then let the pass finish (no call for 3 debounce windows) so that every write is counted against its change.
    let quietSince = performance.now();
    let lastSeen = w.emu.callLog.lastSeq;
    await waitUntil(
      () => {
        if (w.emu.callLog.lastSeq !== lastSeen) {
          lastSeen = w.emu.callLog.lastSeq;
          quietSince = performance.now();
        }
        return performance.now() - quietSince > 3 * DEBOUNCE;
      },
      10_000,
      `change ${k} quiet`,
    );
    const writes = w.emu.callLog.entries(seq).filter((r) => r.mutating);
    writesPerChange.set(writes.length, (writesPerChange.get(writes.length) ?? 0) + 1);
    const shape = writes.map((r) => r.action).join('+') || '(none)';
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    seq = w.emu.callLog.lastSeq;
    if (!allForwarded()) throw new Error(`change ${k}: the table changed after it was right`);
    afterDebounce.push(fixedAt - clock.debounceFiredAt);
    endToEnd.push(fixedAt - t0);
  }
  const mutating = w.emu.count({ mutating: true });
  const describes = w.emu.count({ mutating: false });
  const agg = {
    production: 'the default aggregator as `bgp2vpc run` has it (vpc.spareRoutes 16)',
    minimal: 'the default aggregator with vpc.spareRoutes 0 (always the minimal table)',
    exact: 'exactTable (no aggregation)',
  }[mode];
  console.log(`## 1. Latency, ${CHANGES} next-hop changes (one table, ${N} /24s, ${w.hosts.length} hosts, ${agg})`);
  console.log(
    `change → table forwards it (longest match), after the debounce: p50 ${ms(pct(afterDebounce, 50))}, p99 ${ms(pct(afterDebounce, 99))}, max ${ms(Math.max(...afterDebounce))}`,
  );
  console.log(`end to end including the ${DEBOUNCE} ms debounce: p50 ${ms(pct(endToEnd, 50))}, p99 ${ms(pct(endToEnd, 99))}`);
  console.log(`## 2. EC2 calls (${agg})`);
  console.log(
    `per change: ${(mutating / CHANGES).toFixed(3)} mutating, ${(describes / CHANGES).toFixed(3)} describe; routes in the table at the end: ${w.emu.model.routesOf(w.tableId).length}`,
  );
  console.log(
    `writes per change: ${[...writesPerChange]
      .sort((a, b) => a[0] - b[0])
      .map(([n, c]) => `${n} write(s) ×${c}`)
      .join(', ')}`,
  );
  console.log(
    `call sequences: ${[...shapes]
      .sort((a, b) => b[1] - a[1])
      .map(([s, c]) => `${s} ×${c}`)
      .join(', ')}`,
  );

  w.emu.reset();
  for (let r = 0; r < 10; r++) sync.setDesired(desired());
  await new Promise((r) => setTimeout(r, DEBOUNCE * 3));
  await sync.reconcileNow(); // a full pass with a re-read, as the drift timer runs it
  console.log(
    `steady state (same set ×10, then a full re-read pass): ${w.emu.count({ mutating: true })} mutating, calls ${JSON.stringify(w.emu.counters())}`,
  );

  await sync.stop();
  w.emu.reset();
  sync = mk();
  await sync.start();
  sync.setDesired(desired());
  await sync.reconcileNow();
  console.log(
    `restart (new VpcSync, unchanged table): ${w.emu.count({ mutating: true })} mutating, calls ${JSON.stringify(w.emu.counters())}`,
  );
  await sync.stop();
  ec2.destroy();
  await w.emu.stop();
}

async function massFailover(): Promise<void> {
  const w = await world(2, FAILOVER + 10, true);
  const [a, b] = w.hosts as [World['hosts'][number], World['hosts'][number]];
  for (let i = 0; i < FAILOVER; i++) w.emu.model.createRoute(w.tableId, formatPrefix(slash24(i)), { networkInterfaceId: a.eniId });
  const ec2 = createEmulatorEc2Client(w.emu.endpoint);
  let lastSend = 0;
  const sync = new VpcSync({
    ec2,
    clusterName: 'bench',
    clusterCidrs: CLUSTER,
    tables: { ids: [w.tableId] },
    routeLimit: FAILOVER + 10,
    aggregate: exactTable, // one route per prefix, so that 200 prefixes really are 200 replaces
    onMutatingSend: () => (lastSend = performance.now()),
  });
  await sync.start();
  sync.setDesired(Array.from({ length: FAILOVER }, (_, i) => ({ prefix: slash24(i), nextHop: a.ip })));
  await sync.reconcileNow();
  const before = w.emu.count({ mutating: true });
  w.emu.reset();
  const t0 = performance.now();
  sync.setDesired(Array.from({ length: FAILOVER }, (_, i) => ({ prefix: slash24(i), nextHop: b.ip, failover: true })));
  await waitUntil(() => w.emu.count({ action: 'ReplaceRoute', outcome: 'ok' }) === FAILOVER, 600_000, 'mass failover');
  const moved = w.emu.model.routesOf(w.tableId).filter((r) => r.networkInterfaceId === b.eniId).length;
  if (moved !== FAILOVER) throw new Error(`only ${moved} routes point to the new host`);
  // A failover batch does not wait for the debounce (it runs a pass at once), so everything counts from the change.
  const elapsed = performance.now() - t0;
  const replaces = w.emu.calls.filter((r) => r.action === 'ReplaceRoute' && r.outcome === 'ok').map((r) => r.time - t0);
  const bound = (Math.max(0, FAILOVER - 50) / 5) * 1000;
  console.log(`## 3. Mass failover of ${FAILOVER} routes under EC2's throttle (50 burst, 5/s); a failover does not wait for the debounce`);
  console.log(`writes before the failover (restart with routes in place): ${before}`);
  console.log(
    `all ${FAILOVER} moved ${(elapsed / 1000).toFixed(2)} s after the change; bound ${(bound / 1000).toFixed(2)} s (${((elapsed / Math.max(1, bound)) * 100).toFixed(1)}% of it)`,
  );
  console.log(`first 50 within ${(replaces[49] ?? NaN).toFixed(0)} ms of the change; last send at +${(lastSend - t0).toFixed(0)} ms`);
  console.log(`calls: ${JSON.stringify(w.emu.counters())} (RequestLimitExceeded: ${w.emu.count({ outcome: 'RequestLimitExceeded' })})`);
  await sync.stop();
  ec2.destroy();
  await w.emu.stop();
}

await latencyAndCalls('production');
await latencyAndCalls('minimal');
await latencyAndCalls('exact');
await massFailover();
