// Adj-RIB-In of one peer (RFC 4271 §3.2), pre-policy, ADD-PATH aware (key = prefix + path id, RFC 7911).
//
// Built for ingest speed and memory: IPv4 entries live in typed-array hash tables (Ipv4PathTable, one per path
// id) whose values index a reference-counted registry of the attribute sets interned once per UPDATE, so an
// IPv4 path costs about 20 bytes and no garbage. IPv6 uses a Map with string keys (prefix bytes + length),
// fine at host scale. Graceful restart (RFC 4724 §4.2): markAllStale() moves every entry to a stale
// generation; a re-announcement moves it back; sweepStale(family) removes what was not re-announced.
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';
import type { PathAttributes } from '../events.js';
import { Ipv4PathTable } from './ipv4-path-table.js';

/** The attributes shared by all prefixes of one UPDATE, interned once per UPDATE. */
export interface RibAttrs {
  readonly attrs: PathAttributes;
  /** Canonical next-hop text (IPv4-mapped IPv6 already unmapped; link-local ignored). */
  readonly nextHop: string;
  /** Internal: the attribute registry slot, a hint that saves a Map lookup per UPDATE (validated on use). */
  slot?: number;
}

/** Attribute sets by small integer, reference counted by the IPv4 tables that point at them. */
class AttrRegistry {
  private items: (RibAttrs | undefined)[] = [];
  private refs: number[] = [];
  private free: number[] = [];

  acquire(a: RibAttrs): number {
    let i = a.slot ?? -1;
    if (i < 0 || this.items[i] !== a) {
      // Not registered here yet (the slot hint is absent, stale, or from another table).
      i = this.free.pop() ?? this.items.length;
      this.items[i] = a;
      this.refs[i] = 0;
      a.slot = i;
    }
    this.refs[i] = (this.refs[i] as number) + 1;
    return i;
  }

  release(i: number): void {
    const r = (this.refs[i] as number) - 1;
    this.refs[i] = r;
    if (r > 0) return;
    this.items[i] = undefined;
    this.free.push(i);
  }

  get(i: number): RibAttrs {
    return this.items[i] as RibAttrs;
  }
}

/** One generation of entries: IPv4 tables per path id (0 has a direct slot), IPv6 by string key. */
class Generation {
  v4 = new Ipv4PathTable();
  v4ByPathId: Map<number, Ipv4PathTable> | undefined;
  v6 = new Map<string, RibAttrs>();
  v4Count = 0;

  v4Table(pathId: number, create: boolean): Ipv4PathTable | undefined {
    if (pathId === 0) return this.v4;
    let t = this.v4ByPathId?.get(pathId);
    if (!t && create) {
      t = new Ipv4PathTable();
      (this.v4ByPathId ??= new Map()).set(pathId, t);
    }
    return t;
  }

  forEachV4(fn: (addr: number, len: number, pathId: number, val: number) => void): void {
    this.v4.forEach((a, l, v) => fn(a, l, 0, v));
    if (this.v4ByPathId) for (const [id, t] of this.v4ByPathId) t.forEach((a, l, v) => fn(a, l, id, v));
  }
}

export interface RibKey {
  readonly prefix: Prefix;
  readonly pathId: number;
}

/**
 * IPv6 key text: "pathId|len|" then the ceil(len/8) significant address bytes as latin1 (host bits cleared).
 * Built straight from the wire (ipv6KeyFromWire) or from a Prefix (ipv6Key): both give the same string.
 */
export function ipv6KeyFromWire(buf: Buffer, off: number, len: number, pathId: number): string {
  const n = (len + 7) >> 3;
  let s = `${pathId}|${len}|`;
  for (let i = 0; i < n; i++) {
    let b = buf[off + i] as number;
    if (i === n - 1 && (len & 7) !== 0) b &= (0xff << (8 - (len & 7))) & 0xff; // RFC 4271 §4.3: trailing bits are irrelevant
    s += String.fromCharCode(b);
  }
  return s;
}

export function ipv6Key(addr: bigint, len: number, pathId: number): string {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(addr >> 64n, 0);
  b.writeBigUInt64BE(addr & 0xffffffffffffffffn, 8);
  return ipv6KeyFromWire(b, 0, len, pathId);
}

