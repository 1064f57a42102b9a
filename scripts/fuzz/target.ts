// A fuzz target: named properties over generated inputs, each run for a share of the target's inputs. A property
// returns true, or false / throws for a failure; fast-check shrinks failures to a small counterexample.
import fc from 'fast-check';

export interface FuzzProperty<T = unknown> {
  readonly name: string;
  readonly arb: fc.Arbitrary<T>;
  readonly check: (x: T) => boolean;
  /** Share of the target's inputs (default 1). */
  readonly weight?: number;
}

export interface FuzzTarget {
  readonly name: string;
  readonly properties: readonly FuzzProperty[];
}

export interface PropertyResult {
  readonly target: string;
  readonly property: string;
  readonly inputs: number;
  readonly seconds: number;
  /** The slowest single input, ms (a hang shows here long before any timeout). */
  readonly slowestMs: number;
  readonly failure?: string;
}

export const prop = <T>(p: FuzzProperty<T>): FuzzProperty => p as FuzzProperty;

export function runTarget(t: FuzzTarget, inputs: number, seed: number): PropertyResult[] {
  const total = t.properties.reduce((n, p) => n + (p.weight ?? 1), 0);
  return t.properties.map((p) => {
    const runs = Math.max(1, Math.round((inputs * (p.weight ?? 1)) / total));
    let slowest = 0;
    const timed = (x: unknown): boolean => {
      const t0 = performance.now();
      try {
        return p.check(x);
      } finally {
        slowest = Math.max(slowest, performance.now() - t0);
      }
    };
    const t0 = performance.now();
    const r = fc.check(fc.property(p.arb, timed), { numRuns: runs, seed, endOnFailure: true });
    return {
      target: t.name,
      property: p.name,
      inputs: r.numRuns,
      seconds: (performance.now() - t0) / 1000,
      slowestMs: slowest,
      ...(r.failed ? { failure: fc.defaultReportMessage(r) ?? 'failed' } : {}),
    };
  });
}
