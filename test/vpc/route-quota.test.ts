// routeLimit auto: VpcSync reads "Routes per route table" with GetServiceQuota through the real
// @aws-sdk/client-service-quotas against the emulator; AWS's default (500) when denied; a number overrides.
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { afterEach, describe, expect, it } from 'vitest';
import { quotaValue } from '../../src/vpc/route-quota.js';
import { createEmulatorServiceQuotasClient } from '../../src/vpc/ec2-client.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { VpcSync, type VpcSyncOptions } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24, vpcFixture, type VpcFixture } from './fixture.js';

let fx: VpcFixture | undefined;
let sq: ServiceQuotasClient | undefined;
const syncs: VpcSync[] = [];
afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  sq?.destroy();
  sq = undefined;
  await fx?.stop();
  fx = undefined;
});

function newSync(f: VpcFixture, extra: Partial<VpcSyncOptions> = {}): VpcSync {
  sq = createEmulatorServiceQuotasClient(f.emu.endpoint);
  const s = new VpcSync({
    ec2: f.ec2,
    serviceQuotas: sq,
    clusterName: 'prod',
    clusterCidrs: CLUSTER,
    tables: { ids: [f.tableId] },
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 4 },
    ...extra,
  });
  syncs.push(s);
  return s;
}

const actions = (f: VpcFixture): string[] => f.emu.calls.map((c) => `${c.action} ${c.outcome}`);

describe('route quota: routeLimit auto', () => {
  it('reads the applied quota once at start, before the tables, and plans for it', async () => {
    fx = await vpcFixture({ routeLimit: 120 });
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    expect(sync.routeQuota()).toEqual({ limit: 120, source: 'service-quotas' });
    sync.setDesired([{ prefix: slash24(0), nextHop: f.hosts[0]!.ip }]);
    await sync.reconcileNow();
    expect(sync.status()[0]!.families.ipv4).toMatchObject({ limit: 120, foreign: 3, budget: 117 });
    expect(actions(f).slice(0, 3)).toEqual(['GetServiceQuota ok', 'DescribeRouteTables ok', 'DescribeVpcs ok']);
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'GetServiceQuota' })).toBe(1);
  });

  it("the emulator's default quota is EC2's: 500", async () => {
    fx = await vpcFixture();
    const sync = newSync(fx);
    await sync.start();
    expect(sync.routeQuota()).toEqual({ limit: 500, source: 'service-quotas' });
  });

  it('denied: AWS default 500, and RouteLimitExceeded still teaches the real quota', async () => {
    fx = await vpcFixture({ routeLimit: 5 }); // 3 foreign routes: room for 2 of ours
    const f = fx;
    f.emu.faults.deny(['GetServiceQuota']);
    const sync = newSync(f);
    await sync.start();
    expect(sync.routeQuota()).toEqual({ limit: 500, source: 'aws-default', reason: 'GetServiceQuota: AccessDeniedException' });
    expect(f.emu.count({ action: 'GetServiceQuota' })).toBe(1); // denial is not retried
    sync.setDesired([0, 1, 2, 3, 4, 5].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 3]!.ip })));
    await sync.reconcileNow();
    expect(f.emu.count({ action: 'CreateRoute', outcome: 'ok' })).toBe(2);
    expect(f.emu.count({ action: 'CreateRoute', outcome: 'RouteLimitExceeded' })).toBe(1);
    expect(sync.status()[0]!.families.ipv4).toMatchObject({ limit: 5, budget: 2, owned: 2 });
  });

  it('throttled: retried with backoff inside the gateway, then read', async () => {
    fx = await vpcFixture({ routeLimit: 300 });
    const f = fx;
    f.emu.faults.throttle({ describe: { burst: 1, perSecond: 40 } });
    f.emu.faults.decide('describe'); // spend the only token: the first GetServiceQuota is throttled
    const sync = newSync(f);
    await sync.start();
    expect(sync.routeQuota()).toEqual({ limit: 300, source: 'service-quotas' });
    expect(actions(f).filter((a) => a.startsWith('GetServiceQuota'))[0]).toBe('GetServiceQuota TooManyRequestsException');
    expect(f.emu.count({ action: 'GetServiceQuota', outcome: 'ok' })).toBe(1);
  });

  it('no Service Quotas client: AWS default, no call', async () => {
    fx = await vpcFixture();
    const f = fx;
    const s = new VpcSync({ ec2: f.ec2, clusterName: 'prod', clusterCidrs: CLUSTER, tables: { ids: [f.tableId] } });
    syncs.push(s);
    await s.start();
    expect(s.routeQuota()).toEqual({ limit: 500, source: 'aws-default', reason: 'no Service Quotas client' });
    expect(f.emu.count({ action: 'GetServiceQuota' })).toBe(0);
  });

  it('a configured number overrides: no GetServiceQuota', async () => {
    fx = await vpcFixture({ routeLimit: 120 });
    const f = fx;
    const sync = newSync(f, { routeLimit: 40 });
    await sync.start();
    expect(sync.routeQuota()).toEqual({ limit: 40, source: 'config' });
    expect(f.emu.count({ action: 'GetServiceQuota' })).toBe(0);
  });
});

describe('quotaValue', () => {
  it('a whole number of routes from 1 to 1000, else nothing', () => {
    expect([500, 1000, 750.9, 5000, 0.5, 0, -1, Number.NaN, undefined].map(quotaValue)).toEqual([
      500,
      1000,
      750,
      1000,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
