// The real modules behind the daemon's ports: Speaker → BgpPort, RouteSpec + HealthMonitor + spec file → RibPort,
// VpcSync → SyncPort. Thin: they translate shapes, nothing else.
import type { Speaker, PeerStatus } from '../bgp/speaker.js';
import type { RouteSpec } from '../rib/route-spec.js';
import type { HealthMonitor } from '../health/health-monitor.js';
import { connectHealth } from './health-link.js';
import type { SpecFileWatcher } from '../rib/spec-file.js';
import type { SpecEntry } from '../rib/spec-format.js';
import { createRouteSpecHandler, type RouteSpecHandler } from '../api/route-spec-endpoint.js';
import type { VpcSync } from '../vpc/vpc-sync.js';
import type { SpeakerListener, SpeakerEvent } from '../bgp/events.js';
import { comparePrefixes, formatPrefix, parsePrefix, type Prefix } from '../net/prefix.js';
import type { CandidateView, PeerStateName, PeerView, RoutesPage, RoutesView } from '../api/views.js';
import type { TablesView } from '../vpc/table-view.js';
import type { ChosenChange } from '../rib/chosen.js';
import type { DesiredChange } from '../vpc/types.js';
import type { BgpPort, InstalledView, RibPort, SyncPort } from './ports.js';

const STATE: Readonly<Record<PeerStatus['state'], PeerStateName>> = {
  Idle: 'idle',
  Connect: 'connect',
  Active: 'active',
  OpenSent: 'opensent',
  OpenConfirm: 'openconfirm',
  Established: 'established',
};

export class SpeakerBgpPort implements BgpPort {
  constructor(
    readonly speaker: Speaker,
    /** The current health monitor (a config reload may replace it). */
    private readonly health: () => HealthMonitor,
  ) {}
  start(): Promise<void> {
    return this.speaker.start();
  }
  stop(): Promise<void> {
    return this.speaker.stop({ notify: true, message: 'bgp2vpc shutting down' });
  }
  on(listener: SpeakerListener): void {
    this.speaker.on(listener);
  }
  peers(): readonly PeerView[] {
    const health = this.health();
    return this.speaker.peers().map((p) => peerView(p, health));
  }
}

export function peerView(p: PeerStatus, health: HealthMonitor): PeerView {
  const hv = health.view(p.peer);
  const h = health.healthOf(p.peer);
  const stale = p.state !== 'Established' && p.staleUntil !== undefined;
  return {
    peer: p.peer,
    asn: p.asn ?? 0,
    state: stale ? 'stale' : STATE[p.state],
    ...(p.hostname !== undefined ? { hostname: p.hostname } : {}),
    ...(p.routerId !== undefined ? { routerId: p.routerId } : {}),
    uptimeSeconds: Math.floor(p.uptimeMs / 1000),
    capabilities: p.capabilities,
    prefixes: { received: p.counters.received, accepted: p.counters.accepted, rejected: p.counters.rejected },
    flaps: p.counters.flaps,
    ...(p.lastError !== undefined ? { lastError: p.lastError } : {}),
    health: {
      healthy: p.state === 'Established' && h.healthy,
      ...(hv?.suppressed ? { damped: true } : {}),
      ...(p.state !== 'Established' ? { reason: 'session down' } : !h.healthy ? { reason: h.reason } : {}),
    },
  };
}

export interface RibParts {
  readonly spec: RouteSpec;
  readonly health: HealthMonitor;
  readonly staticEntries: readonly SpecEntry[];
  readonly file?: SpecFileWatcher;
  readonly httpPost: boolean;
}

export class RouteSpecRib implements RibPort {
  readonly routeSpec?: RouteSpecHandler;
  private disconnect: (() => void) | undefined;

  constructor(private parts: RibParts) {
    if (parts.httpPost) this.routeSpec = createRouteSpecHandler(parts.spec);
  }

  get spec(): RouteSpec {
    return this.parts.spec;
  }

  /** Config reload with new probe settings: the old monitor stops, the new one takes over every next hop. */
  replaceHealth(next: HealthMonitor): void {
    this.disconnect?.();
    this.parts.health.stop();
    this.parts = { ...this.parts, health: next };
    this.disconnect = connectHealth(this.parts.spec, next);
  }

  currentFile(): SpecFileWatcher | undefined {
    return this.parts.file;
  }

  async start(): Promise<void> {
    this.disconnect = connectHealth(this.parts.spec, this.parts.health);
    this.parts.spec.setSpec('static', this.parts.staticEntries);
    if (this.parts.file) await this.parts.file.start();
  }

  /** Config reload: new static entries and/or a new spec file watcher (the old one is stopped). */
  async replaceSources(staticEntries: readonly SpecEntry[], file: SpecFileWatcher | undefined): Promise<void> {
    this.parts.spec.setSpec('static', staticEntries);
    if (file !== this.parts.file) {
      this.parts.file?.stop();
      if (!file) this.parts.spec.setSpec('file', []);
      else await file.start();
    }
    this.parts = { ...this.parts, staticEntries, ...(file ? { file } : {}) };
    if (!file) {
      const { file: _gone, ...rest } = this.parts;
      this.parts = rest;
    }
  }

  async stop(): Promise<void> {
    this.parts.file?.stop();
    this.disconnect?.();
    this.parts.health.stop();
    return Promise.resolve();
  }

