// Adj-RIB-In of one peer (RFC 4271 §3.2), pre-policy, ADD-PATH aware (key = prefix + path id, RFC 7911).
//
// Built for ingest speed and memory: IPv4 entries live in one Map per prefix length keyed by the address as a
// signed 32-bit integer (a V8 small integer: no allocation per key), the value is a reference to the attribute
// set interned once per UPDATE. IPv6 uses string keys (prefix bytes + length), which is fine at host scale.
// Graceful restart (RFC 4724 §4.2): markAllStale() moves every entry to a stale generation; a re-announcement
// moves it back; sweepStale(family) removes what was not re-announced.
import type { Family, Prefix } from '../rib/prefix.js';
import type { PathAttributes } from '../rib/path.js';

/** The attributes shared by all prefixes of one UPDATE, interned once per UPDATE. */
export interface RibAttrs {
  readonly attrs: PathAttributes;
  /** Canonical next-hop text (IPv4-mapped IPv6 already unmapped; link-local ignored). */
  readonly nextHop: string;
}

type V4Table = (Map<number, RibAttrs> | undefined)[];

/** One generation of entries: IPv4 per path id → per length → addr|0; IPv6 by string key. */
class Generation {
  /** Path id 0 (no ADD-PATH) gets a direct slot: the hot path does no path-id lookup. */
  v4: V4Table = new Array<Map<number, RibAttrs> | undefined>(33);
  v4ByPathId: Map<number, V4Table> | undefined;
  v6 = new Map<string, RibAttrs>();
  v4Count = 0;

