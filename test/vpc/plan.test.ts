import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, makePrefix, parsePrefix, prefixEquals, type Prefix } from '../../src/net/prefix.js';
import { describeOp, plan, type PlanOp } from '../../src/vpc/plan.js';
import type { ActualRoute, DesiredTableRoute, RouteTarget } from '../../src/vpc/types.js';

const P = (t: string): Prefix => parsePrefix(t);
const own = { clusterCidrs: [P('10.200.0.0/16'), P('fd00:200::/48')] };

function route(dest: string, target: RouteTarget, extra: Partial<ActualRoute> = {}): ActualRoute {
  return { destination: P(dest), destinationText: dest, target, state: 'active', origin: 'CreateRoute', ...extra };
}
const eni = (id: string): RouteTarget => ({ kind: 'eni', networkInterfaceId: id });
const want = (dest: string, id: string, failover = false): DesiredTableRoute => ({ prefix: P(dest), networkInterfaceId: id, failover });

// A typical table: the local route, an IGW default, a NAT route inside the cluster range (someone else's),
// a peering route, and two of ours.
const baseTable: ActualRoute[] = [
  route('10.0.0.0/16', { kind: 'local' }, { origin: 'CreateRouteTable' }),
  route('0.0.0.0/0', { kind: 'internet-gateway', id: 'igw-1' }),
  route('10.200.99.0/24', { kind: 'nat-gateway', id: 'nat-1' }),
  route('10.200.98.0/24', { kind: 'peering', id: 'pcx-1' }),
  route('10.200.1.0/24', eni('eni-a')),
  route('10.200.2.0/24', eni('eni-b')),
];

const kinds = (ops: readonly PlanOp[]): string[] => ops.map(describeOp);

