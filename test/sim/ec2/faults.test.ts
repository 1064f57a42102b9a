// Fault injection through the SDK, driven by a FakeClock: EC2's token buckets, seeded 5xx, latency, timeouts,
// denied actions; and the call log that records every outcome.
import {
  CreateRouteCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/base/clock.js';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

let f: Fixture | undefined;
afterEach(async () => {
  await teardown(f);
  f = undefined;
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const tag = (ec2: EC2Client, id: string) => ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'k', Value: 'v' }] }));

describe('throttling (token buckets on the injected clock)', () => {
  it("EC2's defaults: 50 mutating calls in a burst, then RequestLimitExceeded (HTTP 503), refilled at 5/s", async () => {
    const clock = new FakeClock(1_000);
    f = await fixture({ clock });
    f.emu.faults.throttle(true);
    for (let i = 0; i < 50; i++) await tag(f.ec2, f.rtb);
    await expect(tag(f.ec2, f.rtb)).rejects.toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    // Describe calls have their own bucket
    await f.ec2.send(new DescribeVpcsCommand({}));
    clock.advance(1_000);
    for (let i = 0; i < 5; i++) await tag(f.ec2, f.rtb);
    expect(await errorCode(tag(f.ec2, f.rtb))).toBe('RequestLimitExceeded');
    expect(f.emu.counters().CreateTags).toEqual({ ok: 55, RequestLimitExceeded: 2 });
  });

  it('describe and unfiltered-describe buckets are separate', async () => {
    const clock = new FakeClock();
    f = await fixture({ clock });
    f.emu.faults.throttle({ describe: { burst: 3, perSecond: 1 }, unfilteredDescribe: { burst: 2, perSecond: 1 } });
    // unfiltered DescribeInstances / DescribeNetworkInterfaces: the small bucket
    await f.ec2.send(new DescribeInstancesCommand({}));
    await f.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(await errorCode(f.ec2.send(new DescribeInstancesCommand({})))).toBe('RequestLimitExceeded');
    // filtered ones (and other Describe*) draw from the describe bucket
    await f.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.1.10'] }] }));
    await f.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.nodeA] }));
    await f.ec2.send(new DescribeRouteTablesCommand({}));
    expect(await errorCode(f.ec2.send(new DescribeRouteTablesCommand({})))).toBe('RequestLimitExceeded');
    // mutating calls are untouched by describe exhaustion
    await tag(f.ec2, f.rtb);
    clock.advance(1_000);
    await f.ec2.send(new DescribeRouteTablesCommand({}));
    f.emu.faults.throttle(false);
    for (let i = 0; i < 10; i++) await f.ec2.send(new DescribeRouteTablesCommand({}));
  });

  it('the SDK retries a throttled call by itself when maxAttempts allows', async () => {
    f = await fixture();
    f.emu.faults.throttle({ mutating: { burst: 1, perSecond: 20 } });
    const { client } = await import('./helpers.js');
    const patient = client(f.emu, 5);
    await tag(patient, f.rtb);
    await tag(patient, f.rtb); // first attempt throttled, a retry after the SDK's backoff succeeds
    expect(f.emu.counters().CreateTags?.ok).toBe(2);
    patient.destroy();
  });
});

