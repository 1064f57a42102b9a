// BFD metrics, read from the sessions at scrape time (labels: peer = the session's address).
import type { Counter } from 'prom-client';
import type { Metrics } from '../base/metrics.js';
import type { BfdPeerStatus } from './peer-status.js';

export class BfdMetrics {
  private readonly drops: Counter<'reason'>;

  constructor(m: Metrics, sessions: () => readonly BfdPeerStatus[]) {
    const { gauge, counter } = m.perItem(sessions, 'peer', (s) => s.peer);
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
