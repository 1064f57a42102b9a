// The least-damage table when even the minimal table does not fit the budget: a dynamic program over the trie
// (in the spirit of Rottenstreich and Tapolcai, "Optimal Rule Caching and Lossy Compression for Longest Prefix
// Matching").
//
// f(v, h, k) = the fewest announced addresses of v's subtree sent to the wrong target or to no route, using at
// most k routes inside the subtree, when the nearest route above v has target h. Only targets that occur in the
// subtree can make a difference, so h ranges over T(v) plus "other" (none or a target absent from the subtree).
//   F(v, h, k) = min_a f(A, h, a) + f(B, h, k - a)            no route on v (min-plus convolution)
//   G(v, k)    = min_{x ∈ T(v)} F(v, x, k - 1)                 a route x on v (forbidden when v is blocked)
//   f(v, h, k) = min(F(v, h, k), G(v, k))
// A uniform region (a missing child or an explicit leaf) of weight w and target t: f = 0 when h = t, else w
// with no route and 0 with one. Don't-care and forbidden regions weigh nothing. Arrays are cut after their
// first zero (more routes cannot help) and at the budget, so the work is a tree knapsack (O(n·B) merges) times
// the inherited targets. That factor is what bounds it; two facts keep it small: f(c, h, a) = f(c, other, a)
// from a small index on (the divergence), so each target costs its divergent splits plus a share of one suffix
// sweep (damage-arrays.ts), and only the divergent prefix of each target's array is stored.
// Weights are address counts scaled by the smallest announced region (powers of two), held in float64: exact
// while the scaled announced total stays below 2^53, which always holds for IPv4 and for IPv6 inputs of similar
// prefix lengths (`exact` says so). An IPv6 input mixing e.g. many /64s with /128s can exceed it; damages that
// differ by less than 1 part in 2^53 may then be ordered wrongly. The reported damage is always exact (bigint).
import {
  EMPTY_PACKED,
  LEAF_PACKED,
  ZERO,
  at,
  conv,
  convDiverging,
  divergence,
  materialize,
  pack,
  trim,
  type Packed,
} from './damage-arrays.js';
import type { PlacedRoute } from './ortc.js';
import { NO_TARGET, type Trie } from './trie.js';

function indexOf(list: Int32Array, t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid] as number;
    if (m === t) return mid;
    if (m < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function unionSorted(a: Int32Array, b: Int32Array, extra: number): Int32Array {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Infinity;
    const y = j < b.length ? (b[j] as number) : Infinity;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) out.push(a[i++] as number);
    else out.push(b[j++] as number);
  }
  if (extra >= 0 && !out.includes(extra)) {
    out.push(extra);
    out.sort((p, q) => p - q);
  }
  return Int32Array.from(out);
}

const EMPTY = new Int32Array(0);

export interface DamageTables {
  /** f(v, ·, ·) per node: targets T(v), one array per target, and the "other" array. */
  readonly targets: (Int32Array | undefined)[];
  readonly perTarget: (Packed | undefined)[];
  readonly other: (Float64Array | undefined)[];
  /** perTarget[v][i] is stored only below diverge[v][i]; from there on it equals other[v] (see materialize). */
  readonly diverge: (Int32Array | undefined)[];
  /** Route target chosen on v for each budget k (NO_TARGET where no route helps). */
  readonly choice: (Int32Array | undefined)[];
  /** Nodes whose one missing child weighs nothing: f(v) = f(child), no route ever sits on v. */
  readonly passThrough: Uint8Array;
  readonly weight: Float64Array;
  readonly exact: boolean;
}

/** weight[d] = address count of a region at depth d, in units of the smallest announced region. */
export function scaledWeights(trie: Trie): Float64Array {
  let maxDepth = 0;
  for (let v = 0; v < trie.size; v++) if ((trie.fill[v] as number) >= 0) maxDepth = Math.max(maxDepth, (trie.depth[v] as number) + 1);
  const weight = new Float64Array(trie.bits + 2);
  for (let d = 0; d <= trie.bits + 1; d++) weight[d] = d <= maxDepth ? 2 ** (maxDepth - d) : 0;
  return weight;
}

