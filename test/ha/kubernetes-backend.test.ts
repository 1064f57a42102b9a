// The Kubernetes Lease backend with the real @kubernetes/client-node 1.x against the Lease API emulator (no real
// API server can run here): what goes over the wire, client-go's take-over rules, 409s, release, outages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { createKubernetesBackend, type KubernetesLeaseBackend } from '../../src/ha/kubernetes/lease-backend.js';
import { startLeaseEmulator, type LeaseEmulator } from '../../src/sim/lease/lease-emulator.js';

let emu: LeaseEmulator;
let dir: string;
let kubeconfig: string;
const NS = 'bgp2vpc';
const NAME = 'bgp2vpc-leader';

beforeAll(async () => {
  emu = await startLeaseEmulator({ host: '127.0.12.62' });
  dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-k8s-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: emu, cluster: { server: "${emu.url}", insecure-skip-tls-verify: true } }]
users: [{ name: anon, user: {} }]
contexts: [{ name: emu, context: { cluster: emu, user: anon, namespace: ${NS} } }]
current-context: emu
`,
  );
});

afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

let clock: FakeClock;
let wall = 1_780_000_000_000;
beforeEach(() => {
  clock = new FakeClock(0);
  emu.store.delete(NS, NAME);
});

const backend = (identity: string): Promise<KubernetesLeaseBackend> =>
  createKubernetesBackend({ leaseName: NAME, identity, ttlSeconds: 3, pollMs: 500, kubeconfig, clock, wallNow: () => wall });
const signal = (): AbortSignal => new AbortController().signal;

describe('Kubernetes Lease backend', () => {
  it('creates the Lease (namespace from the kubeconfig context), then a follower waits for it on its own clock', async () => {
    const r1 = await backend('r1');
    const r2 = await backend('r2');
    expect(r1.where).toBe(`${NS}/${NAME}`);
    expect(await r1.acquire(signal())).toEqual({ kind: 'acquired', token: '0', ttlMs: 3000 });
    const stored = emu.store.spec(NS, NAME);
    expect(stored).toEqual({
      holderIdentity: 'r1',
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
      acquireTime: new Date(wall).toISOString().replace('Z', '000Z'),
      renewTime: new Date(wall).toISOString().replace('Z', '000Z'),
    });
    expect(await r2.acquire(signal())).toEqual({ kind: 'held', holder: 'r1' });
    clock.advance(2999);
    expect(await r2.acquire(signal())).toEqual({ kind: 'held', holder: 'r1' });
    // r1 renews: a new resourceVersion, so r2's wait starts again from when it sees it.
    wall += 1000;
    expect(await r1.renew(signal())).toEqual({ kind: 'renewed', ttlMs: 3000 });
    expect(emu.store.spec(NS, NAME)).toMatchObject({ renewTime: new Date(wall).toISOString().replace('Z', '000Z'), leaseTransitions: 0 });
    clock.advance(1);
    expect(await r2.acquire(signal())).toEqual({ kind: 'held', holder: 'r1' });
    clock.advance(2999);
    expect(await r2.acquire(signal())).toEqual({ kind: 'held', holder: 'r1' });
    clock.advance(1);
    // r1 died (no renewal for the lease duration, on r2's clock): r2 takes over with leaseTransitions + 1.
    expect(await r2.acquire(signal())).toEqual({ kind: 'acquired', token: '1', ttlMs: 3000 });
    expect(emu.store.spec(NS, NAME)).toMatchObject({ holderIdentity: 'r2', leaseTransitions: 1 });
    // r1 comes back: its renewal carries a stale resourceVersion → 409 → the term is over.
    expect(await r1.renew(signal())).toEqual({ kind: 'lost', reason: 'the Lease was written by someone else' });
  });

  it('two followers race for an expired Lease: exactly one wins (409 Conflict for the other)', async () => {
    const r1 = await backend('r1');
    const [r2, r3] = [await backend('r2'), await backend('r3')];
    await r1.acquire(signal());
    await r2.acquire(signal());
    await r3.acquire(signal());
    clock.advance(3000);
    const results = await Promise.all([r2.acquire(signal()), r3.acquire(signal())]);
    expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'held')).toEqual([{ kind: 'held', holder: null }]);
    expect(emu.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual(expect.arrayContaining([200, 409]));
  });

  it('release empties the holder; a follower takes the Lease at once', async () => {
    const r1 = await backend('r1');
    const r2 = await backend('r2');
    await r1.acquire(signal());
    expect(await r2.acquire(signal())).toEqual({ kind: 'held', holder: 'r1' });
    await r1.release(signal());
    expect(emu.store.spec(NS, NAME)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(await r2.acquire(signal())).toEqual({ kind: 'acquired', token: '1', ttlMs: 3000 });
  });

  it('a deleted Lease ends the term; an unreachable or failing API server is an error, not a loss', async () => {
    const r1 = await backend('r1');
    await r1.acquire(signal());
    await emu.outage('unavailable');
    await expect(r1.renew(signal())).rejects.toMatchObject({ code: 503 });
    await emu.outage('unreachable');
    await expect(r1.renew(signal())).rejects.toThrow();
    await emu.outage(false);
    expect(await r1.renew(signal())).toEqual({ kind: 'renewed', ttlMs: 3000 });
    emu.store.delete(NS, NAME);
    expect(await r1.renew(signal())).toEqual({ kind: 'lost', reason: 'the Lease was deleted' });
  });

  it('the elector’s signal aborts a request in flight', async () => {
    const r1 = await backend('r1');
    const ac = new AbortController();
    const p = r1.acquire(ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow(/abort/i);
  });

  it('refuses to start without a cluster configuration', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    await expect(
      createKubernetesBackend({ leaseName: NAME, identity: 'x', ttlSeconds: 3, pollMs: 500, kubeconfig: empty, clock }),
    ).rejects.toThrow(/no Kubernetes cluster configured/);
  });
});
