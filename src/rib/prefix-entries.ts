// The route spec's prefix entries by prefix. An entry that loses its last candidate stays in the map, empty, until
// empty ones make up a large part of it: V8's Map keeps a deleted key's slot until its next rehash, which copies
// the whole map, so a prefix that is withdrawn and announced again and again (a flapping host) would cost a
// rehash of a million entries every few thousand flaps. Kept, the entry is reused: no map operation at all. Once
// the empty ones are a quarter of the live ones a sweep starts, spread over the flushes that follow: each visits
// at most SWEEP_STEP entries per entry emptied since the last (at least SWEEP_STEP × 64), so no UPDATE pays for a
// pass over the whole map (lazy-collections.ts).
import type { Prefix } from '../net/prefix.js';
import { prefixKey, type PrefixEntry, type PrefixKey } from './candidate.js';
import { SWEEP_STEP, SweepCursor } from './lazy-collections.js';

/** Sweep once this many entries are empty (and they are at least a quarter of the live ones). */
const SWEEP_AT_LEAST = 4096;

export class PrefixEntries {
  private readonly map = new Map<PrefixKey, PrefixEntry>();
  private readonly cursor = new SweepCursor<PrefixKey>();
  private empty = 0;
  /** Entries emptied since the last sweep step: the next step's budget. */
  private emptiedSince = 0;

  /** Entries with at least one candidate. */
  get size(): number {
    return this.map.size - this.empty;
  }

  get(prefix: Prefix): PrefixEntry | undefined {
    const e = this.map.get(prefixKey(prefix));
    return e && e.cands.length > 0 ? e : undefined;
  }

  /** True while `e` is the entry of its prefix (a swept entry is not). */
  holds(e: PrefixEntry): boolean {
    return this.map.get(e.key) === e;
  }

  /** The entry of `prefix`, created (empty) when there is none. */
  getOrCreate(prefix: Prefix): PrefixEntry {
    const key = prefixKey(prefix);
    let e = this.map.get(key);
    if (!e) {
      e = {
        key,
        prefix,
        cands: [],
        chosen: undefined,
        failover: false,
        reasonKind: '',
        reason: '',
        dirty: false,
        medVaries: false,
        azViews: undefined,
        azArmed: false,
      };
      this.map.set(key, e);
      this.empty++;
    }
    return e;
  }

  /** An entry went from no candidate to one (call after adding it). */
  filled(): void {
    this.empty--;
  }

  /** An entry lost its last candidate (call after removing it). */
  emptied(): void {
    this.empty++;
    this.emptiedSince++;
  }

  /** Entries held, empty ones included (tests). */
  get stored(): number {
    return this.map.size;
  }

  /** Entries with at least one candidate. */
  *values(): IterableIterator<PrefixEntry> {
    for (const e of this.map.values()) if (e.cands.length > 0) yield e;
  }

  /** Drops empty entries once there are many, a bounded step per call; call when no entry is queued for re-ranking. */
  sweep(): void {
    if (this.empty >= SWEEP_AT_LEAST && this.empty * 4 >= this.size) this.cursor.start(this.map.keys());
    if (!this.cursor.active) {
      this.emptiedSince = 0;
      return;
    }
    this.cursor.step(SWEEP_STEP * Math.max(64, this.emptiedSince), (k) => {
      const e = this.map.get(k);
      if (e && e.cands.length === 0 && e.chosen === undefined && !e.dirty && e.azViews === undefined) {
        this.map.delete(k);
        this.empty--;
      }
    });
    this.emptiedSince = 0;
  }
}
