// The desired routes of one address family as a path-compressed binary trie in typed arrays (about 2 nodes and
// 50 bytes per route for IPv4), updated in O(prefix length) per change. Each node also keeps two summaries of its
// subtree, recomputed from its children on the path of every change:
//   uniform: the next hop that every address of the node's prefix is sent to by the routes at or below it, or
//            NONE (some address goes elsewhere, or is not covered below). A uniform node can stand for its whole
//            subtree as one route: it forwards exactly the same addresses to the same next hop (see collapse in
//            desired-table.ts).
//   failover-below: some route at or below it carries the failover flag.
// Node 0 is the root (the /0 prefix) and always exists; other nodes either hold a route or branch (two children).
// Synchronous and I/O-free; next hops are small integer ids (DesiredRoutes interns the texts).

export const NONE = -1;

const ROUTE_FAILOVER = 1;
const FAILOVER_BELOW = 2;

/** A node as a walk sees it. */
export interface TrieNodeView {
  readonly node: number;
  /** The route's next-hop id at exactly this prefix, or NONE (a branch). */
  readonly hop: number;
  /** The subtree's uniform next-hop id, or NONE. */
  readonly uniform: number;
  readonly failover: boolean;
  readonly failoverBelow: boolean;
}

export class PrefixTrie {
  /** Number of routes (nodes with a next hop). */
  size = 0;
  private keys: Uint32Array;
  private lens: Uint8Array;
  private kids: Int32Array;
  private hops: Int32Array;
  private uni: Int32Array;
  private flags: Uint8Array;
  private used = 1;
  private readonly free: number[] = [];
  private readonly path = new Int32Array(130);
  private readonly scratch: Uint32Array;

  /** `words`: 32-bit words per address (1 for IPv4, 4 for IPv6). */
  constructor(readonly words: 1 | 4) {
    const cap = 64;
    this.keys = new Uint32Array(cap * words);
    this.lens = new Uint8Array(cap);
    this.kids = new Int32Array(cap * 2).fill(NONE);
    this.hops = new Int32Array(cap).fill(NONE);
    this.uni = new Int32Array(cap).fill(NONE);
    this.flags = new Uint8Array(cap);
    this.scratch = new Uint32Array(words);
  }

  /** Nodes in use (routes and branches), for memory accounting. */
  get nodes(): number {
    return this.used - this.free.length;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return (
      this.keys.byteLength +
      this.lens.byteLength +
      this.kids.byteLength +
      this.hops.byteLength +
      this.uni.byteLength +
      this.flags.byteLength
    );
  }

  /** The failover flag of the route the last set() replaced. */
  replacedFailover = false;

  /** Sets the route at (key, len); returns the next-hop id it replaces, or NONE. */
  set(key: Uint32Array, len: number, hop: number, failover: boolean): number {
    const path = this.path;
    let depth = 0;
    let v = 0;
    // Nodes from path[linked] down had a child pointer changed: they are fixed even when a node below them kept its
    // summaries; above them, fixing stops at the first node whose summaries stay the same.
    let linked = -1;
    for (;;) {
      if (this.lens[v] === len) break;
      path[depth++] = v;
      const slot = 2 * v + bitOf(key, 0, this.lens[v] as number);
      const c = this.kids[slot] as number;
      if (c < 0) {
        v = this.alloc(key, len);
        this.kids[slot] = v;
        linked = depth - 1;
        break;
      }
      const lc = this.lens[c] as number;
      const cp = this.common(key, c, Math.min(len, lc));
      if (cp === lc) {
        v = c;
        continue;
      }
      if (cp === len) {
        // The new prefix sits between v and c.
        const n = this.alloc(key, len);
        this.kids[slot] = n;
        this.kids[2 * n + bitOf(this.keys, c * this.words, len)] = c;
        v = n;
        linked = depth - 1;
        break;
      }
      // They diverge below both: a branch node at the common prefix holds the two.
      const m = this.alloc(masked(key, cp, this.scratch), cp);
      this.kids[slot] = m;
      const n = this.alloc(key, len);
      this.kids[2 * m + bitOf(key, 0, cp)] = n;
      this.kids[2 * m + bitOf(this.keys, c * this.words, cp)] = c;
      linked = depth - 1;
      path[depth++] = m;
      v = n;
      break;
    }
    const prev = this.hops[v] as number;
    if (prev === NONE) this.size++;
    this.replacedFailover = ((this.flags[v] as number) & ROUTE_FAILOVER) !== 0;
    this.hops[v] = hop;
    this.flags[v] = ((this.flags[v] as number) & ~ROUTE_FAILOVER) | (failover ? ROUTE_FAILOVER : 0);
    let changed = this.fix(v);
    for (let i = depth - 1; i >= 0 && (changed || i >= linked); i--) changed = this.fix(path[i] as number);
    return prev;
  }

