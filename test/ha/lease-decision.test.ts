// client-go's rules as pure decisions: expiry on our clock from the first sight of a record version.
import { describe, expect, it } from 'vitest';
import { decide, observe } from '../../src/ha/kubernetes/lease-decision.js';

const rec = (holderIdentity: string, leaseTransitions = 4, leaseDurationSeconds = 3) => ({
  holderIdentity,
  leaseDurationSeconds,
  leaseTransitions,
});

describe('Lease decisions', () => {
  it('waits while the same record version is younger than its lease duration on our clock, then takes over', () => {
    let o = observe(undefined, '100', rec('r1'), 1000);
    expect(decide(o, 1000)).toEqual({ kind: 'wait', holder: 'r1', expiresInMs: 3000 });
    o = observe(o, '100', rec('r1'), 2500); // seen again, unchanged: the clock keeps running from 1000
    expect(o.since).toBe(1000);
    expect(decide(o, 3999)).toEqual({ kind: 'wait', holder: 'r1', expiresInMs: 1 });
    expect(decide(o, 4000)).toEqual({ kind: 'take-over', transitions: 5 });
  });

  it('a renewal (new resourceVersion) restarts the wait; the remote renewTime is never read', () => {
    let o = observe(undefined, '100', rec('r1'), 0);
    o = observe(o, '101', rec('r1'), 2900);
    expect(decide(o, 4000)).toEqual({ kind: 'wait', holder: 'r1', expiresInMs: 1900 });
  });

  it('takes a released lease (empty holder) at once', () => {
    expect(decide(observe(undefined, '7', rec('', 9, 1), 0), 0)).toEqual({ kind: 'take-over', transitions: 10 });
  });

  it('a record under our own name that we did not write is waited for like any other', () => {
    expect(decide(observe(undefined, '5', rec('me'), 0), 100)).toEqual({ kind: 'wait', holder: 'me', expiresInMs: 2900 });
  });
});
