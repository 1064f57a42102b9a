// Brute-force oracle: enumerates every set of k route prefixes on a tiny space and, for each, the best target per
// route (the addresses a route wins do not depend on the targets, so each route independently takes the target
// most of its addresses need). Naive on purpose and independent of src/aggregate.
import { DC, FORBID, allPrefixes, covers, requirements, type TinyCase, type TinyPrefix, type TinyRoute } from './tiny-space.js';

export interface OracleResult {
  /** minDamage[k]: the least damaged-address count over all valid tables of exactly k routes (Infinity if none). */
  readonly minDamage: number[];
}

function* combinations(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc;
    return;
  }
  for (let i = start; i <= n - (k - acc.length); i++) {
    acc.push(i);
    yield* combinations(n, k, i + 1, acc);
    acc.pop();
  }
}

export function oracle(c: TinyCase, maxRoutes: number): OracleResult {
  const size = 1 << c.bits;
  const req = requirements(c);
  const targets = [...new Set(c.routes.map((r) => r.target))];
  // A route may not cover a forbidden address: drop such prefixes up front (any table using one is invalid).
  const allowed: TinyPrefix[] = allPrefixes(c.bits).filter((p) => {
    for (let a = 0; a < size; a++) if (covers(p, a, c.bits) && req[a] === FORBID) return false;
    return true;
  });
  const minDamage: number[] = [];
  for (let k = 0; k <= maxRoutes; k++) {
    let best = Infinity;
    if (k > allowed.length || (k > 0 && targets.length === 0)) {
      minDamage.push(best);
      continue;
    }
    for (const combo of combinations(allowed.length, k)) {
      const routes = combo.map((i) => allowed[i] as TinyPrefix);
      // counts[i][target] = announced addresses won by route i that need `target`; unrouted = announced, no route.
      const counts = routes.map(() => new Map<string, number>());
      const won = routes.map(() => 0);
      let unrouted = 0;
      for (let a = 0; a < size; a++) {
        const need = req[a] as string;
        if (need === DC || need === FORBID) continue;
        let w = -1;
        for (let i = 0; i < routes.length; i++) {
          const r = routes[i] as TinyPrefix;
          if (covers(r, a, c.bits) && (w < 0 || r.len > (routes[w] as TinyPrefix).len)) w = i;
        }
        if (w < 0) {
          unrouted++;
          continue;
        }
        won[w] = (won[w] as number) + 1;
        const m = counts[w] as Map<string, number>;
        m.set(need, (m.get(need) ?? 0) + 1);
      }
      let damage = unrouted;
      for (let i = 0; i < routes.length; i++) {
        let most = 0;
        for (const t of targets) most = Math.max(most, (counts[i] as Map<string, number>).get(t) ?? 0);
        damage += (won[i] as number) - most;
      }
      if (damage < best) best = damage;
    }
    minDamage.push(best);
  }
  return { minDamage };
}

/** Size of the smallest table with no damage (brute force, increasing k). */
export function oracleMinimum(c: TinyCase, cap: number): number {
  const { minDamage } = oracle(c, cap);
  const k = minDamage.findIndex((d) => d === 0);
  if (k < 0) throw new Error('oracle: no exact table within the cap');
  return k;
}

/**
 * The most routes (same prefix and target) a minimal exact table can share with `previous`: every set of
 * `size` prefixes is tried; a route that wins announced addresses must take their (single) target, a route that
 * wins none may take any target.
 */
export function oracleMaxShared(c: TinyCase, size: number, previous: readonly TinyRoute[]): number {
  const all = 1 << c.bits;
  const req = requirements(c);
  const allowed = allPrefixes(c.bits).filter((p) => {
    for (let a = 0; a < all; a++) if (covers(p, a, c.bits) && req[a] === FORBID) return false;
    return true;
  });
  const prevAt = new Map(previous.map((r) => [`${r.x}/${r.len}`, r.target]));
  const inputTargets = new Set(c.routes.map((r) => r.target));
  let best = -1;
  for (const combo of combinations(allowed.length, size)) {
    const routes = combo.map((i) => allowed[i] as TinyPrefix);
    const need = routes.map(() => new Set<string>());
    let ok = true;
    for (let a = 0; a < all && ok; a++) {
      const r = req[a] as string;
      if (r === DC || r === FORBID) continue;
      let w = -1;
      for (let i = 0; i < routes.length; i++) {
        const p = routes[i] as TinyPrefix;
        if (covers(p, a, c.bits) && (w < 0 || p.len > (routes[w] as TinyPrefix).len)) w = i;
      }
      if (w < 0) ok = false;
      else (need[w] as Set<string>).add(r);
    }
    if (!ok || need.some((s) => s.size > 1)) continue;
    let shared = 0;
    routes.forEach((p, i) => {
      const t = prevAt.get(`${p.x}/${p.len}`);
      const s = need[i] as Set<string>;
      if (t !== undefined && (s.size === 0 ? inputTargets.has(t) : s.has(t))) shared++;
    });
    best = Math.max(best, shared);
  }
  return best;
}
