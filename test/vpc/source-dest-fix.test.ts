// vpc.fixSourceDestCheck: next-hop ENIs get the check turned off with ModifyNetworkInterfaceAttribute, once per ENI,
// rate-limited, logged and counted. Emulator tests go through the real @aws-sdk/client-ec2.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { Metrics } from '../../src/base/metrics.js';
import { Ec2CallError } from '../../src/vpc/ec2-errors.js';
import type { EniInfo } from '../../src/vpc/ec2-gateway.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import { SourceDestFixer } from '../../src/vpc/source-dest-fixer.js';
import { VpcSync, type VpcSyncOptions } from '../../src/vpc/vpc-sync.js';
import { CLUSTER, slash24, vpcFixture, waitFor, type VpcFixture } from './fixture.js';

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
    routeLimit: 50,
    debounceMs: 5,
    aggregate: exactTable,
    backoff: { baseMs: 5, maxMs: 50, maxAttempts: 3 },
    ...extra,
  });
  syncs.push(s);
  return s;
}

const modifyCalls = (f: VpcFixture): Readonly<Record<string, string>>[] =>
  f.emu.calls.filter((c) => c.action === 'ModifyNetworkInterfaceAttribute').map((c) => c.params);

async function sdcOnHosts01(): Promise<VpcFixture> {
  const f = await vpcFixture();
  f.emu.model.setSourceDestCheck(f.hosts[0]!.instanceId, true);
  f.emu.model.setSourceDestCheck(f.hosts[1]!.instanceId, true);
  return f;
}

const desired = (f: VpcFixture) => [0, 1, 2, 3].map((i) => ({ prefix: slash24(i), nextHop: f.hosts[i % 3]!.ip }));

describe('source/dest check on next hops', () => {
  it('fixSourceDestCheck: turns it off once per ENI, clears the operator error, counts it', async () => {
    fx = await sdcOnHosts01();
    const f = fx;
    const metrics = new Metrics();
    const sync = newSync(f, { fixSourceDestCheck: true, metrics, driftIntervalMs: 1000 });
    await sync.start();
    sync.setDesired(desired(f));
    await sync.reconcileNow();
    expect(await sync.sourceDestFixes()).toEqual(
      new Map([
        [f.hosts[0]!.eniId, 'ok'],
        [f.hosts[1]!.eniId, 'ok'],
      ]),
    );
    expect(modifyCalls(f)).toEqual([
      {
        Action: 'ModifyNetworkInterfaceAttribute',
        Version: '2016-11-15',
        NetworkInterfaceId: f.hosts[0]!.eniId,
        'SourceDestCheck.Value': 'false',
      },
      {
        Action: 'ModifyNetworkInterfaceAttribute',
        Version: '2016-11-15',
        NetworkInterfaceId: f.hosts[1]!.eniId,
        'SourceDestCheck.Value': 'false',
      },
    ]);
    expect(f.emu.model.eni(f.hosts[0]!.eniId).sourceDestCheck).toBe(false);
    expect(f.emu.model.eni(f.hosts[1]!.eniId).sourceDestCheck).toBe(false);
    expect(sync.status()[0]!.operatorErrors.map((e) => e.code)).not.toContain('SourceDestCheckEnabled');
    expect(await metrics.text()).toContain('bgp2vpc_source_dest_check_fixes_total{outcome="ok"} 2');

    // Not per sync: more passes, drift passes that re-read every ENI, and someone turning the check back on
    // (reported, not fought: once per ENI).
    f.emu.model.setSourceDestCheck(f.hosts[0]!.instanceId, true);
    sync.setDesired(desired(f).slice(0, 3));
    await sync.reconcileNow();
    const sdcError = (): string | undefined => sync.status()[0]!.operatorErrors.find((e) => e.code === 'SourceDestCheckEnabled')?.message;
    await waitFor(() => sdcError()?.includes(f.hosts[0]!.eniId) === true, 10_000, 'a drift pass to see the check on again');
    await sync.reconcileNow();
    await sync.sourceDestFixes();
    expect(modifyCalls(f)).toHaveLength(2);
  });

  it('off by default: reported as an operator error, never modified', async () => {
    fx = await sdcOnHosts01();
    const f = fx;
    const sync = newSync(f);
    await sync.start();
    sync.setDesired(desired(f));
    await sync.reconcileNow();
    expect(await sync.sourceDestFixes()).toEqual(new Map());
    expect(modifyCalls(f)).toEqual([]);
    const err = sync.status()[0]!.operatorErrors.find((e) => e.code === 'SourceDestCheckEnabled');
    expect(err?.message).toContain(f.hosts[0]!.eniId);
    expect(err?.message).toContain(f.hosts[1]!.eniId);
  });

  it('denied: one call per ENI, the failure counted under its EC2 code, no retry on later passes', async () => {
    fx = await sdcOnHosts01();
    const f = fx;
    f.emu.faults.deny(['ModifyNetworkInterfaceAttribute']);
    const metrics = new Metrics();
    const sync = newSync(f, { fixSourceDestCheck: true, metrics });
    await sync.start();
    sync.setDesired(desired(f));
    await sync.reconcileNow();
    expect([...(await sync.sourceDestFixes()).values()]).toEqual(['failed', 'failed']);
    sync.setDesired(desired(f).slice(0, 3));
    await sync.reconcileNow();
    await sync.sourceDestFixes();
    expect(f.emu.count({ action: 'ModifyNetworkInterfaceAttribute' })).toBe(2);
    expect(await metrics.text()).toContain('bgp2vpc_source_dest_check_fixes_total{outcome="UnauthorizedOperation"} 2');
    expect(sync.status()[0]!.operatorErrors.map((e) => e.code)).toContain('SourceDestCheckEnabled');
  });

  it('dry run: nothing modified', async () => {
    fx = await sdcOnHosts01();
    const f = fx;
    const sync = newSync(f, { fixSourceDestCheck: true, dryRun: true });
    await sync.start();
    sync.setDesired(desired(f));
    await sync.reconcileNow();
    expect(await sync.sourceDestFixes()).toEqual(new Map());
    expect(modifyCalls(f)).toEqual([]);
  });
});

