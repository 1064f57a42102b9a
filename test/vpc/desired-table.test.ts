import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/aggregate/aggregate.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { desiredTable } from '../../src/vpc/desired-table.js';
import { DesiredRoutes } from '../../src/vpc/desired-routes.js';
import { exactTable } from '../../src/vpc/exact-table.js';
import type { ActualRoute, DesiredRoute } from '../../src/vpc/types.js';

const P = parsePrefix;
const own = { clusterCidrs: [P('10.200.0.0/16')] };
const eniOf = (ip: string): string | undefined => ({ '10.0.1.10': 'eni-a', '10.0.1.11': 'eni-b' })[ip];
const actual: ActualRoute[] = [
  {
    destination: P('0.0.0.0/0'),
    destinationText: '0.0.0.0/0',
    target: { kind: 'internet-gateway', id: 'igw-1' },
    state: 'active',
    origin: 'CreateRoute',
  },
  {
    destination: P('10.200.9.0/24'),
    destinationText: '10.200.9.0/24',
    target: { kind: 'eni', networkInterfaceId: 'eni-old' },
    state: 'active',
    origin: 'CreateRoute',
  },
];

describe('desiredTable', () => {
  it('resolves, budgets and aggregates one family; keeps the last route of an unresolved next hop', () => {
    const routes: DesiredRoute[] = [
      { prefix: P('10.200.0.0/24'), nextHop: '10.0.1.10' },
      { prefix: P('10.200.1.0/24'), nextHop: '10.0.1.10', failover: true },
      { prefix: P('10.200.9.0/24'), nextHop: '10.0.1.99' }, // unresolved: keep eni-old
      { prefix: P('10.201.0.0/24'), nextHop: '10.0.1.10' }, // outside the cluster
      { prefix: P('fd00::/64'), nextHop: '10.0.1.10' }, // other family
    ];
    const d = desiredTable({
      family: 'ipv4',
      routes: DesiredRoutes.of(routes),
      eniOf,
      actual,
      ownership: own,
      routeLimit: 10,
      headroom: 1,
      spareRoutes: 0,
      aggregate: exactTable,
      collapse: false,
    });
    expect(d.budget).toBe(8); // 10 − IGW − headroom
    expect(d.routes).toEqual([
      { prefix: P('10.200.0.0/24'), networkInterfaceId: 'eni-a', failover: false },
      { prefix: P('10.200.1.0/24'), networkInterfaceId: 'eni-a', failover: true },
      { prefix: P('10.200.9.0/24'), networkInterfaceId: 'eni-old', failover: false },
    ]);
    expect(d.unresolvedNextHops).toEqual(['10.0.1.99']);
    expect(d.outsideCluster).toEqual([P('10.201.0.0/24')]);
  });

  it("with the real aggregator, merges into don't-care space and marks the covering route as a failover", () => {
    const routes: DesiredRoute[] = [
      { prefix: P('10.200.0.0/24'), nextHop: '10.0.1.10' },
      { prefix: P('10.200.1.0/24'), nextHop: '10.0.1.10', failover: true },
    ];
    const d = desiredTable({
      family: 'ipv4',
      routes: DesiredRoutes.of(routes),
      eniOf,
      actual: [],
      ownership: own,
      routeLimit: 50,
      headroom: 0,
      spareRoutes: 0,
      aggregate,
      collapse: true,
    });
    expect(d.routes).toHaveLength(1);
    expect(d.routes[0]).toMatchObject({ networkInterfaceId: 'eni-a', failover: true });
    expect(d.damage.addresses).toBe(0n);
  });

  it('takes the last next hop given for a duplicate prefix', () => {
    const routes: DesiredRoute[] = [
      { prefix: P('10.200.0.0/24'), nextHop: '10.0.1.10' },
      { prefix: P('10.200.0.0/24'), nextHop: '10.0.1.11' },
    ];
    const d = desiredTable({
      family: 'ipv4',
      routes: DesiredRoutes.of(routes),
      eniOf,
      actual: [],
      ownership: own,
      routeLimit: 50,
      headroom: 0,
      spareRoutes: 0,
      aggregate,
      collapse: true,
    });
    expect(d.routes.map((r) => r.networkInterfaceId)).toEqual(['eni-b']);
  });

  it('splits an aggregate that would land exactly on a foreign destination, but never an announced prefix', () => {
    const nat: ActualRoute = {
      destination: P('10.200.250.0/24'),
      destinationText: '10.200.250.0/24',
      target: { kind: 'nat-gateway', id: 'nat-1' },
      state: 'active',
      origin: 'CreateRoute',
    };
    // Two /25s to one host, in a cluster that is exactly their /24: the aggregate would be that /24.
    const narrow = { clusterCidrs: [P('10.200.250.0/24')] };
    const halves: DesiredRoute[] = [
      { prefix: P('10.200.250.0/25'), nextHop: '10.0.1.10' },
      { prefix: P('10.200.250.128/25'), nextHop: '10.0.1.10' },
    ];
    const d = desiredTable({
      family: 'ipv4',
      routes: DesiredRoutes.of(halves),
      eniOf,
      actual: [nat],
      ownership: narrow,
      routeLimit: 50,
      headroom: 0,
      spareRoutes: 0,
      aggregate,
      collapse: true,
    });
    expect(d.routes.map((r) => [r.prefix, r.networkInterfaceId])).toEqual([
      [P('10.200.250.0/25'), 'eni-a'],
      [P('10.200.250.128/25'), 'eni-a'],
    ]);
    const exact = desiredTable({
      family: 'ipv4',
      routes: DesiredRoutes.of([{ prefix: P('10.200.250.0/24'), nextHop: '10.0.1.10' }]),
      eniOf,
      actual: [nat],
      ownership: narrow,
      routeLimit: 50,
      headroom: 0,
      spareRoutes: 0,
      aggregate,
      collapse: true,
    });
    expect(exact.routes.map((r) => r.prefix)).toEqual([P('10.200.250.0/24')]); // left for the planner to refuse
  });
});
