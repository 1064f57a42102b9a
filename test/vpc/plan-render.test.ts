import { describe, expect, it } from 'vitest';
import { parsePrefix } from '../../src/net/prefix.js';
import type { Plan } from '../../src/vpc/plan.js';
import { plansToJson, renderPlans } from '../../src/vpc/plan-render.js';

const P = parsePrefix;
const plan: Plan = {
  tableId: 'rtb-1',
  ops: [
    { kind: 'replace', prefix: P('10.200.1.0/24'), networkInterfaceId: 'eni-c', from: 'eni-b', reason: 'blackhole' },
    { kind: 'create', prefix: P('10.200.0.0/24'), networkInterfaceId: 'eni-a', failover: false },
    { kind: 'delete', prefix: P('10.200.9.0/24'), from: 'eni-z' },
  ],
  conflicts: [{ kind: 'foreign-route', prefix: P('10.200.250.0/24'), existing: { kind: 'nat-gateway', id: 'nat-1' } }],
  stuck: [{ prefix: P('10.200.3.0/24'), networkInterfaceId: 'eni-d' }],
  overLimit: 0,
};

describe('renderPlans', () => {
  it('prints one block per table with every op, conflict and stuck route', () => {
    expect(renderPlans([plan, { tableId: 'rtb-2', ops: [], conflicts: [], stuck: [], overLimit: 0 }])).toBe(
      [
        'rtb-1: 1 to create, 1 to replace, 1 to delete',
        '  ~ 10.200.1.0/24 eni-b → eni-c (blackhole)',
        '  + 10.200.0.0/24 → eni-a',
        '  - 10.200.9.0/24 (was eni-z)',
        '  ! 10.200.250.0/24 is held by a route we do not own (→ nat-1); not touched',
        '  ! 10.200.3.0/24 → eni-d is blackholed; waiting for another next hop',
        'rtb-2: no changes',
        '',
      ].join('\n'),
    );
  });

  it('has a JSON form without bigints', () => {
    const j = plansToJson([plan]);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect(j[0]!.ops[0]).toEqual({ kind: 'replace', destination: '10.200.1.0/24', target: 'eni-c', from: 'eni-b', reason: 'blackhole' });
  });
});
