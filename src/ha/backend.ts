// What the elector needs from a lease store (etcd, a Kubernetes Lease). Each call is one attempt: the elector
// owns the timing (when to renew, when to give up, how long to wait), measures the send time of every request
// for the fence, and hands each call a signal that aborts it at its timeout.

export type AcquireResult =
  /** We hold the lease from now on; `ttlMs` is the lease's real time-to-live (as granted). */
  | { readonly kind: 'acquired'; readonly token: string; readonly ttlMs: number }
  /** Someone else holds it (`holder` null: held, but by whom is unknown). */
  | { readonly kind: 'held'; readonly holder: string | null };

export type RenewResult =
  /** The lease runs for `ttlMs` more, counted from no earlier than the request was sent. */
  | { readonly kind: 'renewed'; readonly ttlMs: number }
  /** The lease is gone or someone else holds it: the term is over. */
  | { readonly kind: 'lost'; readonly reason: string };

export interface LeaseBackend {
  /** 'etcd' or 'kubernetes' (status, logs). */
  readonly name: string;
  /** Where the lease lives, for logs: the etcd key, namespace/name of the Lease. */
  readonly where: string;
  /** One attempt to become the holder. Throws when the store cannot be reached or answers an error. */
  acquire(signal: AbortSignal): Promise<AcquireResult>;
  /** One renewal of the lease we hold. Throws when the store cannot be reached (the term may still be valid). */
  renew(signal: AbortSignal): Promise<RenewResult>;
  /**
   * After `held`: resolves when trying again is worthwhile (etcd: the leader key was deleted; a Lease: the next
   * poll). Rejects when the store fails; the elector aborts the signal to bound the wait.
   */
  waitForChange(signal: AbortSignal): Promise<void>;
  /** Gives up the lease if we still hold it (best effort, never throws): the next leader need not wait for the TTL. */
  release(signal: AbortSignal): Promise<void>;
}
