// The route spec: prefix → candidate next hops from every source (BGP paths, the route spec file, HTTP POST,
// static config), each gated on policy and health, and one chosen next hop per prefix.
//
// Every mutation marks the affected prefixes dirty (found through the next-hop and peer indexes, never by a
// full scan) and ends with one flush that re-ranks only those and emits one batch of changes; no batch when
// nothing changed. Synchronous and I/O-free; time comes from the injected clock.
import { systemClock, type Clock } from '../base/clock.js';
import type { Metrics } from '../base/metrics.js';
import { stickTo, type InstalledLookup } from './installed-choice.js';
import type { Prefix } from '../net/prefix.js';
import type { SpeakerEvent } from '../bgp/events.js';
import { acceptAllPolicy, type PathPolicy } from '../policy/import-policy.js';
import { BgpSource } from './bgp-source.js';
import type { Candidate, PrefixEntry, SpecSource } from './candidate.js';
import { PrefixEntries } from './prefix-entries.js';
import {
  LazyChosenChange,
  type ChangeListener,
  type ChangeReason,
  type ChosenChange,
  type ChosenRoute,
  type NextHopHealth,
  type NextHopListener,
} from './chosen.js';
import { bestDespiteHealth, isEligible, refreshRankFields, whyGone } from './eligibility.js';
import { explainEntry, type Explanation } from './explain.js';
import { NextHops } from './next-hops.js';
import { DetailTexts } from './detail-texts.js';
import { selectNextHop, type MutableSelection, type RankOptions } from './ranking.js';
import { Rechecks } from './rechecks.js';
import { RouteSpecMetrics } from './route-spec-metrics.js';
import { AzViews } from './az-views.js';
import { reevaluateCandidates } from './policy-refresh.js';
import { auditState, chosenRoutes, mergedSpecOf, statsOf, type RouteSpecState, type RouteSpecStats } from './route-spec-report.js';
import type { SpecEntry } from './spec-format.js';
import { SpecStore } from './spec-store.js';

export type { RouteSpecStats };

export interface RouteSpecOptions {
  readonly clock?: Clock;
  readonly policy?: PathPolicy;
  /** Ranking settings (failback hold-down, MED across ASes): the daemon's come from the config's routes section. */
  readonly rank: RankOptions;
  /** What to do when no candidate of a prefix is eligible: keep the last choice or remove the route (routes.onNoHealthy). */
  readonly whenNoneEligible: 'keep-last' | 'remove';
  /**
   * Health of a next hop when it first appears, given its health-check group (default: healthy; the health
   * monitor reports changes): `(nh, group) => monitor.healthOf(nh, group)`.
   */
  readonly healthOf?: (nextHop: string, group: string) => NextHopHealth;
  /** Availability zone of a next hop, when known up front (else setNextHopAz tells it). */
  readonly azOf?: (nextHop: string) => string | undefined;
  /** Registry for bgp2vpc_route_spec_* metrics. */
  readonly metrics?: Metrics;
}

export class RouteSpec {
  readonly clock: Clock;
  private policy: PathPolicy;
  private readonly rank: RankOptions;
  private readonly whenNone: 'keep-last' | 'remove';
  private readonly azOf: (nextHop: string) => string | undefined;
  private readonly azViews: AzViews;
  private readonly entries = new PrefixEntries();
  private readonly nextHops: NextHops;
  private readonly bgp: BgpSource;
  private readonly metrics: RouteSpecMetrics | undefined;
  private readonly texts = new DetailTexts();
  private readonly sel: MutableSelection = { winner: -1, decidedBy: 'only', recheckAt: undefined };
  private readonly specs: SpecStore;
  private readonly dirty: PrefixEntry[] = [];
  private readonly rechecks: Rechecks;
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly nhListeners = new Set<NextHopListener>();
  private installed: InstalledLookup | undefined;
  private changesEmitted = 0;
  private batchesEmitted = 0;
  private chosenPrefixes = 0;