export function parseIpv6Key(key: string): RibKey {
  const a = key.indexOf('|');
  const z = key.indexOf('|', a + 1);
  const len = Number(key.slice(a + 1, z));
  const bytes = Buffer.alloc(16);
  bytes.write(key.slice(z + 1), 0, 'latin1');
  const addr = (bytes.readBigUInt64BE(0) << 64n) | bytes.readBigUInt64BE(8);
  return { prefix: { family: 'ipv6', addr, len }, pathId: Number(key.slice(0, a)) };
}

export class AdjRibIn {
  private live = new Generation();
  private stale: Generation | undefined;
  private readonly reg = new AttrRegistry();

  /** Paths currently held (live, not stale), per family. O(1). */
  get ipv4Count(): number {
    return this.live.v4Count;
  }
  get ipv6Count(): number {
    return this.live.v6.size;
  }
  get size(): number {
    return this.live.v4Count + this.live.v6.size;
  }
  /** Stale paths awaiting re-announcement or sweep. */
  get staleCount(): number {
    return (this.stale?.v4Count ?? 0) + (this.stale?.v6.size ?? 0);
  }
  /** Live + stale entries of a family: the number max-prefix limits. */
  familyTotal(f: Family): number {
    return f === 'ipv4' ? this.live.v4Count + (this.stale?.v4Count ?? 0) : this.live.v6.size + (this.stale?.v6.size ?? 0);
  }

  /** Adds or replaces an IPv4 path. `addr` is the network address as a 32-bit number. True if new. */
  setV4(addr: number, len: number, pathId: number, attrs: RibAttrs): boolean {
    const t = pathId === 0 ? this.live.v4 : (this.live.v4Table(pathId, true) as Ipv4PathTable);
    const old = t.set(addr, len, this.reg.acquire(attrs));
    if (old >= 0) {
      this.reg.release(old); // replaced (implicit withdraw, RFC 4271 §3.1)
      return false;
    }
    this.live.v4Count++;
    // RFC 4724 §4.2: a re-announced stale path is live again; it is not new.
    return !(this.stale !== undefined && this.deleteStaleV4(addr, len, pathId));
  }

  /** Removes an IPv4 path (live or stale). True if it was present. */
  deleteV4(addr: number, len: number, pathId: number): boolean {
    const t = pathId === 0 ? this.live.v4 : this.live.v4Table(pathId, false);
    const old = t ? t.delete(addr, len) : -1;
    if (old >= 0) {
      this.reg.release(old);
      this.live.v4Count--;
      return true;
    }
    return this.stale !== undefined && this.deleteStaleV4(addr, len, pathId);
  }

  getV4(addr: number, len: number, pathId = 0): RibAttrs | undefined {
    let v = (pathId === 0 ? this.live.v4 : this.live.v4Table(pathId, false))?.get(addr, len) ?? -1;
    if (v < 0 && this.stale) v = this.stale.v4Table(pathId, false)?.get(addr, len) ?? -1;
    return v < 0 ? undefined : this.reg.get(v);
  }

  private deleteStaleV4(addr: number, len: number, pathId: number): boolean {
    const st = this.stale;
    const old = st?.v4Table(pathId, false)?.delete(addr, len) ?? -1;
    if (!st || old < 0) return false;
    this.reg.release(old);
    st.v4Count--; // the one count of stale IPv4 paths (a second one drifted: re-announced paths stayed counted)
    this.dropEmptyStale();
    return true;
  }

  private dropEmptyStale(): void {
    if (this.stale && this.stale.v4Count === 0 && this.stale.v6.size === 0) this.stale = undefined;
  }

  /** Adds or replaces an IPv6 path by key (see ipv6Key). True if new. */
  setV6(key: string, attrs: RibAttrs): boolean {
    const before = this.live.v6.size;
    this.live.v6.set(key, attrs);
    if (this.live.v6.size === before) return false;
    const wasStale = this.stale?.v6.delete(key) ?? false;
    if (wasStale) this.dropEmptyStale();
    return !wasStale;
  }

  deleteV6(key: string): boolean {
    if (this.live.v6.delete(key)) return true;
    const wasStale = this.stale?.v6.delete(key) ?? false;
    if (wasStale) this.dropEmptyStale();
    return wasStale;
  }