  v4Table(pathId: number, create: boolean): V4Table | undefined {
    if (pathId === 0) return this.v4;
    let t = this.v4ByPathId?.get(pathId);
    if (!t && create) {
      t = new Array<Map<number, RibAttrs> | undefined>(33);
      (this.v4ByPathId ??= new Map()).set(pathId, t);
    }
    return t;
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

function forEachV4(gen: Generation, fn: (addr: number, len: number, pathId: number, v: RibAttrs) => void): void {
  const visit = (t: V4Table, pathId: number): void => {
    for (let len = 0; len <= 32; len++) {
      const m = t[len];
      if (m) for (const [k, v] of m) fn(k >>> 0, len, pathId, v);
    }
  };
  visit(gen.v4, 0);
  if (gen.v4ByPathId) for (const [id, t] of gen.v4ByPathId) visit(t, id);
}

export class AdjRibIn {
  private live = new Generation();
  private stale: Generation | undefined;
  private staleV4 = 0;

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
    return this.staleV4 + (this.stale?.v6.size ?? 0);
  }
  /** Live + stale entries of a family: the number max-prefix limits. */
  familyTotal(f: Family): number {
    return f === 'ipv4' ? this.live.v4Count + this.staleV4 : this.live.v6.size + (this.stale?.v6.size ?? 0);
  }

  /** Adds or replaces an IPv4 path. `addr` is the network address as an unsigned 32-bit number. True if new. */
  setV4(addr: number, len: number, pathId: number, attrs: RibAttrs): boolean {
    const t = pathId === 0 ? this.live.v4 : (this.live.v4Table(pathId, true) as V4Table);
    let m = t[len];
    if (!m) t[len] = m = new Map();
    const k = addr | 0;
    const before = m.size;
    m.set(k, attrs);
    if (m.size === before) return false; // replaced (implicit withdraw, RFC 4271 §3.1)
    this.live.v4Count++;
    // RFC 4724 §4.2: a re-announced stale path is live again; it is not new.
    return !(this.stale !== undefined && this.deleteStaleV4(k, len, pathId));
  }

  /** Removes an IPv4 path (live or stale). True if it was present. */
  deleteV4(addr: number, len: number, pathId: number): boolean {
    const k = addr | 0;
    const m = (pathId === 0 ? this.live.v4 : this.live.v4Table(pathId, false))?.[len];
    if (m?.delete(k)) {
      this.live.v4Count--;
      return true;
    }
    return this.stale !== undefined && this.deleteStaleV4(k, len, pathId);
  }

  getV4(addr: number, len: number, pathId = 0): RibAttrs | undefined {
    const k = addr | 0;
    return (pathId === 0 ? this.live.v4 : this.live.v4Table(pathId, false))?.[len]?.get(k) ?? this.stale?.v4Table(pathId, false)?.[len]?.get(k);
  }

  private deleteStaleV4(k: number, len: number, pathId: number): boolean {
    const sm = this.stale?.v4Table(pathId, false)?.[len];
    if (!sm?.delete(k)) return false;
    this.staleV4--;
    return true;
  }

  /** Adds or replaces an IPv6 path by key (see ipv6Key). True if new. */
  setV6(key: string, attrs: RibAttrs): boolean {
    const before = this.live.v6.size;
    this.live.v6.set(key, attrs);
    if (this.live.v6.size === before) return false;
    return !(this.stale?.v6.delete(key) ?? false);
  }

  deleteV6(key: string): boolean {
    return this.live.v6.delete(key) || (this.stale?.v6.delete(key) ?? false);
  }

  getV6(key: string): RibAttrs | undefined {
    return this.live.v6.get(key) ?? this.stale?.v6.get(key);
  }

  isStale(prefix: Prefix, pathId = 0): boolean {
    if (!this.stale) return false;
    if (prefix.family === 'ipv4') return this.stale.v4Table(pathId, false)?.[prefix.len]?.has(Number(prefix.addr) | 0) ?? false;
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
   * RFC 4724 §4.2: the peer restarted; every path becomes stale. Paths already stale (a restart during a
   * restart) stay stale.
   */
  markAllStale(): void {
    const old = this.stale;
    const gen = this.live;
    this.live = new Generation();
    if (old) {
      forEachV4(old, (addr, len, pathId, v) => {
        const t = gen.v4Table(pathId, true) as V4Table;
        const m = (t[len] ??= new Map());
        if (!m.has(addr | 0)) {
          m.set(addr | 0, v);
          gen.v4Count++;
        }
      });
      for (const [k, v] of old.v6) if (!gen.v6.has(k)) gen.v6.set(k, v);
    }
    this.stale = gen;
    this.staleV4 = gen.v4Count;
  }

  /** Removes the stale paths of a family (End-of-RIB received or restart timer expired). Returns them. */
  sweepStale(family?: Family): RibKey[] {
    const st = this.stale;
    if (!st) return [];
    const out: RibKey[] = [];
    if (family === undefined || family === 'ipv4') {
      forEachV4(st, (addr, len, pathId) => out.push({ prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId }));
      st.v4 = new Array<Map<number, RibAttrs> | undefined>(33);
      st.v4ByPathId = undefined;
      st.v4Count = 0;
      this.staleV4 = 0;
    }
    if (family === undefined || family === 'ipv6') {
      for (const k of st.v6.keys()) out.push(parseIpv6Key(k));
      st.v6.clear();
    }
    if (this.staleV4 === 0 && st.v6.size === 0) this.stale = undefined;
    return out;
  }

  /** Every path (live and stale), for withdraw-all on session loss. */
  keys(): RibKey[] {
    const out: RibKey[] = [];
    for (const gen of this.stale ? [this.live, this.stale] : [this.live]) {
      forEachV4(gen, (addr, len, pathId) => out.push({ prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId }));
      for (const k of gen.v6.keys()) out.push(parseIpv6Key(k));
    }
    return out;
  }

  /** Every path with its attributes (status pages, tests). */
  entries(): { key: RibKey; value: RibAttrs; stale: boolean }[] {
    const out: { key: RibKey; value: RibAttrs; stale: boolean }[] = [];
    for (const gen of this.stale ? [this.live, this.stale] : [this.live]) {
      const stale = gen === this.stale;
      forEachV4(gen, (addr, len, pathId, value) =>
        out.push({ key: { prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId }, value, stale }),
      );
      for (const [k, value] of gen.v6) out.push({ key: parseIpv6Key(k), value, stale });
    }
    return out;
  }

  clear(): void {
    this.live = new Generation();
    this.stale = undefined;
    this.staleV4 = 0;
  }
}