  /** Removes the route at (key, len); returns its next-hop id, or NONE when there was none. */
  delete(key: Uint32Array, len: number): number {
    const path = this.path;
    const found = this.find(key, len);
    if (found < 0) return NONE;
    let depth = this.foundDepth;
    const v = found;
    const prev = this.hops[v] as number;
    if (prev === NONE) return NONE;
    this.size--;
    this.hops[v] = NONE;
    this.flags[v] = (this.flags[v] as number) & ~ROUTE_FAILOVER;
    let start = v;
    if (v !== 0) {
      const c0 = this.kids[2 * v] as number;
      const c1 = this.kids[2 * v + 1] as number;
      if (c0 < 0 || c1 < 0) {
        // No longer needed: its only child (if any) takes its place.
        const p = path[depth - 1] as number;
        this.kids[this.kids[2 * p] === v ? 2 * p : 2 * p + 1] = c0 >= 0 ? c0 : c1;
        this.release(v);
        depth--;
        start = p;
        if (c0 < 0 && c1 < 0 && p !== 0 && this.hops[p] === NONE) {
          // The parent was a branch and now has one child: it goes too.
          const other = (this.kids[2 * p] as number) >= 0 ? (this.kids[2 * p] as number) : (this.kids[2 * p + 1] as number);
          const pp = path[depth - 1] as number;
          this.kids[this.kids[2 * pp] === p ? 2 * pp : 2 * pp + 1] = other;
          this.release(p);
          depth--;
          start = pp;
        }
      }
    }
    // `start` is v itself, or the lowest node that lost a child; fix it and upwards while summaries change.
    let changed = this.fix(start);
    for (let i = depth - 1; i >= 0 && changed; i--) if (path[i] !== start) changed = this.fix(path[i] as number);
    return prev;
  }

  /** The next-hop id of the route at exactly (key, len), or NONE. */
  get(key: Uint32Array, len: number): number {
    const v = this.find(key, len);
    return v < 0 ? NONE : (this.hops[v] as number);
  }

  /** The failover flag of the route at exactly (key, len). */
  failoverOf(key: Uint32Array, len: number): boolean {
    const v = this.find(key, len);
    return v >= 0 && ((this.flags[v] as number) & ROUTE_FAILOVER) !== 0;
  }

  /**
   * Pre-order walk (address order, shorter prefix first). `visit` returns true to descend into the node's
   * children. Node keys are read with `keyOf`/`lenOf` during the walk.
   */
  walk(visit: (n: TrieNodeView) => boolean): void {
    const stack: number[] = [0];
    const view = { node: 0, hop: NONE, uniform: NONE, failover: false, failoverBelow: false };
    while (stack.length > 0) {
      const v = stack.pop() as number;
      const f = this.flags[v] as number;
      view.node = v;
      view.hop = this.hops[v] as number;
      view.uniform = this.uni[v] as number;
      view.failover = (f & ROUTE_FAILOVER) !== 0;
      view.failoverBelow = (f & FAILOVER_BELOW) !== 0;
      if (!visit(view)) continue;
      const c1 = this.kids[2 * v + 1] as number;
      const c0 = this.kids[2 * v] as number;
      if (c1 >= 0) stack.push(c1);
      if (c0 >= 0) stack.push(c0);
    }
  }

  lenOf(node: number): number {
    return this.lens[node] as number;
  }

  /** The node's address words (a view valid until the next change). */
  keyOf(node: number): Uint32Array {
    return this.keys.subarray(node * this.words, node * this.words + this.words);
  }

  /** Drops every route. */
  clear(): void {
    this.size = 0;
    this.used = 1;
    this.free.length = 0;
    this.kids.fill(NONE, 0, 2);
    this.hops[0] = NONE;
    this.uni[0] = NONE;
    this.flags[0] = 0;
  }

  private foundDepth = 0;

