// Among all minimal exact tables, the one sharing the most routes (same prefix, same target) with the previous
// table, so that one churned host does not rewrite the table.
//
// With cost(v, h) = c(v) + [h ∉ S(v)] (see ortc.ts), the choices that keep a table minimal are exactly:
//   h ∈ S(v): no route on v; both children inherit h.
//   h ∉ S(v): a route x ∈ S(v) on v (children inherit x), or no route on v when that costs no more: always in
//             the union case (S(v) = S_A ∪ S_B), and in the intersection case when h is in exactly one of S_A, S_B.
// m(v, h) = the most previous routes the subtree can keep under those choices. It depends on h only through the
// targets present in the subtree, so it is kept for T(v) plus "other", like the least-damage tables.
import { inSet, type CandidateSet, type OrtcSets, type PlacedRoute } from './ortc.js';
import { NO_TARGET, type Trie } from './trie.js';

const EMPTY = new Int32Array(0);

/** m(c, ·) sparsely: `m[i]` for target `targets[i]`, `other` for every target not listed (and for none). */
interface Side {
  readonly targets: Int32Array;
  readonly m: Int32Array;
  readonly other: number;
  readonly set: CandidateSet;
}

function indexOf(list: Int32Array, t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = list[mid] as number;
    if (x === t) return mid;
    if (x < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const mOf = (s: Side, h: number): number => {
  if (h < 0 || s.targets.length === 0) return s.other;
  const i = indexOf(s.targets, h);
  return i < 0 ? s.other : (s.m[i] as number);
};

/** Sorted union of two sorted lists (duplicates dropped). */
function unionSorted(x: ArrayLike<number>, y: ArrayLike<number>): Int32Array {
  if (y.length === 0) return x instanceof Int32Array ? x : Int32Array.from(x);
  if (x.length === 0) return y instanceof Int32Array ? y : Int32Array.from(y);
  const out = new Int32Array(x.length + y.length);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i] as number;
    const q = y[j] as number;
    if (p < q) {
      out[n++] = p;
      i++;
    } else if (q < p) {
      out[n++] = q;
      j++;
    } else {
      out[n++] = p;
      i++;
      j++;
    }
  }
  while (i < x.length) out[n++] = x[i++] as number;
  while (j < y.length) out[n++] = y[j++] as number;
  return n === out.length ? out : out.subarray(0, n);
}

/**
 * The targets for which m(v, h) may differ from m(v, other): listed by a child, or in a child's set (S(v) is
 * inside S_A ∪ S_B). Sorted, in a fresh array the caller may overwrite.
 */
function candidates(a: Side, b: Side, withSets: boolean): Int32Array {
  const sets = withSets ? unionSorted(a.set ?? EMPTY, b.set ?? EMPTY) : EMPTY;
  const listed = unionSorted(a.targets, b.targets);
  const all = unionSorted(sets, listed);
  return all === a.targets || all === b.targets ? all.slice() : all;
}

/** m(v, h) from the children's values (see the header for which choices keep the table minimal). */
function mValue(a: Side, b: Side, s: readonly number[], union: boolean, bestWithRoute: number, h: number): number {
  const ma = mOf(a, h);
  const mb = mOf(b, h);
  if (inSet(s, h)) return ma + mb;
  const noRouteOk = union || inSet(a.set, h) !== inSet(b.set, h);
  return noRouteOk ? Math.max(bestWithRoute, ma + mb) : bestWithRoute;
}

export function ortcTableClosestTo(trie: Trie, o: OrtcSets): PlacedRoute[] {
  const n = trie.size;
  const sides: (Side | undefined)[] = new Array<Side | undefined>(n);
  const best = new Int32Array(n).fill(NO_TARGET); // the best route target on v when one is placed
  const bestM = new Int32Array(n);
  const fillers: Side[] = [];
  const dontCare: Side = { targets: EMPTY, m: EMPTY, other: 0, set: null };
  const fillerSide = (f: number): Side => {
    if (f < 0) return dontCare;
    let side = fillers[f];
    if (!side) {
      side = { targets: EMPTY, m: EMPTY, other: 0, set: [f] };
      fillers[f] = side;
    }
    return side;
  };
  const childSide = (v: number, side: 0 | 1): Side => {
    const c = side === 0 ? (trie.child0[v] as number) : (trie.child1[v] as number);
    return c >= 0 ? (sides[c] as Side) : fillerSide(trie.fill[v] as number);
  };

  for (let v = n - 1; v >= 0; v--) {
    if (trie.blocked[v]) continue;
    const s = o.sets[v] as CandidateSet;
    if (s === null) {
      sides[v] = dontCare;
      continue;
    }
    const a = childSide(v, 0);
    const b = childSide(v, 1);
    const prev = trie.previous[v] as number;
    let bx = NO_TARGET;
    let bm = -1;
    for (const x of s) {
      const val = (prev === x ? 1 : 0) + mOf(a, x) + mOf(b, x);
      if (val > bm) {
        bm = val;
        bx = x;
      }
    }
    best[v] = bx;
    bestM[v] = bm;
    const union = isUnion(a.set, b.set);
    const other = mValue(a, b, s, union, bm, NO_TARGET);
    // A target neither child lists has m = other on both sides; its value can only be one of these three, so when
    // they all equal "other", set membership cannot matter and only the listed targets need a look.
    const both = a.other + b.other;
    const setsMatter = both !== other || bm !== other;
    const cand = candidates(a, b, setsMatter);
    const vals = new Int32Array(cand.length);
    let kept = 0;
    for (let i = 0; i < cand.length; i++) {
      const h = cand[i] as number;
      const val = mValue(a, b, s, union, bm, h);
      if (val !== other) {
        cand[kept] = h;
        vals[kept++] = val;
      }
    }
    sides[v] =
      kept === 0
        ? { targets: EMPTY, m: EMPTY, other, set: s }
        : { targets: cand.subarray(0, kept), m: vals.subarray(0, kept), other, set: s };
  }

  // Top-down: follow the choices that achieve m.
  const passed = new Int32Array(n).fill(NO_TARGET);
  const out: PlacedRoute[] = [];
  for (let v = 0; v < n; v++) {
    if (trie.blocked[v]) continue;
    const p = trie.parent[v] as number;
    const h = v === 0 || trie.blocked[p] ? NO_TARGET : (passed[p] as number);
    const s = o.sets[v] as CandidateSet;
    let down = h;
    if (s !== null && !inSet(s, h)) {
      const a = childSide(v, 0);
      const b = childSide(v, 1);
      const union = isUnion(a.set, b.set);
      const noRouteOk = union || inSet(a.set, h) !== inSet(b.set, h);
      if (!(noRouteOk && mOf(a, h) + mOf(b, h) > (bestM[v] as number))) {
        down = best[v] as number;
        out.push({ node: v, side: -1, target: down });
      }
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

/** True when S_A ∩ S_B is empty (ORTC's union case). */
function isUnion(a: CandidateSet, b: CandidateSet): boolean {
  if (a === null || b === null) return false;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) return false;
    if (x < y) i++;
    else j++;
  }
  return true;
}