  apply(ev: SpeakerEvent): void {
    this.parts.spec.applySpeakerEvent(ev);
  }

  onChanges(cb: (batch: readonly ChosenChange[]) => void): void {
    this.parts.spec.onChanges(cb);
  }

  nextHopUnhealthy(nextHop: string, reason: string): void {
    // EC2 says the target is gone: down now, until the probes (or a new ENI for the address) say otherwise.
    this.parts.health.markUnhealthy(nextHop, `EC2: ${reason}`, 60_000);
  }

  setTableAzs(azs: readonly string[]): void {
    this.parts.spec.setTableAzs(azs);
  }

  preferInstalled(lookup: ((prefix: Prefix, az?: string) => readonly string[] | undefined) | undefined): void {
    this.parts.spec.preferInstalled(lookup);
  }

  setNextHopAz(nextHop: string, az: string): void {
    this.parts.spec.setNextHopAz(nextHop, az);
  }

  onNextHopSet(cb: (added: readonly string[], removed: readonly string[]) => void): void {
    this.parts.spec.onNextHops((added, removed) =>
      cb(
        added.map((a) => a.nextHop),
        removed,
      ),
    );
  }

  /** The managed tables (id, AZ) for explain(): each AZ table's own ranking of the prefix. */
  tableSource: (() => readonly { readonly id: string; readonly az?: string }[]) | undefined;

  /** One page in prefix order: the sort is cheap, so only the page's prefixes are explained. */
  routes(page: RoutesPage): RoutesView {
    const spec = this.parts.spec;
    const all = spec.prefixes().sort(comparePrefixes);
    let start = 0;
    if (page.after !== undefined) {
      const after = parsePrefix(page.after, { requireCanonical: false });
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (comparePrefixes(all[mid] as Prefix, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const slice = all.slice(start, start + page.limit);
    const last = slice.at(-1);
    return {
      total: all.length,
      ...(start + slice.length < all.length && last ? { next: formatPrefix(last) } : {}),
      routes: slice.map((p) => {
        const x = spec.explain(p);
        const candidates: CandidateView[] = (x?.candidates ?? []).map((c) => ({
          nextHop: c.nextHop,
          source: c.source === 'bgp' ? `bgp:${c.peer ?? ''}` : c.source,
          healthy: c.health.healthy && c.eligible,
          chosen: x?.chosen === c.nextHop && c.rank === 1,
          detail: c.result,
        }));
        return { prefix: formatPrefix(p), candidates, ...(x?.chosen !== undefined ? { chosen: x.chosen } : {}) };
      }),
    };
  }

  explain(prefix: string): unknown {
    let p;
    try {
      p = parsePrefix(prefix, { requireCanonical: false });
    } catch {
      return undefined;
    }
    const spec = this.parts.spec;
    const x = spec.explain(p);
    const tables = this.tableSource?.() ?? [];
    if (!x || tables.length === 0) return x;
    return {
      ...x,
      // Per route table: its choice, and for a table serving one AZ, the ranking with the same-AZ step on.
      tables: tables.map((t) => {
        const v = t.az !== undefined ? spec.explain(p, t.az) : undefined;
        return v ? { routeTable: t.id, az: t.az, chosen: v.chosen, candidates: v.candidates } : { routeTable: t.id, chosen: x.chosen };
      }),
    };
  }
}

/** The elected writer's gate (src/ha/elector.ts): open while leader with a valid lease, numbered by term. */
export interface WriteGate {
  mayWrite(): boolean;
  term(): number;
}

export class VpcSyncPort implements SyncPort {
  private writes = false;
  readonly sync: VpcSync;

  /**
   * `make` receives the write gate to pass as VpcSync's mayWrite and writeTerm options: open once the daemon has
   * converged and, with HA, while `ha` says this replica is the writer.
   */
  constructor(make: (mayWrite: () => boolean, writeTerm: () => number) => VpcSync, ha?: WriteGate) {
    this.sync = make(
      () => this.writes && (ha?.mayWrite() ?? true),
      () => ha?.term() ?? 0,
    );
  }

  /** Writes enabled by the daemon (initial convergence done); with HA the elector decides as well. */
  get writesEnabled(): boolean {
    return this.writes;
  }

  prepare(): Promise<void> {
    return this.sync.start();
  }
  installedHosts(): Promise<InstalledView> {
    return this.sync.installedHosts();
  }
  enableWrites(): void {
    this.writes = true;
  }
  applyChanges(batch: readonly DesiredChange[]): void {
    this.sync.applyChanges(batch);
  }
  completeDesired(): void {
    this.sync.completeDesired();
  }
  onNextHopUnhealthy(cb: (nextHop: string, reason: string) => void): void {
    this.sync.onNextHopUnhealthy(cb);
  }
  onAzs(listener: { tableAzs(azs: readonly string[]): void; nextHopAz(nextHop: string, az: string): void }): void {
    this.sync.onAzs(listener);
  }
  watchNextHops(added: readonly string[], removed: readonly string[]): void {
    this.sync.watchNextHops(added, removed);
  }
  tables(): TablesView {
    return this.sync.tablesView();
  }
  ec2Calls(): Readonly<Record<string, number>> {
    return this.sync.ec2Calls();
  }
  stalled(): boolean {
    return this.sync.pending()?.stalled === true;
  }
  stop(): Promise<void> {
    return this.sync.stop();
  }
}
