// The elector's Prometheus series: is this replica the leader, may it write, how often leadership changed, how
// often the lease store failed.
import type { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../base/metrics.js';

export class HaMetrics {
  readonly leader: Gauge;
  readonly writable: Gauge;
  readonly transitions: Counter<'to'>;
  readonly backendErrors: Counter<'op'>;

  constructor(m: Metrics) {
    this.leader = m.gauge('ha_leader', '1 while this replica holds the leader lease (HA), else 0');
    this.writable = m.gauge('ha_writable', '1 while this replica may write to EC2 (leader, takeover wait over, lease valid)');
    this.transitions = m.counter('ha_transitions_total', 'Leadership transitions of this replica, by the role entered', ['to']);
    this.backendErrors = m.counter('ha_backend_errors_total', 'Failed requests to the lease store (etcd, Kubernetes API), by operation', [
      'op',
    ]);
  }
}
