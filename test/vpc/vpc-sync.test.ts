// VpcSync against the EC2 emulator through the real @aws-sdk/client-ec2.
import { afterEach, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/aggregate/aggregate.js';
import { FakeClock } from '../../src/base/clock.js';
import { Metrics } from '../../src/base/metrics.js';
import { formatPrefix, parsePrefix } from '../../src/net/prefix.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../../src/vpc/ownership.js';
import { VpcSync, type VpcSyncOptions } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24, tableMap, vpcFixture, waitFor, type VpcFixture } from './fixture.js';

let fx: VpcFixture | undefined;
const syncs: VpcSync[] = [];
afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  await fx?.stop();
  fx = undefined;
});

function newSync(f: VpcFixture, extra: Partial<VpcSyncOptions> = {}): VpcSync {
  const s = new VpcSync({
    ec2: f.ec2,
    clusterName: 'prod',
    clusterCidrs: CLUSTER,
    tables: { ids: [f.tableId] },
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 10 },
    ...extra,
  });
  syncs.push(s);
  return s;
}

const mutating = (f: VpcFixture): number => f.emu.count({ mutating: true });

describe('VpcSync on the emulator', () => {
  it('creates the desired routes, claims the table, leaves foreign routes alone', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    expect(f.emu.model.routeTable(f.tableId).tags.get(CLAIM_TAG)).toBe('prod');
    sync.setDesired([0, 1, 2].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i]!.ip })));
    await sync.reconcileNow();
    const t = tableMap(f);
    for (const i of [0, 1, 2]) expect(t.get(formatPrefix(slash24(i)))).toEqual({ target: f.hosts[i]!.eniId, state: 'active' });
    for (const [dest, target] of f.foreign) expect(t.get(dest)?.target).toBe(target);
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(3);
    const st = sync.status()[0]!;
    expect(st.claim).toBe('ours');
    expect(st.families.ipv4).toMatchObject({ desired: 3, owned: 3, foreign: 3, limit: 500, budget: 497 }); // AWS's default quota
    expect(st.pendingOps).toBe(0);
  });
});

describe('VpcSync writes only what changed', () => {
  it('replaces a changed next hop with exactly one ReplaceRoute, and writes nothing at steady state or on restart', async () => {
    fx = await vpcFixture();
    const f = fx;
    const routes = [0, 1, 2, 3].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 3]!.ip }));
    const s1 = newSync(f);
    await s1.start();
    s1.setDesired(routes);
    await s1.reconcileNow();
    expect(mutating(f)).toBe(1 + 4); // CreateTags (claim) + 4 CreateRoute

    f.emu.reset();
    const changed = routes.map((r, i) => (i === 1 ? { ...r, nextHop: f.hosts[2]!.ip } : r));
    s1.setDesired(changed);
    await waitFor(() => tableMap(f).get('10.200.1.0/24')?.target === f.hosts[2]!.eniId, 5000, 'the replace');
    await s1.reconcileNow();
    expect(f.emu.counters()).toMatchObject({ ReplaceRoute: { ok: 1 } });
    expect(mutating(f)).toBe(1);

    // Steady state: the same set again, and a drift pass: no writes.
    f.emu.reset();
    s1.setDesired(changed);
    await s1.reconcileNow();
    expect(mutating(f)).toBe(0);

    // Restart: a new instance reads the table, finds it claimed and equal: no writes at all.
    await s1.stop();
    f.emu.reset();
    const s2 = newSync(f);
    await s2.start();
    s2.setDesired(changed);
    await s2.reconcileNow();
    expect(mutating(f)).toBe(0);
    expect(s2.status()[0]!.pendingOps).toBe(0);
  });

  it('does not plan anything before the first setDesired (a restart must not delete routes)', async () => {
    fx = await vpcFixture();
    const f = fx;
    const s1 = newSync(f);
    await s1.start();
    s1.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await s1.reconcileNow();
    await s1.stop();
    f.emu.reset();
    const s2 = newSync(f, { driftIntervalMs: 10 });
    await s2.start();
    await s2.reconcileNow();
    expect(mutating(f)).toBe(0);
    expect(tableMap(f).get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
  });

  it('re-plans after a conflict (a route created behind our back) and converges with one replace', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    f.emu.setRoute(f.tableId, '10.200.7.0/24', { networkInterfaceId: f.hosts[2]!.eniId });
    f.emu.reset();
    sync.setDesired([
      { prefix: slash24(0), nextHop: f.hosts[0]!.ip },
      { prefix: slash24(7), nextHop: f.hosts[1]!.ip },
    ]);
    await waitFor(() => tableMap(f).get('10.200.7.0/24')?.target === f.hosts[1]!.eniId, 5000, 'convergence');
    expect(f.emu.counters()).toMatchObject({ CreateRoute: { RouteAlreadyExists: 1 }, ReplaceRoute: { ok: 1 } });
  });
});

