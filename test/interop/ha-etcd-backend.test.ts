// The etcd lease backend against a real etcd 3.4 (JSON gateway): acquisition by transaction, the holder seen by
// others, renewals, the watch on the leader key, loss by expiry or by hand, and etcd dying and coming back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdBackend } from '../../src/ha/etcd/etcd-backend.js';
import { EtcdClient, b64 } from '../../src/ha/etcd/etcd-client.js';
import { Etcd } from './support/etcd.js';
import { etcdGate, etcdInstalledTest } from './support/etcd-gate.js';

const gate = etcdGate();
etcdInstalledTest(gate);

const sig = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

describe.runIf(gate.run)('etcd lease backend', () => {
  let etcd: Etcd;
  let client: EtcdClient;
  let n = 0;
  /** A fresh key per test: tests do not see each other's leases. */
  const pair = (ttlSeconds = 2) => {
    const key = `/bgp2vpc-test/${++n}/leader`;
    return {
      key,
      a: new EtcdBackend({ client, key, identity: 'r1', ttlSeconds }),
      b: new EtcdBackend({ client, key, identity: 'r2', ttlSeconds }),
    };
  };

  beforeAll(async () => {
    etcd = await Etcd.start('127.0.12.50');
    client = new EtcdClient({ endpoints: [etcd.endpoint] });
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it('one acquires (token = the key’s create revision); the other sees the holder; renewals keep it', async () => {
    const { key, a, b } = pair();
    const won = await a.acquire(sig());
    expect(won).toMatchObject({ kind: 'acquired', ttlMs: 2000 });
    const kv = (await client.call<{ kvs?: { create_revision?: string; value?: string }[] }>('/kv/range', { key: b64(key) }, sig()))
      .kvs?.[0];
    expect(won.kind === 'acquired' && won.token).toBe(kv?.create_revision);
    expect(kv?.value).toBe(b64('r1'));
    expect(await b.acquire(sig())).toEqual({ kind: 'held', holder: 'r1' });
    expect(await a.renew(sig())).toEqual({ kind: 'renewed', ttlMs: 2000 });
    await a.release(sig());
  });

  it('a follower’s watch fires when the leader releases (lease revoked, key gone); then it acquires', async () => {
    const { a, b } = pair();
    await a.acquire(sig());
    expect(await b.acquire(sig())).toEqual({ kind: 'held', holder: 'r1' });
    const t0 = performance.now();
    const watching = b.waitForChange(sig(10_000));
    await new Promise((r) => setTimeout(r, 100));
    await a.release(sig());
    await watching;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await b.acquire(sig())).toMatchObject({ kind: 'acquired' });
    expect(await a.renew(sig())).toEqual({ kind: 'lost', reason: 'no lease' });
    await b.release(sig());
  });

  it('a lease not renewed for its TTL expires: the key goes, a renewal says lost', async () => {
    const { a, b } = pair(2);
    await a.acquire(sig());
    await b.acquire(sig());
    await b.waitForChange(sig(10_000)); // fires when etcd expires a's lease (2 s + its expiry tick)
    expect(await a.renew(sig())).toEqual({ kind: 'lost', reason: 'the lease expired in etcd' });
    expect(await b.acquire(sig())).toMatchObject({ kind: 'acquired' });
    await b.release(sig());
  });

  it('the leader key deleted or replaced by hand ends the term at the next renewal', async () => {
    const { key, a, b } = pair(5);
    await a.acquire(sig());
    await client.call('/kv/deleterange', { key: b64(key) }, sig());
    expect(await a.renew(sig())).toEqual({ kind: 'lost', reason: 'the leader key was deleted' });
    expect(await b.acquire(sig())).toMatchObject({ kind: 'acquired' });
    await a.release(sig()); // revokes a's lease, still alive: it no longer holds anything
    await b.release(sig());
  });

  it('etcd down: requests fail (not "lost"); back on the same data: our own earlier lease is revoked and the key won again', async () => {
    const { a, b } = pair(5);
    await a.acquire(sig());
    await etcd.kill();
    await expect(a.renew(sig(1000))).rejects.toThrow(/etcd/);
    await expect(b.acquire(sig(1000))).rejects.toThrow(/etcd/);
    await a.release(sig(500)); // the term ended while etcd was away: the revoke fails, the lease is remembered
    await etcd.up();
    // a's old lease still holds the key (etcd 3.4 restores leases and extends them on restart): b must wait,
    // while a recognises its own lease, revokes it and wins a new term at once.
    expect(await b.acquire(sig())).toEqual({ kind: 'held', holder: 'r1' });
    expect(await a.acquire(sig())).toMatchObject({ kind: 'acquired' });
    expect(await b.acquire(sig())).toEqual({ kind: 'held', holder: 'r1' });
    await a.release(sig());
  }, 60_000);
});