export function damageTables(trie: Trie, cap: number): DamageTables {
  const n = trie.size;
  const weight = scaledWeights(trie);

  const targets: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(n);
  const perTarget: (Packed | undefined)[] = new Array<Packed | undefined>(n);
  const other: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(n);
  const choice: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(n);
  const passThrough = new Uint8Array(n);
  /** diverge[v][i]: 1 + the last index where f(v, targets[i]) differs from f(v, other). */
  const diverge: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(n);
  let total = 0;

  const leafOther = (w: number): Float64Array => (cap === 0 ? Float64Array.of(w) : Float64Array.of(w, 0));

  for (let v = n - 1; v >= 0; v--) {
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    const f = trie.fill[v] as number;
    const d = trie.depth[v] as number;
    if (trie.blocked[v]) {
      const a = c0 >= 0 ? (other[c0] as Float64Array) : ZERO;
      const b = c1 >= 0 ? (other[c1] as Float64Array) : ZERO;
      other[v] = conv(a, b, cap);
      continue;
    }
    if (c0 < 0 && c1 < 0) {
      // An explicit leaf: one uniform region.
      if (f >= 0) {
        targets[v] = Int32Array.of(f);
        perTarget[v] = LEAF_PACKED;
        diverge[v] = Int32Array.of(1);
        other[v] = leafOther(weight[d] as number);
        total += weight[d] as number;
      } else {
        targets[v] = EMPTY;
        perTarget[v] = EMPTY_PACKED;
        other[v] = ZERO;
      }
      continue;
    }
    if ((c0 < 0 || c1 < 0) && f < 0) {
      const c = c0 >= 0 ? c0 : c1;
      passThrough[v] = 1;
      targets[v] = targets[c];
      perTarget[v] = perTarget[c];
      diverge[v] = diverge[c];
      other[v] = other[c];
      continue;
    }
    const fillerTarget = c0 < 0 || c1 < 0 ? f : -1;
    const fillerW = weight[d + 1] as number;
    if (fillerTarget >= 0) total += fillerW;
    const fillerOther = fillerTarget >= 0 ? leafOther(fillerW) : ZERO;
    const t0 = c0 >= 0 ? (targets[c0] as Int32Array) : EMPTY;
    const t1 = c1 >= 0 ? (targets[c1] as Int32Array) : EMPTY;
    const tv = unionSorted(t0, t1, fillerTarget);
    const side = (c: number, tl: Int32Array, h: number): Float64Array => {
      if (c < 0) return h === fillerTarget ? ZERO : fillerOther;
      if (h === NO_TARGET) return other[c] as Float64Array;
      const i = indexOf(tl, h);
      if (i < 0) return other[c] as Float64Array;
      return materialize(perTarget[c] as Packed, i, (diverge[c] as Int32Array)[i] as number, other[c] as Float64Array);
    };
    // Inheriting h changes a child's array only below its divergence index e (f(c, h, a) = f(c, other, a) for
    // a >= e; e is small in practice). So F(v, h, k) = min(S_eA(k), the terms with a < eA, the terms with
    // b < eB), where S_e(k) = min over a >= e of f(A, other, a) + f(B, other, k - a) (using f(B, other) >=
    // f(B, h) there only over-estimates terms that the b < eB part covers exactly). One sweep of e downwards
    // builds every S_e; targets are served in decreasing eA as the sweep passes their index.
    const ao = side(c0, t0, NO_TARGET);
    const bo = side(c1, t1, NO_TARGET);
    const ha: Float64Array[] = [];
    const hb: Float64Array[] = [];
    const ea = new Int32Array(tv.length);
    const eb = new Int32Array(tv.length);
    for (let i = 0; i < tv.length; i++) {
      const h = tv[i] as number;
      const x = side(c0, t0, h);
      const y = side(c1, t1, h);
      ha.push(x);
      hb.push(y);
      ea[i] = x === ao ? 0 : c0 < 0 ? divergence(x, ao) : ((diverge[c0] as Int32Array)[indexOf(t0, h)] as number);
      eb[i] = y === bo ? 0 : c1 < 0 ? divergence(y, bo) : ((diverge[c1] as Int32Array)[indexOf(t1, h)] as number);
    }
    const order = Array.from(tv, (_, i) => i).sort((p, q) => (ea[q] as number) - (ea[p] as number) || p - q);
    const la = ao.length - 1;
    const lb = bo.length - 1;
    const lenO = Math.min(cap, la + lb) + 1;
    const cur = new Float64Array(lenO).fill(Infinity);
    const fh: Float64Array[] = new Array<Float64Array>(tv.length);
    let next = 0;
    for (let e = la + 1; e >= 0; e--) {
      if (e <= la && e < lenO) {
        const ae = ao[e] as number;
        const jEnd = Math.min(lb, lenO - 1 - e);
        for (let j = 0; j <= jEnd; j++) {
          const sum = ae + (bo[j] as number);
          if (sum < (cur[e + j] as number)) cur[e + j] = sum;
        }
      }
      while (next < order.length && ea[order[next] as number] === e) {
        const i = order[next++] as number;
        fh[i] = convDiverging(ha[i] as Float64Array, hb[i] as Float64Array, e, eb[i] as number, cur, cap);
      }
    }
    const fo = cur;
    let maxLen = fo.length;
    for (const arr of fh) if (arr.length > maxLen) maxLen = arr.length;
    // G(v, k) for k = 1..cap: the best route on v.
    const glen = Math.min(cap, maxLen) + 1;
    const g = new Float64Array(glen).fill(Infinity);
    const gx = new Int32Array(glen).fill(NO_TARGET);
    const prev = trie.previous[v] as number;
    for (let i = 0; i < tv.length; i++) {
      const arr = fh[i] as Float64Array;
      const x = tv[i] as number;
      for (let k = 1; k < glen; k++) {
        const val = at(arr, k - 1);
        if (val < (g[k] as number) || (val === g[k] && x === prev)) {
          g[k] = val;
          gx[k] = x;
        }
      }
    }
    const withRoute = (arr: Float64Array): Float64Array => {
      const len = Math.max(arr.length, glen);
      const out = new Float64Array(len);
      for (let k = 0; k < len; k++) out[k] = Math.min(at(arr, k), k < glen ? (g[k] as number) : Infinity);
      return trim(out);
    };
    const foFinal = withRoute(fo);
    const fhFinal = fh.map(withRoute);
    targets[v] = tv;
    // Keep only where each target's array differs from the "other" array (usually a short prefix).
    const dv = Int32Array.from(fhFinal, (x) => divergence(x, foFinal));
    diverge[v] = dv;
    perTarget[v] = pack(fhFinal, dv);
    other[v] = foFinal;
    choice[v] = gx;
  }
  return { targets, perTarget, diverge, other, choice, passThrough, weight, exact: total < 2 ** 53 };
}

