// Next-hop ranking for one prefix. Pure and allocation-light: it runs for every affected prefix on every
// health flip, so it works on small arrays of candidates in place.
//
// Order (each step keeps only the candidates that tie on it, as RFC 4271 §9.1.2.2 does):
//   0. eligible only (policy accepted, session Established or inside a GR window, next hop healthy);
//      while the current choice is eligible, challengers must have been eligible for the hold-down period
//   1. LOCAL_PREF, higher wins (missing = 100)
//   2. AS path length, shorter wins
//   3. MED, lower wins, compared among paths from the same neighbouring AS unless alwaysCompareMed
//      (RFC 4271 §9.1.2.2 (c): a missing MED is the lowest value)
//   4. configured priority, higher wins (communities, file/POST list order, static config)
//   5. same AZ (when ranking for route tables of one AZ, `preferAz`): a candidate in that AZ beats one elsewhere;
//      when none is there, the step removes nobody. After the operator's and the hosts' own preferences (1-4),
//      before stickiness, so a table moves to a same-AZ host over a sticky cross-AZ one, but only after that
//      host's failback hold-down (step 0) when the current choice is still eligible.
//   6. stickiness: the current choice stays
//   7. lowest next-hop IP (IPv4 before IPv6)

export interface Rankable {
  readonly nextHop: string;
  readonly nhFamily: 'ipv4' | 'ipv6';
  readonly nhAddr: bigint;
  /** Optional numeric prefix of nhAddr (exact for IPv4, top 53 bits for IPv6) for a cheaper comparison. */
  readonly nhKey?: number;
  readonly localPref: number;
  readonly asPathLength: number;
  readonly med: number;
  /** Neighbouring AS for MED comparison; undefined for non-BGP sources. */
  readonly neighborAs: number | undefined;
  readonly priority: number;
  readonly eligible: boolean;
  /** Since when (clock ms) the candidate has been continuously eligible. */
  readonly eligibleSince: number;
  readonly az?: string | undefined;
}

export interface RankOptions {
  /** A challenger must be eligible this long before it may replace an eligible current choice (failback). */
  readonly holdDownMs: number;
  readonly alwaysCompareMed: boolean;
  /** Prefer next hops in this AZ (the route table's AZ); requires candidates to carry `az`. */
  readonly preferAz?: string | undefined;
}

export type Step = 'ineligible' | 'hold-down' | 'local-pref' | 'as-path' | 'med' | 'priority' | 'az' | 'stickiness' | 'lowest-ip';

const scratch: number[] = [];

export interface Selection {
  /** Index of the winner, -1 when no candidate is eligible. */
  readonly winner: number;
  /** The step that decided: 'stickiness' when the current choice stayed, else the last step that removed someone. */
  readonly decidedBy: Step | 'only';
  /** When a challenger's hold-down ends (the prefix must be re-ranked then), or undefined. */
  readonly recheckAt: number | undefined;
}

/** A result object the caller reuses across calls (hot path: no allocation per prefix). */
export type MutableSelection = { -readonly [K in keyof Selection]: Selection[K] };

function result(out: MutableSelection | undefined, winner: number, decidedBy: Step | 'only', recheckAt: number | undefined): Selection {
  if (!out) return { winner, decidedBy, recheckAt };
  out.winner = winner;
  out.decidedBy = decidedBy;
  out.recheckAt = recheckAt;
  return out;
}

function filterBy<T extends Rankable>(
  cands: readonly T[],
  alive: number[],
  lost: (Step | undefined)[] | undefined,
  step: Step,
  better: (a: T, best: T) => boolean,
  equal: (a: T, best: T) => boolean,
): number[] {
  let best = cands[alive[0] as number] as T;
  for (let k = 1; k < alive.length; k++) {
    const c = cands[alive[k] as number] as T;
    if (better(c, best)) best = c;
  }
  let ties = 0;
  for (const i of alive) if (equal(cands[i] as T, best)) ties++;
  if (ties === alive.length) return alive; // nothing eliminated: no allocation
  const out: number[] = [];
  for (const i of alive) {
    if (equal(cands[i] as T, best)) out.push(i);
    else if (lost) lost[i] = step;
  }
  return out;
}

/**
 * Selects the winner among `cands`. `current` is the currently chosen next hop (text). `lost`, when given,
 * receives for every losing candidate the step at which it was eliminated (for explain()).
 */
