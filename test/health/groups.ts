// Explicit probe and damping settings for the health unit tests. They are test parameters, not defaults: the
// only defaults live in the configuration schema, and test/config/defaults.test.ts checks those through
// parseConfig on config/minimal.yaml.
import type { DampingOptions } from '../../src/health/damping.js';
import type { ProbeGroupOptions } from '../../src/health/options.js';

/** Penalty 1000 per flap, half-life 30 s, suppress above 2500 (three quick flaps), reuse below 1000, at most 180 s. */
export const TEST_DAMPING: DampingOptions = { penalty: 1000, halfLifeMs: 30_000, suppress: 2500, reuse: 1000, maxSuppressMs: 180_000 };

/** A probe group: every 200 ms, timeout 150 ms, up after 2 good probes, down after 3 failures, TEST_DAMPING. */
export function probeGroup(probe: ProbeGroupOptions['probe'], over: Partial<Omit<ProbeGroupOptions, 'probe'>> = {}): ProbeGroupOptions {
  return { probe, intervalMs: 200, timeoutMs: 150, rise: 2, fall: 3, damping: TEST_DAMPING, ...over };
}
