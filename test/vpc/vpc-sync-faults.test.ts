// The reconciler under EC2 faults on the emulator: throttling (a bucket far tighter than ours, so a large share
// of calls meet RequestLimitExceeded), 10% random 5xx, latency with jitter, and a few calls that never answer.
// It must converge with no route lost and no foreign route touched.
import { afterEach, describe, expect, it } from 'vitest';
import { formatPrefix } from '../../src/net/prefix.js';
import { Metrics } from '../../src/base/metrics.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import type { DesiredRoute } from '../../src/vpc/types.js';
import { CLUSTER, slash24, tableMap, vpcFixture, waitFor, type VpcFixture } from './fixture.js';

let fx: VpcFixture | undefined;
let sync: VpcSync | undefined;
afterEach(async () => {
  await sync?.stop();
  await fx?.stop();
  fx = sync = undefined;
});

function converged(f: VpcFixture, desired: readonly DesiredRoute[]): boolean {
  const t = tableMap(f);
  const eniOf = new Map(f.hosts.map((h) => [h.ip, h.eniId]));
  for (const d of desired) if (t.get(formatPrefix(d.prefix))?.target !== eniOf.get(d.nextHop)) return false;
  const ours = [...t.keys()].filter((k) => k.startsWith('10.200.') && !f.foreign.some(([dest]) => dest === k));
  return ours.length === desired.length;
}

describe('VpcSync under faults', () => {
  it('converges under 30%+ throttling, 10% 5xx, latency and timeouts; no route lost, no foreign route touched', async () => {
    fx = await vpcFixture({ hosts: 4 });
    const f = fx;
    const metrics = new Metrics();
    // EC2's buckets scaled up 3× in rate (so the test runs in seconds) and down in burst; our client-side
    // buckets are set looser than the server's on purpose, so that many calls do meet RequestLimitExceeded.
    f.emu.faults.throttle({ mutating: { burst: 3, perSecond: 15 }, describe: { burst: 5, perSecond: 40 } });
    f.emu.faults.errorRate(0.1, 7);
    f.emu.faults.latency(3, 3);
    f.emu.faults.timeouts(0.02, 11);
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      debounceMs: 5,
      aggregate: exactTable,
      backoff: { baseMs: 5, maxMs: 80, maxAttempts: 6 },
      retryPass: { baseMs: 20, maxMs: 200 },
      callTimeoutMs: 250,
      driftIntervalMs: 400,
      rate: { mutating: { burst: 50, perSecond: 200 }, describe: { burst: 100, perSecond: 400 } },
      metrics,
    });
    // start() may itself fail under faults: the daemon retries it, so do we.
    for (let i = 0; ; i++) {
      try {
        await sync.start();
        break;
      } catch (err) {
        if (i > 20) throw err;
      }
    }
    let desired: DesiredRoute[] = Array.from({ length: 40 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 4]!.ip }));
    sync.setDesired(desired);
    await waitFor(() => converged(f, desired), 15_000, 'initial convergence');

    // Host 0 dies for the route spec: its ten prefixes fail over to host 1; five prefixes are withdrawn.
    desired = desired
      .filter((_, i) => i < 35)
      .map((d) => (d.nextHop === f.hosts[0]!.ip ? { ...d, nextHop: f.hosts[1]!.ip, failover: true } : d));
    sync.setDesired(desired);
    await waitFor(() => converged(f, desired), 15_000, 'convergence after failover');

    const t = tableMap(f);
    for (const [dest, target] of f.foreign) expect(t.get(dest)?.target).toBe(target);
    const counters = f.emu.counters();
    const total = Object.values(counters).reduce((s, c) => s + Object.values(c).reduce((a, b) => a + b, 0), 0);
    const throttled = f.emu.count({ outcome: 'RequestLimitExceeded' });
    const errors5xx = f.emu.count({ outcome: 'InternalError' });
    // The faults really happened (the share of throttled calls depends on timing; it is typically 30-50%,
    // and stays well above 10% unless the machine is too loaded to send 15 writes a second).
    expect(throttled).toBeGreaterThanOrEqual(10);
    expect(throttled / total).toBeGreaterThan(0.1);
    expect(errors5xx).toBeGreaterThan(0);
    // Foreign routes were never the subject of a write.
    const foreignDests = new Set(f.foreign.map(([d]) => d));
    for (const c of f.emu.calls) {
      if (!c.mutating) continue;
      expect(foreignDests.has(c.params.DestinationCidrBlock ?? '')).toBe(false);
    }
    const text = await metrics.text();
    expect(text).toMatch(/bgp2vpc_ec2_throttles_total\{action="[A-Za-z]+"\} [1-9]/);
  }, 40_000);

  it('converges when a third of the calls never answer (the writes ran but the client cannot know)', async () => {
    fx = await vpcFixture();
    const f = fx;
    f.emu.faults.timeouts(0.3, 5);
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      debounceMs: 5,
      aggregate: exactTable,
      backoff: { baseMs: 5, maxMs: 40, maxAttempts: 8 },
      retryPass: { baseMs: 20, maxMs: 100 },
      callTimeoutMs: 100,
    });
    for (let i = 0; ; i++) {
      try {
        await sync.start();
        break;
      } catch (err) {
        if (i > 20) throw err;
      }
    }
    let desired: DesiredRoute[] = Array.from({ length: 12 }, (_, i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 3]!.ip }));
    sync.setDesired(desired);
    await waitFor(() => converged(f, desired), 15_000, 'convergence under timeouts');
    desired = desired.slice(0, 8).map((d) => ({ ...d, nextHop: f.hosts[0]!.ip }));
    sync.setDesired(desired);
    await waitFor(() => converged(f, desired), 15_000, 'second convergence under timeouts');
    expect(f.emu.calls.some((c) => c.timedOut)).toBe(true);
    for (const [dest, target] of f.foreign) expect(tableMap(f).get(dest)?.target).toBe(target);
  }, 40_000);
});
