import { describe, expect, it } from 'vitest';
import { ImportPolicy, PolicyConfigError } from '../../src/policy/import-policy.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { path } from '../rib/helpers.js';

const base = {
  clusterCidrs: ['10.200.0.0/16', '10.0.0.0/8', '2001:db8:100::/40', '169.254.0.0/16', 'fd00::/8'],
  vpcCidrs: ['10.0.0.0/16', '2001:db8::/56'],
  subnetCidrs: ['10.0.1.0/24'],
  groups: [
    { name: 'nodes', peers: ['10.0.0.0/16'], ipv4Length: { min: 16, max: 28 }, communityPriorities: ['65000:*', '65001:7=500'] },
    { name: 'rs', peers: ['10.1.9.9', '10.0.9.9'], allowThirdPartyNextHop: true },
  ],
};
const policy = new ImportPolicy(base);

const verdict = (peer: string, prefix: string, nextHop = peer, communities: number[] = []) =>
  policy.evaluatePath(path(peer, prefix, { nextHop, attrs: { communities } }));

describe('ImportPolicy', () => {
  it('assigns peers to groups, the most specific entry wins (as the speaker matches), else the default group', () => {
    // 10.0.9.9 is listed in rs itself and covered by nodes' 10.0.0.0/16: rs, the group the speaker gives it.
    expect(policy.groupOf('10.0.9.9')).toBe('rs');
    expect(policy.groupOf('10.0.9.8')).toBe('nodes');
    expect(policy.groupOf('192.168.1.1')).toBe('default');
    expect(policy.groupOf('::ffff:10.0.3.3')).toBe('nodes');
  });

  it('accepts a host route inside the cluster CIDRs with community priority', () => {
    expect(verdict('10.0.3.3', '10.200.5.0/24')).toEqual({ accepted: true, priority: 0, group: 'nodes' });
    expect(verdict('10.0.3.3', '10.200.5.0/24', '10.0.3.3', [65000 * 65536 + 100])).toMatchObject({ accepted: true, priority: 100 });
    expect(verdict('10.0.3.3', '10.200.5.0/24', '10.0.3.3', [65001 * 65536 + 7, 65000 * 65536 + 3])).toMatchObject({ priority: 500 });
  });

  it.each([
    ['10.0.3.3', '0.0.0.0/0', '10.0.3.3', 'is a default route'],
    ['10.0.3.3', '169.254.168.0/24', '10.0.3.3', 'overlaps the AWS reserved range 169.254.168.0/22'],
    ['192.168.1.1', '11.0.0.0/16', '192.168.1.1', 'outside the allowed prefixes of group default'],
    ['10.0.3.3', '10.200.5.0/29', '10.0.3.3', 'length /29 outside 16..28 (group nodes)'],
    ['10.0.3.3', '10.0.2.0/24', '10.0.3.3', 'is inside VPC CIDR 10.0.0.0/16 and is not a whole subnet'],
    ['10.0.3.3', '10.200.5.0/24', '10.0.3.4', "is not the peer's own address"],
    ['10.1.9.9', '10.200.5.0/24', '10.9.3.4', 'is not inside the VPC CIDRs'],
    ['10.0.3.3', '2001:db8:100::/48', '2001:db8:100::1', "is not the peer's own address"],
    ['192.168.1.1', 'fd00:ec2::/48', '192.168.1.1', 'overlaps the AWS reserved range fd00:ec2::/32'],
  ])('rejects from %s: %s via %s (%s)', (peer, prefix, nh, reason) => {
    const v = verdict(peer, prefix, nh);
    expect(v.accepted).toBe(false);
    expect(v.accepted ? '' : v.reason).toContain(reason);
  });

  it('accepts a whole subnet, third-party next hops where allowed, IPv4-mapped next hops', () => {
    expect(verdict('10.0.3.3', '10.0.1.0/24').accepted).toBe(true);
    // 10.0.9.9 is rs (its own entry beats nodes' /16, in either order): third-party next hops allowed; nodes' not.
    expect(policy.evaluatePath(path('10.0.9.9', '10.200.5.0/24', { nextHop: '10.0.4.4' })).accepted).toBe(true);
    expect(policy.evaluatePath(path('10.0.3.3', '10.200.5.0/24', { nextHop: '10.0.4.4' })).accepted).toBe(false);
    const rs = new ImportPolicy({
      ...base,
      groups: [base.groups[1] as (typeof base.groups)[1], base.groups[0] as (typeof base.groups)[0]],
    });
    expect(rs.evaluatePath(path('10.0.9.9', '10.200.5.0/24', { nextHop: '10.0.4.4' })).accepted).toBe(true);
    expect(verdict('::ffff:10.0.3.3', '10.200.5.0/24', '10.0.3.3').accepted).toBe(true);
  });

  it('without VPC CIDRs requires private next hops (loopback only when allowed)', () => {
    const p = new ImportPolicy({ clusterCidrs: ['10.200.0.0/16'] });
    expect(p.evaluatePath(path('10.1.1.1', '10.200.0.0/24')).accepted).toBe(true);
    expect(p.evaluatePath(path('8.8.8.8', '10.200.0.0/24'))).toMatchObject({
      accepted: false,
      reason: 'next hop 8.8.8.8 is not a private address',
    });
    expect(p.evaluatePath(path('127.0.1.11', '10.200.0.0/24')).accepted).toBe(false);
    const lo = new ImportPolicy({ clusterCidrs: ['10.200.0.0/16'], allowLoopbackNextHops: true });
    expect(lo.evaluatePath(path('127.0.1.11', '10.200.0.0/24')).accepted).toBe(true);
  });

  it('evaluates spec entries with the default group rules', () => {
    expect(policy.evaluateSpec(parsePrefix('10.200.1.0/24'), '10.0.5.5')).toEqual({ accepted: true, priority: 0, group: 'default' });
    expect(policy.evaluateSpec(parsePrefix('10.0.5.0/24'), '10.0.5.5')).toMatchObject({ accepted: false });
  });

  it('refuses bad options with a UserError', () => {
    expect(() => new ImportPolicy({ clusterCidrs: ['10.0.0.0/33'] })).toThrow(PolicyConfigError);
    expect(() => new ImportPolicy({ clusterCidrs: [], groups: [{ name: 'g', communityPriorities: ['65000:x'] }] })).toThrow(
      /bad community priority rule "65000:x"/,
    );
    expect(() => new ImportPolicy({ clusterCidrs: [], groups: [{ name: 'g', ipv4Length: { min: 30, max: 20 } }] })).toThrow(
      /length bounds/,
    );
  });
});
