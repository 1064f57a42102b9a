// Large aggregations run in a worker thread: same answer as in this thread, and timers keep firing meanwhile.
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/aggregate/aggregate.js';
import { silentLogger } from '../../src/base/log.js';
import { OffThreadAggregator } from '../../src/vpc/off-thread.js';
import { calicoBlocks } from '../aggregate/shapes.js';

// A least-damage table: thousands of /26 blocks of many hosts, a budget far below the minimal table (hundreds of ms).
const shape = calicoBlocks(3000, 300, 7);
const input = { family: shape.family, routes: shape.routes, cluster: shape.cluster, budget: 50 };

describe('OffThreadAggregator', () => {
  it('aggregates a large input in a worker, with the same result, while timers keep firing', async () => {
    const agg = new OffThreadAggregator(aggregate, silentLogger, 1000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    const got = await agg.run(input);
    const ms = performance.now() - t0;
    clearInterval(timer);
    agg.close();
    expect(agg.runs).toEqual({ worker: 1, inline: 0 });
    expect(got).toEqual(aggregate(input));
    expect(ms).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(0); // in this thread the same job would let no timer fire until it ended
  });

  it('runs small inputs, and everything without a threshold, in this thread', async () => {
    const small = new OffThreadAggregator(aggregate, silentLogger, 5000);
    expect(await small.run(input)).toEqual(aggregate(input));
    expect(small.runs).toEqual({ worker: 0, inline: 1 });
    const injected = new OffThreadAggregator(aggregate, silentLogger, undefined);
    await injected.run(input);
    expect(injected.runs).toEqual({ worker: 0, inline: 1 });
  });

  it('falls back to this thread when the worker dies mid-job', async () => {
    const agg = new OffThreadAggregator(aggregate, silentLogger, 1);
    const job = agg.run(input);
    agg.close(); // the worker is terminated with the job in flight
    expect(await job).toEqual(aggregate(input));
    expect(agg.runs).toEqual({ worker: 0, inline: 1 });
  });
});
