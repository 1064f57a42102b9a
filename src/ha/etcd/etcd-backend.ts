// The leader lease in etcd: a key bound to a lease, created in a transaction only when absent.
//   acquire  grant a lease (TTL), then txn: if the key's create revision is 0 (absent) put it with the lease,
//            else read it (who holds it). The key's create revision is the term's fencing token.
//   renew    one keepalive per request (a keepalive answer without TTL: the lease is gone), then check that the
//            key is still ours (same create revision, same lease): deleted or replaced by hand means lost.
//   wait     watch the key for its deletion from the revision after our read (nothing in between is missed).
//   release  revoke the lease: the key goes with it, atomically, and the followers' watches fire.
// A lease this process granted for an earlier term and finds still holding the key (etcd was down when that
// term ended) is revoked and the acquisition retried; a lease under our identity from another process is never
// touched: it may be a live replica with the same name.
import type { AcquireResult, LeaseBackend, RenewResult } from '../backend.js';
import {
  b64,
  unb64,
  type EtcdClient,
  type KeepAliveResponse,
  type LeaseGrantResponse,
  type RangeResponse,
  type TxnResponse,
} from './etcd-client.js';

export interface EtcdBackendOptions {
  readonly client: EtcdClient;
  /** The leader key, e.g. /bgp2vpc/<cluster>/leader. */
  readonly key: string;
  readonly identity: string;
  /** Lease TTL in whole seconds (etcd grants at least its minimum, 2 s by default). */
  readonly ttlSeconds: number;
}

export class EtcdBackend implements LeaseBackend {
  readonly name = 'etcd';
  readonly where: string;
  private readonly key: string;
  /** Our current term: the lease and the key's create revision. */
  private lease: string | undefined;
  private token: string | undefined;
  /** Leases this process granted that may still be alive. */
  private readonly own = new Set<string>();
  /** Revision to watch from after a failed acquisition. */
  private watchFrom: string | undefined;

  constructor(private readonly o: EtcdBackendOptions) {
    this.where = o.key;
    this.key = b64(o.key);
  }

  async acquire(signal: AbortSignal): Promise<AcquireResult> {
    const c = this.o.client;
    for (let attempt = 0; attempt < 3; attempt++) {
      const grant = await c.call<LeaseGrantResponse>('/lease/grant', { TTL: this.o.ttlSeconds }, signal);
      const id = grant.ID;
      const ttl = Number(grant.TTL ?? '0');
      if (id === undefined || !(ttl > 0)) throw new Error(`etcd lease grant: unexpected answer ${JSON.stringify(grant)}`);
      this.own.add(id);
      const txn = await c.call<TxnResponse>(
        '/kv/txn',
        {
          compare: [{ key: this.key, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
          success: [{ request_put: { key: this.key, value: b64(this.o.identity), lease: id } }],
          failure: [{ request_range: { key: this.key } }],
        },
        signal,
      );
      const revision = txn.header?.revision;
      if (revision === undefined) throw new Error('etcd txn: answer without a revision');
      if (txn.succeeded === true) {
        this.lease = id;
        this.token = revision; // the put's revision: the key's create revision
        return { kind: 'acquired', token: revision, ttlMs: ttl * 1000 };
      }
      await this.revoke(id, signal); // unused
      this.watchFrom = (BigInt(revision) + 1n).toString();
      const holder = txn.responses?.[0]?.response_range?.kvs?.[0];
      if (holder?.lease !== undefined && this.own.has(holder.lease)) {
        await this.revoke(holder.lease, signal); // our own earlier term, ended while etcd was away
        continue;
      }
      return { kind: 'held', holder: holder ? unb64(holder.value) : null };
    }
    return { kind: 'held', holder: null };
  }

  async renew(signal: AbortSignal): Promise<RenewResult> {
    const lease = this.lease;
    if (lease === undefined) return { kind: 'lost', reason: 'no lease' };
    const c = this.o.client;
    // The keepalive endpoint is a streaming RPC; one JSON object in, one {"result": …} out, then the answer ends.
    const ka = await c.call<{ result?: KeepAliveResponse }>('/lease/keepalive', { ID: lease }, signal);
    const ttl = Number(ka.result?.TTL ?? '0');
    if (!(ttl > 0)) return this.lost('the lease expired in etcd', true);
    const r = await c.call<RangeResponse>('/kv/range', { key: this.key }, signal);
    const kv = r.kvs?.[0];
    if (kv?.create_revision !== this.token || kv?.lease !== lease)
      return this.lost(kv ? `the leader key now belongs to ${unb64(kv.value)}` : 'the leader key was deleted', false);
    return { kind: 'renewed', ttlMs: ttl * 1000 };
  }

  async waitForChange(signal: AbortSignal): Promise<void> {
    const from = this.watchFrom;
    if (from === undefined) return;
    await this.o.client.watch({ key: this.key, start_revision: from, filters: ['NOPUT'] }, signal, (r) => {
      // canceled: the start revision was compacted away; campaign again (the txn reads the current state)
      return r.canceled === true || (r.events ?? []).some((e) => e.type === 'DELETE');
    });
  }

  async release(signal: AbortSignal): Promise<void> {
    this.lease = undefined;
    this.token = undefined;
    for (const id of [...this.own]) await this.revoke(id, signal);
  }

  /** The term is over; a lease still alive stays in `own`, so release() revokes it. */
  private lost(reason: string, leaseGone: boolean): RenewResult {
    if (leaseGone && this.lease !== undefined) this.own.delete(this.lease);
    this.lease = undefined;
    this.token = undefined;
    return { kind: 'lost', reason };
  }

  /** Revokes one of our leases; forgotten when etcd confirms or says it is gone (gRPC NotFound). */
  private async revoke(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.o.client.call('/lease/revoke', { ID: id }, signal);
      this.own.delete(id);
    } catch (err) {
      if ((err as { grpcCode?: unknown }).grpcCode === 5) this.own.delete(id);
    }
  }
}
