// The rate-limited EC2 shell against the emulator: paging, batching, retries and the client-side bucket.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { Ec2CallError } from '../../src/vpc/ec2-errors.js';
import { Ec2Gateway } from '../../src/vpc/ec2-gateway.js';
import { vpcFixture, type VpcFixture } from './fixture.js';

let fx: VpcFixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

const gateway = (f: VpcFixture, extra: Partial<ConstructorParameters<typeof Ec2Gateway>[0]> = {}): Ec2Gateway =>
  new Ec2Gateway({ ec2: f.ec2, clock: systemClock, logger: silentLogger, backoff: { baseMs: 1, maxMs: 10, maxAttempts: 5 }, ...extra });

describe('Ec2Gateway', () => {
  it('pages DescribeRouteTables with MaxResults/NextToken', async () => {
    fx = await vpcFixture();
    const f = fx;
    for (let i = 0; i < 11; i++) f.emu.model.createRouteTable(f.vpcId, { team: 'net' });
    const gw = gateway(f);
    const tables = await gw.describeRouteTables(
      [
        { Name: 'vpc-id', Values: [f.vpcId] },
        { Name: 'tag:team', Values: ['net'] },
      ],
      5,
    );
    expect(tables).toHaveLength(11);
    expect(new Set(tables.map((t) => t.id)).size).toBe(11);
    expect(f.emu.count({ action: 'DescribeRouteTables' })).toBe(3);
    expect(tables[0]!.routes.find((r) => r.target.kind === 'local')?.destination).toEqual(parsePrefix('10.0.0.0/16'));
  });

  it('resolves many next hops with one DescribeNetworkInterfaces (one filter, many values)', async () => {
    fx = await vpcFixture({ hosts: 12 });
    const f = fx;
    const gw = gateway(f);
    const { enis, failed } = await gw.describeEnisByIp([...f.hosts.map((h) => h.ip), '10.0.1.250'], [f.vpcId]);
    expect(failed).toEqual([]);
    expect(f.emu.count({ action: 'DescribeNetworkInterfaces' })).toBe(1);
    expect(enis.map((e) => [e.ip, e.networkInterfaceId]).sort()).toEqual(f.hosts.map((h) => [h.ip, h.eniId]).sort());
    expect(enis.every((e) => e.sourceDestCheck === false && e.instanceId !== undefined)).toBe(true);
  });

  it('retries 5xx with backoff and succeeds; gives up after maxAttempts with the class of the error', async () => {
    fx = await vpcFixture();
    const f = fx;
    f.emu.faults.errorRate(1);
    const gw = gateway(f);
    const err = await gw.describeRouteTables([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Ec2CallError);
    expect(err).toMatchObject({ ec2Code: 'InternalError', errorClass: 'transient', action: 'DescribeRouteTables' });
    expect(f.emu.count({ action: 'DescribeRouteTables' })).toBe(5);
    f.emu.faults.errorRate(0.5, 3);
    f.emu.reset();
    await expect(gw.describeRouteTables([])).resolves.toBeDefined();
  });

  it('does not retry a conflict or an operator error', async () => {
    fx = await vpcFixture();
    const f = fx;
    const gw = gateway(f);
    await expect(gw.createRoute(f.tableId, parsePrefix('0.0.0.0/0'), f.hosts[0]!.eniId)).rejects.toMatchObject({
      ec2Code: 'RouteAlreadyExists',
      errorClass: 'conflict',
    });
    await expect(gw.replaceRoute(f.tableId, parsePrefix('10.200.77.0/24'), f.hosts[0]!.eniId)).rejects.toMatchObject({
      ec2Code: 'InvalidParameterValue',
      errorClass: 'conflict',
    });
    await expect(gw.deleteRoute(f.tableId, parsePrefix('10.200.77.0/24'))).rejects.toMatchObject({
      ec2Code: 'InvalidRoute.NotFound',
      errorClass: 'conflict',
    });
    f.emu.faults.deny(['CreateRoute']);
    await expect(gw.createRoute(f.tableId, parsePrefix('10.200.77.0/24'), f.hosts[0]!.eniId)).rejects.toMatchObject({
      ec2Code: 'UnauthorizedOperation',
      errorClass: 'operator',
    });
    expect(f.emu.count({ mutating: true })).toBe(4);
  });

  it('spends client-side tokens: past the burst, a call waits for the refill on the injected clock', async () => {
    fx = await vpcFixture();
    const f = fx;
    const clock = new FakeClock();
    const gw = gateway(f, { clock, rate: { mutating: { burst: 2, perSecond: 5 }, describe: { burst: 1, perSecond: 20 } } });
    await gw.describeRouteTables([]);
    let done = false;
    const p = gw.describeRouteTables([]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    expect(f.emu.count({ action: 'DescribeRouteTables' })).toBe(1);
    clock.advance(50); // 20/s: one token per 50 ms
    await p;
    expect(f.emu.count({ action: 'DescribeRouteTables' })).toBe(2);
  });

  it('times out a call that never answers, on the injected clock, and classes it transient', async () => {
    fx = await vpcFixture();
    const f = fx;
    f.emu.faults.timeouts(1);
    const gw = gateway(f, { callTimeoutMs: 100, backoff: { baseMs: 1, maxMs: 5, maxAttempts: 2 } });
    const err = await gw.createRoute(f.tableId, parsePrefix('10.200.5.0/24'), f.hosts[0]!.eniId).catch((e: unknown) => e);
    expect(err).toMatchObject({ ec2Code: 'Timeout', errorClass: 'transient', action: 'CreateRoute' });
    // The first attempt ran on the server (the client cannot know): the retry met RouteAlreadyExists or timed out too.
    expect(f.emu.model.findRoute(f.tableId, '10.200.5.0/24')?.networkInterfaceId).toBe(f.hosts[0]!.eniId);
  });

  it('asks the write fence immediately before every mutating attempt, retries included; reads pass', async () => {
    fx = await vpcFixture();
    const f = fx;
    let open = true;
    let asked = 0;
    const gw = gateway(f, {
      mayMutate: () => {
        asked++;
        return open;
      },
    });
    await gw.describeRouteTables([]);
    expect(asked).toBe(0);
    await gw.createRoute(f.tableId, parsePrefix('10.200.1.0/24'), f.hosts[0]!.eniId);
    expect(asked).toBe(1);
    // The fence closes between the first attempt (a 5xx) and its retry: the retry is never sent.
    f.emu.faults.errorRate(1);
    const sent = f.emu.count({ mutating: true });
    const p = gw.createRoute(f.tableId, parsePrefix('10.200.2.0/24'), f.hosts[0]!.eniId).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 0));
    open = false;
    const err = await p;
    expect(err).toBeInstanceOf(Ec2CallError);
    expect(err).toMatchObject({ ec2Code: 'WriteFenced', errorClass: 'fenced', action: 'CreateRoute' });
    expect(f.emu.count({ mutating: true })).toBe(sent + 1);
    f.emu.faults.clear();
    await expect(gw.deleteRoute(f.tableId, parsePrefix('10.200.1.0/24'))).rejects.toMatchObject({ errorClass: 'fenced' });
    await expect(gw.createTags(f.tableId, { a: 'b' })).rejects.toMatchObject({ errorClass: 'fenced' });
    expect(f.emu.count({ mutating: true })).toBe(sent + 1);
    expect(f.emu.model.findRoute(f.tableId, '10.200.1.0/24')).toBeDefined();
  });

  it('times out mutating calls after mutatingTimeoutMs and reads after callTimeoutMs', async () => {
    fx = await vpcFixture();
    const f = fx;
    f.emu.faults.timeouts(1);
    const clock = new FakeClock();
    const gw = gateway(f, { clock, callTimeoutMs: 10_000, mutatingTimeoutMs: 1500, backoff: { baseMs: 1, maxMs: 1, maxAttempts: 1 } });
    const write = gw.createRoute(f.tableId, parsePrefix('10.200.5.0/24'), f.hosts[0]!.eniId).catch((e: unknown) => e);
    const read = gw.describeRouteTables([]).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(1499);
    await new Promise((r) => setTimeout(r, 20));
    let writeDone = false;
    void write.then(() => (writeDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(writeDone).toBe(false);
    clock.advance(1);
    expect(await write).toMatchObject({ ec2Code: 'Timeout', action: 'CreateRoute' });
    let readDone = false;
    void read.then(() => (readDone = true));
    clock.advance(8000);
    await new Promise((r) => setTimeout(r, 20));
    expect(readDone).toBe(false);
    clock.advance(500);
    expect(await read).toMatchObject({ ec2Code: 'Timeout', action: 'DescribeRouteTables' });
  });
});
