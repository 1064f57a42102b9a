// Health-check options per group (plain objects; the daemon maps the YAML config onto them, defaults included).
import { UserError } from '../base/errors.js';
import { validateDamping, type DampingOptions } from './damping.js';
import type { ProbeSpec } from './probes.js';

export interface ProbeGroupOptions {
  readonly probe: ProbeSpec;
  /** Time between probe starts (ms). */
  readonly intervalMs: number;
  /** Probe timeout (ms), at most the interval. */
  readonly timeoutMs: number;
  /** Consecutive successes to come back up. */
  readonly rise: number;
  /** Consecutive failures to go down. */
  readonly fall: number;
  /** Spread of each interval, as a fraction (±). Default PROBE_JITTER. */
  readonly jitter?: number;
  /** Flap damping; false disables it. */
  readonly damping: DampingOptions | false;
}

export interface ResolvedProbeGroup {
  readonly probe: ProbeGroupOptions['probe'];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly jitter: number;
  readonly damping: DampingOptions | undefined;
}

// The probe settings come from the configuration (src/config/schema.ts holds their defaults and the reasoning);
// this module has no defaults of its own, so the daemon and the tests cannot disagree about them. Jitter is not
// a configuration option: every interval is spread by ±10% so that targets added together do not probe in step.
export const PROBE_JITTER = 0.1;

export class HealthConfigError extends UserError {
  constructor(message: string) {
    super('BAD_HEALTH_CONFIG', message);
  }
}

export function resolveProbeGroup(name: string, o: ProbeGroupOptions): ResolvedProbeGroup {
  const r = {
    probe: o.probe,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
    rise: o.rise,
    fall: o.fall,
    jitter: o.jitter ?? PROBE_JITTER,
    damping: o.damping === false ? undefined : o.damping,
  };
  const bad = (m: string): never => {
    throw new HealthConfigError(`health group ${name}: ${m}`);
  };
  if (!(r.intervalMs >= 10)) bad(`interval ${r.intervalMs} ms must be at least 10 ms`);
  if (!(r.timeoutMs > 0 && r.timeoutMs <= r.intervalMs))
    bad(`timeout ${r.timeoutMs} ms must be positive and at most the interval (${r.intervalMs} ms)`);
  if (!(Number.isInteger(r.rise) && r.rise >= 1 && Number.isInteger(r.fall) && r.fall >= 1)) bad('rise and fall must be integers ≥ 1');
  if (!(r.jitter >= 0 && r.jitter < 0.5)) bad('jitter must be in [0, 0.5)');
  if (
    (r.probe.type === 'tcp' || r.probe.type === 'http') &&
    !(Number.isInteger(r.probe.port) && r.probe.port > 0 && r.probe.port < 65536)
  ) {
    bad(`probe port ${r.probe.port} must be 1..65535`);
  }
  if (r.probe.type === 'http' && r.probe.path !== undefined && !r.probe.path.startsWith('/'))
    bad(`http path "${r.probe.path}" must start with /`);
  if (r.damping) {
    const d = validateDamping(r.damping);
    if (d) bad(d);
  }
  return r;
}
