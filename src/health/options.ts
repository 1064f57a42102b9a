// Health-check options per group (plain objects with defaults; the daemon maps the YAML config onto them).
import { UserError } from '../base/errors.js';
import { DEFAULT_DAMPING, validateDamping, type DampingOptions } from './damping.js';
import type { ProbeSpec } from './probes.js';

export interface ProbeGroupOptions {
  readonly probe: ProbeSpec;
  /** Time between probe starts (ms). Default 200. */
  readonly intervalMs?: number;
  /** Probe timeout (ms), at most the interval. Default 150. */
  readonly timeoutMs?: number;
  /** Consecutive successes to come back up. Default 2. */
  readonly rise?: number;
  /** Consecutive failures to go down. Default 3. */
  readonly fall?: number;
  /** Spread of each interval, as a fraction (±). Default 0.1. */
  readonly jitter?: number;
  /** Flap damping; false disables it. */
  readonly damping?: Partial<DampingOptions> | false;
}

export interface ResolvedProbeGroup {
  readonly probe: ProbeSpec;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly jitter: number;
  readonly damping: DampingOptions | undefined;
}

// Defaults: detect a dead host in ≤ 1 s and ride out one lost probe.
// Worst case from the last good probe: fall × interval × (1 + jitter) + timeout = 3 × 220 + 150 = 810 ms.
// A single slow or dropped probe (GC pause, busy host) does not take a host down (fall 3); two good probes in a
// row bring it back (rise 2, ~400 ms). At 1,000 TCP targets this is 5,000 connects/s: raise the interval for
// very large fleets (detection time grows linearly).
export const PROBE_DEFAULTS = { intervalMs: 200, timeoutMs: 150, rise: 2, fall: 3, jitter: 0.1 } as const;

// ICMP runs the system ping once per probe (a process each, see icmp.ts), so its defaults are slower:
// 2 × 500 × 1.1 + 400 = 1.5 s worst-case detection, one lost echo tolerated, 2 processes/s per target.
export const ICMP_DEFAULTS = { intervalMs: 500, timeoutMs: 400, fall: 2 } as const;

export class HealthConfigError extends UserError {
  constructor(message: string) {
    super('BAD_HEALTH_CONFIG', message);
  }
}

export function resolveProbeGroup(name: string, o: ProbeGroupOptions): ResolvedProbeGroup {
  const r = {
    probe: o.probe,
    intervalMs: o.intervalMs ?? (o.probe.type === 'icmp' ? ICMP_DEFAULTS.intervalMs : PROBE_DEFAULTS.intervalMs),
    timeoutMs: o.timeoutMs ?? (o.probe.type === 'icmp' ? ICMP_DEFAULTS.timeoutMs : PROBE_DEFAULTS.timeoutMs),
    rise: o.rise ?? PROBE_DEFAULTS.rise,
    fall: o.fall ?? (o.probe.type === 'icmp' ? ICMP_DEFAULTS.fall : PROBE_DEFAULTS.fall),
    jitter: o.jitter ?? PROBE_DEFAULTS.jitter,
    damping: o.damping === false ? undefined : { ...DEFAULT_DAMPING, ...o.damping },
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