describe('VpcSync repairs', () => {
  it('repairs drift: a route deleted and one re-pointed by hand', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    const routes = [0, 1, 2].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i]!.ip }));
    sync.setDesired(routes);
    await sync.reconcileNow();
    f.emu.deleteRoute(f.tableId, '10.200.0.0/24');
    f.emu.setRoute(f.tableId, '10.200.1.0/24', { networkInterfaceId: f.hosts[2]!.eniId });
    f.emu.reset();
    await sync.reconcileNow(); // re-reads the tables, as the drift timer does
    const t = tableMap(f);
    expect(t.get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
    expect(t.get('10.200.1.0/24')?.target).toBe(f.hosts[1]!.eniId);
    expect(f.emu.counters()).toMatchObject({ CreateRoute: { ok: 1 }, ReplaceRoute: { ok: 1 } });
    expect(mutating(f)).toBe(2);
  });

  it('drift timer: a hand-deleted route comes back without any call from the daemon', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 30 });
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    f.emu.deleteRoute(f.tableId, '10.200.0.0/24');
    await waitFor(() => tableMap(f).get('10.200.0.0/24')?.target === f.hosts[0]!.eniId, 5000, 'drift repair');
  });

  it('instance terminated → blackhole → health hook → next candidate with one ReplaceRoute', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f, { driftIntervalMs: 20 });
    const candidates = [f.hosts[0]!.ip, f.hosts[1]!.ip];
    const dead = new Set<string>();
    const calls: [string, string][] = [];
    const choose = () => [
      { prefix: slash24(0), nextHop: candidates.find((c) => !dead.has(c))!, failover: dead.size > 0 },
      { prefix: slash24(1), nextHop: f.hosts[2]!.ip },
    ];
    sync.onNextHopUnhealthy((nh, reason) => {
      calls.push([nh, reason]);
      dead.add(nh);
      sync.setDesired(choose()); // what the route spec does: pick the next healthy candidate
    });
    await sync.start();
    sync.setDesired(choose());
    await sync.reconcileNow();
    expect(tableMap(f).get('10.200.0.0/24')).toEqual({ target: f.hosts[0]!.eniId, state: 'active' });

    f.emu.reset();
    f.emu.terminateInstance(f.hosts[0]!.instanceId);
    expect(tableMap(f).get('10.200.0.0/24')?.state).toBe('blackhole');
    await waitFor(() => tableMap(f).get('10.200.0.0/24')?.target === f.hosts[1]!.eniId, 5000, 'failover');
    expect(tableMap(f).get('10.200.0.0/24')?.state).toBe('active');
    expect(calls[0]).toEqual([f.hosts[0]!.ip, 'blackhole']);
    expect(calls).toHaveLength(1); // edge-triggered: not repeated on every drift pass
    expect(f.emu.counters()).toMatchObject({ ReplaceRoute: { ok: 1 } });
    expect(mutating(f)).toBe(1);
  });
});

