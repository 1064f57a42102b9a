// What health checking a configuration gets, in words, per peer group: `check-config` prints it and `doctor`
// reports it, so nobody has to work out from the defaults whether (and how fast) a dead host is noticed.
import type { Config } from '../config/index.js';
import { formatDuration } from '../base/duration.js';
import { PROBE_JITTER } from '../health/options.js';
import { groupNames, profileOf } from '../daemon/wiring.js';

export interface GroupHealth {
  readonly group: string;
  /** False when the group has no probes (BGP state only). */
  readonly probed: boolean;
  /** One line: what is probed, how often, and what it notices. */
  readonly text: string;
}

/** Worst case from a host's last good probe until it is taken out: fall × interval × (1 + jitter) + timeout. */
export function detectionMs(p: { readonly interval: number; readonly timeout: number; readonly fall: number }): number {
  return Math.round(p.fall * p.interval * (1 + PROBE_JITTER) + p.timeout);
}

export function healthSummary(config: Config): GroupHealth[] {
  const hold =
    config.bgp.holdTime === 0 ? 'never (hold time 0)' : `when its BGP hold timer expires (${formatDuration(config.bgp.holdTime)})`;
  return groupNames(config).map((group) => {
    const p = profileOf(config, group);
    const timing = `every ${formatDuration(p.interval)} (timeout ${formatDuration(p.timeout)}); down after ${p.fall} failure${p.fall === 1 ? '' : 's'}, up after ${p.rise} success${p.rise === 1 ? '' : 'es'}`;
    const within = `a silent (powered-off, partitioned) host is taken out within ${formatDuration(detectionMs(p))} of its last good probe`;
    switch (p.type) {
      case 'none':
        return { group, probed: false, text: `no probes: a silent host is noticed only ${hold}` };
      case 'tcp':
        return {
          group,
          probed: true,
          text:
            `TCP connect to each next hop's port ${p.port ?? 0} ${timing}: ${within}` +
            (p.port === 179 ? `; a BGP daemon that is frozen while its kernel still accepts connections is noticed only ${hold}` : ''),
        };
      case 'http':
        return { group, probed: true, text: `HTTP GET http://<next hop>:${p.port ?? 0}${p.path} expecting 2xx ${timing}: ${within}` };
      case 'icmp':
        return { group, probed: true, text: `ICMP echo (system ping) to each next hop ${timing}: ${within}` };
      default: {
        const never: never = p.type;
        return never;
      }
    }
  });
}
