// The Lease API emulator's semantics: optimistic concurrency on resourceVersion, Status bodies, MicroTime checks.
import { describe, expect, it } from 'vitest';
import { LeaseStore } from '../../../src/sim/lease/lease-store.js';
import { startLeaseEmulator } from '../../../src/sim/lease/lease-emulator.js';

const spec = (holderIdentity: string) => ({
  holderIdentity,
  leaseDurationSeconds: 3,
  leaseTransitions: 0,
  acquireTime: '2026-12-05T20:24:31.342000Z',
  renewTime: '2026-12-05T20:24:31.342000Z',
});

describe('LeaseStore', () => {
  it('creates once (409 AlreadyExists after), replaces only with the current resourceVersion (409 Conflict)', () => {
    const s = new LeaseStore();
    const c = s.create('ns', { metadata: { name: 'l' }, spec: spec('a') });
    expect(c.status).toBe(201);
    const rv = (c.body.metadata as { resourceVersion: string }).resourceVersion;
    expect(s.create('ns', { metadata: { name: 'l' }, spec: spec('b') })).toMatchObject({
      status: 409,
      body: { reason: 'AlreadyExists', code: 409 },
    });
    const r = s.replace('ns', 'l', { metadata: { name: 'l', resourceVersion: rv }, spec: spec('b') });
    expect(r.status).toBe(200);
    expect((r.body.metadata as { resourceVersion: string }).resourceVersion).not.toBe(rv);
    expect(s.replace('ns', 'l', { metadata: { name: 'l', resourceVersion: rv }, spec: spec('c') })).toMatchObject({
      status: 409,
      body: { kind: 'Status', reason: 'Conflict', details: { name: 'l', group: 'coordination.k8s.io', kind: 'leases' } },
    });
    expect(s.spec('ns', 'l')).toMatchObject({ holderIdentity: 'b' });
    expect(s.replace('ns', 'other', { metadata: { name: 'other' }, spec: spec('a') })).toMatchObject({
      status: 404,
      body: { reason: 'NotFound' },
    });
    expect(s.get('ns2', 'l').status).toBe(404);
    expect(s.delete('ns', 'l').status).toBe(200);
    expect(s.get('ns', 'l').status).toBe(404);
  });

  it('refuses MicroTime without six fraction digits and a lease duration that is not a positive integer', () => {
    const s = new LeaseStore();
    expect(s.create('ns', { metadata: { name: 'l' }, spec: { ...spec('a'), renewTime: '2026-12-05T20:24:31.342Z' } })).toMatchObject({
      status: 400,
      body: { reason: 'BadRequest' },
    });
    expect(s.create('ns', { metadata: { name: 'l' }, spec: { ...spec('a'), leaseDurationSeconds: 0 } })).toMatchObject({ status: 422 });
  });
});

describe('Lease emulator over HTTP', () => {
  it('serves the Lease paths; an outage answers 503, or closes the port and reopens it with the same objects', async () => {
    const emu = await startLeaseEmulator({ host: '127.0.12.61' });
    try {
      const url = `${emu.url}/apis/coordination.k8s.io/v1/namespaces/ns/leases`;
      const post = await fetch(url, { method: 'POST', body: JSON.stringify({ metadata: { name: 'l' }, spec: spec('a') }) });
      expect(post.status).toBe(201);
      expect((await fetch(`${url}/l`)).status).toBe(200);
      expect((await fetch(`${emu.url}/api/v1/pods`)).status).toBe(404);
      await emu.outage('unavailable');
      expect((await fetch(`${url}/l`)).status).toBe(503);
      await emu.outage('unreachable');
      await expect(fetch(`${url}/l`)).rejects.toThrow();
      await emu.outage(false);
      const back = await fetch(`${url}/l`);
      expect(back.status).toBe(200);
      expect(((await back.json()) as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('a');
      expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'GET 200', 'GET 404', 'GET 503', 'GET 200']);
    } finally {
      await emu.stop();
    }
  });
});
