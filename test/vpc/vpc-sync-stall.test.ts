// Campaign defect 7: with EC2 frozen for 20 s and a change pending there was no log line, /readyz stayed 200 and
// nothing showed pending (the pass was stuck in its first call, before any plan). Now the age of the oldest change
// not yet in EC2 is in tablesView().pending and bgp2vpc_vpc_pending_age_seconds from the start, one warning comes
// past stallWarningMs, pending() says stalled (the daemon's /readyz turns 503 on it), and one line on recovery.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/base/metrics.js';
import { VpcSync } from '../../src/vpc/vpc-sync.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { CLAIM_TAG } from '../../src/vpc/ownership.js';
import { CLUSTER, slash24, vpcFixture, type VpcFixture } from './fixture.js';

let f: VpcFixture | undefined;
let sync: VpcSync | undefined;
afterEach(async () => {
  f?.emu.faults.clear();
  await sync?.stop();
  await f?.stop();
  f = sync = undefined;
});

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, dest), lines };
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a stalled EC2 is visible', () => {
  it('pending age in the view and the metric, one warning past the threshold, stalled, then one recovery line', async () => {
    f = await vpcFixture({ hosts: 2, tableTags: { [CLAIM_TAG]: 'prod' } });
    const { logger, lines } = capture();
    const metrics = new Metrics();
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      aggregate: exactTable,
      debounceMs: 10,
      driftIntervalMs: 3_600_000,
      callTimeoutMs: 60_000,
      stallWarningMs: 1_000,
      logger,
      metrics,
    });
    await sync.start();
    sync.setDesired([{ prefix: slash24(1), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    expect(sync.pending()).toBeUndefined();
    const age = async (): Promise<number> => Number(/^bgp2vpc_vpc_pending_age_seconds (\S+)$/m.exec(await metrics.text())?.[1]);
    expect(await age()).toBe(0);

    f.emu.faults.freeze(true);
    const t0 = Date.now();
    sync.setDesired([{ prefix: slash24(1), nextHop: f.hosts[1]!.ip, failover: true }]);
    expect(sync.pending()).toMatchObject({ stalled: false });
    expect(sync.tablesView().pending?.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    await until(() => lines.some((l) => l.event === 'vpc_sync_stalled'), 'the stall warning');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(sync.pending()?.stalled).toBe(true);
    expect(await age()).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.event === 'vpc_sync_stalled')).toHaveLength(1);
    expect(f.emu.model.findRoute(f.tableId, '10.200.1.0/24')?.networkInterfaceId).toBe(f.hosts[0]!.eniId);

    f.emu.faults.freeze(false);
    await until(() => sync?.pending() === undefined, 'the change to be applied');
    expect(f.emu.model.findRoute(f.tableId, '10.200.1.0/24')?.networkInterfaceId).toBe(f.hosts[1]!.eniId);
    expect(lines.filter((l) => l.event === 'vpc_sync_recovered')).toHaveLength(1);
    expect(sync.tablesView().pending).toBeUndefined();
    expect(await age()).toBe(0);
  });

  it('nothing is pending in dry run (nothing is ever written)', async () => {
    f = await vpcFixture({ hosts: 2, tableTags: { [CLAIM_TAG]: 'prod' } });
    sync = new VpcSync({
      ec2: f.ec2,
      clusterName: 'prod',
      clusterCidrs: CLUSTER,
      tables: { ids: [f.tableId] },
      aggregate: exactTable,
      dryRun: true,
      stallWarningMs: 1_000,
    });
    await sync.start();
    sync.setDesired([{ prefix: slash24(1), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    expect(sync.pending()).toBeUndefined();
  });
});
