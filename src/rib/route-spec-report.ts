// Read-only reports over the route spec state: the merged spec (GET /route_spec), statistics (API, metrics)
// and a consistency audit (tests, doctor).
import { formatPrefix } from '../net/prefix.js';
import type { Candidate, NextHopState, PeerState, PrefixEntry, SpecCandidate } from './candidate.js';
import { isEligible } from './eligibility.js';
import { selectNextHop, type RankOptions } from './ranking.js';
import type { SpecEntry } from './spec-format.js';
import type { ChosenRoute } from './chosen.js';

export interface RouteSpecState {
  readonly entries: { readonly size: number; values(): IterableIterator<PrefixEntry> };
  readonly nextHops: readonly NextHopState[];
  readonly peers: ReadonlyMap<string, PeerState>;
  readonly rank: RankOptions;
  readonly whenNone: 'keep-last' | 'remove';
  readonly now: number;
}

export interface RouteSpecStats {
  readonly prefixes: number;
  readonly candidates: number;
  readonly rejectedCandidates: number;
  readonly bgpPaths: number;
  readonly peers: number;
  readonly peersUp: number;
  readonly chosen: number;
  readonly prefixesWithoutEligibleCandidate: number;
  readonly nextHops: number;
  readonly unhealthyNextHops: number;
  readonly changesEmitted: number;
  readonly batchesEmitted: number;
}

/** Static, file and POST entries in list order, then BGP next hops by address; policy-rejected ones left out. */
export function mergedSpecOf(entries: Iterable<PrefixEntry>): SpecEntry[] {
  const out: SpecEntry[] = [];
  const order: Record<Candidate['source'], number> = { static: 0, file: 1, http: 2, bgp: 3 };
  const byIp = (a: Candidate, b: Candidate): number => (a.nhAddr < b.nhAddr ? -1 : a.nhAddr > b.nhAddr ? 1 : 0);
  for (const e of entries) {
    const cs = e.cands.filter((c) => c.verdict.accepted);
    if (cs.length === 0) continue;
    cs.sort(
      (a, b) =>
        order[a.source] - order[b.source] ||
        (a.source === 'bgp' || b.source === 'bgp' ? byIp(a, b) : (a as SpecCandidate).index - (b as SpecCandidate).index),
    );
    out.push({ prefix: e.prefix, nextHops: [...new Set(cs.map((c) => c.nextHop))] });
  }
  return out;
}

export function statsOf(st: RouteSpecState): Omit<RouteSpecStats, 'changesEmitted' | 'batchesEmitted'> {
  let candidates = 0;
  let rejected = 0;
  let chosen = 0;
  let noEligible = 0;
  for (const e of st.entries.values()) {
    candidates += e.cands.length;
    let anyEligible = false;
    for (const c of e.cands) {
      if (!c.verdict.accepted) rejected++;
      if (!anyEligible && isEligible(c)) anyEligible = true;
    }
    if (e.chosen !== undefined) chosen++;
    if (!anyEligible) noEligible++;
  }
  let bgpPaths = 0;
  let peersUp = 0;
  for (const p of st.peers.values()) {
    bgpPaths += p.paths.size;
    if (p.up) peersUp++;
  }
  let unhealthy = 0;
  for (const n of st.nextHops) if (!n.healthy) unhealthy++;
  return {
    prefixes: st.entries.size,
    candidates,
    rejectedCandidates: rejected,
    bgpPaths,
    peers: st.peers.size,
    peersUp,
    chosen,
    prefixesWithoutEligibleCandidate: noEligible,
    nextHops: st.nextHops.length,
    unhealthyNextHops: unhealthy,
  };
}

/** Every stored choice equals a fresh ranking at `now`, and the next-hop index matches the candidates. */
export function auditState(st: RouteSpecState): string[] {
  const problems: string[] = [];
  const refs = new Map<NextHopState, Map<PrefixEntry, number>>();
  for (const e of st.entries.values()) {
    const name = formatPrefix(e.prefix);
    if (e.cands.length === 0) problems.push(`${name}: entry without candidates`);
    for (const c of e.cands) {
      if (c.entry !== e) problems.push(`${name}: candidate ${c.nextHop} points at another entry`);
      const m = refs.get(c.nh) ?? new Map<PrefixEntry, number>();
      m.set(e, (m.get(e) ?? 0) + 1);
      refs.set(c.nh, m);
      c.eligible = isEligible(c);
      c.eligibleSince = c.eligible ? Math.max(c.addedAt, c.nh.since) : 0;
    }
    const sel = selectNextHop(e.cands, e.chosen, st.now, st.rank);
    const want = sel.winner >= 0 ? (e.cands[sel.winner] as Candidate).nextHop : st.whenNone === 'remove' ? undefined : e.chosen;
    if (want !== e.chosen) problems.push(`${name}: chosen ${e.chosen ?? 'none'} but ranking now gives ${want ?? 'none'}`);
  }
  for (const nh of st.nextHops) {
    const m = refs.get(nh);
    if (!m || m.size !== nh.refs.size || [...m].some(([e, n]) => nh.refs.get(e) !== n))
      problems.push(`next hop ${nh.text}: index out of date`);
  }
  if (refs.size !== st.nextHops.length) problems.push('next-hop index has missing or extra next hops');
  return problems;
}

/** Every prefix with a chosen next hop, as VPC sync takes it. */
export function chosenRoutes(entries: Iterable<PrefixEntry>, chosenEligible: (e: PrefixEntry) => boolean): ChosenRoute[] {
  const out: ChosenRoute[] = [];
  for (const e of entries) {
    if (e.chosen === undefined) continue;
    out.push({ prefix: e.prefix, nextHop: e.chosen, failover: e.failover, eligible: chosenEligible(e) });
  }
  return out;
}