describe('VpcSync refuses and reports', () => {
  it('never writes a table claimed by another cluster', async () => {
    fx = await vpcFixture({ tableTags: { [CLAIM_TAG]: 'staging' } });
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    expect(mutating(f)).toBe(0);
    const st = sync.status()[0]!;
    expect(st.claim).toBe('foreign');
    expect(st.claimedBy).toBe('staging');
    expect(st.operatorErrors.map((e) => e.code)).toContain('TABLE_CLAIMED_BY_OTHER_CLUSTER');
    expect(st.operatorErrors[0]!.message).toMatch(/claimed by cluster "staging"/);
  });

  it('respects the aggregation budget when the table is nearly full and reports the damage', async () => {
    fx = await vpcFixture({ routeLimit: 5 });
    const f = fx;
    const sync = newSync(f, { routeLimit: 5, aggregate }); // the real aggregator
    await sync.start();
    // Three foreign routes leave a budget of 2 for four /24s on three hosts, interleaved so no merge is exact.
    const routes = [0, 1, 2, 3].map((i) => ({ prefix: slash24(i * 2), nextHop: f.hosts[i % 3]!.ip }));
    sync.setDesired(routes);
    await sync.reconcileNow();
    const st = sync.status()[0]!;
    expect(st.families.ipv4.budget).toBe(2);
    expect(st.families.ipv4.desired).toBeLessThanOrEqual(2);
    expect(st.families.ipv4.owned).toBe(st.families.ipv4.desired);
    expect(BigInt(st.families.ipv4.damageAddresses)).toBeGreaterThan(0n);
    expect(st.operatorErrors.map((e) => e.code)).toContain('RouteBudgetExceeded');
    expect(f.emu.count({ outcome: 'RouteLimitExceeded' })).toBe(0);
    for (const [dest, target] of f.foreign) expect(tableMap(f).get(dest)?.target).toBe(target);
  });

  it('reports UnauthorizedOperation, source/dest check and destinations inside the VPC, and keeps running', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f, { clusterCidrs: [...CLUSTER, { family: 'ipv4', addr: 0x0a000500n, len: 24 }] });
    await sync.start();
    f.emu.model.setSourceDestCheck(f.hosts[1]!.instanceId, true);
    f.emu.faults.deny(['CreateRoute']);
    sync.setDesired([
      { prefix: slash24(0), nextHop: f.hosts[0]!.ip },
      { prefix: slash24(1), nextHop: f.hosts[1]!.ip },
      { prefix: { family: 'ipv4', addr: 0x0a000500n, len: 24 }, nextHop: f.hosts[0]!.ip }, // 10.0.5.0/24: inside the VPC
    ]);
    await sync.reconcileNow();
    const codes = sync.status()[0]!.operatorErrors.map((e) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['UnauthorizedOperation', 'SourceDestCheckEnabled', 'DestinationInsideVpcCidr']));
    f.emu.faults.deny([]);
    await sync.reconcileNow();
    expect(tableMap(f).get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
    expect(tableMap(f).has('10.0.5.0/24')).toBe(false);
    expect(sync.status()[0]!.operatorErrors.map((e) => e.code)).not.toContain('UnauthorizedOperation');
  });

  it('tells the health hook about a next hop no ENI holds, and writes nothing for it', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f);
    const calls: string[] = [];
    sync.onNextHopUnhealthy((nh, reason) => calls.push(`${nh} ${reason}`));
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: '10.0.1.99' }]);
    await sync.reconcileNow();
    expect(calls).toEqual(['10.0.1.99 eni-not-found']);
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(0);
    expect(sync.status()[0]!.families.ipv4.unresolvedNextHops).toEqual(['10.0.1.99']);
  });
});