  constructor(opts: RouteSpecOptions) {
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.policy ?? acceptAllPolicy;
    this.rank = opts.rank;
    this.whenNone = opts.whenNoneEligible;
    this.nextHops = new NextHops(opts.healthOf ?? (() => ({ healthy: true })), () => this.clock.now());
    this.rechecks = new Rechecks(this.clock, (due) => {
      for (const e of due) if (this.entries.holds(e)) this.markDirty(e);
      this.flush();
    });
    const azOf = opts.azOf;
    this.azOf = (nh) => this.azViews.azOf(nh) ?? azOf?.(nh);
    this.azViews = new AzViews(this.rank, this.rechecks);
    this.metrics = opts.metrics ? new RouteSpecMetrics(opts.metrics) : undefined;
    this.specs = new SpecStore({
      entry: (p) => this.entry(p),
      add: (c) => this.addCandidate(c),
      remove: (c) => this.removeCandidate(c),
      nextHop: (t, g) => this.nextHops.acquire(t, g),
      evaluate: (p, nh) => this.policy.evaluateSpec(p, nh),
      now: () => this.clock.now(),
      refresh: (c) => refreshRankFields(c, this.azOf),
    });
    this.bgp = new BgpSource({
      now: () => this.clock.now(),
      entry: (p) => this.entry(p),
      find: (p) => this.entries.get(p),
      add: (c) => this.addCandidate(c),
      remove: (c) => this.removeCandidate(c),
      nextHop: (t, g) => this.nextHops.acquire(t, g),
      ref: (nh, e) => this.nextHops.ref(nh, e),
      unref: (nh, e) => this.nextHops.unref(nh, e),
      evaluate: (path) => this.policy.evaluatePath(path),
      refresh: (c) => refreshRankFields(c, this.azOf),
      markDirty: (e) => this.markDirty(e),
    });
  }