describe('random 5xx, latency, timeouts, denial', () => {
  it('errorRate: InternalError (HTTP 500) at about the rate, the same sequence for the same seed', async () => {
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run++) {
      f = await fixture();
      f.emu.faults.errorRate(0.3, 42);
      const seen: string[] = [];
      for (let i = 0; i < 100; i++) seen.push(await errorCode(f.ec2.send(new DescribeVpcsCommand({}))));
      outcomes.push(seen);
      await teardown(f);
      f = undefined;
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    const errors = outcomes[0]?.filter((c) => c === 'InternalError').length ?? 0;
    expect(errors).toBeGreaterThan(15);
    expect(errors).toBeLessThan(45);
    expect(outcomes[0]?.filter((c) => c !== 'InternalError' && c !== 'no error')).toEqual([]);
  });

  it('errorRate scoped to mutating calls leaves Describe alone', async () => {
    f = await fixture();
    f.emu.faults.errorRate(1, 1, 'mutating');
    await expect(tag(f.ec2, f.rtb)).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    await f.ec2.send(new DescribeVpcsCommand({}));
  });

  it("errorRate when 'after': the write lands although the caller sees InternalError", async () => {
    f = await fixture();
    f.emu.faults.errorRate(1, 1, 'mutating', 'after');
    const cmd = new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: f.nodeAEni });
    expect(await errorCode(f.ec2.send(cmd))).toBe('InternalError');
    expect(f.emu.model.findRoute(f.rtb, '100.64.0.0/24')?.networkInterfaceId).toBe(f.nodeAEni);
    f.emu.faults.errorRate(0);
    expect(await errorCode(f.ec2.send(cmd))).toBe('RouteAlreadyExists');
    // a failing action stays failing: its own error wins over the injected one
    f.emu.faults.errorRate(1, 1, 'mutating', 'after');
    expect(await errorCode(f.ec2.send(cmd))).toBe('RouteAlreadyExists');
  });

  it('latency holds the answer until the clock passes it', async () => {
    const clock = new FakeClock();
    f = await fixture({ clock });
    f.emu.faults.latency(250);
    let done = false;
    const p = f.ec2.send(new DescribeVpcsCommand({})).then(() => (done = true));
    await until(() => f?.emu.calls.length === 1, 'the call to arrive');
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    clock.advance(249);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('timeouts: the action runs, the answer never comes', async () => {
    f = await fixture();
    f.emu.faults.timeouts(1);
    const ctl = new AbortController();
    const body = new URLSearchParams({
      Action: 'CreateRoute',
      Version: '2016-11-15',
      RouteTableId: f.rtb,
      DestinationCidrBlock: '100.64.0.0/24',
      NetworkInterfaceId: f.nodeAEni,
    });
    const p = fetch(f.emu.endpoint, { method: 'POST', body, signal: ctl.signal });
    await until(() => f?.emu.calls.length === 1, 'the call to arrive');
    ctl.abort();
    await expect(p).rejects.toThrow();
    expect(f.emu.calls[0]).toMatchObject({ action: 'CreateRoute', outcome: 'ok', timedOut: true });
    expect(f.emu.model.findRoute(f.rtb, '100.64.0.0/24')?.networkInterfaceId).toBe(f.nodeAEni);
    f.emu.faults.timeouts(0);
    expect(
      await errorCode(
        f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: f.nodeAEni })),
      ),
    ).toBe('RouteAlreadyExists');
  });

  it('timeouts with a reset: the connection drops after the delay and the SDK retries', async () => {
    const clock = new FakeClock();
    f = await fixture({ clock });
    f.emu.faults.timeouts(1, 3, 1_000);
    const { client } = await import('./helpers.js');
    const patient = client(f.emu, 3);
    const p = errorCode(
      patient.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: f.nodeAEni })),
    );
    await until(() => f?.emu.calls.length === 1, 'the first attempt');
    f.emu.faults.timeouts(0);
    clock.advance(1_000);
    // the retry finds the route the first attempt created
    expect(await p).toBe('RouteAlreadyExists');
    expect(f.emu.calls.map((c) => [c.outcome, c.timedOut ?? false])).toEqual([
      ['ok', true],
      ['RouteAlreadyExists', false],
    ]);
    patient.destroy();
  });

  it('deny: UnauthorizedOperation (HTTP 403), also for DryRun; a permitted DryRun is DryRunOperation', async () => {
    f = await fixture();
    f.emu.faults.deny(['CreateRoute']);
    const cmd = (DryRun: boolean) =>
      new CreateRouteCommand({ RouteTableId: f?.rtb, DestinationCidrBlock: '100.64.0.0/24', NetworkInterfaceId: f?.nodeAEni, DryRun });
    await expect(f.ec2.send(cmd(false))).rejects.toMatchObject({ name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
    expect(await errorCode(f.ec2.send(cmd(true)))).toBe('UnauthorizedOperation');
    f.emu.faults.clear();
    expect(await errorCode(f.ec2.send(cmd(true)))).toBe('DryRunOperation');
  });
});

describe('call log and counters', () => {
  it('records time (from the clock), action, params, outcome and status; reset clears', async () => {
    const clock = new FakeClock(5_000);
    f = await fixture({ clock });
    await tag(f.ec2, f.rtb);
    clock.advance(10);
    await errorCode(
      f.ec2.send(new CreateRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.0.0.0/16', NetworkInterfaceId: f.nodeAEni })),
    );
    await f.ec2.send(new DescribeVpcsCommand({}));
    expect(f.emu.calls.map((c) => [c.time, c.action, c.outcome, c.httpStatus, c.mutating])).toEqual([
      [5_000, 'CreateTags', 'ok', 200, true],
      [5_010, 'CreateRoute', 'InvalidParameterValue', 400, true],
      [5_010, 'DescribeVpcs', 'ok', 200, false],
    ]);
    expect(f.emu.calls[1]?.params).toMatchObject({
      RouteTableId: f.rtb,
      DestinationCidrBlock: '10.0.0.0/16',
      NetworkInterfaceId: f.nodeAEni,
    });
    expect(f.emu.count({ mutating: true })).toBe(2);
    expect(f.emu.count({ action: 'CreateRoute' })).toBe(1);
    expect(f.emu.count({ outcome: 'ok' })).toBe(2);
    f.emu.reset();
    expect(f.emu.calls).toEqual([]);
    expect(f.emu.counters()).toEqual({});
  });
});