describe('SourceDestFixer rate', () => {
  const eni = (i: number, sourceDestCheck = true): EniInfo => ({
    ip: `10.0.1.${i}`,
    networkInterfaceId: `eni-${i}`,
    vpcId: 'vpc-1',
    subnetId: 'subnet-1',
    az: 'us-east-1a',
    sourceDestCheck,
  });
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  it('a burst of 5, then one per second; each ENI once; throttled ones may be asked again', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    let throttle = new Set<string>(['eni-7']);
    const fixer = new SourceDestFixer({
      gateway: {
        disableSourceDestCheck: (id: string) => {
          sent.push(id);
          if (throttle.has(id))
            return Promise.reject(new Ec2CallError('ModifyNetworkInterfaceAttribute', 'RequestLimitExceeded', 'throttle', 'x'));
          return Promise.resolve();
        },
      },
      clock,
      log: silentLogger,
      mayWrite: () => true,
      onFixed: () => {},
    });
    const enis = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => eni(i));
    fixer.want([...enis, eni(9, false)]);
    fixer.want(enis); // queued once
    await flush();
    fixer.want(enis); // nor again while being fixed
    await flush();
    expect(sent).toEqual(['eni-1', 'eni-2', 'eni-3', 'eni-4', 'eni-5']);
    clock.advance(999);
    await flush();
    expect(sent).toHaveLength(5);
    clock.advance(1);
    await flush();
    expect(sent).toHaveLength(6);
    clock.advance(2000);
    await flush();
    expect(sent).toEqual(['eni-1', 'eni-2', 'eni-3', 'eni-4', 'eni-5', 'eni-6', 'eni-7', 'eni-8']);
    await fixer.idle();
    expect(clock.pending()).toBe(0);
    throttle = new Set();
    fixer.want(enis); // only the throttled one is asked again
    clock.advance(1000);
    await fixer.idle();
    expect(sent.slice(8)).toEqual(['eni-7']);
    expect(fixer.outcomes().get('eni-7')).toBe('ok');
    await fixer.close();
  });
});
