// The route spec: prefix → candidate next hops from every source (BGP paths, the route spec file, HTTP POST,
// static config), each gated on policy and health, and one chosen next hop per prefix.
//
// Every mutation marks the affected prefixes dirty (found through the next-hop and peer indexes, never by a
// full scan) and ends with one flush that re-ranks only those and emits one batch of changes; no batch when
// nothing changed. Synchronous and I/O-free; time comes from the injected clock.
import { systemClock, type Clock } from '../base/clock.js';
import { acceptAllPolicy, type PathPolicy } from '../policy/import-policy.js';
import type { SpeakerEvent } from '../bgp/events.js';
import { parseAddress, unmapIpv4 } from '../net/address.js';
import { formatPrefix, type Prefix } from '../net/prefix.js';
import { selectNextHop, DEFAULT_RANK_OPTIONS, type MutableSelection, type RankOptions } from './ranking.js';
import { prefixKey, type Candidate, type NextHopState, type PrefixEntry, type SpecSource } from './candidate.js';
import { SpecStore } from './spec-store.js';
import { AdjRibIn } from './bgp-source.js';
import { RouteSpecMetrics } from './route-spec-metrics.js';
import type { Metrics } from '../base/metrics.js';
import { auditState, mergedSpecOf, statsOf, type RouteSpecState, type RouteSpecStats } from './route-spec-report.js';
import type { SpecEntry } from './spec-format.js';
import { downText, ineligibleReason, isEligible, refreshRankFields, setReason } from './eligibility.js';
import { explainEntry, type Explanation } from './explain.js';

export type { RouteSpecStats };

export type ChangeReason = 'new' | 'failover' | 'preferred' | 'withdrawn' | 'no-eligible';

export interface ChosenChange {
  readonly prefix: Prefix;
  readonly prefixText: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly reason: ChangeReason;
  /** One line: why (for logs and the API). */
  readonly detail: string;
  /** The previous choice became ineligible (VPC sync writes these first). */
  readonly failover: boolean;
}

export interface ChosenRoute {
  readonly prefix: Prefix;
  readonly nextHop: string;
  readonly failover: boolean;
  /** False when no candidate is eligible and the last choice is kept (whenNoneEligible = keep-last). */
  readonly eligible: boolean;
}

export interface NextHopHealth {
  readonly healthy: boolean;
  readonly since?: number;
  readonly reason?: string;
}

export interface RouteSpecOptions {
  readonly clock?: Clock;
  readonly policy?: PathPolicy;
  readonly rank?: Partial<RankOptions>;
  /** What to do when no candidate of a prefix is eligible: keep the last choice (default) or remove the route. */
  readonly whenNoneEligible?: 'keep-last' | 'remove';
  /**
   * Health of a next hop when it first appears, given its health-check group (default: healthy; the health
   * monitor reports changes): `(nh, group) => monitor.healthOf(nh, group)`.
   */
  readonly healthOf?: (nextHop: string, group: string) => NextHopHealth;
  /** Availability zone of a next hop (for rank.preferAz). */
  readonly azOf?: (nextHop: string) => string | undefined;
  /** Registry for bgp2vpc_route_spec_* metrics. */
  readonly metrics?: Metrics;
}

export type ChangeListener = (batch: readonly ChosenChange[]) => void;
export type NextHopListener = (added: readonly { nextHop: string; group: string }[], removed: readonly string[]) => void;

/** Hold-down rechecks are grouped into slots of this many ms, so 10k prefixes share one timer. */
const RECHECK_SLOT_MS = 50;

export class RouteSpec {
  readonly clock: Clock;
  private policy: PathPolicy;
  private readonly rank: RankOptions;
  private readonly whenNone: 'keep-last' | 'remove';
  private readonly healthOf: (nextHop: string, group: string) => NextHopHealth;
  private readonly azOf: ((nextHop: string) => string | undefined) | undefined;
  private readonly entries = new Map<string, PrefixEntry>();
  private readonly nextHops = new Map<string, NextHopState>();
  private readonly bgp: AdjRibIn;
  private readonly metrics: RouteSpecMetrics | undefined;
  private readonly texts = new Map<string, Map<string, string>>();
  private readonly sel: MutableSelection = { winner: -1, decidedBy: 'only', recheckAt: undefined };
  private readonly specs: SpecStore;
  private readonly dirty: PrefixEntry[] = [];
  private readonly rechecks = new Map<number, PrefixEntry[]>();
  private readonly addedNh = new Set<NextHopState>();
  private readonly removedNh = new Set<string>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly nhListeners = new Set<NextHopListener>();
  private changesEmitted = 0;
  private batchesEmitted = 0;

