// Where the installed tables send each prefix, as next-hop addresses: read once at startup so that the route
// spec, while initial convergence runs, keeps the host a multi-announcer prefix is already routed to instead of
// whichever announcer reconnected first (a restart with unchanged hosts must write nothing). Per AZ: the per-AZ
// choices (vpc.preferSameAz) start from the table of their AZ, the default choice from a table serving no single
// AZ (else the first table holding routes of ours). Pure, no I/O.
import { makePrefix, type Prefix } from '../net/prefix.js';
import { activeOwnedTarget, type Ownership } from './ownership.js';
import type { ActualRoute } from './types.js';

/** One installed table: prefix → the target (ENI or instance) of our active route for it. */
class TableTargets {
  /** `family/len/addr` → target ID. */
  private readonly byPrefix = new Map<string, string>();
  /** The prefix lengths present, longest first. */
  private readonly lens: number[];

  constructor(own: Ownership, routes: Iterable<ActualRoute>) {
    const lens = new Set<number>();
    for (const r of routes) {
      const id = activeOwnedTarget(own, r);
      if (id === undefined || !r.destination) continue;
      this.byPrefix.set(key(r.destination), id);
      lens.add(r.destination.len);
    }
    this.lens = [...lens].sort((a, b) => b - a);
  }

  get empty(): boolean {
    return this.byPrefix.size === 0;
  }

  /** The target of the longest route of ours covering `p`. */
  targetFor(p: Prefix): string | undefined {
    for (const len of this.lens) {
      if (len > p.len) continue;
      const id = this.byPrefix.get(key(makePrefix(p.family, p.addr, len)));
      if (id !== undefined) return id;
    }
    return undefined;
  }
}

export interface InstalledTable {
  /** The AZ the table serves (per-AZ tables), or undefined. */
  readonly az: string | undefined;
  readonly routes: Iterable<ActualRoute>;
}

export class InstalledTargets {
  /** '' → the default choice's table; an AZ → that AZ's table. */
  private readonly tables = new Map<string, TableTargets>();

  constructor(
    own: Ownership,
    tables: Iterable<InstalledTable>,
    /** Target ID → its addresses. */
    private readonly addresses: ReadonlyMap<string, readonly string[]>,
  ) {
    let first: TableTargets | undefined;
    for (const t of tables) {
      const tt = new TableTargets(own, t.routes);
      if (tt.empty) continue;
      first ??= tt;
      const k = t.az ?? '';
      if (!this.tables.has(k)) this.tables.set(k, tt);
    }
    if (first && !this.tables.has('')) this.tables.set('', first);
  }

  /**
   * The addresses of the host the table sends the prefix to (longest match covering it), or undefined: the table
   * of `az` when there is one holding routes of ours, else the default choice's.
   */
  addressesFor(p: Prefix, az?: string): readonly string[] | undefined {
    const t = (az !== undefined ? this.tables.get(az) : undefined) ?? this.tables.get('');
    const id = t?.targetFor(p);
    return id === undefined ? undefined : this.addresses.get(id);
  }
}

const key = (p: Prefix): string => `${p.family}/${p.len}/${p.addr}`;