/** Rebuilds a table from the tables: at most `budget` routes, least damage, then fewest routes. */
export function leastDamageTable(trie: Trie, budget: number): PlacedRoute[] {
  const t = damageTables(trie, budget);
  const out: PlacedRoute[] = [];
  if (trie.size === 0) return out;
  const root = t.other[0] as Float64Array;
  const best = at(root, budget);
  let k = 0;
  while (at(root, k) !== best) k++;

  const arrFor = (v: number, h: number): Float64Array => {
    if (h === NO_TARGET || trie.blocked[v]) return t.other[v] as Float64Array;
    const i = indexOf(t.targets[v] as Int32Array, h);
    if (i < 0) return t.other[v] as Float64Array;
    return materialize(t.perTarget[v] as Packed, i, (t.diverge[v] as Int32Array)[i] as number, t.other[v] as Float64Array);
  };
  const childArr = (v: number, side: 0 | 1, h: number): Float64Array => {
    const c = side === 0 ? (trie.child0[v] as number) : (trie.child1[v] as number);
    if (c >= 0) return arrFor(c, h);
    const f = trie.fill[v] as number;
    if (f < 0 || f === h) return ZERO;
    const w = t.weight[(trie.depth[v] as number) + 1] as number;
    return budget === 0 ? Float64Array.of(w) : Float64Array.of(w, 0);
  };
  /** min_a A[a] + B[k - a] and the smallest a achieving it. */
  const bestSplit = (a: Float64Array, b: Float64Array, k: number): [number, number] => {
    let val = Infinity;
    let arg = 0;
    for (let i = 0; i <= k; i++) {
      const s = at(a, i) + at(b, k - i);
      if (s < val) {
        val = s;
        arg = i;
      }
    }
    return [val, arg];
  };

  const split = (v: number, h: number, budgetHere: number): void => {
    const a = childArr(v, 0, h);
    const b = childArr(v, 1, h);
    const [, i] = bestSplit(a, b, budgetHere);
    descendSide(v, 0, h, i);
    descendSide(v, 1, h, budgetHere - i);
  };
  const descendSide = (v: number, side: 0 | 1, h: number, kk: number): void => {
    if (kk === 0) return;
    const c = side === 0 ? (trie.child0[v] as number) : (trie.child1[v] as number);
    if (c >= 0) {
      visit(c, h, kk);
      return;
    }
    const f = trie.fill[v] as number;
    if (f >= 0 && f !== h) out.push({ node: v, side, target: f });
  };
  const visit = (v: number, h: number, kk: number): void => {
    if (kk === 0) return;
    if (trie.blocked[v]) {
      split(v, NO_TARGET, kk);
      return;
    }
    if (t.passThrough[v]) {
      const c = (trie.child0[v] as number) >= 0 ? (trie.child0[v] as number) : (trie.child1[v] as number);
      visit(c, h, kk);
      return;
    }
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    if (c0 < 0 && c1 < 0) {
      const f = trie.fill[v] as number;
      if (f >= 0 && f !== h) out.push({ node: v, side: -1, target: f });
      return;
    }
    const value = at(arrFor(v, h), kk);
    const [noRoute] = bestSplit(childArr(v, 0, h), childArr(v, 1, h), kk);
    const gx = t.choice[v] as Int32Array;
    const x = kk < gx.length ? (gx[kk] as number) : (gx[gx.length - 1] as number);
    const prefersPrevious = x !== NO_TARGET && x === trie.previous[v] && x !== h;
    if (noRoute === value && !(prefersPrevious && routeValue(v, x, kk) === value)) {
      split(v, h, kk);
      return;
    }
    out.push({ node: v, side: -1, target: x });
    split(v, x, kk - 1);
  };
  const routeValue = (v: number, x: number, kk: number): number => bestSplit(childArr(v, 0, x), childArr(v, 1, x), kk - 1)[0];

  visit(0, NO_TARGET, k);
  return out;
}
