// The fewest-writes alternative to re-minimising: the table currently installed, mended where the new input makes
// it wrong. One top-down walk of the trie, carrying the target each region inherits:
//   - a previous route is dropped when it covers forbidden space (it sits on a blocked node) or serves no announced
//     address any more (a withdrawn prefix); one whose target is not in the input any more (its host is gone) is
//     re-targeted where it still serves announced space (one ReplaceRoute, as a failover should cost), to the
//     target the closest minimal table puts there;
//   - where a node's own region (a leaf, or a missing child's filler) is announced and the target reaching it is
//     wrong, the route on the node is set to the right target (a ReplaceRoute when one was there, else a create),
//     or, on a blocked node where no route may sit, the filler regions get their own routes.
// Everything else stays as it was, so one changed /32 costs one write. The result is exact (no damage, nothing
// forbidden covered) but not minimal: aggregate() takes it only within `spare` routes of the minimum and when it
// costs fewer writes than the closest minimal table.
import type { PlacedRoute } from './ortc.js';
import { NO_TARGET, UNKNOWN_TARGET, type Trie } from './trie.js';

/** Per node: its subtree holds announced space (a region whose fill is a target). */
function announcedBelow(trie: Trie): Uint8Array {
  const n = trie.size;
  const out = new Uint8Array(n);
  for (let v = n - 1; v >= 0; v--) {
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    const own = (c0 < 0 || c1 < 0) && (trie.fill[v] as number) >= 0;
    if (own || (c0 >= 0 && out[c0]) || (c1 >= 0 && out[c1])) out[v] = 1;
  }
  return out;
}

/**
 * `minimal`: the closest minimal table (its choices guide the re-targeting of a route whose host is gone).
 */
export function repairPrevious(trie: Trie, minimal: readonly PlacedRoute[]): PlacedRoute[] {
  const n = trie.size;
  const minimalAt = new Int32Array(n).fill(NO_TARGET);
  for (const r of minimal) if (r.side < 0) minimalAt[r.node] = r.target;
  const served = announcedBelow(trie);
  /** The target forwarding v's own region: the route on v, else the one inherited. */
  const reaching = new Int32Array(n).fill(NO_TARGET);
  const out: PlacedRoute[] = [];
  for (let v = 0; v < n; v++) {
    const inherited = v === 0 ? NO_TARGET : (reaching[trie.parent[v] as number] as number);
    let route = trie.previous[v] as number;
    if (route !== NO_TARGET && (trie.blocked[v] || !served[v])) route = NO_TARGET;
    const c0 = trie.child0[v] as number;
    const c1 = trie.child1[v] as number;
    const need = trie.fill[v] as number;
    if (route === UNKNOWN_TARGET) {
      // Its host is gone but the route still serves announced space: re-target it (one ReplaceRoute, what a
      // failover should cost) to what its own region needs, else to the closest minimal table's route here; drop
      // it when that table has no route here.
      route = (c0 < 0 || c1 < 0) && need >= 0 ? need : (minimalAt[v] as number);
    }
    let here = route !== NO_TARGET ? route : inherited;
    if ((c0 < 0 || c1 < 0) && need >= 0 && here !== need) {
      if (!trie.blocked[v]) {
        route = need;
        here = need;
      } else {
        if (c0 < 0) out.push({ node: v, side: 0, target: need });
        if (c1 < 0) out.push({ node: v, side: 1, target: need });
      }
    }
    if (route !== NO_TARGET) out.push({ node: v, side: -1, target: route });
    reaching[v] = here;
  }
  return out;
}
