// Collections for the route spec's big indexes (a peer's paths, a next hop's prefixes) that tolerate churn. V8's
// Map and Set keep a deleted key's slot until the next rehash, and that rehash copies the whole collection: a
// prefix withdrawn and announced again and again against a million others would cost a full copy every few
// thousand flaps (measured: 25 µs per delete + add at 1M entries, against 0.1 µs when small). Here a removal only
// marks the key dead; dead keys are swept in one pass once they are a quarter of the live ones (amortised O(1)).

/** Sweep when at least this many keys are dead (and they are a quarter of the live ones). */
const SWEEP_AT_LEAST = 4096;

const due = (dead: number, live: number): boolean => dead >= SWEEP_AT_LEAST && dead * 4 >= live;

/** Reference counts per key; a key whose count drops to 0 is dead. */
export class RefCounts<K> {
  private readonly map = new Map<K, number>();
  private liveKeys = 0;

  /** Keys with a count above 0. */
  get size(): number {
    return this.liveKeys;
  }

  get(k: K): number {
    return this.map.get(k) ?? 0;
  }

  add(k: K): void {
    const n = this.map.get(k) ?? 0;
    if (n === 0) this.liveKeys++;
    this.map.set(k, n + 1);
  }

  /** Drops one reference; true when it was the key's last. */
  remove(k: K): boolean {
    const n = this.map.get(k) ?? 0;
    if (n <= 0) return false;
    this.map.set(k, n - 1);
    if (n > 1) return false;
    this.liveKeys--;
    if (due(this.map.size - this.liveKeys, this.liveKeys)) for (const [key, c] of this.map) if (c === 0) this.map.delete(key);
    return true;
  }

  *keys(): IterableIterator<K> {
    for (const [k, n] of this.map) if (n > 0) yield k;
  }

  *entries(): IterableIterator<[K, number]> {
    for (const e of this.map) if (e[1] > 0) yield e;
  }
}

/** A set whose removed members stay (dead) until a sweep; `alive` tells a member from a removed one. */
export class LazySet<T> {
  private set = new Set<T>();
  private liveCount = 0;

  constructor(private readonly alive: (x: T) => boolean) {}

  get size(): number {
    return this.liveCount;
  }

  /** Adds a member that is not in the set (a new object). */
  add(x: T): void {
    this.set.add(x);
    this.liveCount++;
  }

  /** Call once `x` is no longer alive. */
  removed(): void {
    this.liveCount--;
    if (due(this.set.size - this.liveCount, this.liveCount)) this.set = new Set([...this.set].filter(this.alive));
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const x of this.set) if (this.alive(x)) yield x;
  }
}