export function selectNextHop<T extends Rankable>(
  cands: readonly T[],
  current: string | undefined,
  now: number,
  opts: RankOptions,
  lost?: (Step | undefined)[],
  out?: MutableSelection,
): Selection {
  // Reused between calls (ranking is synchronous and not re-entrant): no allocation on the hot path.
  scratch.length = 0;
  const alive: number[] = scratch;
  let currentEligible = false;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i] as T;
    if (!c.eligible) {
      if (lost) lost[i] = 'ineligible';
      continue;
    }
    alive.push(i);
    if (c.nextHop === current) currentEligible = true;
  }
  if (alive.length === 0) return result(out, -1, 'ineligible', undefined);
  // Rank everyone first. A hold-down only matters when a challenger that is not ready yet would win.
  let winner = -1;
  let decidedBy: Step | 'only' = 'only';
  if (!lost) {
    winner = selectFast(cands, alive, current, currentEligible, opts.alwaysCompareMed, opts.preferAz);
    decidedBy = fastDecidedBy;
  }
  if (winner < 0) {
    winner = eliminate(cands, alive, current, currentEligible, opts, lost);
    decidedBy = elimDecidedBy;
  }
  if (!currentEligible || opts.holdDownMs <= 0) return result(out, winner, decidedBy, undefined);
  const w = cands[winner] as T;
  if (w.nextHop === current || w.eligibleSince + opts.holdDownMs <= now) return result(out, winner, decidedBy, undefined);
  // The winner is still in failback hold-down: rank again without the challengers that are not ready.
  const held: number[] = [];
  let recheckAt: number | undefined;
  for (const i of alive) {
    const c = cands[i] as T;
    const ready = c.eligibleSince + opts.holdDownMs;
    if (c.nextHop === current || ready <= now) {
      held.push(i);
      if (lost) lost[i] = undefined;
    } else {
      if (lost) lost[i] = 'hold-down';
      if (recheckAt === undefined || ready < recheckAt) recheckAt = ready;
    }
  }
  winner = eliminate(cands, held, current, currentEligible, opts, lost);
  return result(out, winner, elimDecidedBy === 'only' ? 'hold-down' : elimDecidedBy, recheckAt);
}

let elimDecidedBy: Step | 'only' = 'only';

/** The step-by-step elimination (RFC 4271 §9.1.2.2 style) over `alive`; the deciding step in elimDecidedBy. */
function eliminate<T extends Rankable>(
  cands: readonly T[],
  alive: number[],
  current: string | undefined,
  currentEligible: boolean,
  opts: RankOptions,
  lost: (Step | undefined)[] | undefined,
): number {
  let decidedBy: Step | 'only' = 'only';
  let n: number;
  if ((n = alive.length) > 1) {
    alive = filterBy(cands, alive, lost, 'local-pref', higherLocalPref, sameLocalPref);
    if (alive.length < n) decidedBy = 'local-pref';
  }
  if ((n = alive.length) > 1) {
    alive = filterBy(cands, alive, lost, 'as-path', shorterAsPath, sameAsPath);
    if (alive.length < n) decidedBy = 'as-path';
  }
  if ((n = alive.length) > 1) {
    alive = filterMed(cands, alive, lost, opts.alwaysCompareMed);
    if (alive.length < n) decidedBy = 'med';
  }
  if ((n = alive.length) > 1) {
    alive = filterBy(cands, alive, lost, 'priority', higherPriority, samePriority);
    if (alive.length < n) decidedBy = 'priority';
  }
  if ((n = alive.length) > 1 && opts.preferAz !== undefined) {
    const az = opts.preferAz;
    if (alive.some((i) => (cands[i] as T).az === az)) {
      alive = alive.filter((i) => {
        const keep = (cands[i] as T).az === az;
        if (!keep && lost) lost[i] = 'az';
        return keep;
      });
      if (alive.length < n) decidedBy = 'az';
    }
  }
  // Stickiness decides only between different next hops: candidates that all share the current one are one choice.
  if (alive.length > 1 && currentEligible && alive.some((i) => (cands[i] as T).nextHop !== current)) {
    for (const i of alive) {
      if ((cands[i] as T).nextHop !== current) continue;
      if (lost) for (const j of alive) if ((cands[j] as T).nextHop !== current) lost[j] = 'stickiness';
      // Other candidates with the same next hop are not losers: they are the same choice.
      elimDecidedBy = 'stickiness';
      return i;
    }
  }
  let winner = alive[0] as number;
  for (let k = 1; k < alive.length; k++) {
    const i = alive[k] as number;
    if (lowerIp(cands[i] as T, cands[winner] as T)) winner = i;
  }
  if (alive.length > 1) {
    const w = cands[winner] as T;
    let differ = false;
    for (const i of alive) {
      if ((cands[i] as T).nextHop !== w.nextHop) {
        differ = true;
        if (lost) lost[i] = 'lowest-ip';
      }
    }
    if (differ) decidedBy = 'lowest-ip';
  }
  elimDecidedBy = decidedBy;
  return winner;
}

