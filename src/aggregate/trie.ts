// The binary trie the aggregator works on: every node on the path from the root to an input prefix (announced,
// cluster or previous route) is materialised; a missing child is a uniform "filler" region that takes its
// parent's fill. Nodes live in typed arrays and are numbered in creation order, so a parent always has a smaller
// index than its children: ascending index order is top-down, descending is bottom-up (no recursion needed).
import { UserError } from '../base/errors.js';
import { familyBits, type Family } from '../net/address.js';
import { formatPrefix, type Prefix } from '../net/prefix.js';
import type { AggRoute } from './types.js';

/** Fill value of a region nobody announced, inside a cluster CIDR: any route or none is fine. */
export const DONT_CARE = -1;
/** Fill value of a region nobody announced, outside every cluster CIDR: no route may cover it. */
export const FORBIDDEN = -2;
/** "No route" / "a target not present here" as an inherited value. */
export const NO_TARGET = -3;
/** In `previous`: the installed route here has a target that is not in the input (its host is gone). */
export const UNKNOWN_TARGET = -4;

export class AggregateInputError extends UserError {
  constructor(code: 'AGG_FAMILY_MISMATCH' | 'AGG_CONFLICT' | 'AGG_BAD_BUDGET', message: string) {
    super(code, message);
  }
}

export interface Trie {
  readonly family: Family;
  readonly bits: number;
  /** Number of nodes; node 0 is the root (the /0 prefix). */
  readonly size: number;
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly parent: Int32Array;
  readonly depth: Uint8Array;
  /** Target id of the region not covered by a more specific announced prefix, or DONT_CARE / FORBIDDEN. */
  readonly fill: Int32Array;
  /** Index (into `announced`) of the input route that is the longest match for the fill region, or -1. */
  readonly owner: Int32Array;
  /** True when the subtree holds forbidden space, so no route may sit on this node. */
  readonly blocked: Uint8Array;
  /** Target id of the previous table's route at exactly this prefix; NO_TARGET when none, UNKNOWN_TARGET when
   *  its target is not in the input. */
  readonly previous: Int32Array;
  /** Target names, sorted; a target id is an index into this array. */
  readonly targets: readonly string[];
  /** The de-duplicated input routes, in input order. */
  readonly announced: readonly AggRoute[];
}

