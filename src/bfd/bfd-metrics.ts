// BFD metrics, read from the sessions at scrape time (labels: peer = the session's address).
import { Counter, Gauge } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from '../base/metrics.js';
import type { BfdPeerStatus } from './peer-status.js';

export class BfdMetrics {
  private readonly drops: Counter<'reason'>;

  constructor(m: Metrics, sessions: () => readonly BfdPeerStatus[]) {
    const gauge = (name: string, help: string, read: (s: BfdPeerStatus) => number): void => {
      const full = METRIC_PREFIX + name;
      m.registry.removeSingleMetric(full);
      new Gauge({
        name: full,
        help,
        labelNames: ['peer'],
        registers: [m.registry],
        collect() {
          this.reset();
          for (const s of sessions()) this.set({ peer: s.peer }, read(s));
        },
      });
    };
    const counter = (name: string, help: string, read: (s: BfdPeerStatus) => number): void => {
      const full = METRIC_PREFIX + name;
      m.registry.removeSingleMetric(full);
      new Counter({
        name: full,
        help,
        labelNames: ['peer'],
        registers: [m.registry],
        collect() {
          this.reset();
          for (const s of sessions()) this.inc({ peer: s.peer }, read(s));
        },
      });
    };
    gauge('bfd_session_up', '1 when the BFD session with the next hop is Up', (s) => (s.state === 'Up' ? 1 : 0));
    gauge(
      'bfd_detection_time_seconds',
      'Negotiated BFD detection time (remote multiplier × agreed interval)',
      (s) => s.detectionTimeMs / 1000,
    );
    gauge('bfd_tx_interval_seconds', 'Negotiated BFD transmit interval', (s) => s.txIntervalMs / 1000);
    counter('bfd_session_flaps_total', 'BFD sessions that went from Up to Down', (s) => s.flaps);
    counter('bfd_packets_received_total', 'BFD control packets received for the session', (s) => s.rx);
    counter('bfd_packets_sent_total', 'BFD control packets sent for the session', (s) => s.tx);
    this.drops = m.counter(
      'bfd_packets_dropped_total',
      'BFD packets discarded before reaching a session: invalid (RFC 5880 §6.8.6), no_session, wrong_source',
      ['reason'],
    );
  }

  dropped(reason: string): void {
    this.drops.inc({ reason });
  }
}
