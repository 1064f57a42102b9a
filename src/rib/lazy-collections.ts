// Collections for the route spec's big indexes (a peer's paths, a next hop's prefixes) that tolerate churn. V8's
// Map and Set keep a deleted key's slot until the next rehash, and that rehash copies the whole collection: a
// prefix withdrawn and announced again and again against a million others would cost a full copy every few
// thousand flaps (measured: 25 µs per delete + add at 1M entries, against 0.1 µs when small). Here a removal only
// marks the key dead. Once dead keys are a quarter of the live ones a sweep starts, and it is spread over the
// removals that follow: each visits at most SWEEP_STEP keys and deletes the dead ones in place (amortised O(1),
// and bounded per call: a sweep in one pass over a million keys blocked the event loop for 0.3–0.5 s, and the
// sweeps of the three indexes a bulk withdrawal touches fell due in the same UPDATE).

/** Sweep when at least this many keys are dead (and they are a quarter of the live ones). */
const SWEEP_AT_LEAST = 4096;
/** Keys a sweep visits per removal: the sweep of n keys ends within n / SWEEP_STEP removals. */
export const SWEEP_STEP = 4;

const due = (dead: number, live: number): boolean => dead >= SWEEP_AT_LEAST && dead * 4 >= live;

/**
 * A pass over a collection's keys spread over many calls. Map and Set iterators stay valid while the collection
 * changes (deleted keys are skipped, added ones visited), so the pass resumes where it stopped.
 */
export class SweepCursor<K> {
  private it: Iterator<K> | undefined;

  get active(): boolean {
    return this.it !== undefined;
  }

  start(keys: Iterator<K>): void {
    this.it ??= keys;
  }

  /** Visits up to `budget` keys; the pass ends when the iterator does. */
  step(budget: number, visit: (k: K) => void): void {
    const it = this.it;
    if (!it) return;
    for (let i = 0; i < budget; i++) {
      const r = it.next();
      if (r.done === true) {
        this.it = undefined;
        return;
      }
      visit(r.value);
    }
  }
}

/** Reference counts per key; a key whose count drops to 0 is dead. */
export class RefCounts<K> {
  private readonly map = new Map<K, number>();
  private readonly sweep = new SweepCursor<K>();
  private liveKeys = 0;

  /** Keys with a count above 0. */
  get size(): number {
    return this.liveKeys;
  }

  /** Keys held, dead ones included (tests). */
  get stored(): number {
    return this.map.size;
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
    if (due(this.map.size - this.liveKeys, this.liveKeys)) this.sweep.start(this.map.keys());
    this.sweep.step(SWEEP_STEP, (key) => {
      if (this.map.get(key) === 0) this.map.delete(key);
    });
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
  private readonly set = new Set<T>();
  private readonly sweep = new SweepCursor<T>();
  private liveCount = 0;

  constructor(private readonly alive: (x: T) => boolean) {}

  get size(): number {
    return this.liveCount;
  }

  /** Members held, dead ones included (tests). */
  get stored(): number {
    return this.set.size;
  }

  /** Adds a member that is not in the set (a new object). */
  add(x: T): void {
    this.set.add(x);
    this.liveCount++;
  }

  /** Call once `x` is no longer alive. */
  removed(): void {
    this.liveCount--;
    if (due(this.set.size - this.liveCount, this.liveCount)) this.sweep.start(this.set.values());
    this.sweep.step(SWEEP_STEP, (x) => {
      if (!this.alive(x)) this.set.delete(x);
    });
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const x of this.set) if (this.alive(x)) yield x;
  }
}
