// explain(prefix): every candidate with its source, attributes, policy verdict, health, rank and why it won
// or lost. Serialisable as JSON for the API and `status`.
import { formatPrefix } from '../net/prefix.js';
import type { Candidate, PrefixEntry } from './candidate.js';
import { ineligibleReason, isEligible } from './eligibility.js';
import { selectNextHop, type RankOptions, type Step } from './ranking.js';

export interface CandidateExplanation {
  readonly source: Candidate['source'];
  readonly nextHop: string;
  readonly peer?: string;
  readonly peerAsn?: number;
  readonly pathId?: number;
  /** Position in the spec list (file / POST / static), 0 = most preferred. */
  readonly listIndex?: number;
  readonly attributes: {
    readonly localPref: number;
    readonly asPathLength: number;
    readonly asPath?: readonly number[];
    readonly med: number;
    readonly communities?: readonly string[];
    readonly priority: number;
    readonly az?: string;
    readonly stale?: boolean;
  };
  readonly policy: { readonly accepted: boolean; readonly group: string; readonly reason?: string };
  readonly health: { readonly healthy: boolean; readonly since: number; readonly reason: string };
  readonly eligible: boolean;
  /** 1 = winner; candidates eliminated later rank before those eliminated earlier. */
  readonly rank: number;
  readonly result: string;
}

export interface Explanation {
  readonly prefix: string;
  readonly chosen: string | undefined;
  readonly failover: boolean;
  readonly reason: string;
  readonly candidates: readonly CandidateExplanation[];
}

const STEP_ORDER: readonly (Step | 'winner' | 'same')[] = [
  'winner',
  'same',
  'lowest-ip',
  'stickiness',
  'az',
  'priority',
  'med',
  'as-path',
  'local-pref',
  'hold-down',
  'ineligible',
];

const STEP_TEXT: Record<Step, string> = {
  ineligible: 'not eligible',
  'hold-down': 'in failback hold-down',
  'local-pref': 'lower LOCAL_PREF',
  'as-path': 'longer AS path',
  med: 'higher MED (same neighbour AS)',
  priority: 'lower configured priority',
  az: 'not in the preferred AZ',
  stickiness: 'current choice is sticky',
  'lowest-ip': 'higher IP (tie-break)',
};

const community = (c: number): string => `${Math.floor(c / 0x10000)}:${c % 0x10000}`;

/** `current`: the choice to explain against (a per-AZ view's; default the prefix's). */
export function explainEntry(e: PrefixEntry, now: number, rank: RankOptions, current = e.chosen): Explanation {
  for (const c of e.cands) {
    c.eligible = isEligible(c);
    c.eligibleSince = c.eligible ? Math.max(c.addedAt, c.nh.since) : 0;
  }
  const lost: (Step | undefined)[] = new Array<Step | undefined>(e.cands.length).fill(undefined);
  const sel = selectNextHop(e.cands, current, now, rank, lost);
  const winnerNh = sel.winner >= 0 ? (e.cands[sel.winner] as Candidate).nextHop : current;
  const outcome = (i: number): Step | 'winner' | 'same' => {
    if (i === sel.winner) return 'winner';
    const c = e.cands[i] as Candidate;
    if (c.nextHop === winnerNh && c.eligible) return 'same';
    return lost[i] ?? 'ineligible';
  };
  const order = e.cands.map((_, i) => i).sort((a, b) => STEP_ORDER.indexOf(outcome(a)) - STEP_ORDER.indexOf(outcome(b)));
  const rankOf = new Map(order.map((i, k) => [i, k + 1]));
  const candidates = e.cands.map((c, i): CandidateExplanation => {
    const o = outcome(i);
    const result =
      o === 'winner'
        ? `chosen (${sel.decidedBy})`
        : o === 'same'
          ? 'same next hop as the chosen candidate'
          : o === 'ineligible'
            ? `lost: ${ineligibleReason(c)}`
            : `lost: ${STEP_TEXT[o]}${o === 'hold-down' ? ` until ${Math.round(c.eligibleSince + rank.holdDownMs)} ms` : ''}`;
    const base = {
      nextHop: c.nextHop,
      policy: c.verdict.accepted
        ? { accepted: true, group: c.verdict.group }
        : { accepted: false, group: c.verdict.group, reason: c.verdict.reason },
      health: { healthy: c.nh.healthy, since: c.nh.since, reason: c.nh.reason },
      eligible: c.eligible,
      rank: rankOf.get(i) ?? e.cands.length,
      result,
    };
    const attrs = {
      localPref: c.localPref,
      asPathLength: c.asPathLength,
      med: c.med,
      priority: c.priority,
      ...(c.az !== undefined ? { az: c.az } : {}),
    };
    if (c.source === 'bgp') {
      return {
        source: 'bgp',
        peer: c.peer.peer,
        peerAsn: c.peerAsn,
        pathId: c.pathId,
        attributes: { ...attrs, asPath: c.attrs.asPath, communities: c.attrs.communities.map(community), stale: c.stale },
        ...base,
      };
    }
    return { source: c.source, listIndex: c.index, attributes: attrs, ...base };
  });
  candidates.sort((a, b) => a.rank - b.rank);
  return {
    prefix: formatPrefix(e.prefix),
    chosen: current,
    failover: e.failover,
    reason: e.reasonKind ? `${e.reasonKind}: ${e.reason}` : '',
    candidates,
  };
}
