// The speaker's Prometheus series, read at scrape time from O(1) counters (the hot path never touches prom-client):
// per peer (label `peer`), and per neighbour range (label `range`: a dynamic range as configured, or "static") for
// connections that have not become sessions: how many sit in OpenSent/OpenConfirm now, and how many were closed by
// the OPEN timer having sent less than one BGP header (RFC 4271 §4.1: 19 bytes). A source that connects and sends
// nothing, or a few bytes, is held until that 240 s timer by design (RFC 4271 §8.2.2); these make it visible.
import { Counter, Gauge } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from '../base/metrics.js';
import type { Peer } from './session/peer.js';
import type { SessionEnd } from './session/session.js';
import { HEADER_LENGTH } from './wire/constants.js';

/** The `range` label of a peer: its dynamic range, or "static". */
export function rangeLabel(p: Peer): string {
  return p.match.kind === 'dynamic' ? p.match.rangeText : 'static';
}

/** Counts per range that outlive the peers they came from (dynamic peers are forgotten after 5 idle minutes). */
export class RangeCounters {
  /** Connections closed by the OPEN timer (hold timer in OpenSent) with fewer than 19 bytes received. */
  readonly silent = new Map<string, number>();

  connectionEnded(p: Peer, end: SessionEnd): void {
    if (end.reason === 'hold-timer-expired' && end.state === 'OpenSent' && end.bytesReceived < HEADER_LENGTH) {
      const r = rangeLabel(p);
      this.silent.set(r, (this.silent.get(r) ?? 0) + 1);
    }
  }
}

export function registerSpeakerMetrics(m: Metrics, peers: () => readonly Peer[], ranges: RangeCounters): void {
  const register = <T extends Gauge | Counter>(name: string, make: (full: string) => T): void => {
    const full = METRIC_PREFIX + name;
    m.registry.removeSingleMetric(full);
    make(full);
  };
  const { gauge, counter } = m.perItem(peers, 'peer', (p) => p.key);
  gauge('bgp_session_established', '1 when the BGP session with the peer is Established', (p) => (p.isEstablished ? 1 : 0));
  gauge('bgp_paths', 'Paths in the peer Adj-RIB-In (accepted, not stale)', (p) => p.routes.rib.size);
  gauge('bgp_stale_paths', 'Paths kept stale under graceful restart', (p) => p.routes.rib.staleCount);
  counter('bgp_updates_received_total', 'UPDATE messages received', (p) => p.counters.updates);
  counter('bgp_prefixes_received_total', 'Prefixes announced by the peer', (p) => p.counters.received);
  counter('bgp_prefixes_withdrawn_total', 'Paths withdrawn by the peer', (p) => p.counters.withdrawn);
  counter('bgp_prefixes_rejected_total', 'Prefixes over the max-prefix limit', (p) => p.counters.rejected);
  counter('bgp_session_flaps_total', 'Established sessions that went down', (p) => p.counters.flaps);
  register(
    'bgp_connections_opening',
    (full) =>
      new Gauge({
        name: full,
        help: 'Connections in OpenSent or OpenConfirm (an OPEN exchange not yet completed), per neighbour range',
        labelNames: ['range', 'state'],
        registers: [m.registry],
        collect() {
          this.reset();
          const n = new Map<string, number>();
          for (const p of peers()) {
            for (const st of p.connectionStates()) {
              if (st !== 'OpenSent' && st !== 'OpenConfirm') continue;
              const k = `${rangeLabel(p)}\n${st}`;
              n.set(k, (n.get(k) ?? 0) + 1);
            }
          }
          for (const [k, v] of n) {
            const [range = '', state = ''] = k.split('\n');
            this.set({ range, state }, v);
          }
        },
      }),
  );
  register(
    'bgp_connections_silent_total',
    (full) =>
      new Counter({
        name: full,
        help: 'Connections closed by the OPEN timer having sent fewer than 19 bytes (less than a BGP header), per range',
        labelNames: ['range'],
        registers: [m.registry],
        collect() {
          this.reset();
          for (const [range, v] of ranges.silent) this.inc({ range }, v);
        },
      }),
  );
}
