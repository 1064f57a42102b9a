// client-go's leader election rules for a coordination.k8s.io/v1 Lease, as pure decisions (after
// k8s.io/client-go/tools/leaderelection tryAcquireOrRenew):
// - expiry is judged on OUR monotonic clock, from when we first saw the current version of the record, never
//   from its renewTime (another host's wall clock): a follower takes over only after watching the same record,
//   unchanged, for its leaseDurationSeconds;
// - an empty holderIdentity is a released lease: take it at once;
// - a take-over is a replace carrying the resourceVersion we read (optimistic concurrency: a 409 means someone
//   wrote in between, and we lost), with acquireTime now and leaseTransitions + 1 (the fencing token).
// Unlike client-go, a record under our own identity that this process did not write is someone else's (a
// previous incarnation, or a replica misconfigured with our name): we wait for it like any other holder.

export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly leaseTransitions: number;
}

/** The record as we last saw it, and since when (monotonic ms) it has not changed. */
export interface Observed {
  readonly resourceVersion: string;
  readonly record: LeaseRecord;
  readonly since: number;
}

export type LeaseDecision =
  | { readonly kind: 'take-over'; readonly transitions: number }
  | { readonly kind: 'wait'; readonly holder: string; readonly expiresInMs: number };

/** A new observation: `since` moves only when the record changed (a new resourceVersion). */
export function observe(prev: Observed | undefined, resourceVersion: string, record: LeaseRecord, now: number): Observed {
  if (prev && prev.resourceVersion === resourceVersion) return prev;
  return { resourceVersion, record, since: now };
}

export function decide(o: Observed, now: number): LeaseDecision {
  const r = o.record;
  const transitions = r.leaseTransitions + 1;
  if (r.holderIdentity === '') return { kind: 'take-over', transitions };
  const expiresInMs = o.since + r.leaseDurationSeconds * 1000 - now;
  if (expiresInMs > 0) return { kind: 'wait', holder: r.holderIdentity, expiresInMs };
  return { kind: 'take-over', transitions };
}
