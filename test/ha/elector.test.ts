// The elector on a fake clock with a scripted lease store: when the gate opens and closes, to the millisecond.
// A pause (SIGSTOP, GC, a frozen VM) is time that passes while no timer runs: `pause()` moves the clock without
// firing anything, and the gate must be shut at the very next look, before any renewal could run.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, type Clock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { Metrics } from '../../src/base/metrics.js';
import type { AcquireResult, LeaseBackend, RenewResult } from '../../src/ha/backend.js';
import { Elector } from '../../src/ha/elector.js';

type Answer<T> = T | Error | 'hang';

/** A lease store whose answers the test scripts; every request is recorded with its fake send time. */
class ScriptedBackend implements LeaseBackend {
  readonly name = 'fake';
  readonly where = 'fake/lease';
  acquireAnswers: Answer<AcquireResult>[] = [];
  renewAnswers: Answer<RenewResult>[] = [];
  /** Default when the script is empty. */
  acquireDefault: Answer<AcquireResult> = { kind: 'held', holder: 'other' };
  renewDefault: Answer<RenewResult> = { kind: 'renewed', ttlMs: 3000 };
  readonly calls: { op: string; at: number }[] = [];
  pendingRenew: ((r: RenewResult) => void) | undefined;

  constructor(private readonly clock: Clock) {}

