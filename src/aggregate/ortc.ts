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
export type CandidateSet = Int32Array | null;

export interface OrtcSets {
  readonly sets: readonly CandidateSet[];
  readonly count: Int32Array;
  /** Size of the minimal exact table. */
  readonly optimum: number;
}

function has(s: Int32Array, t: number): boolean {
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

/** Combines the children's sets; returns the parent's set and whether a route was added (union case). */
function combine(a: CandidateSet, b: CandidateSet): [CandidateSet, number] {
  if (a === null) return [b, 0];
  if (b === null || a === b) return [a, 0];
  const inter = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      inter[n++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  if (n > 0) {
    if (n === a.length) return [a, 0];
    if (n === b.length) return [b, 0];
    return [inter.slice(0, n), 0];
  }
  const uni = new Int32Array(a.length + b.length);
  let m = 0;
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    if (j >= b.length || (i < a.length && (a[i] as number) < (b[j] as number))) uni[m++] = a[i++] as number;
    else uni[m++] = b[j++] as number;
  }
  return [uni, 1];
}

const singletons = new Map<number, Int32Array>();
function single(t: number): Int32Array {
  let s = singletons.get(t);
  if (!s) {
    s = Int32Array.of(t);
    singletons.set(t, s);
  }
  return s;
}

/** Set of a uniform region with fill `f` (not forbidden). */
function leafSet(f: number): CandidateSet {
  return f === DONT_CARE ? null : single(f);
}

/** ORTC pass 2 (bottom-up): candidate sets and counts for every allowed node. */
export function ortcSets(trie: Trie): OrtcSets {
  const n = trie.size;
  const sets: CandidateSet[] = new Array<CandidateSet>(n).fill(null);
  const count = new Int32Array(n);
  let optimum = 0;
  for (let v = n - 1; v >= 0; v--) {
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    if (trie.blocked[v]) {
      // Maximal allowed children are roots of independent subproblems with "none" inherited.
      for (const c of [c0, c1]) {
        if (c >= 0 && !trie.blocked[c]) optimum += (count[c] as number) + (sets[c] === null ? 0 : 1);
      }
      continue;
    }
    const f = trie.fill[v] as number;
    const s0 = c0 >= 0 ? (sets[c0] as CandidateSet) : leafSet(f);
    const s1 = c1 >= 0 ? (sets[c1] as CandidateSet) : leafSet(f);
    const [s, extra] = combine(s0, s1);
    sets[v] = s;
    count[v] = (c0 >= 0 ? (count[c0] as number) : 0) + (c1 >= 0 ? (count[c1] as number) : 0) + extra;
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