describe('plan', () => {
  it('is empty when the owned routes already match', () => {
    const p = plan({
      tableId: 'rtb-1',
      desired: [want('10.200.1.0/24', 'eni-a'), want('10.200.2.0/24', 'eni-b')],
      actual: baseTable,
      ownership: own,
      routeLimit: 50,
    });
    expect(p.ops).toEqual([]);
    expect(p.conflicts).toEqual([]);
  });

  it('changes a target with exactly one replace, never delete + create', () => {
    const p = plan({
      tableId: 'rtb-1',
      desired: [want('10.200.1.0/24', 'eni-c'), want('10.200.2.0/24', 'eni-b')],
      actual: baseTable,
      ownership: own,
      routeLimit: 50,
    });
    expect(kinds(p.ops)).toEqual(['~ 10.200.1.0/24 eni-a → eni-c (target-changed)']);
  });

  it('never touches foreign routes, even inside the cluster CIDRs, and reports the conflict', () => {
    const p = plan({ tableId: 'rtb-1', desired: [want('10.200.99.0/24', 'eni-a')], actual: baseTable, ownership: own, routeLimit: 50 });
    // Our two routes are no longer desired: deleted. The NAT and peering routes stay.
    expect(kinds(p.ops)).toEqual(['- 10.200.1.0/24 (was eni-a)', '- 10.200.2.0/24 (was eni-b)']);
    expect(p.conflicts).toEqual([{ kind: 'foreign-route', prefix: P('10.200.99.0/24'), existing: { kind: 'nat-gateway', id: 'nat-1' } }]);
  });

  it('does not own ENI routes outside the cluster CIDRs nor propagated routes', () => {
    const actual = [
      ...baseTable,
      route('192.168.0.0/24', eni('eni-x')),
      route('10.200.50.0/24', eni('eni-y'), { origin: 'EnableVgwRoutePropagation' }),
    ];
    const p = plan({ tableId: 'rtb-1', desired: [], actual, ownership: own, routeLimit: 50 });
    expect(kinds(p.ops)).toEqual(['- 10.200.1.0/24 (was eni-a)', '- 10.200.2.0/24 (was eni-b)']);
  });

  it('orders failover replaces, creates, cosmetic replaces, then deletes', () => {
    const actual = [...baseTable, route('10.200.3.0/24', eni('eni-dead'), { state: 'blackhole' }), route('10.200.4.0/24', eni('eni-d'))];
    const p = plan({
      tableId: 'rtb-1',
      desired: [
        want('10.200.1.0/24', 'eni-z'), // cosmetic
        want('10.200.2.0/24', 'eni-c', true), // failover flagged by the route spec
        want('10.200.3.0/24', 'eni-c'), // blackhole repair
        want('10.200.5.0/24', 'eni-c'), // new
      ],
      actual,
      ownership: own,
      routeLimit: 50,
    });
    expect(kinds(p.ops)).toEqual([
      '~ 10.200.2.0/24 eni-b → eni-c (failover)',
      '~ 10.200.3.0/24 eni-dead → eni-c (blackhole)',
      '+ 10.200.5.0/24 → eni-c',
      '~ 10.200.1.0/24 eni-a → eni-z (target-changed)',
      '- 10.200.4.0/24 (was eni-d)',
    ]);
  });

  it('treats a replace away from an unhealthy target as a failover', () => {
    const p = plan({
      tableId: 'rtb-1',
      desired: [want('10.200.1.0/24', 'eni-c')],
      actual: [route('10.200.1.0/24', eni('eni-a'))],
      ownership: own,
      routeLimit: 50,
      unhealthyTargets: new Set(['eni-a']),
    });
    expect(p.ops).toEqual([
      { kind: 'replace', prefix: P('10.200.1.0/24'), networkInterfaceId: 'eni-c', from: 'eni-a', reason: 'unhealthy-target' },
    ]);
  });

  it('reports a blackholed route to the same dead ENI as stuck, without writing', () => {
    const p = plan({
      tableId: 'rtb-1',
      desired: [want('10.200.1.0/24', 'eni-a')],
      actual: [route('10.200.1.0/24', eni('eni-a'), { state: 'blackhole' })],
      ownership: own,
      routeLimit: 50,
    });
    expect(p.ops).toEqual([]);
    expect(p.stuck).toEqual([{ prefix: P('10.200.1.0/24'), networkInterfaceId: 'eni-a' }]);
  });

  it('refuses destinations outside the cluster or inside a VPC CIDR', () => {
    const p = plan({
      tableId: 'rtb-1',
      desired: [want('172.16.0.0/24', 'eni-a'), want('10.200.7.0/24', 'eni-a')],
      actual: [],
      ownership: own,
      routeLimit: 50,
      vpcCidrs: [P('10.200.7.0/24')],
    });
    expect(p.ops).toEqual([]);
    expect(p.conflicts.map((c) => c.kind)).toEqual(['outside-cluster', 'inside-vpc-cidr']);
  });

  it('creates before deleting while the quota allows, deletes first when it does not', () => {
    // Limit 4: 3 of ours (the local route does not count), one slot free. Swap two /24s for a /23 and add a /25: one create fits before
    // the deletes, the other waits for them.
    const actual = [
      route('10.0.0.0/16', { kind: 'local' }, { origin: 'CreateRouteTable' }),
      route('10.200.0.0/24', eni('a')),
      route('10.200.1.0/24', eni('a')),
      route('10.200.9.0/24', eni('b')),
    ];
    const p = plan({
      tableId: 't',
      desired: [want('10.200.0.0/23', 'a'), want('10.200.9.0/24', 'b'), want('10.200.10.0/25', 'c')],
      actual,
      ownership: own,
      routeLimit: 4,
    });
    expect(kinds(p.ops)).toEqual(['+ 10.200.0.0/23 → a', '- 10.200.0.0/24 (was a)', '- 10.200.1.0/24 (was a)', '+ 10.200.10.0/25 → c']);
    expect(p.overLimit).toBe(0);
  });

  it('counts creates that cannot fit even after the deletes', () => {
    const p = plan({
      tableId: 't',
      desired: [want('10.200.0.0/24', 'a'), want('10.200.1.0/24', 'a'), want('10.200.2.0/24', 'a')],
      actual: [],
      ownership: own,
      routeLimit: 2,
    });
    expect(p.ops).toHaveLength(3);
    expect(p.overLimit).toBe(1);
  });

  it('takes a different limit per family', () => {
    const p = plan({
      tableId: 't',
      desired: [want('10.200.0.0/24', 'a'), want('10.200.1.0/24', 'a'), want('fd00:200::/64', 'a')],
      actual: [],
      ownership: own,
      routeLimit: { ipv4: 1, ipv6: 50 },
    });
    expect(p.overLimit).toBe(1);
  });

  it('counts IPv4 and IPv6 quotas separately', () => {
    const actual = [route('10.200.0.0/24', eni('a')), route('10.200.1.0/24', eni('a'))];
    const p = plan({
      tableId: 't',
      desired: [want('10.200.0.0/24', 'a'), want('10.200.1.0/24', 'a'), want('fd00:200::/64', 'a')],
      actual,
      ownership: own,
      routeLimit: 2,
    });
    expect(kinds(p.ops)).toEqual(['+ fd00:200::/64 → a']);
    expect(p.overLimit).toBe(0);
  });
});