  /** The node of exactly (key, len), or -1; its ancestors are left in path[0 .. foundDepth-1]. */
  private find(key: Uint32Array, len: number): number {
    let depth = 0;
    let v = 0;
    for (;;) {
      const lv = this.lens[v] as number;
      if (lv === len) {
        this.foundDepth = depth;
        return v;
      }
      if (lv > len) return -1;
      this.path[depth++] = v;
      const c = this.kids[2 * v + bitOf(key, 0, lv)] as number;
      if (c < 0) return -1;
      const lc = this.lens[c] as number;
      if (lc > len || this.common(key, c, lc) < lc) return -1;
      v = c;
    }
  }

  /** Recomputes a node's summaries from its route and children; true when they changed. */
  private fix(v: number): boolean {
    const c0 = this.kids[2 * v] as number;
    const c1 = this.kids[2 * v + 1] as number;
    const h = this.hops[v] as number;
    let u = NONE;
    if (h !== NONE) {
      if ((c0 < 0 || this.uni[c0] === h) && (c1 < 0 || this.uni[c1] === h)) u = h;
    } else if (c0 >= 0 && c1 >= 0) {
      const l = (this.lens[v] as number) + 1;
      const u0 = this.uni[c0] as number;
      if (u0 !== NONE && u0 === this.uni[c1] && this.lens[c0] === l && this.lens[c1] === l) u = u0;
    }
    const own = (this.flags[v] as number) & ROUTE_FAILOVER;
    const below =
      own !== 0 ||
      (c0 >= 0 && ((this.flags[c0] as number) & FAILOVER_BELOW) !== 0) ||
      (c1 >= 0 && ((this.flags[c1] as number) & FAILOVER_BELOW) !== 0);
    const f = own | (below ? FAILOVER_BELOW : 0);
    const changed = this.uni[v] !== u || this.flags[v] !== f;
    this.uni[v] = u;
    this.flags[v] = f;
    return changed;
  }

  /** Length of the common prefix of `key` and node c's key, at most `limit` bits. */
  private common(key: Uint32Array, c: number, limit: number): number {
    const w = this.words;
    const off = c * w;
    for (let i = 0; i < w && i * 32 < limit; i++) {
      const x = ((key[i] as number) ^ (this.keys[off + i] as number)) >>> 0;
      if (x !== 0) return Math.min(limit, i * 32 + Math.clz32(x));
    }
    return limit;
  }

  private alloc(key: Uint32Array, len: number): number {
    let n = this.free.pop();
    if (n === undefined) {
      if (this.used === this.lens.length) this.grow();
      n = this.used++;
    }
    const w = this.words;
    for (let i = 0; i < w; i++) this.keys[n * w + i] = key[i] as number;
    this.lens[n] = len;
    this.kids[2 * n] = NONE;
    this.kids[2 * n + 1] = NONE;
    this.hops[n] = NONE;
    this.uni[n] = NONE;
    this.flags[n] = 0;
    return n;
  }

  private release(n: number): void {
    this.hops[n] = NONE;
    this.free.push(n);
  }

  private grow(): void {
    const cap = this.lens.length * 2;
    const keys = new Uint32Array(cap * this.words);
    keys.set(this.keys);
    this.keys = keys;
    const lens = new Uint8Array(cap);
    lens.set(this.lens);
    this.lens = lens;
    const kids = new Int32Array(cap * 2).fill(NONE);
    kids.set(this.kids);
    this.kids = kids;
    const hops = new Int32Array(cap).fill(NONE);
    hops.set(this.hops);
    this.hops = hops;
    const uni = new Int32Array(cap).fill(NONE);
    uni.set(this.uni);
    this.uni = uni;
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
  }
}

/** Bit i (0 = most significant) of the address words starting at arr[off]. */
function bitOf(arr: Uint32Array, off: number, i: number): number {
  return ((arr[off + (i >>> 5)] as number) >>> (31 - (i & 31))) & 1;
}

/** `key` with every bit from `len` on cleared, written into `out`. */
function masked(key: Uint32Array, len: number, out: Uint32Array): Uint32Array {
  for (let i = 0; i < out.length; i++) {
    const lo = i * 32;
    const w = key[i] as number;
    out[i] = len >= lo + 32 ? w : len <= lo ? 0 : (w & (~0 << (32 - (len - lo)))) >>> 0;
  }
  return out;
}
