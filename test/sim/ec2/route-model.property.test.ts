// Property: any sequence of CreateRoute / ReplaceRoute / DeleteRoute on the model behaves like a plain map from
// canonical destination to target, with EC2's error codes and a per-family limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import { Ec2ApiError } from '../../../src/sim/ec2/ec2-error.js';
import { Ec2Model } from '../../../src/sim/ec2/model.js';

type Op = { kind: 'create' | 'replace' | 'delete'; v6: boolean; slot: number; host: number; eni: 0 | 1 };

const op = fc.record({
  kind: fc.constantFrom('create' as const, 'replace' as const, 'delete' as const),
  v6: fc.boolean(),
  slot: fc.integer({ min: 0, max: 7 }),
  host: fc.integer({ min: 0, max: 255 }),
  eni: fc.constantFrom(0 as const, 1 as const),
});

function dest(o: Op): { text: string; canonical: string } {
  const text = o.v6 ? `2001:db8:${o.slot}::${o.host.toString(16)}/48` : `100.64.${o.slot}.${o.host}/24`;
  return { text, canonical: formatPrefix(parsePrefix(text, { requireCanonical: false })) };
}

function codeOf(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof Ec2ApiError) return err.code;
    throw err;
  }
}

describe('route model', () => {
  it('matches a reference map', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, limit) => {
        const m = new Ec2Model({ routeLimit: limit });
        const vpc = m.createVpc({ cidr: '10.0.0.0/16', ipv6Cidr: true });
        const sn = m.createSubnet({ vpcId: vpc.id, cidr: '10.0.1.0/24' });
        const [a, b] = m.runInstances({ subnetId: sn.id, count: 2 });
        const enis = [a?.primaryEniId as string, b?.primaryEniId as string];
        const rtb = m.createRouteTable(vpc.id).id;
        const ref = new Map<string, string>();
        const count = (v6: boolean) => [...ref.keys()].filter((k) => k.includes(':') === v6).length;
        for (const o of ops) {
          const { text, canonical } = dest(o);
          const target = { networkInterfaceId: enis[o.eni] as string };
          let want: string;
          switch (o.kind) {
            case 'create':
              want = ref.has(canonical) ? 'RouteAlreadyExists' : count(o.v6) >= limit ? 'RouteLimitExceeded' : 'ok';
              expect(codeOf(() => m.createRoute(rtb, text, target))).toBe(want);
              if (want === 'ok') ref.set(canonical, target.networkInterfaceId);
              break;
            case 'replace':
              want = ref.has(canonical) ? 'ok' : 'InvalidParameterValue';
              expect(codeOf(() => m.replaceRoute(rtb, text, target))).toBe(want);
              if (want === 'ok') ref.set(canonical, target.networkInterfaceId);
              break;
            case 'delete':
              want = ref.has(canonical) ? 'ok' : 'InvalidRoute.NotFound';
              expect(codeOf(() => m.deleteRoute(rtb, text))).toBe(want);
              ref.delete(canonical);
              break;
          }
        }
        const actual = m.routesOf(rtb).filter((r) => r.targetKind !== 'local');
        expect(new Map(actual.map((r) => [r.destination, r.networkInterfaceId]))).toEqual(ref);
        expect(actual.every((r) => r.state === 'active')).toBe(true);
        expect(m.routesOf(rtb).filter((r) => r.targetKind === 'local').length).toBe(2);
      }),
      { numRuns: 200 },
    );
  });
});