/** Writes the prefix's bits as 32-bit words, most significant first, into `out`. */
function words(p: Prefix, out: Uint32Array): Uint32Array {
  const n = out.length;
  if (n === 1) {
    out[0] = Number(p.addr);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = Number((p.addr >> BigInt((n - 1 - i) * 32)) & 0xffffffffn);
  return out;
}

class Builder {
  child0: Int32Array;
  child1: Int32Array;
  parent: Int32Array;
  depth: Uint8Array;
  /** Index of the announced input route at this node, or -1. */
  ann: Int32Array;
  cluster: Uint8Array;
  previous: Int32Array;
  size = 1;

  constructor(capacity: number) {
    this.child0 = new Int32Array(capacity).fill(-1);
    this.child1 = new Int32Array(capacity).fill(-1);
    this.parent = new Int32Array(capacity).fill(-1);
    this.depth = new Uint8Array(capacity);
    this.ann = new Int32Array(capacity).fill(-1);
    this.cluster = new Uint8Array(capacity);
    this.previous = new Int32Array(capacity).fill(NO_TARGET);
  }

  private grow(): void {
    const cap = this.child0.length * 2;
    const int32 = (old: Int32Array, init: number): Int32Array => {
      const a = new Int32Array(cap).fill(init);
      a.set(old);
      return a;
    };
    const uint8 = (old: Uint8Array): Uint8Array => {
      const a = new Uint8Array(cap);
      a.set(old);
      return a;
    };
    this.child0 = int32(this.child0, -1);
    this.child1 = int32(this.child1, -1);
    this.parent = int32(this.parent, -1);
    this.depth = uint8(this.depth);
    this.ann = int32(this.ann, -1);
    this.cluster = uint8(this.cluster);
    this.previous = int32(this.previous, NO_TARGET);
  }

  /** Returns the node for the prefix, creating the path to it. */
  insert(w: Uint32Array, len: number): number {
    let node = 0;
    for (let i = 0; i < len; i++) {
      const bit = ((w[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      let next = (bit === 0 ? this.child0 : this.child1)[node] as number;
      if (next < 0) {
        if (this.size === this.child0.length) this.grow();
        next = this.size++;
        (bit === 0 ? this.child0 : this.child1)[node] = next;
        this.parent[next] = node;
        this.depth[next] = i + 1;
      }
      node = next;
    }
    return node;
  }
}

function checkFamily(family: Family, p: Prefix, what: string): void {
  if (p.family !== family) {
    throw new AggregateInputError('AGG_FAMILY_MISMATCH', `${what} ${formatPrefix(p)} is not ${family}`);
  }
}

export interface TrieInput {
  readonly family: Family;
  readonly routes: readonly AggRoute[];
  readonly cluster: readonly Prefix[];
  readonly previous?: readonly AggRoute[] | undefined;
}

export function buildTrie(input: TrieInput): Trie {
  const { family } = input;
  const bits = familyBits(family);
  const targetSet = new Set<string>();
  for (const r of input.routes) targetSet.add(r.target);
  const targets = [...targetSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const targetId = new Map<string, number>();
  targets.forEach((t, i) => targetId.set(t, i));

  const b = new Builder(Math.max(64, input.routes.length * 4));
  const buf = new Uint32Array(bits / 32);
  const announced: AggRoute[] = [];
  for (const r of input.routes) {
    checkFamily(family, r.prefix, 'route');
    const node = b.insert(words(r.prefix, buf), r.prefix.len);
    const prior = b.ann[node] as number;
    if (prior >= 0) {
      const p = announced[prior] as AggRoute;
      if (p.target === r.target) continue;
      throw new AggregateInputError(
        'AGG_CONFLICT',
        `${formatPrefix(r.prefix)} is given twice with different targets (${p.target}, ${r.target})`,
      );
    }
    b.ann[node] = announced.length;
    announced.push(r);
  }
  for (const c of input.cluster) {
    checkFamily(family, c, 'cluster CIDR');
    b.cluster[b.insert(words(c, buf), c.len)] = 1;
  }
  for (const p of input.previous ?? []) {
    if (p.prefix.family !== family) continue;
    b.previous[b.insert(words(p.prefix, buf), p.prefix.len)] = targetId.get(p.target) ?? UNKNOWN_TARGET;
  }

  const n = b.size;
  const ann = b.ann;
  const isCluster = b.cluster;
  const previous = b.previous.subarray(0, n);
  const parent = b.parent;
  const targetOf = new Int32Array(announced.length);
  announced.forEach((r, i) => (targetOf[i] = targetId.get(r.target) as number));

  const fill = new Int32Array(n);
  const owner = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    const a = ann[v] as number;
    if (a >= 0) {
      fill[v] = targetOf[a] as number;
      owner[v] = a;
      continue;
    }
    const inherited = v === 0 ? FORBIDDEN : (fill[parent[v] as number] as number);
    if (inherited >= 0) {
      fill[v] = inherited;
      owner[v] = owner[parent[v] as number] as number;
    } else {
      fill[v] = isCluster[v] ? DONT_CARE : inherited;
    }
  }

  const blocked = new Uint8Array(n);
  for (let v = n - 1; v >= 0; v--) {
    const c0 = b.child0[v] as number;
    const c1 = b.child1[v] as number;
    // A missing child is filler with this node's fill; an explicit leaf is all fill.
    const fillerForbidden = (c0 < 0 || c1 < 0) && fill[v] === FORBIDDEN;
    if (fillerForbidden || (c0 >= 0 && blocked[c0]) || (c1 >= 0 && blocked[c1])) blocked[v] = 1;
  }

  return {
    family,
    bits,
    size: n,
    child0: b.child0.subarray(0, n),
    child1: b.child1.subarray(0, n),
    parent: b.parent.subarray(0, n),
    depth: b.depth.subarray(0, n),
    fill,
    owner,
    blocked,
    previous,
    targets,
    announced,
  };
}

/** The prefix of node `v`, or of its missing child `side` (0/1) when side >= 0. */
export function nodePrefix(trie: Trie, v: number, side = -1): Prefix {
  const len = (trie.depth[v] as number) + (side >= 0 ? 1 : 0);
  const { parent, child1, depth } = trie;
  if (trie.bits === 32) {
    let a = side === 1 ? 1 << (32 - len) : 0;
    for (let node = v; node > 0;) {
      const p = parent[node] as number;
      if (child1[p] === node) a |= 1 << (32 - (depth[node] as number));
      node = p;
    }
    return { family: trie.family, addr: BigInt(a >>> 0), len };
  }
  const w = [0, 0, 0, 0];
  const setBit = (i: number): void => {
    w[i >>> 5] = (w[i >>> 5] as number) | (1 << (31 - (i & 31)));
  };
  if (side === 1) setBit(len - 1);
  for (let node = v; node > 0;) {
    const p = parent[node] as number;
    if (child1[p] === node) setBit((depth[node] as number) - 1);
    node = p;
  }
  let addr = 0n;
  for (const x of w) addr = (addr << 32n) | BigInt(x >>> 0);
  return { family: trie.family, addr, len };
}
