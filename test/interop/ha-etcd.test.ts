// Controller HA against a real etcd 3.4 (the Debian etcd-server package): three `bgp2vpc run` replicas, BIRD
// hosts, the EC2 emulator. The scenarios are in support/ha-scenarios.ts.
import { peerGate, peersInstalledTest } from './support/availability.js';
import { etcdGate, etcdInstalledTest } from './support/etcd-gate.js';
import { haScenarios } from './support/ha-scenarios.js';

const etcd = etcdGate();
const bird = peerGate(['bird']);
etcdInstalledTest(etcd);
peersInstalledTest(bird, 'BIRD');
if (etcd.run && bird.run) haScenarios('etcd');
