// Timers that bring prefixes back for re-ranking when time alone can change their choice: a challenger finishing
// its failback hold-down (see ranking.ts) or a recovered next hop that stayed healthy long enough.
// Prefix rechecks are grouped into slots of SLOT_MS, so 10k prefixes that become due together share one timer.
import type { Clock } from '../base/clock.js';
import type { NextHopState, PrefixEntry } from './candidate.js';

const SLOT_MS = 50;

export class Rechecks {
  private readonly slots = new Map<number, PrefixEntry[]>();

  constructor(
    private readonly clock: Clock,
    /** Called with the entries that are due (some may have left the route spec since). */
    private readonly onDue: (entries: Iterable<PrefixEntry>) => void,
  ) {}

  /** Re-rank `e` at `at` (rounded up to the next slot). */
  prefix(e: PrefixEntry, at: number): void {
    const slot = Math.ceil(at / SLOT_MS) * SLOT_MS;
    let list = this.slots.get(slot);
    if (!list) {
      list = [];
      this.slots.set(slot, list);
      this.clock.setTimeout(
        () => {
          const due = this.slots.get(slot) ?? [];
          this.slots.delete(slot);
          this.onDue(due);
        },
        Math.max(0, slot - this.clock.now()),
      );
    }
    list.push(e);
  }

  /** Re-rank every prefix of `nh` at `at`, if it stayed healthy the whole time (a flap schedules its own). */
  nextHop(nh: NextHopState, at: number, current: (nh: NextHopState) => boolean): void {
    const since = nh.since;
    this.clock.setTimeout(
      () => {
        if (current(nh) && nh.healthy && nh.since === since) this.onDue(nh.refs.keys());
      },
      Math.max(0, at - this.clock.now()),
    );
  }
}