  constructor(opts: RouteSpecOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.policy ?? acceptAllPolicy;
    this.rank = { ...DEFAULT_RANK_OPTIONS, ...opts.rank };
    this.whenNone = opts.whenNoneEligible ?? 'keep-last';
    this.healthOf = opts.healthOf ?? (() => ({ healthy: true }));
    this.azOf = opts.azOf;
    this.metrics = opts.metrics ? new RouteSpecMetrics(opts.metrics) : undefined;
    this.specs = new SpecStore({
      entry: (p) => this.entry(p),
      add: (c) => this.addCandidate(c),
      remove: (c) => this.removeCandidate(c),
      nextHop: (t, g) => this.nextHop(t, g),
      evaluate: (p, nh) => this.policy.evaluateSpec(p, nh),
      now: () => this.clock.now(),
      refresh: (c) => refreshRankFields(c, this.azOf),
    });
    this.bgp = new AdjRibIn({
      clock: this.clock,
      entry: (p) => this.entry(p),
      add: (c) => this.addCandidate(c),
      remove: (c) => this.removeCandidate(c),
      nextHop: (t, g) => this.nextHop(t, g),
      ref: (nh, e) => this.ref(nh, e),
      unref: (nh, e) => this.unref(nh, e),
      evaluate: (path) => this.policy.evaluatePath(path),
      refresh: (c) => refreshRankFields(c, this.azOf),
      markDirty: (e) => this.markDirty(e),
      flush: () => this.flush(),
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
    const nh = this.nextHops.get(nextHop);
    if (!nh || nh.healthy === health.healthy) {
      if (nh && health.reason !== undefined) setReason(nh, health.reason);
      return;
    }
    nh.healthy = health.healthy;
    nh.since = health.since ?? this.clock.now();
    setReason(nh, health.reason ?? (health.healthy ? 'healthy' : 'unhealthy'));
    const now = this.clock.now();
    if (!health.healthy) {
      // Losing a candidate that is not the current choice never changes the choice while the ranking steps form
      // a total order: the choice survived every step against it, and stickiness keeps it. Only prefixes routed
      // via this next hop move. MED compared per neighbour AS is not a total order (RFC 3345): a lost
      // candidate can unhide another one, so such prefixes are always re-ranked.
      for (const e of nh.refs.keys()) if (e.chosen === nextHop || this.medPerAs(e)) this.markDirty(e);
    } else {
      // A recovered next hop can take over at once only where there is no eligible current choice; elsewhere it
      // must first stay healthy for the hold-down: one recheck of all its prefixes then, not 10k timers now.
      let holdDown = false;
      for (const e of nh.refs.keys()) {
        if (this.rank.holdDownMs > 0 && e.chosen !== undefined && !this.medPerAs(e) && this.chosenEligible(e, now)) holdDown = true;
        else this.markDirty(e);
      }
      if (holdDown) this.scheduleNextHopRecheck(nh, nh.since + this.rank.holdDownMs);
    }
    this.flush();
  }

  /** A new import policy (config reload): re-evaluates every stored path and spec entry, sessions untouched. */
  setPolicy(policy: PathPolicy): void {
    this.policy = policy;
    for (const p of this.bgp.peers.values()) {
      for (const c of p.paths.values()) {
        const v = policy.evaluatePath(c.path);
        if (v.accepted !== c.verdict.accepted || v.group !== c.verdict.group || (v.accepted && c.verdict.accepted && v.priority !== c.verdict.priority)) {
          c.verdict = v;
          refreshRankFields(c, this.azOf);
          this.markDirty(c.entry);
        }
      }
    }
    for (const c of this.specs.all()) {
      const v = policy.evaluateSpec(c.entry.prefix, c.nextHop);
      if (v.accepted !== c.verdict.accepted || (v.accepted && c.verdict.accepted && v.priority !== c.verdict.priority)) {
        c.verdict = v;
        refreshRankFields(c, this.azOf);
        this.markDirty(c.entry);
      }
    }
    this.flush();
  }

  // ---- queries ------------------------------------------------------------------------------------------

  /** The full current set of chosen routes (for VPC sync). */
  chosen(): ChosenRoute[] {
    const out: ChosenRoute[] = [];
    const now = this.clock.now();
    for (const e of this.entries.values()) {
      if (e.chosen === undefined) continue;
      const eligible = e.cands.some((c) => c.nextHop === e.chosen && isEligible(c, now));
      out.push({ prefix: e.prefix, nextHop: e.chosen, failover: e.failover, eligible });
    }
    return out;
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
    return { entries: this.entries, nextHops: this.nextHops, peers: this.bgp.peers, rank: this.rank, whenNone: this.whenNone, now: this.clock.now() };
  }

  /** Every candidate of `prefix` with source, attributes, policy, health, rank and why it won or lost. */
  explain(prefix: Prefix): Explanation | undefined {
    const e = this.entries.get(prefixKey(prefix));
    return e ? explainEntry(e, this.clock.now(), this.rank) : undefined;
  }

  /** Prefixes currently known (any source), for listing. */
  prefixes(): Prefix[] {
    return [...this.entries.values()].map((e) => e.prefix);
  }

  rankOptions(): RankOptions {
    return this.rank;
  }

  /** Every next hop currently referenced, with its health-check group. */
  nextHopTargets(): { nextHop: string; group: string }[] {
    return [...this.nextHops.values()].map((n) => ({ nextHop: n.text, group: n.group }));
  }

  // ---- shared internals ---------------------------------------------------------------------------------

  private entry(prefix: Prefix): PrefixEntry {
    const key = prefixKey(prefix);
    let e = this.entries.get(key);
    if (!e) {
      e = { key, prefix, text: undefined, cands: [], chosen: undefined, failover: false, reasonKind: '', reason: '', dirty: false, medVaries: false };
      this.entries.set(key, e);
    }
    return e;
  }

  private nextHop(text: string, group: string): NextHopState {
    let nh = this.nextHops.get(text);
    if (!nh) {
      const a = unmapIpv4(parseAddress(text));
      const h = this.healthOf(text, group);
      const reason = h.reason ?? (h.healthy ? 'healthy' : 'unhealthy');
      nh = { text, family: a.family, addr: a.addr, key: a.family === 'ipv4' ? Number(a.addr) : Number(a.addr >> 75n), healthy: h.healthy, since: h.since ?? this.clock.now(), reason, downText: downText(reason), group, refs: new Map() };
      this.nextHops.set(text, nh);
      if (!this.removedNh.delete(text)) this.addedNh.add(nh);
    }
    return nh;
  }

  private ref(nh: NextHopState, e: PrefixEntry): void {
    nh.refs.set(e, (nh.refs.get(e) ?? 0) + 1);
  }

  private unref(nh: NextHopState, e: PrefixEntry): void {
    const n = (nh.refs.get(e) ?? 1) - 1;
    if (n > 0) {
      nh.refs.set(e, n);
      return;
    }
    nh.refs.delete(e);
    if (nh.refs.size === 0) {
      this.nextHops.delete(nh.text);
      if (!this.addedNh.delete(nh)) this.removedNh.add(nh.text);
    }
  }

  private addCandidate(c: Candidate): void {
    c.entry.cands.push(c);
    this.ref(c.nh, c.entry);
    this.markDirty(c.entry);
  }

  private removeCandidate(c: Candidate): void {
    const i = c.entry.cands.indexOf(c);
    if (i >= 0) c.entry.cands.splice(i, 1);
    this.unref(c.nh, c.entry);
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

  private chosenEligible(e: PrefixEntry, now: number): boolean {
    for (const c of e.cands) if (c.nextHop === e.chosen && isEligible(c, now)) return true;
    return false;
  }

  private scheduleNextHopRecheck(nh: NextHopState, at: number): void {
    const since = nh.since;
    this.clock.setTimeout(() => {
      // Only if it stayed healthy the whole time (a flap restarts the hold-down with its own recheck).
      if (this.nextHops.get(nh.text) !== nh || !nh.healthy || nh.since !== since) return;
      for (const e of nh.refs.keys()) this.markDirty(e);
      this.flush();
    }, Math.max(0, at - this.clock.now()));
  }

  private scheduleRecheck(e: PrefixEntry, at: number): void {
    const slot = Math.ceil(at / RECHECK_SLOT_MS) * RECHECK_SLOT_MS;
    let list = this.rechecks.get(slot);
    if (!list) {
      list = [];
      this.rechecks.set(slot, list);
      this.clock.setTimeout(() => {
        const due = this.rechecks.get(slot) ?? [];
        this.rechecks.delete(slot);
        for (const d of due) if (this.entries.get(d.key) === d) this.markDirty(d);
        this.flush();
      }, Math.max(0, slot - this.clock.now()));
    }
    list.push(e);
  }

  /** Re-ranks every dirty prefix and emits one batch. */
  private flush(): void {
    const now = this.clock.now();
    const batch: ChosenChange[] = [];
    for (let k = 0; k < this.dirty.length; k++) {
      const e = this.dirty[k] as PrefixEntry;
      e.dirty = false;
      const ch = this.rerank(e, now);
      if (ch) batch.push(ch);
    }
    this.dirty.length = 0;
    this.texts.clear();
    if (this.addedNh.size || this.removedNh.size) {
      const added = [...this.addedNh].map((n) => ({ nextHop: n.text, group: n.group }));
      const removed = [...this.removedNh];
      this.addedNh.clear();
      this.removedNh.clear();
      for (const l of this.nhListeners) l(added, removed);
    }
    if (batch.length === 0) return;
    this.changesEmitted += batch.length;
    this.metrics?.batch(batch, this.entries.size);
    this.batchesEmitted++;
    for (const l of this.changeListeners) l(batch);
  }

  private rerank(e: PrefixEntry, now: number): ChosenChange | undefined {
    const prev = e.chosen;
    if (e.cands.length === 0) {
      this.entries.delete(e.key);
      if (prev === undefined) return undefined;
      return this.change(e, undefined, 'withdrawn', 'no candidate left (withdrawn)', false);
    }
    const med0 = (e.cands[0] as Candidate).med;
    let medVaries = false;
    for (const c of e.cands) {
      c.eligible = isEligible(c, now);
      c.eligibleSince = c.eligible ? Math.max(c.addedAt, c.nh.since) : 0;
      if (c.med !== med0) medVaries = true;
    }
    e.medVaries = medVaries;
    const sel = selectNextHop(e.cands, prev, now, this.rank, undefined, this.sel);
    if (sel.recheckAt !== undefined) this.scheduleRecheck(e, sel.recheckAt);
    if (sel.winner < 0) {
      if (prev === undefined) return undefined;
      const why = this.whyGone(e, prev, now);
      if (this.whenNone === 'remove') return this.change(e, undefined, 'no-eligible', this.text('no eligible candidate: ', why), false);
      e.reasonKind = 'keep-last';
      e.reason = this.text(`no eligible candidate, keeping last choice ${prev}: `, why);
      return undefined;
    }
    const next = (e.cands[sel.winner] as Candidate).nextHop;
    if (next === prev) return undefined;
    if (prev === undefined) return this.change(e, next, 'new', this.text('chosen by ', sel.decidedBy), false);
    let prevEligible = false;
    for (const c of e.cands) if (c.nextHop === prev && c.eligible) prevEligible = true;
    if (prevEligible) return this.change(e, next, 'preferred', this.text(`${next} preferred by `, `${sel.decidedBy} after hold-down`), false);
    return this.change(e, next, 'failover', this.text(prev, this.whyGone(e, prev, now)), true);
  }

  /**
   * Detail texts, interned per flush: a flip that moves 10k prefixes gives them one shared string instead of
   * 10k concatenations (allocation there is GC time in the failover path).
   */
  private text(head: string, tail: string): string {
    let m = this.texts.get(head);
    if (!m) {
      m = new Map();
      this.texts.set(head, m);
    }
    let t = m.get(tail);
    if (t === undefined) {
      t = head.endsWith(' ') ? head + tail : `${head} ${tail}`;
      m.set(tail, t);
    }
    return t;
  }

  private whyGone(e: PrefixEntry, nh: string, now: number): string {
    for (const c of e.cands) if (c.nextHop === nh) return ineligibleReason(c, now);
    return 'withdrawn';
  }

  private change(e: PrefixEntry, to: string | undefined, reason: ChangeReason, detail: string, failover: boolean): ChosenChange {
    const from = e.chosen;
    e.chosen = to;
    e.failover = failover;
    e.reasonKind = reason;
    e.reason = detail;
    e.text ??= formatPrefix(e.prefix);
    return { prefix: e.prefix, prefixText: e.text, from, to, reason, detail, failover };
  }
}