const FAST_STEPS: readonly (Step | 'only')[] = ['only', 'local-pref', 'as-path', 'med', 'priority', 'az', 'stickiness', 'lowest-ip'];

/** 0 when a and b tie on every step, else ±(index in FAST_STEPS of the first differing step): > 0 when a wins. */
function compareFast(a: Rankable, b: Rankable, current: string | undefined, sticky: boolean, med: boolean, az: string | undefined): number {
  if (a.localPref !== b.localPref) return a.localPref > b.localPref ? 1 : -1;
  if (a.asPathLength !== b.asPathLength) return a.asPathLength < b.asPathLength ? 2 : -2;
  if (med && a.med !== b.med) return a.med < b.med ? 3 : -3;
  if (a.priority !== b.priority) return a.priority > b.priority ? 4 : -4;
  if (az !== undefined && (a.az === az) !== (b.az === az)) return a.az === az ? 5 : -5;
  if (a.nextHop === b.nextHop) return 0;
  if (sticky && (a.nextHop === current || b.nextHop === current)) return a.nextHop === current ? 6 : -6;
  return lowerIp(a, b) ? 7 : -7;
}

/**
 * One pass, for the common case where the steps form a total order: MED either comparable across all candidates
 * (alwaysCompareMed) or equal everywhere (the same-AZ step is a total order: in the AZ or not). Returns the winner's
 * index (its deciding step in fastDecidedBy), or -1 when MED must be compared per neighbour AS (the elimination
 * path handles that).
 */
let fastDecidedBy: Step | 'only' = 'only';

function selectFast<T extends Rankable>(
  cands: readonly T[],
  alive: readonly number[],
  current: string | undefined,
  sticky: boolean,
  alwaysMed: boolean,
  az: string | undefined,
): number {
  let med = alwaysMed;
  if (!alwaysMed) {
    const m0 = (cands[alive[0] as number] as T).med;
    for (const i of alive) if ((cands[i] as T).med !== m0) return -1;
  }
  let w = alive[0] as number;
  for (let k = 1; k < alive.length; k++) {
    const i = alive[k] as number;
    if (compareFast(cands[i] as T, cands[w] as T, current, sticky, med, az) > 0) w = i;
  }
  // The deciding step: the last one at which some candidate lost to the winner.
  let step = 0;
  med = med && alive.length > 1;
  for (const i of alive) if (i !== w) step = Math.max(step, compareFast(cands[w] as T, cands[i] as T, current, sticky, med, az));
  fastDecidedBy = FAST_STEPS[step] ?? 'only';
  return w;
}

const higherLocalPref = (a: Rankable, b: Rankable): boolean => a.localPref > b.localPref;
const sameLocalPref = (a: Rankable, b: Rankable): boolean => a.localPref === b.localPref;
const shorterAsPath = (a: Rankable, b: Rankable): boolean => a.asPathLength < b.asPathLength;
const sameAsPath = (a: Rankable, b: Rankable): boolean => a.asPathLength === b.asPathLength;
const higherPriority = (a: Rankable, b: Rankable): boolean => a.priority > b.priority;
const samePriority = (a: Rankable, b: Rankable): boolean => a.priority === b.priority;

function lowerIp(a: Rankable, b: Rankable): boolean {
  if (a.nhFamily !== b.nhFamily) return a.nhFamily === 'ipv4';
  const ka = a.nhKey;
  const kb = b.nhKey;
  if (ka !== undefined && kb !== undefined && ka !== kb) return ka < kb;
  return a.nhAddr < b.nhAddr;
}

// RFC 4271 §9.1.2.2 (c): remove every route whose MED is higher than the lowest MED among the routes with the
// same neighbouring AS. Non-BGP candidates (neighborAs undefined) form their own group.
function filterMed<T extends Rankable>(
  cands: readonly T[],
  alive: number[],
  lost: (Step | undefined)[] | undefined,
  always: boolean,
): number[] {
  // Fast path: every MED equal (the usual case: all missing) removes nothing.
  const m0 = (cands[alive[0] as number] as T).med;
  let allSame = true;
  for (const i of alive) if ((cands[i] as T).med !== m0) allSame = false;
  if (allSame) return alive;
  const minByAs = new Map<number | undefined, number>();
  for (const i of alive) {
    const c = cands[i] as T;
    const key = always ? 0 : c.neighborAs;
    const m = minByAs.get(key);
    if (m === undefined || c.med < m) minByAs.set(key, c.med);
  }
  const out: number[] = [];
  for (const i of alive) {
    const c = cands[i] as T;
    if (c.med <= (minByAs.get(always ? 0 : c.neighborAs) as number)) out.push(i);
    else if (lost) lost[i] = 'med';
  }
  return out;
}