// Property tests: random owned/foreign tables and random desired sets.
const slot = fc.integer({ min: 0, max: 15 });
const target = fc.constantFrom('eni-a', 'eni-b', 'eni-c');
const foreignKinds = fc.constantFrom<RouteTarget>(
  { kind: 'nat-gateway', id: 'nat-1' },
  { kind: 'internet-gateway', id: 'igw-1' },
  { kind: 'transit-gateway', id: 'tgw-1' },
  { kind: 'local' },
);
const pfx = (i: number): Prefix => makePrefix('ipv4', (10n << 24n) | (200n << 16n) | (BigInt(i) << 8n), 24);

const scenario = fc.record({
  owned: fc.uniqueArray(fc.record({ i: slot, t: target, blackhole: fc.boolean() }), { selector: (r) => r.i }),
  foreign: fc.uniqueArray(fc.record({ i: slot, t: foreignKinds }), { selector: (r) => r.i }),
  desired: fc.uniqueArray(fc.record({ i: slot, t: target, failover: fc.boolean() }), { selector: (r) => r.i }),
});

interface Scenario {
  readonly owned: readonly { i: number; t: string; blackhole: boolean }[];
  readonly foreign: readonly { i: number; t: RouteTarget }[];
  readonly desired: readonly { i: number; t: string; failover: boolean }[];
}

function build(s: Scenario) {
  const foreignSlots = new Set(s.foreign.map((f) => f.i));
  const actual: ActualRoute[] = [
    ...s.foreign.map((f) => route(formatPrefix(pfx(f.i)), f.t)),
    ...s.owned
      .filter((o) => !foreignSlots.has(o.i))
      .map((o) => route(formatPrefix(pfx(o.i)), eni(o.t), { state: o.blackhole ? 'blackhole' : 'active' })),
  ];
  const desired = s.desired.map((d) => ({ prefix: pfx(d.i), networkInterfaceId: d.t, failover: d.failover }));
  return { actual, desired };
}

function applyOps(actual: readonly ActualRoute[], ops: readonly PlanOp[]): ActualRoute[] {
  let out = [...actual];
  for (const op of ops) {
    const i = out.findIndex((r) => r.destination && prefixEquals(r.destination, op.prefix));
    if (op.kind === 'create') {
      expect(i).toBe(-1); // CreateRoute on an existing destination would be RouteAlreadyExists
      out.push(route(formatPrefix(op.prefix), eni(op.networkInterfaceId)));
    } else {
      expect(i).toBeGreaterThanOrEqual(0); // Replace/Delete on a missing destination would fail
      out = out.filter((_, j) => j !== i);
      if (op.kind === 'replace') out.push(route(formatPrefix(op.prefix), eni(op.networkInterfaceId)));
    }
  }
  return out;
}

describe('plan properties', () => {
  it('apply then plan again yields no ops, foreign routes are untouched, each prefix gets at most one op', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { actual, desired } = build(s);
        const p = plan({ tableId: 't', desired, actual, ownership: own, routeLimit: 1000 });
        const touched = p.ops.map((o) => formatPrefix(o.prefix));
        expect(new Set(touched).size).toBe(touched.length);
        for (const r of actual) {
          if (r.target.kind !== 'eni') expect(touched).not.toContain(r.destinationText);
        }
        const after = applyOps(actual, p.ops);
        for (const r of actual.filter((x) => x.target.kind !== 'eni')) expect(after).toContainEqual(r);
        const again = plan({ tableId: 't', desired, actual: after, ownership: own, routeLimit: 1000 });
        expect(again.ops).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('deletes come after every create and replace when the quota is not binding', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { actual, desired } = build(s);
        const ops = plan({ tableId: 't', desired, actual, ownership: own, routeLimit: 1000 }).ops;
        const firstDelete = ops.findIndex((o) => o.kind === 'delete');
        if (firstDelete >= 0) expect(ops.slice(firstDelete).every((o) => o.kind === 'delete')).toBe(true);
        const lastFailover = ops.map((o) => o.kind === 'replace' && o.reason !== 'target-changed').lastIndexOf(true);
        const firstCosmetic = ops.findIndex((o) => o.kind === 'replace' && o.reason === 'target-changed');
        if (lastFailover >= 0 && firstCosmetic >= 0) expect(lastFailover).toBeLessThan(firstCosmetic);
      }),
      { numRuns: 300 },
    );
  });
});
