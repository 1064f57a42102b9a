// The minimal exact table: ORTC (Draves, King, Venkatachary, Zill, "Constructing Optimal IP Routing Tables",
// INFOCOM 1999) extended with don't-care and forbidden regions.
//
// For a node v and an inherited target h (the nearest covering route above v, or none), let cost(v, h) be the
// fewest routes inside v that forward every announced address of v correctly. ORTC's invariant, which still holds
// with don't-care leaves (their candidate set is "everything", including none), is
//   cost(v, h) = c(v) + [h ∉ S(v)]
// with S(leaf t) = {t}, S(don't care) = ⊤, and for children A, B: S = S_A ∩ S_B, c = c_A + c_B when the
// intersection is non-empty, else S = S_A ∪ S_B, c = c_A + c_B + 1. A route at v with target x costs
// 1 + cost(A, x) + cost(B, x), which is what the "+1" of the union case pays for.
// Forbidden space (outside every cluster CIDR) must stay uncovered, so no route may sit on any node whose
// subtree holds forbidden space ("blocked"). The allowed nodes form maximal subtrees hanging off the blocked
// part; each is solved on its own with "none" inherited, so it costs c(r) + [S(r) ≠ ⊤].
import { DONT_CARE, NO_TARGET, type Trie } from './trie.js';

/** A route placed on the trie: on node `node` itself (side -1) or on its missing child `side`. */
export interface PlacedRoute {
  readonly node: number;
  readonly side: -1 | 0 | 1;
  readonly target: number;
}

/** S(v): null is ⊤ (every target and none); otherwise a sorted array of target ids. */
export type CandidateSet = readonly number[] | null;

export interface OrtcSets {
  readonly sets: readonly CandidateSet[];
  readonly count: Int32Array;
  /** Size of the minimal exact table. */
  readonly optimum: number;
}

function has(s: readonly number[], t: number): boolean {
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = s[mid] as number;
    if (m === t) return true;
    if (m < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function inSet(s: CandidateSet, t: number): boolean {
  return s === null || (t >= 0 && has(s, t));
}

/** Set by combine(): 1 when the last combination was a union (a route is paid for), else 0. */
let unionCost = 0;

/** Combines the children's sets into the parent's (ORTC pass 2); sets `unionCost`. */
function combine(a: CandidateSet, b: CandidateSet): CandidateSet {
  unionCost = 0;
  if (a === null) return b;
  if (b === null || a === b) return a;
  if (a.length === 1 && has(b, a[0] as number)) return a;
  if (b.length === 1 && has(a, b[0] as number)) return b;
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  if (n === a.length) return a;
  if (n === b.length) return b;
  if (n > 0) {
    const inter: number[] = [];
    for (let i = 0, j = 0; i < a.length && j < b.length;) {
      const x = a[i] as number;
      const y = b[j] as number;
      if (x === y) {
        inter.push(x);
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return inter;
  }
  unionCost = 1;
  return union(a, b);
}

function union(a: readonly number[], b: readonly number[]): number[] {
  const uni: number[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length;) {
    if (j >= b.length || (i < a.length && (a[i] as number) < (b[j] as number))) uni.push(a[i++] as number);
    else uni.push(b[j++] as number);
  }
  return uni;
}

/** Set of a uniform region with fill `f` (not forbidden); singletons are shared per call. */
function leafSet(f: number, singles: (readonly number[] | undefined)[]): CandidateSet {
  if (f === DONT_CARE) return null;
  let s = singles[f];
  if (!s) {
    s = [f];
    singles[f] = s;
  }
  return s;
}

/** ORTC pass 2 (bottom-up): candidate sets and counts for every allowed node. */
export function ortcSets(trie: Trie): OrtcSets {
  const n = trie.size;
  const sets: CandidateSet[] = new Array<CandidateSet>(n).fill(null);
  const count = new Int32Array(n);
  const singles: (readonly number[] | undefined)[] = [];
  let optimum = 0;
  for (let v = n - 1; v >= 0; v--) {
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    if (trie.blocked[v]) {
      // Maximal allowed children are roots of independent subproblems with "none" inherited.
      if (c0 >= 0 && !trie.blocked[c0]) optimum += (count[c0] as number) + (sets[c0] === null ? 0 : 1);
      if (c1 >= 0 && !trie.blocked[c1]) optimum += (count[c1] as number) + (sets[c1] === null ? 0 : 1);
      continue;
    }
    const f = trie.fill[v] as number;
    const s0 = c0 >= 0 ? (sets[c0] as CandidateSet) : leafSet(f, singles);
    const s1 = c1 >= 0 ? (sets[c1] as CandidateSet) : leafSet(f, singles);
    sets[v] = combine(s0, s1);
    count[v] = (c0 >= 0 ? (count[c0] as number) : 0) + (c1 >= 0 ? (count[c1] as number) : 0) + unionCost;
  }
  if (n > 0 && !trie.blocked[0]) optimum += (count[0] as number) + (sets[0] === null ? 0 : 1);
  return { sets, count, optimum };
}

/**
 * ORTC pass 3 (top-down): places the routes. Where several targets are equally good, the previous table's target
 * at the same prefix wins, then the lowest target id (targets are numbered in sorted order), so the output is
 * deterministic.
 */
export function ortcTable(trie: Trie, o: OrtcSets): PlacedRoute[] {
  const n = trie.size;
  const passed = new Int32Array(n).fill(NO_TARGET);
  const out: PlacedRoute[] = [];
  for (let v = 0; v < n; v++) {
    if (trie.blocked[v]) continue;
    const p = trie.parent[v] as number;
    const h = v === 0 || trie.blocked[p] ? NO_TARGET : (passed[p] as number);
    const s = o.sets[v] as CandidateSet;
    let down = h;
    if (s !== null && !inSet(s, h)) {
      const prev = trie.previous[v] as number;
      const x = prev >= 0 && has(s, prev) ? prev : (s[0] as number);
      out.push({ node: v, side: -1, target: x });
      down = x;
    }
    passed[v] = down;
    const f = trie.fill[v] as number;
    if (f >= 0 && f !== down) {
      if ((trie.child0[v] as number) < 0) out.push({ node: v, side: 0, target: f });
      if ((trie.child1[v] as number) < 0) out.push({ node: v, side: 1, target: f });
    }
  }
  return out;
}
