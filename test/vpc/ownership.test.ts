import { describe, expect, it } from 'vitest';
import { parsePrefix } from '../../src/net/prefix.js';
import { CLAIM_TAG, claimState, isOwnedRoute, routeBudget } from '../../src/vpc/ownership.js';
import type { ActualRoute, RouteTarget } from '../../src/vpc/types.js';

const own = { clusterCidrs: [parsePrefix('10.200.0.0/16'), parsePrefix('fd00:200::/48')] };
const r = (dest: string, target: RouteTarget, origin: ActualRoute['origin'] = 'CreateRoute'): ActualRoute => ({
  destination: parsePrefix(dest),
  destinationText: dest,
  target,
  state: 'active',
  origin,
});

describe('isOwnedRoute', () => {
  it('owns ENI and instance routes inside the cluster CIDRs', () => {
    expect(isOwnedRoute(own, r('10.200.1.0/24', { kind: 'eni', networkInterfaceId: 'eni-1' }))).toBe(true);
    expect(isOwnedRoute(own, r('10.200.1.0/24', { kind: 'instance', instanceId: 'i-1' }))).toBe(true);
    expect(isOwnedRoute(own, r('fd00:200:0:1::/64', { kind: 'eni', networkInterfaceId: 'eni-1' }))).toBe(true);
  });

  it.each<[string, RouteTarget]>([
    ['local', { kind: 'local' }],
    ['IGW', { kind: 'internet-gateway', id: 'igw-1' }],
    ['NAT', { kind: 'nat-gateway', id: 'nat-1' }],
    ['TGW', { kind: 'transit-gateway', id: 'tgw-1' }],
    ['peering', { kind: 'peering', id: 'pcx-1' }],
    ['endpoint', { kind: 'vpc-endpoint', id: 'vpce-1' }],
    ['VGW', { kind: 'virtual-private-gateway', id: 'vgw-1' }],
  ])('never owns a %s route, even inside the cluster CIDRs', (_name, target) => {
    expect(isOwnedRoute(own, r('10.200.1.0/24', target))).toBe(false);
    expect(isOwnedRoute(own, r('10.200.0.0/16', target))).toBe(false);
  });

  it('does not own ENI routes outside the cluster, covering it, propagated or from a prefix list', () => {
    const e: RouteTarget = { kind: 'eni', networkInterfaceId: 'eni-1' };
    expect(isOwnedRoute(own, r('10.201.0.0/24', e))).toBe(false);
    expect(isOwnedRoute(own, r('10.0.0.0/8', e))).toBe(false); // covers the cluster but is not inside it
    expect(isOwnedRoute(own, r('10.200.1.0/24', e, 'EnableVgwRoutePropagation'))).toBe(false);
    expect(
      isOwnedRoute(own, { destination: undefined, destinationText: 'pl-1234', target: e, state: 'active', origin: 'CreateRoute' }),
    ).toBe(false);
  });
});

describe('claimState', () => {
  it('reads the claim tag', () => {
    expect(claimState({}, 'prod')).toEqual({ kind: 'unclaimed' });
    expect(claimState({ [CLAIM_TAG]: 'prod' }, 'prod')).toEqual({ kind: 'ours' });
    expect(claimState({ [CLAIM_TAG]: 'staging' }, 'prod')).toEqual({ kind: 'foreign', owner: 'staging' });
  });
});

describe('routeBudget', () => {
  it('is the limit minus foreign routes of the family minus headroom, never negative', () => {
    const routes = [
      r('10.0.0.0/16', { kind: 'local' }, 'CreateRouteTable'),
      r('0.0.0.0/0', { kind: 'internet-gateway', id: 'igw-1' }),
      r('10.200.1.0/24', { kind: 'eni', networkInterfaceId: 'eni-1' }), // ours: not subtracted
      r('172.16.0.0/12', { kind: 'peering', id: 'pcx-1' }, 'EnableVgwRoutePropagation'), // propagated: not counted
      r('::/0', { kind: 'internet-gateway', id: 'igw-1' }),
    ];
    // local (the table's own) and propagated routes do not count; the IGW route does.
    expect(routeBudget(own, routes, 'ipv4', 50, 0)).toBe(49);
    expect(routeBudget(own, routes, 'ipv4', 50, 5)).toBe(44);
    expect(routeBudget(own, routes, 'ipv6', 50, 0)).toBe(49);
    expect(routeBudget(own, routes, 'ipv4', 2, 5)).toBe(0);
  });
});
