// Per-AZ choices: with route tables that serve one AZ each (vpc.preferSameAz), a prefix that several hosts announce
// gets a choice per AZ view as well as its default one. Each view ranks the same candidates with the same-AZ step
// on (ranking.ts: after LOCAL_PREF, AS path, MED and priority; before stickiness and lowest IP), keeps its own
// current choice (stickiness, failover, failback hold-down per view), and is emitted only where it differs from the
// default choice:
//   { prefix, to: X, az }          the tables of that AZ route the prefix to X,
//   { prefix, to: undefined, az }  they follow the default choice again.
// A default change (no az) reaches every AZ view without a choice of its own; emitted before the view changes.
//
// A prefix with one candidate (a pod CIDR) has no views: its default choice is every table's. Views are armed only
// once the AZ of every candidate is known (VPC sync reports them from its ENI lookups): the first arming starts
// from the host the AZ's installed table (read at startup) sends the prefix to, when that host is a candidate,
// else without a current choice, and until initial convergence that host is the one to keep whenever it is an
// eligible candidate (installed-choice.ts), so after a restart the tables keep the hosts they already point at
// (unless the same-AZ step prefers another) whichever host reconnected first. A view that is re-armed later (the
// prefix had one candidate for a while) starts from the default choice, so a returning host waits for the
// hold-down as it would anywhere.
import { formatPrefix } from '../net/prefix.js';
import type { Candidate, PrefixEntry } from './candidate.js';
import type { Rechecks } from './rechecks.js';
import type { ChosenChange } from './chosen.js';
import { isEligible, stillAnnounced } from './eligibility.js';
import { selectNextHop, type MutableSelection, type RankOptions } from './ranking.js';
import { stickTo, type InstalledLookup } from './installed-choice.js';

export class AzViews {
  /** Where the installed tables sent each prefix at startup (set once EC2 was read; kept for first armings). */
  private installed: InstalledLookup | undefined;
  /** The same, until initial convergence: the installed host is the one each view keeps. */
  private converging: InstalledLookup | undefined;
  private azs: readonly string[] = [];
  /** Next hop → AZ ('' for none), as VPC sync reported it; kept when a next hop comes and goes. */
  private readonly nextHopAzs = new Map<string, string>();
  private readonly sel: MutableSelection = { winner: -1, decidedBy: 'only', recheckAt: undefined };

  constructor(
    private readonly rank: RankOptions,
    /** Re-ranks a prefix when a challenger's hold-down ends. */
    private readonly rechecks: Pick<Rechecks, 'prefix'>,
  ) {}

  /** Where the installed tables send each prefix, until initial convergence (undefined ends it). */
  preferInstalled(lookup: InstalledLookup | undefined): void {
    this.converging = lookup;
    if (lookup) this.installed = lookup;
  }

  /** The AZs that route tables serve, sorted. True when they changed. */
  setAzs(azs: Iterable<string>): boolean {
    const next = [...new Set(azs)].filter((a) => a !== '').sort();
    if (next.length === this.azs.length && next.every((a, i) => a === this.azs[i])) return false;
    this.azs = next;
    return true;
  }

  /** True when the AZ is new for this next hop. */
  setNextHopAz(nextHop: string, az: string): boolean {
    if (this.nextHopAzs.get(nextHop) === az) return false;
    this.nextHopAzs.set(nextHop, az);
    return true;
  }

  azOf(nextHop: string): string | undefined {
    return this.nextHopAzs.get(nextHop);
  }

  /** Whether some view of `e` routes via `nextHop` (a health change there must re-rank it). */
  uses(e: PrefixEntry, nextHop: string): boolean {
    if (!e.azViews) return false;
    for (const v of e.azViews.choice.values()) if (v === nextHop) return true;
    return false;
  }

  /** The choice of `e` for tables in `az` (the default one where the view has none). */
  choiceOf(e: PrefixEntry, az: string | undefined): string | undefined {
    return (az !== undefined ? e.azViews?.choice.get(az) : undefined) ?? e.chosen;
  }

  /** After the default ranking of `e`: re-ranks its views and appends their changes to `out`. */
  rerank(e: PrefixEntry, prevDefault: string | undefined, now: number, out: ChosenChange[]): void {
    if (this.azs.length === 0 || e.cands.length < 2 || e.chosen === undefined) {
      this.clear(e, out);
      return;
    }
    let st = e.azViews;
    if (!st) {
      const firstArming = !e.azArmed;
      if (firstArming && e.cands.some((c) => c.az === undefined)) return; // AZs still being looked up
      st = e.azViews = { choice: new Map(), overrides: new Set() };
      e.azArmed = true;
      // First arming: from the host the AZ's installed table sends the prefix to, if it is a candidate (a restart
      // then writes nothing unless the same-AZ step prefers another); later armings: from the default choice.
      for (const az of this.azs) {
        const from = firstArming ? stickTo(e, undefined, this.installed, az) : prevDefault;
        if (from !== undefined) st.choice.set(az, from);
      }
    }
    for (const az of [...st.choice.keys()]) {
      if (this.azs.includes(az)) continue;
      st.choice.delete(az);
      if (st.overrides.delete(az)) out.push(this.change(e, az, undefined, false));
    }
    for (const az of this.azs) {
      const current = st.choice.get(az);
      const keep = stickTo(e, current, this.converging, az);
      const sel = selectNextHop(e.cands, keep, now, { ...this.rank, preferAz: az }, undefined, this.sel);
      if (sel.recheckAt !== undefined) this.rechecks.prefix(e, sel.recheckAt);
      // None eligible: the view keeps its choice while that host still announces the prefix, else the default's.
      const kept = current !== undefined && stillAnnounced(e, current) ? current : e.chosen;
      const next: string = sel.winner >= 0 ? (e.cands[sel.winner] as Candidate).nextHop : kept;
      const failover = current !== undefined && next !== current && !eligible(e, current);
      st.choice.set(az, next);
      const had = st.overrides.has(az);
      if (next !== e.chosen) {
        if (!had || next !== current) {
          st.overrides.add(az);
          out.push(this.change(e, az, next, failover, current));
        }
      } else if (had) {
        st.overrides.delete(az);
        out.push(this.change(e, az, undefined, failover, current));
      }
    }
  }

  /** Drops the views of `e` (one candidate left, withdrawn, or no AZ tables), emitting clears for its overrides. */
  clear(e: PrefixEntry, out: ChosenChange[]): void {
    const st = e.azViews;
    if (!st) return;
    for (const az of st.overrides) out.push(this.change(e, az, undefined, false, st.choice.get(az)));
    e.azViews = undefined;
  }

  private change(e: PrefixEntry, az: string, to: string | undefined, failover: boolean, from?: string): ChosenChange {
    const shown = to ?? e.chosen;
    return {
      prefix: e.prefix,
      prefixText: formatPrefix(e.prefix),
      from,
      to,
      reason: failover ? 'failover' : 'preferred',
      detail: `tables in ${az}: ${shown ?? '-'}${to === undefined ? ' (the default choice)' : ' (same AZ first)'}`,
      failover,
      az,
    };
  }
}

function eligible(e: PrefixEntry, nextHop: string): boolean {
  for (const c of e.cands) if (c.nextHop === nextHop && isEligible(c)) return true;
  return false;
}
