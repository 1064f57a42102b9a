import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import type { EniInfo } from '../../src/vpc/ec2-gateway.js';
import { EniResolver } from '../../src/vpc/eni-resolver.js';

const eni = (ip: string, id: string, instanceId?: string): EniInfo => ({
  ip,
  networkInterfaceId: id,
  vpcId: 'vpc-1',
  subnetId: 'subnet-1',
  az: 'us-east-1a',
  sourceDestCheck: false,
  ...(instanceId ? { instanceId } : {}),
});

function fakeLookup(table: Map<string, EniInfo>, refuse: Set<string> = new Set()) {
  const calls: string[][] = [];
  const lookup = (ips: readonly string[]) => {
    calls.push([...ips]);
    return Promise.resolve({ enis: ips.flatMap((ip) => table.get(ip) ?? []), failed: ips.filter((ip) => refuse.has(ip)) });
  };
  return { lookup, calls };
}

describe('EniResolver', () => {
  it('asks once for all unknown IPs, then answers from the cache', async () => {
    const { lookup, calls } = fakeLookup(new Map([['10.0.0.5', eni('10.0.0.5', 'eni-5')]]));
    const r = new EniResolver(lookup, new FakeClock());
    const res = await r.resolve(['10.0.0.5', '10.0.0.6', '10.0.0.5']);
    expect(calls).toEqual([['10.0.0.5', '10.0.0.6']]);
    expect(res.get('10.0.0.5')).toEqual({ kind: 'found', eni: eni('10.0.0.5', 'eni-5') });
    expect(res.get('10.0.0.6')).toEqual({ kind: 'missing' });
    await r.resolve(['10.0.0.5', '10.0.0.6']);
    expect(calls).toHaveLength(1);
  });

  it('forgets "missing" answers after the TTL so a new host is found', async () => {
    const table = new Map<string, EniInfo>();
    const { lookup, calls } = fakeLookup(table);
    const clock = new FakeClock();
    const r = new EniResolver(lookup, clock, 1000);
    await r.resolve(['10.0.0.7']);
    table.set('10.0.0.7', eni('10.0.0.7', 'eni-7'));
    clock.advance(999);
    expect((await r.resolve(['10.0.0.7'])).get('10.0.0.7')?.kind).toBe('missing');
    clock.advance(1);
    expect((await r.resolve(['10.0.0.7'])).get('10.0.0.7')?.kind).toBe('found');
    expect(calls).toHaveLength(2);
  });

  it('invalidates by ENI or instance (blackhole refresh) and keeps refused lookups unknown', async () => {
    const { lookup, calls } = fakeLookup(
      new Map([
        ['10.0.0.5', eni('10.0.0.5', 'eni-5', 'i-5')],
        ['10.0.0.8', eni('10.0.0.8', 'eni-5', 'i-5')],
      ]),
      new Set(['fd00::1']),
    );
    const r = new EniResolver(lookup, new FakeClock());
    const res = await r.resolve(['10.0.0.5', '10.0.0.8', 'fd00::1']);
    expect(res.get('fd00::1')).toEqual({ kind: 'unknown' });
    expect(r.ipsOf('i-5').sort()).toEqual(['10.0.0.5', '10.0.0.8']);
    expect(r.invalidateTarget('eni-5').sort()).toEqual(['10.0.0.5', '10.0.0.8']);
    expect(r.peek('10.0.0.5')).toEqual({ kind: 'unknown' });
    await r.resolve(['10.0.0.5']);
    expect(calls.at(-1)).toEqual(['10.0.0.5']);
  });

  it('canonicalises next-hop text (IPv4-mapped IPv6 → IPv4)', () => {
    expect(EniResolver.canonical('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(EniResolver.canonical('FD00::1')).toBe('fd00::1');
    expect(EniResolver.canonical('host.example')).toBeUndefined();
  });

  it('keeps the ENI of each VPC when an IP exists in several (overlapping VPC CIDRs)', async () => {
    const lookup = (ips: readonly string[]) =>
      Promise.resolve({
        enis: ips.flatMap((ip) => [
          { ...eni(ip, 'eni-1'), vpcId: 'vpc-1' },
          { ...eni(ip, 'eni-2'), vpcId: 'vpc-2' },
        ]),
        failed: [],
      });
    const r = new EniResolver(lookup, new FakeClock());
    await r.resolve(['10.0.0.5']);
    expect(r.peek('10.0.0.5', 'vpc-2')).toMatchObject({ kind: 'found', eni: { networkInterfaceId: 'eni-2' } });
    expect(r.peek('10.0.0.5', 'vpc-1')).toMatchObject({ kind: 'found', eni: { networkInterfaceId: 'eni-1' } });
    expect(r.peek('10.0.0.5', 'vpc-3')).toEqual({ kind: 'missing' });
  });
});
