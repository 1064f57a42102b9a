// Where the installed table sends each prefix, as next-hop addresses: read once at startup so that the route
// spec, while initial convergence runs, keeps the host a multi-announcer prefix is already routed to instead of
// whichever announcer reconnected first (a restart with unchanged hosts must write nothing). Pure, no I/O.
import { makePrefix, type Prefix } from '../net/prefix.js';
import { activeOwnedTarget, type Ownership } from './ownership.js';
import type { ActualRoute } from './types.js';

export class InstalledTargets {
  /** `family/len/addr` → target ID (ENI or instance). */
  private readonly byPrefix = new Map<string, string>();
  /** The prefix lengths present, longest first. */
  private readonly lens: number[];

  constructor(
    own: Ownership,
    routes: Iterable<ActualRoute>,
    /** Target ID → its addresses. */
    private readonly addresses: ReadonlyMap<string, readonly string[]>,
  ) {
    const lens = new Set<number>();
    for (const r of routes) {
      const id = activeOwnedTarget(own, r);
      if (id === undefined || !r.destination) continue;
      this.byPrefix.set(key(r.destination), id);
      lens.add(r.destination.len);
    }
    this.lens = [...lens].sort((a, b) => b - a);
  }

  /** The addresses of the host the table sends the prefix to (longest match covering it), or undefined. */
  addressesFor(p: Prefix): readonly string[] | undefined {
    for (const len of this.lens) {
      if (len > p.len) continue;
      const id = this.byPrefix.get(key(makePrefix(p.family, p.addr, len)));
      if (id !== undefined) return this.addresses.get(id);
    }
    return undefined;
  }
}

const key = (p: Prefix): string => `${p.family}/${p.len}/${p.addr}`;
