// Candidates from the non-BGP sources (route spec file, HTTP POST, static config). Replacing a source's
// document diffs it per prefix: unchanged prefixes keep their candidates (and so their hold-down clocks).
import type { PolicyVerdict } from '../policy/import-policy.js';
import type { Prefix } from '../net/prefix.js';
import { prefixKey, type NextHopState, type PrefixEntry, type PrefixKey, type SpecCandidate, type SpecSource } from './candidate.js';
import type { SpecEntry } from './spec-format.js';

export interface SpecStoreHooks {
  entry(prefix: Prefix): PrefixEntry;
  add(c: SpecCandidate): void;
  remove(c: SpecCandidate): void;
  nextHop(text: string, group: string): NextHopState;
  evaluate(prefix: Prefix, nextHop: string): PolicyVerdict;
  now(): number;
  /** Fills the ranking fields (priority from list order, AZ). */
  refresh(c: SpecCandidate): void;
}

export class SpecStore {
  private readonly bySource = new Map<SpecSource, Map<PrefixKey, SpecCandidate[]>>();

  constructor(private readonly hooks: SpecStoreHooks) {}

  replace(source: SpecSource, entries: readonly SpecEntry[]): void {
    const old = this.bySource.get(source) ?? new Map<PrefixKey, SpecCandidate[]>();
    const next = new Map<PrefixKey, SpecCandidate[]>();
    for (const e of entries) {
      const key = prefixKey(e.prefix);
      const prev = old.get(key);
      old.delete(key);
      if (prev && prev.length === e.nextHops.length && prev.every((c, i) => c.nextHop === e.nextHops[i])) {
        next.set(key, prev);
        continue;
      }
      const addedAt = new Map(prev?.map((c) => [c.nextHop, c.addedAt]));
      for (const c of prev ?? []) this.hooks.remove(c);
      if (e.nextHops.length === 0) {
        next.set(key, []);
        continue;
      }
      const entry = this.hooks.entry(e.prefix);
      const cands = e.nextHops.map((nhText, index) => {
        const verdict = this.hooks.evaluate(e.prefix, nhText);
        const nh = this.hooks.nextHop(nhText, verdict.group);
        const c: SpecCandidate = {
          source,
          index,
          entry,
          nh,
          addedAt: addedAt.get(nhText) ?? this.hooks.now(),
          verdict,
          nextHop: nh.text,
          nhFamily: nh.family,
          nhAddr: nh.addr,
          nhKey: nh.key,
          localPref: 0,
          asPathLength: 0,
          med: 0,
          neighborAs: undefined,
          priority: 0,
          eligible: false,
          eligibleSince: 0,
          az: undefined,
        };
        this.hooks.refresh(c);
        this.hooks.add(c);
        return c;
      });
      next.set(key, cands);
    }
    for (const cands of old.values()) for (const c of cands) this.hooks.remove(c);
    this.bySource.set(source, next);
  }

  *all(): IterableIterator<SpecCandidate> {
    for (const m of this.bySource.values()) for (const cs of m.values()) yield* cs;
  }
}
