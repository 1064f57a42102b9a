// Every EC2 call the emulator answered: a bounded log with timestamps and counters by action and outcome.

export interface CallRecord {
  readonly seq: number;
  /** Clock time (ms) when the call arrived. */
  readonly time: number;
  readonly action: string;
  /** The caller's access key ID (SigV4 Credential scope of the Authorization header); null when unsigned. */
  readonly accessKeyId: string | null;
  readonly params: Readonly<Record<string, string>>;
  /** 'ok' or the EC2 error code returned. */
  readonly outcome: string;
  readonly httpStatus: number;
  readonly mutating: boolean;
  /** The action ran but no response was sent (fault injection). */
  readonly timedOut?: true;
}

export type Counters = Record<string, Record<string, number>>;

export class CallLog {
  private log: CallRecord[] = [];
  private seq = 0;
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly capacity = 100_000) {}

  add(rec: Omit<CallRecord, 'seq'>): CallRecord {
    const full: CallRecord = { seq: ++this.seq, ...rec };
    this.log.push(full);
    if (this.log.length > this.capacity) this.log = this.log.slice(this.log.length - Math.floor(this.capacity / 2));
    let byOutcome = this.counts.get(rec.action);
    if (!byOutcome) this.counts.set(rec.action, (byOutcome = new Map()));
    byOutcome.set(rec.outcome, (byOutcome.get(rec.outcome) ?? 0) + 1);
    return full;
  }

  /** Records kept (oldest dropped past the capacity), optionally only those after a sequence number. */
  entries(since = 0): readonly CallRecord[] {
    return since <= 0 ? this.log : this.log.filter((r) => r.seq > since);
  }

  counters(): Counters {
    const out: Counters = {};
    for (const [action, m] of this.counts) out[action] = Object.fromEntries(m);
    return out;
  }

  /** Calls by action and/or outcome (counters, never truncated); with `mutating`, counted from the kept log. */
  count(filter: { action?: string; outcome?: string; mutating?: boolean } = {}): number {
    if (filter.mutating !== undefined) {
      return this.log.filter(
        (r) =>
          r.mutating === filter.mutating &&
          (filter.action === undefined || r.action === filter.action) &&
          (filter.outcome === undefined || r.outcome === filter.outcome),
      ).length;
    }
    let n = 0;
    for (const [action, m] of this.counts) {
      if (filter.action !== undefined && action !== filter.action) continue;
      for (const [outcome, c] of m) if (filter.outcome === undefined || outcome === filter.outcome) n += c;
    }
    return n;
  }

  get lastSeq(): number {
    return this.seq;
  }

  reset(): void {
    this.log = [];
    this.counts.clear();
  }
}