describe('VpcSync under operator mistakes and shutdown', () => {
  it('a route limit configured above the real one: learns the quota from RouteLimitExceeded and aggregates into it', async () => {
    fx = await vpcFixture({ routeLimit: 5 }); // 3 foreign routes: room for 2 of ours
    const f = fx;
    const sync = newSync(f, { routeLimit: 50 });
    await sync.start();
    sync.setDesired([0, 1, 2, 3, 4, 5].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 3]!.ip })));
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'CreateRoute', outcome: 'ok' })).toBe(2);
    expect(f.emu.count({ action: 'CreateRoute', outcome: 'RouteLimitExceeded' })).toBe(1); // no retry storm
    const st = sync.status()[0]!;
    expect(st.operatorErrors.map((e) => e.code)).toEqual(expect.arrayContaining(['RouteQuotaBelowConfig:ipv4', 'RouteBudgetExceeded']));
    expect(st.families.ipv4).toMatchObject({ limit: 5, budget: 2, desired: 2, owned: 2 });
    expect(BigInt(st.families.ipv4.damageAddresses)).toBeGreaterThan(0n);
    expect(st.pendingOps).toBe(0);
    // Later passes stay within the learned quota: no more refused creates.
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'CreateRoute', outcome: 'RouteLimitExceeded' })).toBe(1);
  });

  it('stop() returns promptly while calls are backing off, and deletes nothing', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f, { backoff: { baseMs: 5000, maxMs: 20_000, maxAttempts: 10 }, random: () => 0.9 });
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    f.emu.faults.errorRate(1);
    f.emu.reset();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[1]!.ip }]);
    await waitFor(() => f.emu.count({ outcome: 'InternalError' }) >= 1, 5000, 'the first failed attempt'); // now backing off
    const t0 = Date.now();
    await sync.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(f.emu.count({ action: 'DeleteRoute' })).toBe(0);
    expect(tableMap(f).get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
  });
});

describe('VpcSync write gate and dry run', () => {
  it('plans without writing while mayWrite() is false, re-reads and writes once it turns true', async () => {
    fx = await vpcFixture();
    const f = fx;
    let leader = false;
    const sync = newSync(f, { mayWrite: () => leader });
    await sync.start();
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    expect(mutating(f)).toBe(0);
    expect(sync.status()[0]!.pending).toEqual({ creates: 1, replaces: 0, deletes: 0 });
    // Another replica wrote meanwhile: once leader, we must see it rather than trip over it.
    f.emu.setRoute(f.tableId, '10.200.0.0/24', { networkInterfaceId: f.hosts[0]!.eniId });
    f.emu.reset();
    leader = true;
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await waitFor(() => f.emu.count({ action: 'CreateTags' }) === 1, 5000, 'the claim');
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(0);
    expect(f.emu.count({ action: 'DescribeRouteTables' })).toBeGreaterThanOrEqual(1);
  });

  it('a pass from an earlier write term stops writing; the next one re-reads every table before it writes', async () => {
    fx = await vpcFixture();
    const f = fx;
    let term = 1;
    const sync = newSync(f, {
      writeTerm: () => term,
      rate: { mutating: { burst: 2, perSecond: 10 }, describe: { burst: 100, perSecond: 100 } },
    });
    await sync.start();
    sync.setDesired(Array.from({ length: 12 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[0]!.ip })));
    await waitFor(() => f.emu.count({ action: 'CreateRoute' }) >= 3, 5000, 'the first creates');
    // Leadership lost and won again (a new term) while the pass waits for tokens; meanwhile another replica wrote.
    f.emu.setRoute(f.tableId, '10.200.11.0/24', { networkInterfaceId: f.hosts[1]!.eniId });
    term = 2;
    const switchSeq = f.emu.callLog.lastSeq;
    await sync.reconcileNow();
    await waitFor(() => sync.converged(), 10_000, 'convergence in the new term');
    const after = f.emu.callLog.entries(switchSeq);
    const firstWrite = after.findIndex((c) => c.mutating);
    const reads = after.slice(0, firstWrite).filter((c) => c.action === 'DescribeRouteTables');
    expect(firstWrite).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    // The route written by the other replica was seen, not tripped over: one ReplaceRoute, no conflict.
    expect(f.emu.count({ outcome: 'RouteAlreadyExists' })).toBe(0);
    expect(after.filter((c) => c.action === 'ReplaceRoute').map((c) => c.params.DestinationCidrBlock)).toEqual(['10.200.11.0/24']);
    expect(tableMap(f).get('10.200.11.0/24')?.target).toBe(f.hosts[0]!.eniId);
  });

  it('dry run computes the plan and writes nothing, not even the claim tag', async () => {
    fx = await vpcFixture();
    const f = fx;
    const sync = newSync(f, { dryRun: true });
    await sync.start();
    sync.setDesired([0, 1].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i]!.ip })));
    await sync.reconcileNow();
    expect(mutating(f)).toBe(0);
    const [p] = sync.planOnly();
    expect(p!.ops.map((o) => o.kind)).toEqual(['create', 'create']);
  });
});

