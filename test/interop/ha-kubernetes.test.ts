// Controller HA with the Kubernetes Lease backend (@kubernetes/client-node) against the Lease API emulator of
// src/sim/lease: no real API server can run here. The scenarios are in support/ha-scenarios.ts.
import { peerGate, peersInstalledTest } from './support/availability.js';
import { haScenarios } from './support/ha-scenarios.js';

const bird = peerGate(['bird']);
peersInstalledTest(bird, 'BIRD');
if (bird.run) haScenarios('kubernetes');
