// The seams between the daemon and the modules it wires. Each port is the little the daemon needs from one
// module; src/daemon/adapters.ts adapts the real modules (speaker, route spec, VPC sync) to them, and tests use
// plain fakes. Nothing here depends on the Config type.
import type { SpeakerListener, SpeakerEvent } from '../bgp/events.js';
import type { ChosenChange } from '../rib/chosen.js';
import type { DesiredChange } from '../vpc/types.js';
import type { RouteSpecHandler } from '../api/route-spec-endpoint.js';
import type { PeerView, RoutesPage, RoutesView } from '../api/views.js';
import type { TablesView } from '../vpc/table-view.js';
import type { Prefix } from '../net/prefix.js';

/** The installed table as the daemon's startup needs it. */
export interface InstalledView {
  readonly hosts: readonly (readonly string[])[];
  /** The addresses of the host the table (of `az`, else the default choice's) sends the prefix to, or undefined. */
  readonly targets: { addressesFor(prefix: Prefix, az?: string): readonly string[] | undefined };
}

/** The BGP speaker: sessions and their event stream. */
export interface BgpPort {
  start(): Promise<void>;
  /** Sends NOTIFICATION Cease to every peer and closes the listeners. */
  stop(): Promise<void>;
  on(listener: SpeakerListener): void;
  peers(): readonly PeerView[];
}

/** A liveness detector beside the probes (BFD): started with the route spec, stopped after BGP. */
export interface LivenessPort {
  start(): void;
  stop(): Promise<void>;
}

/** Route spec + policy + health + ranking. */
export interface RibPort {
  start(): Promise<void>;
  stop(): Promise<void>;
  apply(event: SpeakerEvent): void;
  /**
   * Every batch of chosen-next-hop changes, from the first (subscribe before start()); coalescing is the sync's
   * job (debounce). Following all of them keeps a copy of the chosen set without ever reading it whole.
   */
  onChanges(cb: (batch: readonly ChosenChange[]) => void): void;
  /** EC2 reported a route to this next hop as blackhole (instance or ENI gone). */
  nextHopUnhealthy(nextHop: string, reason: string): void;
  routes(page: RoutesPage): RoutesView;
  explain(prefix: string): unknown;
  /** Per-AZ choices (vpc.preferSameAz): the AZs route tables serve, and each next hop's AZ ('' for none). */
  setTableAzs?(azs: readonly string[]): void;
  setNextHopAz?(nextHop: string, az: string): void;
  /**
   * Until initial convergence: where the installed table sends a prefix (its host's addresses). A prefix with
   * several announcers keeps that host rather than the first to reconnect. undefined ends it.
   */
  preferInstalled?(lookup: ((prefix: Prefix, az?: string) => readonly string[] | undefined) | undefined): void;
  /** Every next hop that appears in or leaves the route spec (any candidate). */
  onNextHopSet?(cb: (added: readonly string[], removed: readonly string[]) => void): void;
  readonly routeSpec?: RouteSpecHandler;
}

/** VPC sync: reads tables, plans, writes (only once the daemon opens the gate). */
export interface SyncPort {
  /** Reads the route tables (no writes). Rejects when EC2 cannot be read. */
  prepare(): Promise<void>;
  /**
   * After prepare(): the hosts the installed routes of ours lead to, each as its list of addresses (daemon
   * convergence waits to hear from each), and where the table sends each prefix. Rejects when EC2 cannot say.
   */
  installedHosts?(): Promise<InstalledView>;
  /** From now on writes are allowed (initial convergence done). */
  enableWrites(): void;
  /**
   * The route spec's changes as they happen (a ChosenChange is a DesiredChange as is): O(change), whatever the
   * table holds. Nothing is planned before completeDesired().
   */
  applyChanges(batch: readonly DesiredChange[]): void;
  /** The changes given so far make the whole desired set (initial convergence): planning may start. */
  completeDesired(): void;
  onNextHopUnhealthy(cb: (nextHop: string, reason: string) => void): void;
  /** The AZs the tables serve and the next hops' AZs, as EC2 tells them (vpc.preferSameAz). */
  onAzs?(listener: { tableAzs(azs: readonly string[]): void; nextHopAz(nextHop: string, az: string): void }): void;
  /** The route spec's next hops, whose AZs to look up. */
  watchNextHops?(added: readonly string[], removed: readonly string[]): void;
  tables(): TablesView;
  ec2Calls(): Readonly<Record<string, number>>;
  /** True while a route change has waited for EC2 past the stall threshold. */
  stalled(): boolean;
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
