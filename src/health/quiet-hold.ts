// Failures that happen together are reported together. When a whole AZ (a rack, a switch, a partition) goes
// silent at once, its hosts' probes fail one by one over about one probe interval. Reported one at a time, a
// prefix would fail over to the next host of that AZ, which is about to be found dead too, then again: several
// EC2 writes and seconds of EC2's request bucket for one move, and writes for prefixes that are left with no
// healthy host at all (which `onNoHealthy: keep` would have kept for free).
//
// So a next hop found dead by its probes is held back while some other eligible next hop, probed at least as
// often, has not answered a probe started after the dead one went quiet (its first failed probe): such a
// "suspect" either answers (cleared) or is found dead as well (it joins the batch). Next hops probed less often
// (another profile: ICMP every 500 ms next to TCP every 200 ms) are not waited for: they could not answer in
// time. When no suspect is left, or at the latest one detection time later (fall × interval × (1 + jitter) +
// timeout of the first one's group), the batch is reported at once and the route spec re-ranks once. A lone failure waits for nothing when fall ≥ 2: by the
// time the second failed probe times out, every live next hop has answered one started after the first.
//
// Pure bookkeeping, no timers: the monitor feeds probe results in and owns the deadline timer.

export interface QuietTarget {
  readonly nextHop: string;
  /** Start of its last good probe (clock ms); undefined before the first. */
  readonly lastGood: number | undefined;
  /** Start of its first failed probe since the last good one; undefined while the last probe was good. */
  readonly quietSince: number | undefined;
  /** Its probe interval (ms); undefined when it is not probed (a group with probe type none). */
  readonly probeIntervalMs: number | undefined;
  /** Eligible by its own health state (a held next hop is not). */
  eligible(): boolean;
}

export interface QuietBatch {
  readonly nextHops: readonly string[];
  readonly openedAt: number;
  /** Suspects that answered, and that were still unresolved when the deadline came. */
  readonly cleared: number;
  readonly unresolved: number;
}

export class QuietHold {
  private readonly held = new Set<string>();
  private readonly suspects = new Set<string>();
  /** A suspect is cleared by a good probe started at or after this (the batch opener's quietSince). */
  private threshold = 0;
  private cleared = 0;
  private opened: number | undefined;
  private until = 0;

  /** When the open batch must be reported whatever the suspects do; undefined when none is open. */
  get deadline(): number | undefined {
    return this.opened === undefined ? undefined : this.until;
  }

  /**
   * `failed` was just found dead by its probes. It is held when a batch is open (it joins), or when some other
   * probed next hop is a suspect (a batch opens, due at now + maxHoldMs). Returns whether it is held: when not,
   * the caller reports it now.
   */
  hold(failed: QuietTarget, targets: Iterable<QuietTarget>, now: number, maxHoldMs: number): boolean {
    if (this.opened !== undefined) {
      this.suspects.delete(failed.nextHop);
      this.held.add(failed.nextHop);
      return true;
    }
    const since = failed.quietSince ?? now;
    const interval = failed.probeIntervalMs ?? Infinity;
    for (const t of targets) if (t !== failed && isSuspect(t, since, interval)) this.suspects.add(t.nextHop);
    if (this.suspects.size === 0) return false;
    this.held.add(failed.nextHop);
    this.threshold = since;
    this.cleared = 0;
    this.opened = now;
    this.until = now + maxHoldMs;
    return true;
  }

  /** A probe of `t` completed (or its eligibility changed otherwise): it may no longer be a suspect. */
  observed(t: QuietTarget): void {
    if (!this.suspects.has(t.nextHop)) return;
    if (!t.eligible()) this.suspects.delete(t.nextHop);
    else if (t.lastGood !== undefined && t.lastGood >= this.threshold) {
      this.suspects.delete(t.nextHop);
      this.cleared++;
    }
  }

  /** `t`'s verdict was reported (by the batch, or another way: BFD, a mark): not held any more. */
  reported(t: QuietTarget): void {
    this.held.delete(t.nextHop);
    this.observed(t);
  }

  /** `nextHop` is no longer a probe target: neither held nor suspect. */
  forget(nextHop: string): void {
    this.held.delete(nextHop);
    this.suspects.delete(nextHop);
  }

  isHeld(nextHop: string): boolean {
    return this.held.has(nextHop);
  }

  /** The batch to report now (no suspect left, none held any more, or the deadline passed), closing it; else undefined. */
  take(now: number): QuietBatch | undefined {
    if (this.opened === undefined || (this.suspects.size > 0 && this.held.size > 0 && now < this.until)) return undefined;
    const batch = { nextHops: [...this.held], openedAt: this.opened, cleared: this.cleared, unresolved: this.suspects.size };
    this.held.clear();
    this.suspects.clear();
    this.opened = undefined;
    return batch;
  }
}

/** Could be about to fail with it: eligible, probed every `interval` or more often, no good probe started since `since`. */
function isSuspect(t: QuietTarget, since: number, interval: number): boolean {
  const every = t.probeIntervalMs;
  return every !== undefined && every <= interval && t.eligible() && (t.lastGood === undefined || t.lastGood < since);
}
