// The speaker's per-peer metrics, read at scrape time from the peers' O(1) counters: the hot path never touches
// prom-client.
import { Counter, Gauge } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from '../../base/metrics.js';
import type { Peer } from './peer.js';

export function registerPeerMetrics(m: Metrics, peers: () => Iterable<Peer>): void {
  const gauge = (name: string, help: string, read: (p: Peer) => number): void => {
    const full = METRIC_PREFIX + name;
    m.registry.removeSingleMetric(full);
    new Gauge({
      name: full,
      help,
      labelNames: ['peer'],
      registers: [m.registry],
      collect() {
        this.reset();
        for (const p of peers()) this.set({ peer: p.key }, read(p));
      },
    });
  };
  const counter = (name: string, help: string, read: (p: Peer) => number): void => {
    const full = METRIC_PREFIX + name;
    m.registry.removeSingleMetric(full);
    new Counter({
      name: full,
      help,
      labelNames: ['peer'],
      registers: [m.registry],
      collect() {
        this.reset();
        for (const p of peers()) this.inc({ peer: p.key }, read(p));
      },
    });
  };
  gauge('bgp_session_established', '1 when the BGP session with the peer is Established', (p) => (p.isEstablished ? 1 : 0));
  gauge('bgp_paths', 'Paths in the peer Adj-RIB-In (accepted, not stale)', (p) => p.routes.rib.size);
  gauge('bgp_stale_paths', 'Paths kept stale under graceful restart', (p) => p.routes.rib.staleCount);
  counter('bgp_updates_received_total', 'UPDATE messages received', (p) => p.counters.updates);
  counter('bgp_prefixes_received_total', 'Prefixes announced by the peer', (p) => p.counters.received);
  counter('bgp_prefixes_withdrawn_total', 'Paths withdrawn by the peer', (p) => p.counters.withdrawn);
  counter('bgp_prefixes_rejected_total', 'Prefixes over the max-prefix limit', (p) => p.counters.rejected);
  counter('bgp_session_flaps_total', 'Established sessions that went down', (p) => p.counters.flaps);
}
