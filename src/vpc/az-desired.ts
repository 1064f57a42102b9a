// The desired routes per AZ view: the default routes (every table without an AZ, and every AZ for the prefixes it
// has no choice of its own for), plus one DesiredRoutes per AZ that the route spec gave per-AZ choices for
// (rib/az-views.ts). A change without `az` reaches the default routes and every view that does not override the
// prefix; a change with `az` sets that view's override (`to` undefined: drop it, back to the default route). A view
// starts as a copy of the default routes the first time it is named (O(routes), once per AZ). Synchronous.
import type { Prefix } from '../net/prefix.js';
import { DesiredRoutes } from './desired-routes.js';
import { EniResolver } from './eni-resolver.js';
import type { DesiredChange, DesiredRoute } from './types.js';

interface AzView {
  readonly routes: DesiredRoutes;
  /** Prefixes (key) whose route here is the AZ's own choice. */
  readonly overrides: Set<string>;
}

const keyOf = (p: Prefix): string => `${p.family === 'ipv4' ? 4 : 6}:${p.addr}/${p.len}`;

export class AzDesired {
  readonly base = new DesiredRoutes();
  private readonly views = new Map<string, AzView>();

  /** Grows with every change to any view (views are never dropped, only cleared by replace()). */
  get version(): number {
    let v = this.base.version;
    for (const x of this.views.values()) v += x.routes.version;
    return v;
  }

  /** The routes for tables in `az` (the default routes when it has no view, or for no AZ). */
  forAz(az: string | undefined): DesiredRoutes {
    return (az !== undefined ? this.views.get(az)?.routes : undefined) ?? this.base;
  }

  /** AZs with per-AZ choices. */
  azs(): string[] {
    return [...this.views.keys()];
  }

  apply(changes: readonly DesiredChange[]): void {
    for (const c of changes) {
      if (c.az === undefined) {
        set(this.base, c.prefix, c.to, c.failover);
        if (this.views.size === 0) continue;
        const k = keyOf(c.prefix);
        for (const v of this.views.values()) if (!v.overrides.has(k)) set(v.routes, c.prefix, c.to, c.failover);
        continue;
      }
      const v = this.view(c.az);
      const k = keyOf(c.prefix);
      if (c.to !== undefined) {
        v.overrides.add(k);
        set(v.routes, c.prefix, c.to, c.failover);
      } else {
        v.overrides.delete(k);
        const d = this.base.get(c.prefix);
        set(v.routes, c.prefix, d?.nextHop, (d?.failover ?? false) || c.failover);
      }
    }
  }

  /** The whole set, without per-AZ choices (setDesired). */
  replace(routes: readonly DesiredRoute[]): void {
    this.base.replace(routes);
    for (const v of this.views.values()) {
      v.overrides.clear();
      v.routes.replace(routes);
    }
  }

  /** The canonical IPs of the next hops some view uses. */
  nextHopIps(): Set<string> {
    const out = new Set<string>();
    for (const nh of this.nextHops()) {
      const ip = EniResolver.canonical(nh);
      if (ip !== undefined) out.add(ip);
    }
    return out;
  }

  /** The next hops some view uses. */
  nextHops(): string[] {
    const out = new Set(this.base.nextHops());
    for (const v of this.views.values()) for (const nh of v.routes.nextHops()) out.add(nh);
    return [...out];
  }

  list(): DesiredRoute[] {
    return this.base.list();
  }

  private view(az: string): AzView {
    let v = this.views.get(az);
    if (!v) {
      v = { routes: DesiredRoutes.of(this.base.list()), overrides: new Set() };
      this.views.set(az, v);
    }
    return v;
  }
}

function set(d: DesiredRoutes, prefix: Prefix, to: string | undefined, failover: boolean): void {
  if (to === undefined) d.delete(prefix);
  else d.set(prefix, to, failover);
}
