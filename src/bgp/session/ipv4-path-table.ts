// An open-addressing hash table from an IPv4 prefix (address, length) to a small integer, on typed arrays.
// Used by the Adj-RIB-In for the hot IPv4 path: no object per entry (the GC never scans it), about 9 bytes per
// slot, linear probing with Fibonacci hashing (sequential /32s spread evenly), tombstones cleaned up eagerly.

const EMPTY = 0;
const TOMBSTONE = 255;
const MIN_CAPACITY = 256;

export class Ipv4PathTable {
  private addrs: Int32Array;
  /** 0 = empty, 1..33 = prefix length + 1, 255 = deleted. */
  private meta: Uint8Array;
  private vals: Int32Array;
  private mask: number;
  private shift: number;
  /** Live entries. */
  size = 0;
  /** Live entries + tombstones (what limits probing). */
  private used = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.addrs = new Int32Array(cap);
    this.meta = new Uint8Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  private slot(addr: number, len: number): number {
    // Fibonacci hashing on the address mixed with the length; the top bits index the table.
    return Math.imul(addr ^ Math.imul(len, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The value stored for the prefix, or -1. `addr` may be signed or unsigned 32-bit. */
  get(addr: number, len: number): number {
    const a = addr | 0;
    const tag = len + 1;
    const meta = this.meta;
    let i = this.slot(a, len);
    for (;;) {
      const m = meta[i] as number;
      if (m === EMPTY) return -1;
      if (m === tag && this.addrs[i] === a) return this.vals[i] as number;
      i = (i + 1) & this.mask;
    }
  }

  /** Stores `val` (≥ 0) for the prefix; returns the value it replaced, or -1 when the prefix is new. */
  set(addr: number, len: number, val: number): number {
    if ((this.used + 1) * 2 > this.mask + 1) this.rehash(this.size * 4 > this.mask + 1 ? (this.mask + 1) * 2 : this.mask + 1);
    const a = addr | 0;
    const tag = len + 1;
    const meta = this.meta;
    let i = this.slot(a, len);
    let tomb = -1;
    for (;;) {
      const m = meta[i] as number;
      if (m === EMPTY) break;
      if (m === TOMBSTONE) {
        if (tomb < 0) tomb = i;
      } else if (m === tag && this.addrs[i] === a) {
        const old = this.vals[i] as number;
        this.vals[i] = val;
        return old;
      }
      i = (i + 1) & this.mask;
    }
    if (tomb >= 0) i = tomb;
    else this.used++;
    meta[i] = tag;
    this.addrs[i] = a;
    this.vals[i] = val;
    this.size++;
    return -1;
  }

  /** Removes the prefix; returns its value, or -1 when absent. */
  delete(addr: number, len: number): number {
    const a = addr | 0;
    const tag = len + 1;
    const meta = this.meta;
    const mask = this.mask;
    let i = this.slot(a, len);
    for (;;) {
      const m = meta[i] as number;
      if (m === EMPTY) return -1;
      if (m === tag && this.addrs[i] === a) break;
      i = (i + 1) & mask;
    }
    const old = this.vals[i] as number;
    this.size--;
    if (meta[(i + 1) & mask] === EMPTY) {
      // End of a probe chain: this slot and the tombstones just before it can become empty again.
      meta[i] = EMPTY;
      this.used--;
      let j = (i - 1) & mask;
      while (meta[j] === TOMBSTONE) {
        meta[j] = EMPTY;
        this.used--;
        j = (j - 1) & mask;
      }
    } else {
      meta[i] = TOMBSTONE;
    }
    if (this.size * 16 < this.mask + 1 && this.mask + 1 > MIN_CAPACITY) this.rehash((this.mask + 1) / 4);
    return old;
  }

  /** Calls fn for every entry (unsigned address). Do not modify the table from fn. */
  forEach(fn: (addr: number, len: number, val: number) => void): void {
    const meta = this.meta;
    for (let i = 0; i <= this.mask; i++) {
      const m = meta[i] as number;
      if (m !== EMPTY && m !== TOMBSTONE) fn((this.addrs[i] as number) >>> 0, m - 1, this.vals[i] as number);
    }
  }

  private rehash(capacity: number): void {
    const { addrs, meta, vals } = this;
    const cap = Math.max(MIN_CAPACITY, capacity);
    this.addrs = new Int32Array(cap);
    this.meta = new Uint8Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.size = 0;
    this.used = 0;
    for (let i = 0; i < meta.length; i++) {
      const m = meta[i] as number;
      if (m === EMPTY || m === TOMBSTONE) continue;
      const a = addrs[i] as number;
      let j = this.slot(a, m - 1);
      while (this.meta[j] !== EMPTY) j = (j + 1) & this.mask;
      this.meta[j] = m;
      this.addrs[j] = a;
      this.vals[j] = vals[i] as number;
      this.size++;
      this.used++;
    }
  }
}
