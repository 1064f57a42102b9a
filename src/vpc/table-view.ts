// The route tables as the HTTP API, `bgp2vpc status` and the demo show them: plain JSON data derived from VPC
// sync's table state (pure).
import { formatPrefix } from '../net/prefix.js';
import { countsAgainstLimit, isOwnedRoute, type Ownership } from './ownership.js';
import type { TableState } from './table-state.js';
import { targetId } from './types.js';
import type { PendingView } from './pending-changes.js';

export interface TableRouteView {
  readonly destination: string;
  /** ENI or instance ID (or next-hop IP when not yet resolved). */
  readonly target: string;
  readonly state?: string;
  /** True when the route is ours to manage (inside the cluster CIDRs, ENI target). */
  readonly owned?: boolean;
}

export interface TableView {
  readonly id: string;
  /** The AZ the table serves, when it serves one (its next hops prefer that AZ). */
  readonly az?: string;
  readonly limit: number;
  /** Routes in the table right now (all owners, this family pair counted as EC2 counts them). */
  readonly used: number;
  readonly desired: readonly TableRouteView[];
  readonly actual: readonly TableRouteView[];
  /** Announced addresses that cannot be routed correctly because the table is full (0 when it fits). */
  readonly damageAddresses: string;
  readonly lastError?: string;
  readonly pending?: { readonly creates: number; readonly replaces: number; readonly deletes: number };
}

export interface TablesView {
  readonly tables: readonly TableView[];
  /** Present while route changes wait for EC2: since when, for how long, past the stall threshold or not. */
  readonly pending?: PendingView;
}

/** The API's view of one table. */
export function tableView(t: TableState, own: Ownership, limit: number): TableView {
  const actual: TableRouteView[] = t.routes.map((r) => ({
    destination: r.destinationText,
    target: targetId(r.target),
    state: r.state,
    owned: isOwnedRoute(own, r),
  }));
  const desired: TableRouteView[] = [];
  for (const f of ['ipv4', 'ipv6'] as const) {
    for (const r of t.desired[f]?.routes ?? [])
      desired.push({ destination: formatPrefix(r.prefix), target: r.networkInterfaceId, owned: true });
  }
  const ops = t.plan?.ops ?? [];
  const damage = (t.desired.ipv4?.damage.addresses ?? 0n) + (t.desired.ipv6?.damage.addresses ?? 0n);
  const errors = [...t.operatorErrors.entries()].map(([c, m]) => `${c}: ${m}`);
  const lastError = t.lastError ?? errors[0];
  return {
    id: t.id,
    ...(t.az !== undefined ? { az: t.az } : {}),
    limit,
    used: t.routes.filter(countsAgainstLimit).length,
    desired,
    actual,
    damageAddresses: damage.toString(),
    ...(lastError !== undefined ? { lastError } : {}),
    pending: {
      creates: ops.filter((o) => o.kind === 'create').length,
      replaces: ops.filter((o) => o.kind === 'replace').length,
      deletes: ops.filter((o) => o.kind === 'delete').length,
    },
  };
}
