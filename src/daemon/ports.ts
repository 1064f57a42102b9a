// The seams between the daemon and the modules it wires. Each port is the little the daemon needs from one
// module; src/daemon/adapters.ts adapts the real modules (speaker, route spec, VPC sync) to them, and tests use
// plain fakes. Nothing here depends on the Config type.
import type { SpeakerListener, SpeakerEvent } from '../bgp/events.js';
import type { ChosenRoute } from '../rib/chosen.js';
import type { DesiredRoute } from '../vpc/types.js';
import type { RouteSpecHandler } from '../api/route-spec-endpoint.js';
import type { PeerView, RoutesView } from '../api/views.js';
import type { TablesView } from '../vpc/table-view.js';

/** The BGP speaker: sessions and their event stream. */
export interface BgpPort {
  start(): Promise<void>;
  /** Sends NOTIFICATION Cease to every peer and closes the listeners. */
  stop(): Promise<void>;
  on(listener: SpeakerListener): void;
  peers(): readonly PeerView[];
}

/** Route spec + policy + health + ranking. */
export interface RibPort {
  start(): Promise<void>;
  stop(): Promise<void>;
  apply(event: SpeakerEvent): void;
  /** Current choice for every prefix that has one. */
  chosen(): readonly ChosenRoute[];
  /** Called after any change of chosen(); coalescing is the sync's job (debounce). */
  onChange(cb: () => void): void;
  /** EC2 reported a route to this next hop as blackhole (instance or ENI gone). */
  nextHopUnhealthy(nextHop: string, reason: string): void;
  routes(): RoutesView;
  explain(prefix: string): unknown;
  readonly routeSpec?: RouteSpecHandler;
}

/** VPC sync: reads tables, plans, writes (only once the daemon opens the gate). */
export interface SyncPort {
  /** Reads the route tables (no writes). Rejects when EC2 cannot be read. */
  prepare(): Promise<void>;
  /** From now on writes are allowed (initial convergence done). */
  enableWrites(): void;
  /** The route spec's choices (a ChosenRoute is a DesiredRoute plus `eligible`). */
  setDesired(routes: readonly DesiredRoute[]): void;
  onNextHopUnhealthy(cb: (nextHop: string, reason: string) => void): void;
  tables(): TablesView;
  ec2Calls(): Readonly<Record<string, number>>;
  /** Stops timers; never deletes routes. */
  stop(): Promise<void>;
}

/** Controller HA: the elected writer (src/ha). Absent: this process is the only writer. */
export interface HaPort {
  /** Starts campaigning; the daemon calls it once initial convergence is done (a leader needs a warm RIB). */
  start(): void;
  /** Stops campaigning and releases the lease; called after VPC sync has stopped, so no EC2 call is in flight. */
  stop(): Promise<void>;
}
