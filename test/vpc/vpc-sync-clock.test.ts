// One FakeClock drives both the emulator's throttle buckets and VpcSync's (debounce, token buckets, backoff):
// a mass failover under EC2's real rates (50 burst, 5/s) is then exact. With both buckets on the same clock,
// no call is ever throttled and the last write lands when the refill allows it, not later.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { formatPrefix } from '../../src/net/prefix.js';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../../src/vpc/ownership.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24 } from './fixture.js';

let emu: Emulator | undefined;
let sync: VpcSync | undefined;
afterEach(async () => {
  await sync?.stop();
  await emu?.stop();
  emu = sync = undefined;
});

/**
 * Moves fake time in small steps, letting real I/O (HTTP to the emulator) run in between. Time stands still while a
 * request is in flight, so transit takes no fake time however loaded the machine is: both buckets then see the
 * same instants and the refill schedule is exact.
 */
async function drive(clock: FakeClock, until: () => boolean, inFlight: () => number, stepMs = 10, maxFakeMs = 120_000): Promise<void> {
  const end = clock.now() + maxFakeMs;
  while (!until()) {
    if (clock.now() > end) throw new Error('fake-time deadline passed');
    await new Promise((r) => setTimeout(r, 1));
    if (inFlight() === 0) clock.advance(stepMs);
  }
}

describe('VpcSync on a shared FakeClock', () => {
  it('fails 70 routes over in 50 + 20/5 s of fake time, without one throttle', async () => {
    const clock = new FakeClock(1_000);
    emu = await startEmulator({ port: 0, routeLimit: 100, clock });
    const m = emu.model;
    const vpc = m.createVpc({ cidr: '10.0.0.0/16' });
    const subnet = m.createSubnet({ vpcId: vpc.id, cidr: '10.0.1.0/24' });
    const [a] = m.runInstances({ subnetId: subnet.id, privateIp: '10.0.1.10', sourceDestCheck: false });
    const [b] = m.runInstances({ subnetId: subnet.id, privateIp: '10.0.1.11', sourceDestCheck: false });
    const rtb = m.createRouteTable(vpc.id, { [CLAIM_TAG]: 'prod' });
    const N = 70;
    for (let i = 0; i < N; i++) m.createRoute(rtb.id, formatPrefix(slash24(i)), { networkInterfaceId: a!.primaryEniId });
    emu.faults.throttle(true); // EC2's buckets, on the fake clock
    const ec2 = createEmulatorEc2Client(emu.endpoint);
    let inFlight = 0;
    ec2.middlewareStack.add(
      (next) => async (args) => {
        inFlight++;
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    sync = new VpcSync({
      ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [rtb.id] },
      routeLimit: 100,
      aggregate: exactTable,
      clock,
      driftIntervalMs: 3_600_000,
    });
    await sync.start();
    sync.setDesired(Array.from({ length: N }, (_, i) => ({ prefix: slash24(i), nextHop: '10.0.1.10' })));
    await sync.reconcileNow();
    expect(emu.count({ mutating: true })).toBe(0); // restart with the routes in place: no writes

    const t0 = clock.now();
    sync.setDesired(Array.from({ length: N }, (_, i) => ({ prefix: slash24(i), nextHop: '10.0.1.11', failover: true })));
    const moved = (): number => m.routesOf(rtb.id).filter((r) => r.networkInterfaceId === b!.primaryEniId).length;
    await drive(
      clock,
      () => moved() === N,
      () => inFlight,
    );
    const elapsed = clock.now() - t0;
    // Debounce 200 ms, 50 at once, then 20 at 5/s = 4 s. The 10 ms steps of the driver add a little.
    expect(elapsed).toBeGreaterThanOrEqual(200 + 4000 - 200);
    expect(elapsed).toBeLessThan(200 + 4000 + 600);
    expect(emu.count({ outcome: 'RequestLimitExceeded' })).toBe(0);
    expect(emu.count({ action: 'ReplaceRoute' })).toBe(N);
    ec2.destroy();
  });
});
