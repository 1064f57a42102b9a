// Damage arrays for the least-damage dynamic program: f(·) as a Float64Array indexed by route count,
// non-increasing, cut after its first zero (a stored array is constant past its end), and the min-plus
// convolutions that combine them.

export const ZERO = Float64Array.of(0);

export function at(a: Float64Array, k: number): number {
  return k < a.length ? (a[k] as number) : (a[a.length - 1] as number);
}

/** Min-plus convolution of two non-increasing arrays, capped at index `cap`. */
export function conv(a: Float64Array, b: Float64Array, cap: number): Float64Array {
  if (b.length === 1 && a.length > 1) return conv(b, a, cap);
  if (a.length === 1) {
    if (a[0] === 0) return b.length <= cap + 1 ? b : b.subarray(0, cap + 1);
    return addScalar(b, a[0] as number, cap);
  }
  const la = a.length - 1;
  const lb = b.length - 1;
  const len = Math.min(cap, la + lb) + 1;
  const out = new Float64Array(len).fill(Infinity);
  // Row by row: out[i + j] = min(out[i + j], a[i] + b[j]); contiguous inner loop, no per-k bounds.
  for (let i = 0; i <= la && i < len; i++) {
    const ai = a[i] as number;
    const jEnd = Math.min(lb, len - 1 - i);
    for (let j = 0; j <= jEnd; j++) {
      const s = ai + (b[j] as number);
      if (s < (out[i + j] as number)) out[i + j] = s;
    }
  }
  return out;
}

/** Every target's stored prefix of one node in one buffer: target i is values[offsets[i] .. offsets[i + 1]). */
export interface Packed {
  readonly values: Float64Array;
  readonly offsets: Int32Array;
}

export const LEAF_PACKED: Packed = { values: Float64Array.of(0), offsets: Int32Array.of(0, 1) };
export const EMPTY_PACKED: Packed = { values: new Float64Array(0), offsets: Int32Array.of(0) };

/** Keeps each array only below its divergence index (one buffer per node, no object per target). */
export function pack(arrays: readonly Float64Array[], div: Int32Array): Packed {
  const offsets = new Int32Array(arrays.length + 1);
  let total = 0;
  for (let i = 0; i < arrays.length; i++) {
    offsets[i] = total;
    total += Math.min((arrays[i] as Float64Array).length, div[i] as number);
  }
  offsets[arrays.length] = total;
  const values = new Float64Array(total);
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i] as Float64Array;
    values.set(a.subarray(0, Math.min(a.length, div[i] as number)), offsets[i] as number);
  }
  return { values, offsets };
}

/** Target i's full array from its stored prefix (indices below e) and the "other" array (from e on). */
export function materialize(p: Packed, i: number, e: number, base: Float64Array): Float64Array {
  if (e === 0) return base;
  const start = p.offsets[i] as number;
  const stored = (p.offsets[i + 1] as number) - start;
  const out = new Float64Array(Math.max(e, base.length));
  // Past its stored length (trimmed after its first zero) the prefix is 0.
  for (let k = 0; k < stored; k++) out[k] = p.values[start + k] as number;
  out.set(base.subarray(e), e);
  return trim(out);
}

/** 1 + the last index where the arrays differ (each constant past its end); 0 when equal. */
export function divergence(x: Float64Array, y: Float64Array): number {
  for (let k = Math.max(x.length, y.length) - 1; k >= 0; k--) if (at(x, k) !== at(y, k)) return k + 1;
  return 0;
}

/**
 * F(v, h, ·) from S_eA (`suffix`, already the minimum over splits a >= eA with the "other" arrays) plus the
 * splits where A's or B's array for h differs from its "other" array (a < eA or b < eB).
 */
export function convDiverging(a: Float64Array, b: Float64Array, ea: number, eb: number, suffix: Float64Array, cap: number): Float64Array {
  const len = Math.min(cap, a.length - 1 + (b.length - 1)) + 1;
  const out = suffix.slice(0, len);
  const la = a.length - 1;
  const lb = b.length - 1;
  const aLast = a[la] as number;
  const bLast = b[lb] as number;
  for (let i = 0; i < ea && i < len; i++) {
    const ai = i < la ? (a[i] as number) : aLast;
    for (let k = i; k < len; k++) {
      const j = k - i;
      const sum = ai + (j < lb ? (b[j] as number) : bLast);
      if (sum < (out[k] as number)) out[k] = sum;
    }
  }
  for (let j = 0; j < eb && j < len; j++) {
    const bj = j < lb ? (b[j] as number) : bLast;
    for (let k = j; k < len; k++) {
      const i = k - j;
      const sum = (i < la ? (a[i] as number) : aLast) + bj;
      if (sum < (out[k] as number)) out[k] = sum;
    }
  }
  return out;
}

function addScalar(b: Float64Array, s: number, cap: number): Float64Array {
  const len = Math.min(cap + 1, b.length);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = (b[i] as number) + s;
  return out;
}

/** Cuts the array after its first zero. */
export function trim(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) if (a[i] === 0) return i + 1 === a.length ? a : a.subarray(0, i + 1);
  return a;
}