  getV6(key: string): RibAttrs | undefined {
    return this.live.v6.get(key) ?? this.stale?.v6.get(key);
  }

  isStale(prefix: Prefix, pathId = 0): boolean {
    if (!this.stale) return false;
    if (prefix.family === 'ipv4') return (this.stale.v4Table(pathId, false)?.get(Number(prefix.addr), prefix.len) ?? -1) >= 0;
    return this.stale.v6.has(ipv6Key(prefix.addr, prefix.len, pathId));
  }

  /** Generic add for tests and slow paths. */
  set(prefix: Prefix, pathId: number, attrs: RibAttrs): boolean {
    if (prefix.family === 'ipv4') return this.setV4(Number(prefix.addr), prefix.len, pathId, attrs);
    return this.setV6(ipv6Key(prefix.addr, prefix.len, pathId), attrs);
  }

  delete(prefix: Prefix, pathId = 0): boolean {
    if (prefix.family === 'ipv4') return this.deleteV4(Number(prefix.addr), prefix.len, pathId);
    return this.deleteV6(ipv6Key(prefix.addr, prefix.len, pathId));
  }

  get(prefix: Prefix, pathId = 0): RibAttrs | undefined {
    if (prefix.family === 'ipv4') return this.getV4(Number(prefix.addr), prefix.len, pathId);
    return this.getV6(ipv6Key(prefix.addr, prefix.len, pathId));
  }

  /**
   * RFC 4724 §4.2: the peer restarted, every path becomes stale; RFC 7313 §4: Beginning of Route Refresh, the
   * paths of one family become stale. Paths already stale stay stale.
   */
  markAllStale(family?: Family): void {
    const st = this.stale ?? new Generation();
    const live = this.live;
    if (family === undefined || family === 'ipv4') {
      if (st.v4Count === 0) {
        st.v4 = live.v4;
        st.v4ByPathId = live.v4ByPathId;
        st.v4Count = live.v4Count;
      } else {
        live.forEachV4((addr, len, pathId, v) => {
          (st.v4Table(pathId, true) as Ipv4PathTable).set(addr, len, v); // live and stale are disjoint
          st.v4Count++;
        });
      }
      live.v4 = new Ipv4PathTable();
      live.v4ByPathId = undefined;
      live.v4Count = 0;
    }
    if (family === undefined || family === 'ipv6') {
      for (const [k, v] of live.v6) st.v6.set(k, v);
      live.v6 = new Map();
    }
    this.stale = st.v4Count + st.v6.size > 0 ? st : undefined;
  }

  /** Removes the stale paths of a family (End-of-RIB received or restart timer expired). Returns them. */
  sweepStale(family?: Family): RibKey[] {
    const st = this.stale;
    if (!st) return [];
    const out: RibKey[] = [];
    if (family === undefined || family === 'ipv4') {
      st.forEachV4((addr, len, pathId, v) => {
        out.push({ prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId });
        this.reg.release(v);
      });
      st.v4 = new Ipv4PathTable();
      st.v4ByPathId = undefined;
      st.v4Count = 0;
    }
    if (family === undefined || family === 'ipv6') {
      for (const k of st.v6.keys()) out.push(parseIpv6Key(k));
      st.v6.clear();
    }
    this.dropEmptyStale();
    return out;
  }

  /** Every path (live and stale), for withdraw-all on session loss. */
  keys(): RibKey[] {
    return this.entries().map((e) => e.key);
  }

  /** Every path with its attributes (status pages, tests). */
  entries(): { key: RibKey; value: RibAttrs; stale: boolean }[] {
    const out: { key: RibKey; value: RibAttrs; stale: boolean }[] = [];
    for (const gen of this.stale ? [this.live, this.stale] : [this.live]) {
      const stale = gen === this.stale;
      gen.forEachV4((addr, len, pathId, v) =>
        out.push({ key: { prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId }, value: this.reg.get(v), stale }),
      );
      for (const [k, value] of gen.v6) out.push({ key: parseIpv6Key(k), value, stale });
    }
    return out;
  }

  clear(): void {
    for (const gen of this.stale ? [this.live, this.stale] : [this.live]) gen.forEachV4((_a, _l, _p, v) => this.reg.release(v));
    this.live = new Generation();
    this.stale = undefined;
  }
}
