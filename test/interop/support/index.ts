// Helpers for tests that drive real BGP peers (gobgp-testbed/) and wait on conditions. See gobgp-testbed/README.md.
export { TestbedPeer, stopAllPeers, PEER_DEFAULTS, PEER_KINDS, TESTBED_HOME } from './testbed.js';
export type { PeerKind, PeerOptions, NextHopMode } from './testbed.js';
export { peerGate, peersRequired, missingBinaries } from './availability.js';
export type { PeerGate } from './availability.js';
export { waitFor, holdsFor, WaitTimeoutError } from './wait.js';
export type { WaitOptions } from './wait.js';
export { startDaemon, stopAllDaemons, isOwnPid, killOwnPid } from './daemon.js';
export type { Daemon } from './daemon.js';
