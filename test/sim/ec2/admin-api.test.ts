// The admin HTTP API under /_emulator/: observation, faults, drift, setup.
import { DescribeRouteTablesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, fixture, teardown, type Fixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await teardown(f);
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${f.emu.endpoint}/_emulator${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe('admin API', () => {
  it('health and state', async () => {
    expect((await admin('GET', '/health')).json).toEqual({ ok: true, endpoint: f.emu.endpoint });
    const state = (await admin('GET', '/state')).json;
    expect((state.vpcs as unknown[]).length).toBe(1);
    expect((state.routeTables as Array<{ id: string }>).map((t) => t.id)).toEqual([f.mainRtb, f.rtb]);
  });

  it('calls, counters and reset', async () => {
    await f.ec2.send(new DescribeVpcsCommand({}));
    await f.ec2.send(new DescribeVpcsCommand({}));
    const calls = (await admin('GET', '/calls?since=1')).json;
    expect(calls.lastSeq).toBe(2);
    expect((calls.calls as Array<{ seq: number; action: string }>).map((c) => [c.seq, c.action])).toEqual([[2, 'DescribeVpcs']]);
    expect((await admin('GET', '/counters')).json).toEqual({ DescribeVpcs: { ok: 2 } });
    await admin('POST', '/reset');
    expect((await admin('GET', '/counters')).json).toEqual({});
  });

  it('records the caller of every call: the access key ID of its SigV4 signature', async () => {
    const other = new EC2Client({
      endpoint: f.emu.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDREPLICA2', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    await f.ec2.send(new DescribeVpcsCommand({}));
    await other.send(new DescribeVpcsCommand({}));
    const unsigned = await fetch(f.emu.endpoint, { method: 'POST', body: 'Action=DescribeVpcs&Version=2016-11-15' });
    expect(unsigned.status).toBe(200);
    const calls = (await admin('GET', '/calls')).json.calls as Array<{ action: string; accessKeyId: string | null }>;
    expect(calls.map((c) => [c.action, c.accessKeyId])).toEqual([
      ['DescribeVpcs', 'x'],
      ['DescribeVpcs', 'AKIDREPLICA2'],
      ['DescribeVpcs', null],
    ]);
    other.destroy();
  });

  it('faults: set, read back, clear', async () => {
    const set = await admin('POST', '/faults', { errorRate: { p: 1, seed: 7 }, deny: ['CreateRoute'], latency: { ms: 0 } });
    expect(set.json).toMatchObject({ errorRate: 1, denied: ['CreateRoute'], throttle: false });
    expect(await errorCode(f.ec2.send(new DescribeVpcsCommand({})))).toBe('InternalError');
    await admin('POST', '/faults', { throttle: { mutating: { burst: 1, perSecond: 1 } } });
    expect((await admin('GET', '/faults')).json).toMatchObject({
      throttle: { mutating: { burst: 1, perSecond: 1 }, describe: { burst: 100, perSecond: 20 } },
    });
    await admin('POST', '/faults', { clear: true });
    await f.ec2.send(new DescribeVpcsCommand({}));
  });

  it('drift: put and delete a route, terminate an instance, delete an ENI', async () => {
    const put = await admin('PUT', `/route-tables/${f.rtb}/routes`, {
      destination: '100.64.3.0/24',
      target: { networkInterfaceId: f.nodeBEni },
    });
    expect(put.json).toMatchObject({ destination: '100.64.3.0/24', networkInterfaceId: f.nodeBEni, state: 'active' });
    expect((await admin('POST', `/instances/${f.nodeB}/terminate`)).status).toBe(200);
    const rs = (await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.rtb] }))).RouteTables?.[0]?.Routes;
    expect(rs?.[1]).toMatchObject({ DestinationCidrBlock: '100.64.3.0/24', State: 'blackhole' });
    expect((await admin('DELETE', `/route-tables/${f.rtb}/routes?destination=100.64.3.0/24`)).json).toEqual({ deleted: true });
    expect((await admin('DELETE', `/network-interfaces/${f.nodeAEni}`)).status).toBe(200);
    f.emu.model.createRoute(f.rtb, '0.0.0.0/0', { natGatewayId: f.nat });
    expect((await admin('DELETE', `/gateways/${f.nat}`)).status).toBe(200);
    expect(f.emu.model.findRoute(f.rtb, '0.0.0.0/0')).toMatchObject({ natGatewayId: f.nat, state: 'blackhole' });
    expect((await admin('DELETE', `/gateways/${f.nat}`)).status).toBe(400);
    expect(f.emu.model.enis.has(f.nodeAEni)).toBe(false);
    expect((await admin('POST', '/instances/i-0000000000000dead/terminate')).json).toEqual({
      error: "InvalidInstanceID.NotFound: The instance ID 'i-0000000000000dead' does not exist",
    });
  });

  it('setup applies a state document and returns the names', async () => {
    const r = await admin('POST', '/setup', {
      vpcs: [{ name: 'v2', cidr: '10.50.0.0/16', subnets: [{ name: 's', cidr: '10.50.1.0/24' }], instances: [{ name: 'n', subnet: 's' }] }],
    });
    const names = r.json.names as Record<string, string>;
    expect(names.v2).toMatch(/^vpc-/);
    expect(f.emu.model.instances.get(names.n ?? '')?.subnetId).toBe(names.s);
    const badDoc = await admin('POST', '/setup', {
      vpcs: [{ name: 'v3', cidr: '10.60.0.0/16', subnets: [{ name: 's3', cidr: '10.99.0.0/24' }] }],
    });
    expect(badDoc.status).toBe(400);
    expect(badDoc.json.error).toMatch(/^vpcs\.0 \(v3\): InvalidSubnet\.Range/);
  });

  it('route limit and unknown routes', async () => {
    expect((await admin('POST', '/route-limit', { limit: 7 })).json).toEqual({ routeLimit: 7 });
    expect(f.emu.model.routeLimit).toBe(7);
    expect((await admin('GET', '/nope')).status).toBe(404);
    const r = await fetch(`${f.emu.endpoint}/_emulator/faults`, { method: 'POST', body: '{not json' });
    expect(r.status).toBe(400);
    expect((await fetch(f.emu.endpoint)).status).toBe(405);
  });
});
