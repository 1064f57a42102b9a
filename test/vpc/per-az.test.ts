// Per-AZ route tables with same-AZ next hops, end to end below the daemon: a route spec and VPC sync wired as the
// daemon wires them (AZs from VPC sync to the route spec, next hops back, change batches to VPC sync), on a 3-AZ
// VPC with one table per AZ, through the real @aws-sdk/client-ec2 against the emulator. A VIP announced by hosts in
// AZs a and b: each table points to its own AZ's host (c, with none, to the default); a host dies → only its AZ's
// table changes; it returns → failback after the hold-down; a restart writes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrefix } from '../../src/net/prefix.js';
import { RouteSpec } from '../../src/rib/route-spec.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import { path, paths, peerUp } from '../rib/helpers.js';
import { azFixture, eniRoutes, type AzFixture } from './az-fixture.js';
import { CLUSTER, waitFor } from './fixture.js';

const VIP = '10.200.0.10/32';
const HOLD_DOWN_MS = 400;

let fx: AzFixture | undefined;
const syncs: VpcSync[] = [];
afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  await fx?.stop();
  fx = undefined;
});

/** A route spec and VPC sync connected as src/daemon connects them. */
function wired(f: AzFixture): { spec: RouteSpec; sync: VpcSync } {
  const spec = new RouteSpec({ rank: { holdDownMs: HOLD_DOWN_MS, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' });
  const sync = new VpcSync({
    ec2: f.ec2,
    clusterName: 'prod',
    clusterCidrs: CLUSTER,
    tables: { ids: [f.table.a, f.table.b, f.table.c] },
    preferSameAz: true,
    routeLimit: 50,
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 3 },
  });
  syncs.push(sync);
  sync.onAzs({ tableAzs: (azs) => spec.setTableAzs(azs), nextHopAz: (nh, az) => spec.setNextHopAz(nh, az) });
  spec.onNextHops((added, removed) =>
    sync.watchNextHops(
      added.map((a) => a.nextHop),
      removed,
    ),
  );
  spec.onChanges((batch) => sync.applyChanges(batch));
  return { spec, sync };
}

function announce(spec: RouteSpec, ...ips: string[]): void {
  for (const ip of ips) {
    spec.applySpeakerEvent(peerUp(ip));
    spec.applySpeakerEvent(paths(ip, path(ip, VIP)));
  }
}

const writes = (f: AzFixture, since: number): string[] =>
  f.emu.calls
    .filter((c) => c.seq > since && c.mutating && c.action !== 'CreateTags')
    .map((c) => `${c.action} ${c.params.RouteTableId ?? ''} ${c.params.NetworkInterfaceId ?? ''}`.trim());
const lastSeq = (f: AzFixture): number => f.emu.calls.at(-1)?.seq ?? 0;

describe('per-AZ route tables', () => {
  it('each table routes the VIP to its own AZ; failover and failback per table; a restart writes nothing', async () => {
    fx = await azFixture();
    const f = fx;
    const a1 = f.host.a1!;
    const b1 = f.host.b1!;
    const { spec, sync } = wired(f);
    await sync.start();
    expect(sync.status().map((t) => t.az)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    announce(spec, a1.ip, b1.ip);
    sync.completeDesired();
    let seq = lastSeq(f);
    await sync.reconcileNow();
    expect(eniRoutes(f, f.table.a)).toEqual({ [VIP]: a1.eniId });
    expect(eniRoutes(f, f.table.b)).toEqual({ [VIP]: b1.eniId });
    expect(eniRoutes(f, f.table.c)).toEqual({ [VIP]: a1.eniId }); // no host in c: the default (lowest IP)
    expect(writes(f, seq).sort()).toEqual(
      [`CreateRoute ${f.table.a} ${a1.eniId}`, `CreateRoute ${f.table.b} ${b1.eniId}`, `CreateRoute ${f.table.c} ${a1.eniId}`].sort(),
    );
    expect(spec.explain(parsePrefix(VIP), 'us-east-1b')?.chosen).toBe(b1.ip);

    // b1 dies: only AZ b's table changes, with one ReplaceRoute
    seq = lastSeq(f);
    spec.setNextHopHealth(b1.ip, { healthy: false, reason: 'probe failed' });
    await sync.reconcileNow();
    expect(writes(f, seq)).toEqual([`ReplaceRoute ${f.table.b} ${a1.eniId}`]);
    expect(eniRoutes(f, f.table.b)).toEqual({ [VIP]: a1.eniId });

    // b1 returns: nothing moves during the hold-down, then AZ b's table fails back (and only it)
    seq = lastSeq(f);
    spec.setNextHopHealth(b1.ip, { healthy: true });
    await sync.reconcileNow();
    expect(writes(f, seq)).toEqual([]);
    await waitFor(() => eniRoutes(f, f.table.b)[VIP] === b1.eniId, 10_000, 'failback after the hold-down');
    await sync.reconcileNow();
    expect(writes(f, seq)).toEqual([`ReplaceRoute ${f.table.b} ${b1.eniId}`]);
    await sync.stop();

    // a restart (new route spec, new VPC sync, same hosts) finds every table as it wants it: zero writes
    seq = lastSeq(f);
    const again = wired(f);
    await again.sync.start();
    announce(again.spec, b1.ip, a1.ip);
    again.sync.completeDesired();
    await again.sync.reconcileNow();
    await again.sync.reconcileNow();
    expect(writes(f, seq)).toEqual([]);
    expect(again.sync.converged()).toBe(true);
  });

  it('with preferSameAz off every table gets the default choice', async () => {
    fx = await azFixture();
    const f = fx;
    const spec = new RouteSpec({ rank: { holdDownMs: HOLD_DOWN_MS, alwaysCompareMed: false }, whenNoneEligible: 'keep-last' });
    const sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.table.a, f.table.b, f.table.c] },
      routeLimit: 50,
      debounceMs: 5,
      aggregate: exactTable,
    });
    syncs.push(sync);
    sync.onAzs({ tableAzs: (azs) => spec.setTableAzs(azs), nextHopAz: (nh, az) => spec.setNextHopAz(nh, az) });
    spec.onNextHops((added, removed) =>
      sync.watchNextHops(
        added.map((a) => a.nextHop),
        removed,
      ),
    );
    spec.onChanges((batch) => sync.applyChanges(batch));
    await sync.start();
    announce(spec, f.host.a1!.ip, f.host.b1!.ip);
    sync.completeDesired();
    await sync.reconcileNow();
    for (const az of ['a', 'b', 'c'] as const) expect(eniRoutes(f, f.table[az])).toEqual({ [VIP]: f.host.a1!.eniId });
    expect(f.emu.count({ action: 'DescribeSubnets' })).toBe(0);
  });
});
