// The aggregator's contract, used by VPC sync (src/vpc) and the `aggregate` CLI. Pure and synchronous.
import type { Family } from '../net/address.js';
import type { Prefix } from '../net/prefix.js';

/** One input or output route: a prefix and an opaque target (an ENI ID, an instance ID, a next-hop IP...). */
export interface AggRoute {
  readonly prefix: Prefix;
  readonly target: string;
}

export interface AggregateInput {
  readonly family: Family;
  /** Announced prefixes with their chosen target. Overlaps allowed: the longest match decides. */
  readonly routes: readonly AggRoute[];
  /** Don't-care space: unannounced addresses inside these may be covered by any route. Same family only. */
  readonly cluster: readonly Prefix[];
  /** Maximum number of routes (default: unlimited, which yields the minimal exact table). */
  readonly budget?: number;
  /** The table currently installed; among equally good tables, the one closest to it is preferred. */
  readonly previous?: readonly AggRoute[];
  /**
   * Routes the table may carry above the minimum to save writes (default 0: always the minimal table). With a
   * previous table and spare > 0, the previous table mended where it is wrong (src/aggregate/repair.ts) is kept
   * instead of the closest minimal table when it fits the budget, is within `spare` routes of the minimum and
   * costs fewer writes (one per create, replace or delete). Never when the minimal table does not fit the budget.
   */
  readonly spare?: number;
}

export interface AggregateDamage {
  /** Announced addresses sent to the wrong target or to no route. 0 when the minimal table fits. */
  readonly addresses: bigint;
  /** Input prefixes with at least one damaged address, with how many of their addresses are damaged. */
  readonly prefixes: readonly { readonly prefix: Prefix; readonly target: string; readonly addresses: bigint }[];
}

export interface AggregateResult {
  readonly family: Family;
  /** Sorted by address then length. */
  readonly routes: readonly AggRoute[];
  /** Size of the minimal exact table (what an unlimited budget would give). */
  readonly optimum: number;
  readonly damage: AggregateDamage;
}