  /** Subscribes to batches of chosen-next-hop changes. Returns an unsubscribe function. */
  onChanges(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Subscribes to changes of the set of next hops (for the health monitor's targets). */
  onNextHops(listener: NextHopListener): () => void {
    this.nhListeners.add(listener);
    return () => this.nhListeners.delete(listener);
  }

  // ---- sources ------------------------------------------------------------------------------------------

  applySpeakerEvent(ev: SpeakerEvent): void {
    this.bgp.apply(ev);
    this.flush();
  }

  /** Replaces every entry of one spec source (file, HTTP POST, static config). */
  setSpec(source: SpecSource, entries: readonly SpecEntry[]): void {
    this.specs.replace(source, entries);
    this.flush();
  }

  /** The health monitor's verdict for a next hop. */
  setNextHopHealth(nextHop: string, health: NextHopHealth): void {
    this.setNextHopsHealth([{ nextHop, ...health }]);
  }

  /** Verdicts for several next hops at once (failures found together): one re-rank, one batch of changes. */
  setNextHopsHealth(verdicts: readonly (NextHopHealth & { readonly nextHop: string })[]): void {
    for (const v of verdicts) this.markHealth(v.nextHop, v);
    this.flush();
  }

  private markHealth(nextHop: string, health: NextHopHealth): void {
    const nh = this.nextHops.setHealth(nextHop, health);
    if (!nh) return;
    if (!health.healthy) {
      // Losing a candidate that is not the current choice never changes the choice while the ranking steps form
      // a total order: the choice survived every step against it, and stickiness keeps it. Only prefixes routed
      // via this next hop move. MED compared per neighbour AS is not a total order (RFC 3345): a lost
      // candidate can unhide another one, so such prefixes are always re-ranked.
      for (const e of nh.refs.keys()) if (e.chosen === nextHop || this.medPerAs(e) || this.azViews.uses(e, nextHop)) this.markDirty(e);
    } else {
      // A recovered next hop can take over at once only where there is no eligible current choice; elsewhere it
      // must first stay healthy for the hold-down: one recheck of all its prefixes then, not 10k timers now.
      let holdDown = false;
      for (const e of nh.refs.keys()) {
        if (this.rank.holdDownMs > 0 && e.chosen !== undefined && !this.medPerAs(e) && this.chosenEligible(e)) holdDown = true;
        else this.markDirty(e);
      }
      if (holdDown) this.rechecks.nextHop(nh, nh.since + this.rank.holdDownMs, (n) => this.nextHops.get(n.text) === n);
    }
  }

  /** A new import policy (config reload): re-evaluates every stored path and spec entry, sessions untouched. */
  setPolicy(policy: PathPolicy): void {
    this.policy = policy;
    reevaluateCandidates(policy, this.bgp.peers.values(), this.specs.all(), (c) => {
      refreshRankFields(c, this.azOf);
      this.markDirty(c.entry);
    });
    this.flush();
  }

  /** The AZs route tables serve (per-AZ choices for prefixes with several candidates: az-views.ts). */
  setTableAzs(azs: Iterable<string>): void {
    if (!this.azViews.setAzs(azs)) return;
    for (const e of this.entries.values()) if (e.cands.length > 1 || e.azViews) this.markDirty(e);
    this.flush();
  }

  /** A next hop's AZ ('' when it has none, e.g. no ENI holds it), as VPC sync found it. */
  setNextHopAz(nextHop: string, az: string): void {
    if (!this.azViews.setNextHopAz(nextHop, az)) return;
    const nh = this.nextHops.get(nextHop);
    for (const e of nh?.refs.keys() ?? []) {
      for (const c of e.cands) if (c.nh === nh) c.az = az;
      if (e.cands.length > 1) this.markDirty(e);
    }
    this.flush();
  }

  /** Until initial convergence: the installed table's host for a prefix is the one to keep (installed-choice.ts). */
  preferInstalled(lookup: InstalledLookup | undefined): void {
    this.installed = lookup;
    this.azViews.preferInstalled(lookup);
    if (!lookup) return;
    for (const e of this.entries.values()) if (e.cands.length > 1) this.markDirty(e);
    this.flush();
  }
  // ---- queries ------------------------------------------------------------------------------------------

  /** The full current set of chosen routes (for VPC sync). */
  chosen(): ChosenRoute[] {
    return chosenRoutes(this.entries.values(), (e) => this.chosenEligible(e));
  }

  /** Prefixes known (any source), O(1). */
  get size(): number {
    return this.entries.size;
  }
  /** Prefixes with a chosen next hop, O(1). */
  get chosenCount(): number {
    return this.chosenPrefixes;
  }

  /** The merged spec in route spec format: static, file and POST entries in list order, then BGP next hops. */
  mergedSpec(): SpecEntry[] {
    return mergedSpecOf(this.entries.values());
  }

  /**
   * Consistency check for tests and `doctor`: every prefix's stored choice is what a fresh ranking gives now
   * (nothing missed by the incremental updates), and the next-hop index matches the candidates. Returns the
   * problems found (empty when consistent). O(candidates).
   */
  audit(): string[] {
    return auditState(this.state());
  }

  stats(): RouteSpecStats {
    return { ...statsOf(this.state()), changesEmitted: this.changesEmitted, batchesEmitted: this.batchesEmitted };
  }

  private state(): RouteSpecState {
    const { entries, rank, whenNone } = this;
    return { entries, nextHops: [...this.nextHops.values()], peers: this.bgp.peers, rank, whenNone, now: this.clock.now() };
  }

  /**
   * Every candidate of `prefix` with source, attributes, policy, health, rank and why it won or lost; with `az`,
   * as ranked for route tables in that AZ (same-AZ step on, the view's own current choice).
   */
  explain(prefix: Prefix, az?: string): Explanation | undefined {
    const e = this.entries.get(prefix);
    if (!e) return undefined;
    if (az === undefined) return explainEntry(e, this.clock.now(), this.rank);
    return explainEntry(e, this.clock.now(), { ...this.rank, preferAz: az }, this.azViews.choiceOf(e, az));
  }

  /** Prefixes currently known (any source), for listing. */
  prefixes(): Prefix[] {
    return [...this.entries.values()].map((e) => e.prefix);
  }

  /** Every next hop currently referenced, with its health-check group. */
  nextHopTargets(): { nextHop: string; group: string }[] {
    return this.nextHops.targets();
  }

  // ---- shared internals ---------------------------------------------------------------------------------

  private entry(prefix: Prefix): PrefixEntry {
    return this.entries.getOrCreate(prefix);
  }

  private addCandidate(c: Candidate): void {
    const e = c.entry;
    if (e.cands.length === 0) {
      e.cands = [c];
      this.entries.filled();
    } else e.cands.push(c);
    this.nextHops.ref(c.nh, c.entry);
    this.markDirty(c.entry);
  }

  private removeCandidate(c: Candidate): void {
    const i = c.entry.cands.indexOf(c);
    if (i >= 0) {
      c.entry.cands.splice(i, 1);
      if (c.entry.cands.length === 0) {
        this.entries.emptied();
        c.entry.azArmed = false; // announced again later, it is a new prefix to the AZ views
      }
    }
    this.nextHops.unref(c.nh, c.entry);
    this.markDirty(c.entry);
  }

  private markDirty(e: PrefixEntry): void {
    if (e.dirty) return;
    e.dirty = true;
    this.dirty.push(e);
  }

  /** MED is compared per neighbour AS and differs between this prefix's candidates. */
  private medPerAs(e: PrefixEntry): boolean {
    return e.medVaries && !this.rank.alwaysCompareMed;
  }

  private chosenEligible(e: PrefixEntry): boolean {
    for (const c of e.cands) if (c.nextHop === e.chosen && isEligible(c)) return true;
    return false;
  }

  /** Re-ranks every dirty prefix and emits one batch. */
  private flush(): void {
    const now = this.clock.now();
    const batch: ChosenChange[] = [];
    for (let k = 0; k < this.dirty.length; k++) {
      const e = this.dirty[k] as PrefixEntry;
      e.dirty = false;
      const prev = e.chosen;
      const ch = this.rerank(e, now);
      if (ch) batch.push(ch);
      this.azViews.rerank(e, prev, now, batch);
    }
    this.dirty.length = 0;
    this.entries.sweep();
    this.texts.clear();
    const nh = this.nextHops.takeChanges();
    if (nh) for (const l of this.nhListeners) l(nh.added, nh.removed);
    if (batch.length === 0) return;
    this.changesEmitted += batch.length;
    this.metrics?.batch(batch, this.entries.size);
    this.batchesEmitted++;
    for (const l of this.changeListeners) l(batch);
  }

  private rerank(e: PrefixEntry, now: number): ChosenChange | undefined {
    const prev = e.chosen;
    if (e.cands.length === 0) {
      // The entry stays for reuse (see prefix-entries.ts).
      if (prev === undefined) return undefined;
      return this.change(e, undefined, 'withdrawn', 'no candidate left (withdrawn)', false);
    }
    const med0 = (e.cands[0] as Candidate).med;
    let medVaries = false;
    for (const c of e.cands) {
      c.eligible = isEligible(c);
      c.eligibleSince = c.eligible ? Math.max(c.addedAt, c.nh.since) : 0;
      if (c.med !== med0) medVaries = true;
    }
    e.medVaries = medVaries;
    const sel = selectNextHop(e.cands, stickTo(e, prev, this.installed), now, this.rank, undefined, this.sel);
    if (sel.recheckAt !== undefined) this.rechecks.prefix(e, sel.recheckAt);
    if (sel.winner < 0) {
      if (prev === undefined) return undefined;
      const why = whyGone(e, prev);
      if (this.whenNone === 'remove')
        return this.change(e, undefined, 'no-eligible', this.texts.get('no eligible candidate: ', why), false);
      // keep-last keeps a host that still announces the prefix; one that withdrew it gives way to the best of the rest.
      const w = why === 'withdrawn' ? bestDespiteHealth(e, now, this.rank, this.sel) : -1;
      if (w >= 0)
        return this.change(
          e,
          (e.cands[w] as Candidate).nextHop,
          'failover',
          this.texts.get(prev, 'withdrawn; none healthy: best of the rest'),
          true,
        );
      e.reasonKind = 'keep-last';
      e.reason = this.texts.get(`no eligible candidate, keeping last choice ${prev}: `, why);
      return undefined;
    }
    const next = (e.cands[sel.winner] as Candidate).nextHop;
    if (next === prev) return undefined;
    if (prev === undefined) return this.change(e, next, 'new', this.texts.get('chosen by ', sel.decidedBy), false);
    let prevEligible = false;
    for (const c of e.cands) if (c.nextHop === prev && c.eligible) prevEligible = true;
    if (prevEligible)
      return this.change(e, next, 'preferred', this.texts.get(`${next} preferred by `, `${sel.decidedBy} after hold-down`), false);
    return this.change(e, next, 'failover', this.texts.get(prev, whyGone(e, prev)), true);
  }

  private change(e: PrefixEntry, to: string | undefined, reason: ChangeReason, detail: string, failover: boolean): ChosenChange {
    const from = e.chosen;
    if (from === undefined && to !== undefined) this.chosenPrefixes++;
    else if (from !== undefined && to === undefined) this.chosenPrefixes--;
    e.chosen = to;
    e.failover = failover;
    e.reasonKind = reason;
    e.reason = detail;
    return new LazyChosenChange(e.prefix, from, to, reason, detail, failover);
  }
}