describe('VpcSync debounce', () => {
  it('coalesces a burst of changes into one pass that writes only the final set', async () => {
    fx = await vpcFixture();
    const f = fx;
    const clock = new FakeClock();
    const sync = newSync(f, { clock, debounceMs: 200 });
    await sync.start();
    for (let k = 0; k < 10; k++) {
      // Churn: prefix 9 flaps between hosts, prefix 8 appears and disappears; the last set is 0, 1, 9→host 2.
      sync.setDesired([
        { prefix: slash24(0), nextHop: f.hosts[0]!.ip },
        { prefix: slash24(1), nextHop: f.hosts[1]!.ip },
        { prefix: slash24(9), nextHop: f.hosts[k % 3]!.ip },
        ...(k % 2 === 0 ? [{ prefix: slash24(8), nextHop: f.hosts[0]!.ip }] : []),
      ]);
      clock.advance(15);
    }
    clock.advance(200 - 10 * 15 - 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(0);
    clock.advance(1);
    await waitFor(() => f.emu.count({ action: 'CreateRoute' }) === 3, 5000, 'the pass');
    const t = tableMap(f);
    expect(t.get('10.200.9.0/24')?.target).toBe(f.hosts[0]!.eniId); // k = 9 → host 0
    expect(t.has('10.200.8.0/24')).toBe(false);
    expect(f.emu.count({ mutating: true })).toBe(1 + 3); // the claim tag, then one write per final route
  });
});

describe('VpcSync families and metrics', () => {
  it('manages IPv4 and IPv6 destinations side by side, budgets per family, and exports its metrics', async () => {
    fx = await vpcFixture();
    const f = fx;
    const metrics = new Metrics();
    const v6 = parsePrefix('fd00:200::/48');
    const sync = newSync(f, { clusterCidrs: [...CLUSTER, v6], metrics, driftIntervalMs: 20 });
    await sync.start();
    sync.setDesired([
      { prefix: slash24(0), nextHop: f.hosts[0]!.ip },
      { prefix: parsePrefix('fd00:200:0:1::/64'), nextHop: `::ffff:${f.hosts[1]!.ip}` }, // IPv4-mapped next hop
      { prefix: parsePrefix('fd00:200:0:2::/64'), nextHop: 'fd00:aaaa::99' }, // an IPv6 next hop nobody holds
    ]);
    await sync.reconcileNow();
    const t = tableMap(f);
    expect(t.get('10.200.0.0/24')?.target).toBe(f.hosts[0]!.eniId);
    expect(t.get('fd00:200:0:1::/64')?.target).toBe(f.hosts[1]!.eniId);
    expect(t.has('fd00:200:0:2::/64')).toBe(false);
    const st = sync.status()[0]!;
    expect(st.families.ipv4).toMatchObject({ owned: 1, foreign: 3, budget: 497 });
    expect(st.families.ipv6).toMatchObject({ owned: 1, foreign: 0, budget: 500, unresolvedNextHops: ['fd00:aaaa::99'] });

    // A route deleted by hand is repaired by the drift timer and counted.
    f.emu.deleteRoute(f.tableId, '10.200.0.0/24');
    await waitFor(() => tableMap(f).has('10.200.0.0/24'), 5000, 'drift repair');
    await sync.reconcileNow();
    const text = await metrics.text();
    const l = `route_table="${f.tableId}"`;
    expect(text).toContain(`bgp2vpc_vpc_routes_desired{${l},family="ipv4"} 1`);
    expect(text).toContain(`bgp2vpc_vpc_routes_actual{${l},family="ipv6"} 1`);
    expect(text).toContain(`bgp2vpc_vpc_route_limit{${l},family="ipv4"} 500`);
    expect(text).toContain(`bgp2vpc_vpc_damage_addresses{${l},family="ipv4"} 0`);
    expect(text).toContain(`bgp2vpc_vpc_drift_repairs_total{${l}} 1`);
    expect(text).toMatch(/bgp2vpc_ec2_calls_total\{action="CreateRoute",outcome="ok"\} 3/);
    expect(text).toMatch(/bgp2vpc_vpc_reconcile_duration_seconds_count [1-9]/);
  });
});

describe('VpcSync fed change by change', () => {
  for (const offThreadAbove of [undefined, 1]) {
    const where = offThreadAbove === undefined ? 'in this thread' : 'in a worker thread';
    it(`plans nothing from changes until the set is complete, then writes each change once; collapses one-host subtrees (aggregation ${where})`, async () => {
      fx = await vpcFixture();
      const f = fx;
      // The real aggregator (no injected one): collapsing on.
      const sync = new VpcSync({
        ec2: f.ec2,
        clusterName: 'prod',
        clusterCidrs: CLUSTER,
        tables: { ids: [f.tableId] },
        debounceMs: 5,
        ...(offThreadAbove !== undefined ? { offThreadAbove } : {}),
      });
      syncs.push(sync);
      await sync.start();
      const a = f.hosts[0]!;
      const b = f.hosts[1]!;
      // 256 /32s of one host inside 10.200.7.0/24, and one /24 of another host.
      const hosts = Array.from({ length: 256 }, (_, i) => ({
        prefix: parsePrefix(`10.200.7.${i}/32`),
        to: a.ip as string | undefined,
        failover: false,
      }));
      sync.applyChanges(hosts);
      sync.applyChanges([{ prefix: slash24(9), to: b.ip, failover: false }]);
      await sync.reconcileNow();
      expect(mutating(f)).toBe(1); // the claim tag only: the set is not known to be complete
      expect(sync.status()[0]!.families.ipv4.desired).toBe(0);

      f.emu.reset();
      sync.completeDesired();
      await sync.reconcileNow();
      // One route per host: the minimal table over the collapsed input.
      expect(f.emu.counters()).toEqual({ CreateRoute: { ok: 2 }, DescribeNetworkInterfaces: { ok: 1 }, DescribeRouteTables: { ok: 1 } });
      expect(sync.status()[0]!.families.ipv4.desired).toBe(2);

      // A change of one host's route moves exactly that space: one ReplaceRoute.
      f.emu.reset();
      sync.applyChanges([{ prefix: slash24(9), to: f.hosts[2]!.ip, failover: true }]);
      await waitFor(() => f.emu.count({ mutating: true }) >= 1, 5000, 'the change to be written');
      await sync.reconcileNow();
      expect(f.emu.counters()).toMatchObject({ ReplaceRoute: { ok: 1 } });
      expect(mutating(f)).toBe(1);
      const owned = [...tableMap(f)].filter(([, r]) => r.target.startsWith('eni-'));
      expect(owned).toEqual([
        ['10.200.0.0/16', { target: a.eniId, state: 'active' }],
        ['10.200.8.0/21', { target: f.hosts[2]!.eniId, state: 'active' }],
      ]);
      expect(sync.desiredRoutes()).toHaveLength(257);
      expect(sync.aggregations().worker > 0).toBe(offThreadAbove !== undefined);
    });
  }
});
