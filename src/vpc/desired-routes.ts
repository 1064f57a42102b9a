// The daemon's desired routes as VPC sync holds them: one next hop per prefix, changed one prefix at a time
// (DesiredChange batches from the route spec) in O(prefix length), so a changing UPDATE costs the same whatever
// the table holds. Next-hop texts are interned to small ids with a count of routes each (the next hops to resolve
// are the ids in use, never a scan of the routes). A version number tells planners whether anything changed.
// Synchronous and I/O-free.
import { makePrefix, type Prefix } from '../net/prefix.js';
import type { Family } from '../net/address.js';
import { NONE, PrefixTrie } from './prefix-trie.js';
import type { DesiredChange, DesiredRoute } from './types.js';

export class DesiredRoutes {
  /** Bumped by every change that altered a route. */
  version = 0;
  private readonly v4 = new PrefixTrie(1);
  private readonly v6 = new PrefixTrie(4);
  private readonly hopText: string[] = [];
  private readonly hopCount: number[] = [];
  private readonly hopId = new Map<string, number>();
  private readonly freeIds: number[] = [];
  private readonly k4 = new Uint32Array(1);
  private readonly k6 = new Uint32Array(4);

  static of(routes: Iterable<DesiredRoute>): DesiredRoutes {
    const d = new DesiredRoutes();
    for (const r of routes) d.set(r.prefix, r.nextHop, r.failover ?? false);
    return d;
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  trie(family: Family): PrefixTrie {
    return family === 'ipv4' ? this.v4 : this.v6;
  }

  /** Applies one batch of changes (`to` undefined removes the prefix). */
  apply(changes: readonly DesiredChange[]): void {
    for (const c of changes) {
      if (c.to === undefined) this.delete(c.prefix);
      else this.set(c.prefix, c.to, c.failover);
    }
  }

  /** Replaces the whole set: removes what `routes` lacks, sets the rest (a later duplicate prefix wins). */
  replace(routes: readonly DesiredRoute[]): void {
    const next = DesiredRoutes.of(routes);
    const gone: Prefix[] = [];
    this.forEach((p) => {
      if (next.get(p) === undefined) gone.push(p);
    });
    for (const p of gone) this.delete(p);
    next.forEach((p, nextHop, failover) => {
      const cur = this.get(p);
      if (cur?.nextHop !== nextHop || cur.failover !== failover) this.set(p, nextHop, failover);
    });
  }

  set(prefix: Prefix, nextHop: string, failover: boolean): void {
    const t = this.trie(prefix.family);
    const key = this.key(prefix);
    const id = this.acquire(nextHop);
    const prev = t.set(key, prefix.len, id, failover);
    if (prev !== NONE) this.releaseId(prev);
    if (prev !== id || t.replacedFailover !== failover) this.version++;
  }

  delete(prefix: Prefix): void {
    const prev = this.trie(prefix.family).delete(this.key(prefix), prefix.len);
    if (prev === NONE) return;
    this.releaseId(prev);
    this.version++;
  }

  get(prefix: Prefix): { readonly nextHop: string; readonly failover: boolean } | undefined {
    const t = this.trie(prefix.family);
    const key = this.key(prefix);
    const id = t.get(key, prefix.len);
    return id === NONE ? undefined : { nextHop: this.hopText[id] as string, failover: t.failoverOf(key, prefix.len) };
  }

  /** Next-hop id → text ('' for a free id). Ids are below `hopIdLimit`. */
  nextHopText(id: number): string {
    return this.hopText[id] ?? '';
  }

  get hopIdLimit(): number {
    return this.hopText.length;
  }

  /** The next hops some route uses. */
  nextHops(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.hopText.length; i++) if ((this.hopCount[i] as number) > 0) out.push(this.hopText[i] as string);
    return out;
  }

  /** Every route, IPv4 first, in address order. */
  forEach(cb: (prefix: Prefix, nextHop: string, failover: boolean) => void): void {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const t = this.trie(family);
      t.walk((n) => {
        if (n.hop !== NONE) cb(nodePrefix(t, family, n.node), this.hopText[n.hop] as string, n.failover);
        return true;
      });
    }
  }

  /** Every route as a DesiredRoute (tests, `bgp2vpc plan`). */
  list(): DesiredRoute[] {
    const out: DesiredRoute[] = [];
    this.forEach((prefix, nextHop, failover) => out.push({ prefix, nextHop, failover }));
    return out;
  }

  /** The prefix's address as 32-bit words in a scratch array (valid until the next call). */
  key(p: Prefix): Uint32Array {
    if (p.family === 'ipv4') {
      this.k4[0] = Number(p.addr);
      return this.k4;
    }
    const k = this.k6;
    k[0] = Number(p.addr >> 96n);
    k[1] = Number((p.addr >> 64n) & 0xffffffffn);
    k[2] = Number((p.addr >> 32n) & 0xffffffffn);
    k[3] = Number(p.addr & 0xffffffffn);
    return k;
  }

  private acquire(text: string): number {
    let id = this.hopId.get(text);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.hopText.length;
      this.hopText[id] = text;
      this.hopCount[id] = 0;
      this.hopId.set(text, id);
    }
    this.hopCount[id] = (this.hopCount[id] as number) + 1;
    return id;
  }

  private releaseId(id: number): void {
    const n = (this.hopCount[id] as number) - 1;
    this.hopCount[id] = n;
    if (n > 0) return;
    this.hopId.delete(this.hopText[id] as string);
    this.hopText[id] = '';
    this.freeIds.push(id);
  }
}

/** The prefix of a trie node. */
export function nodePrefix(t: PrefixTrie, family: Family, node: number): Prefix {
  const k = t.keyOf(node);
  const addr =
    family === 'ipv4'
      ? BigInt(k[0] as number)
      : (BigInt(k[0] as number) << 96n) | (BigInt(k[1] as number) << 64n) | (BigInt(k[2] as number) << 32n) | BigInt(k[3] as number);
  return makePrefix(family, addr, t.lenOf(node));
}