  private answer<T>(op: string, a: Answer<T>, signal: AbortSignal, onHang?: (resolve: (v: T) => void) => void): Promise<T> {
    this.calls.push({ op, at: this.clock.now() });
    if (a instanceof Error) return Promise.reject(a);
    if (a === 'hang')
      return new Promise<T>((resolve, reject) => {
        onHang?.(resolve);
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    return Promise.resolve(a);
  }

  acquire(signal: AbortSignal): Promise<AcquireResult> {
    return this.answer('acquire', this.acquireAnswers.shift() ?? this.acquireDefault, signal);
  }
  renew(signal: AbortSignal): Promise<RenewResult> {
    return this.answer('renew', this.renewAnswers.shift() ?? this.renewDefault, signal, (resolve) => (this.pendingRenew = resolve));
  }
  waitForChange(signal: AbortSignal): Promise<void> {
    this.calls.push({ op: 'wait', at: this.clock.now() });
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  release(): Promise<void> {
    this.calls.push({ op: 'release', at: this.clock.now() });
    return Promise.resolve();
  }
  ops(op: string): number[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.at);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 6; i++) await new Promise<void>((r) => setImmediate(r));
};

let electors: Elector[] = [];
afterEach(async () => {
  for (const e of electors) await e.stop();
  electors = [];
});

function setup(extra: { wall?: () => number; earlyTimers?: boolean } = {}) {
  const clock = new FakeClock(0);
  // Node's timers may fire a little before performance.now() reaches their time (libuv's loop clock lags).
  const timers: Clock = extra.earlyTimers
    ? { now: () => clock.now(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms > 1 ? ms - 1 : ms) }
    : clock;
  const backend = new ScriptedBackend(clock);
  const metrics = new Metrics();
  const e = new Elector({
    identity: 'r1',
    backend,
    ttlMs: 3000,
    inFlightMs: 1500,
    clock: timers,
    wallNow: extra.wall ?? (() => 1_000_000 + clock.now()),
    logger: silentLogger,
    metrics,
    random: () => 0.5,
  });
  electors.push(e);
  /** Advance fake time in 10 ms steps, letting the loop's continuations run at each step. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      await flush();
    }
  };
  return { clock, backend, e, run, metrics };
}

describe('Elector', () => {
  it('acquires, waits out the previous leader’s calls in flight, writes, renews every TTL/3', async () => {
    const { backend, e, run, metrics } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '41', ttlMs: 3000 }];
    let opened = 0;
    e.onWritable(() => opened++);
    expect(e.mayWrite()).toBe(false);
    e.start();
    await flush();
    expect(e.status()).toMatchObject({ role: 'leader', leader: 'r1', token: '41', writable: false, writableInMs: 1500, terms: 1 });
    expect(e.term()).toBe(1);
    await run(1490);
    expect(e.mayWrite()).toBe(false);
    expect(opened).toBe(0);
    await run(10);
    expect(e.mayWrite()).toBe(true);
    expect(opened).toBe(1);
    await run(5000);
    expect(backend.ops('renew')).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
    expect(e.mayWrite()).toBe(true);
    expect(e.status().deadlineInMs).toBe(6000 + 2500 - 6500);
    expect(await metrics.text()).toMatch(
      /bgp2vpc_ha_leader 1\n[\s\S]*bgp2vpc_ha_writable 1\n[\s\S]*bgp2vpc_ha_transitions_total\{to="leader"\} 1/,
    );
  });

  it('announces the open gate even when its timer fires a little early', async () => {
    const { backend, e, run } = setup({ earlyTimers: true });
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    let opened = 0;
    e.onWritable(() => opened++);
    e.start();
    await run(1490);
    expect(opened).toBe(0);
    await run(20);
    expect(opened).toBe(1);
  });

  it('stops writing exactly at TTL − margin after the last acknowledged renewal was sent, then releases and campaigns again', async () => {
    const { backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    backend.renewAnswers = [{ kind: 'renewed', ttlMs: 3000 }]; // at 1000; then the store is unreachable
    backend.renewDefault = new Error('connect ECONNREFUSED');
    backend.acquireDefault = new Error('connect ECONNREFUSED');
    e.start();
    await run(3490);
    expect(e.mayWrite()).toBe(true);
    expect(e.status().deadlineInMs).toBe(10);
    await run(10); // 3500 = 1000 + 3000 − 500
    expect(e.mayWrite()).toBe(false);
    expect(e.status()).toMatchObject({ role: 'follower', leader: null, writable: false });
    expect(e.status().lastError).toContain('ECONNREFUSED');
    expect(backend.ops('release')).toEqual([3500]);
    expect(backend.ops('acquire').at(-1)).toBe(3500);
  });

  it('after a pause the gate is shut at the next look, before any renewal runs, and reopens only with a new term', async () => {
    const { clock, backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    e.start();
    await run(2000);
    expect(e.mayWrite()).toBe(true);
    const renewsBefore = backend.ops('renew').length;
    clock.pause(6000); // SIGSTOP for 2 × TTL
    expect(e.mayWrite()).toBe(false);
    expect(e.status().role).toBe('follower');
    // Resumed: the overdue renewal goes out and succeeds (the store still knew the lease), but it was sent after
    // the deadline: the term is over all the same; the lease is released and won again as a new term.
    backend.acquireAnswers = [{ kind: 'acquired', token: '2', ttlMs: 3000 }];
    await run(10);
    expect(backend.ops('renew').length).toBe(renewsBefore);
    expect(backend.ops('release')).toEqual([8010]);
    expect(e.term()).toBe(2);
    expect(e.mayWrite()).toBe(false); // the new term waits out the calls in flight first
    await run(1500);
    expect(e.mayWrite()).toBe(true);
    expect(e.status().token).toBe('2');
  });

  it('a renewal sent before a pause and answered after it does not reopen the gate', async () => {
    const { clock, backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    backend.renewAnswers = [{ kind: 'renewed', ttlMs: 3000 }, 'hang'];
    e.start();
    await run(2000); // the renewal at 2000 hangs
    expect(backend.ops('renew')).toEqual([1000, 2000]);
    clock.pause(5000);
    backend.pendingRenew?.({ kind: 'renewed', ttlMs: 3000 });
    await flush();
    expect(e.mayWrite()).toBe(false);
    expect(e.status().role).toBe('follower');
  });

  it('ends the term at once when the store says the lease is lost', async () => {
    const { backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    backend.renewAnswers = [
      { kind: 'renewed', ttlMs: 3000 },
      { kind: 'lost', reason: 'the Lease was written by someone else' },
    ];
    backend.acquireDefault = { kind: 'held', holder: 'r2' };
    e.start();
    await run(1990);
    expect(e.mayWrite()).toBe(true);
    await run(10);
    expect(e.mayWrite()).toBe(false);
    expect(e.status()).toMatchObject({ role: 'follower', leader: 'r2' });
  });

  it('the wall clock closes the gate when the monotonic clock stood still (a frozen VM)', async () => {
    let wallJump = 0;
    const { backend, e, run, clock } = setup({ wall: () => 1_000_000 + clock.now() + wallJump });
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    e.start();
    await run(2000);
    expect(e.mayWrite()).toBe(true);
    wallJump = 10_000;
    expect(e.mayWrite()).toBe(false);
  });

  it('a follower shows the holder, waits for a change, and retries with backoff while the store is away', async () => {
    const { backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'held', holder: 'r2' }];
    e.start();
    await flush();
    expect(e.status()).toMatchObject({ role: 'follower', leader: 'r2', writable: false, terms: 0 });
    expect(backend.ops('wait')).toEqual([0]);
    // The wait is bounded by the TTL (a watch that died silently must not hide an expired lease).
    backend.acquireDefault = new Error('connect ECONNREFUSED');
    await run(3000);
    expect(backend.ops('acquire')).toEqual([0, 3000]);
    expect(e.status()).toMatchObject({ role: 'follower', leader: null });
    await run(5000);
    const gaps = backend.ops('acquire').map((t, i, a) => t - (a[i - 1] ?? t));
    expect(gaps.slice(2).every((g) => g >= 250 && g <= 1250)).toBe(true);
  });

  it('stop() ends the term, shuts the gate and releases the lease', async () => {
    const { backend, e, run } = setup();
    backend.acquireAnswers = [{ kind: 'acquired', token: '1', ttlMs: 3000 }];
    e.start();
    await run(2000);
    expect(e.mayWrite()).toBe(true);
    await e.stop();
    expect(e.mayWrite()).toBe(false);
    expect(backend.ops('release')).toEqual([2000]);
  });
});
