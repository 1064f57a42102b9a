// What the route spec tells the rest of the daemon: the chosen next hop per prefix and the batches of changes to
// it, and what it is told about next-hop health. Readonly data.
import { formatPrefix, type Prefix } from '../net/prefix.js';

export type ChangeReason = 'new' | 'failover' | 'preferred' | 'withdrawn' | 'no-eligible';

/** One prefix whose chosen next hop changed. */
export interface ChosenChange {
  readonly prefix: Prefix;
  readonly prefixText: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly reason: ChangeReason;
  /** One line: why (for logs and the API). */
  readonly detail: string;
  /** The previous choice became ineligible (VPC sync writes these first). */
  readonly failover: boolean;
  /**
   * Set: the choice for route tables in this AZ only (az-views.ts); `to` undefined then means "the default choice
   * again". Unset: the default choice, for every table without a choice of its own for the prefix.
   */
  readonly az?: string;
}

/** The current choice for one prefix: what VPC sync turns into routes. */
export interface ChosenRoute {
  readonly prefix: Prefix;
  /** Next-hop IP as canonical text. */
  readonly nextHop: string;
  /** The choice was reached because the previous one became ineligible: applied before cosmetic changes. */
  readonly failover: boolean;
  /** False when no candidate is eligible and the last choice is kept (whenNoneEligible = keep-last). */
  readonly eligible: boolean;
}

/** The health monitor's (or EC2's) verdict on a next hop. */
export interface NextHopHealth {
  readonly healthy: boolean;
  readonly since?: number;
  readonly reason?: string;
}

export type ChangeListener = (batch: readonly ChosenChange[]) => void;
export type NextHopListener = (added: readonly { nextHop: string; group: string }[], removed: readonly string[]) => void;

/** A ChosenChange whose prefix text is formatted only when someone reads it (logs of small batches). */
export class LazyChosenChange implements ChosenChange {
  constructor(
    readonly prefix: Prefix,
    readonly from: string | undefined,
    readonly to: string | undefined,
    readonly reason: ChangeReason,
    readonly detail: string,
    readonly failover: boolean,
  ) {}

  get prefixText(): string {
    return formatPrefix(this.prefix);
  }
}
