// The elector: campaigns for the leader lease through a LeaseBackend, keeps it renewed, and answers, from the
// clock, whether this replica may send a mutating EC2 call right now (fence.ts). One loop, one request at a time:
//
//   follower ─ acquire ─► held: wait for a change (bounded by the TTL), try again
//                      └► acquired: leader; the gate opens after the takeover wait (the EC2 write timeout)
//   leader ─ renew every TTL/3 (retries sooner after a failure) ─► renewed: the deadline moves on
//                                                                 └► lost, or the deadline passed: follower,
//                                                                    release (best effort), campaign again
//
// mayWrite() never trusts the loop's view: it reads the clock and the term's deadline at every call, so a pause
// (GC, SIGSTOP, a frozen VM) closes the gate before any timer had the chance to run. The gate reopens only with
// a new term (re-validation: a fresh acquisition), whose number term() tells VPC sync to re-read every table.
import type { Clock, TimerHandle } from '../base/clock.js';
import { retryDelay } from '../base/backoff.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import type { LeaseBackend } from './backend.js';
import { beginTerm, fenceVerdict, msLeft, renewTerm, type FenceSettings, type Instant, type Term } from './fence.js';
import { HaMetrics } from './ha-metrics.js';

export interface ElectorOptions {
  /** This replica's name in the lease (unique per replica). */
  readonly identity: string;
  readonly backend: LeaseBackend;
  /** The lease's time-to-live. */
  readonly ttlMs: number;
  /** Worst case of one mutating EC2 call in flight (the write timeout): the takeover wait. */
  readonly inFlightMs: number;
  /** Subtracted from every deadline (default 500 ms). */
  readonly marginMs?: number;
  /** Renewal period (default TTL/3). */
  readonly renewIntervalMs?: number;
  /** First retry delay after a failed request (default 250 ms, doubling up to the renewal period). */
  readonly retryMs?: number;
  readonly clock: Clock;
  /** The wall clock (default Date.now). */
  readonly wallNow?: () => number;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly random?: () => number;
}

export type HaRole = 'leader' | 'follower';

export interface ElectorStatus {
  readonly role: HaRole;
  /** The holder as last seen: ourselves while leader, another identity, or null (none, or unknown). */
  readonly leader: string | null;
  readonly identity: string;
  readonly backend: string;
  /** Leader, takeover wait over, lease valid: mutating EC2 calls are allowed now. */
  readonly writable: boolean;
  /** The term's fencing token while leader. */
  readonly token?: string;
  /** While leader: ms until the writes stop unless a renewal is acknowledged. */
  readonly deadlineInMs?: number;
  /** While leader and waiting out the previous leader's calls in flight: ms until the gate opens. */
  readonly writableInMs?: number;
  /** Terms this replica has won since it started. */
  readonly terms: number;
  /** The last lease store failure, while failing. */
  readonly lastError?: string;
}

class StopError extends Error {}
class CallTimeout extends Error {}

export class Elector {
  private readonly o: ElectorOptions;
  private readonly fence: FenceSettings;
  private readonly interval: number;
  private readonly retry: number;
  private readonly wall: () => number;
  private readonly log: Logger;
  private readonly m: HaMetrics | undefined;
  private current: Term | undefined;
  private termCount = 0;
  private holder: string | null = null;
  private lastError: string | undefined;
  private stopping = false;
  private running: Promise<void> | undefined;
  private gateTimer: TimerHandle | undefined;
  private readonly stopCtl = new AbortController();
  private readonly writableListeners: (() => void)[] = [];

  constructor(o: ElectorOptions) {
    this.o = o;
    this.fence = { marginMs: o.marginMs ?? 500, inFlightMs: o.inFlightMs };
    this.interval = o.renewIntervalMs ?? Math.floor(o.ttlMs / 3);
    this.retry = Math.min(o.retryMs ?? 250, this.interval);
    this.wall = o.wallNow ?? Date.now;
    this.log = o.logger.child({ component: 'ha' });
    this.m = o.metrics ? new HaMetrics(o.metrics) : undefined;
    if (this.fence.marginMs >= o.ttlMs - this.interval) throw new Error('ha: the margin must leave room for a renewal within the TTL');
  }

  /** Starts campaigning (once the daemon has converged: a new leader must have a warm RIB). */
  start(): void {
    if (this.running || this.stopping) return;
    this.log.info(
      { event: 'ha_campaigning', identity: this.o.identity, backend: this.o.backend.name, lease: this.o.backend.where },
      `campaigning for the leader lease ${this.o.backend.where} (${this.o.backend.name}) as ${this.o.identity}`,
    );
    this.running = this.run().catch((err: unknown) => {
      this.log.error({ event: 'ha_loop_failed', err: errorMessage(err) }, `leader election stopped: ${errorMessage(err)}`);
    });
  }

  /** Stops campaigning and releases the lease if held. Call after VPC sync has stopped (no EC2 call in flight). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCtl.abort();
    await this.running;
    this.running = undefined;
  }

  /** True when a mutating EC2 call may be sent now. Reads the clocks: call it immediately before every such call. */
  mayWrite(): boolean {
    return !this.stopping && fenceVerdict(this.current, this.now()).kind === 'open';
  }

  /** Numbers the terms this replica won: a writer that saw another number must re-read before it writes again. */
  term(): number {
    return this.termCount;
  }

  /** `cb` runs when the gate opens for a new term (the daemon runs a pass that re-reads every table). */
  onWritable(cb: () => void): void {
    this.writableListeners.push(cb);
  }

  status(): ElectorStatus {
    const now = this.now();
    const t = this.current;
    const v = fenceVerdict(t, now);
    const leading = t !== undefined && v.kind !== 'expired';
    return {
      role: leading ? 'leader' : 'follower',
      leader: leading ? this.o.identity : this.holder,
      identity: this.o.identity,
      backend: this.o.backend.name,
      writable: !this.stopping && v.kind === 'open',
      ...(leading ? { token: t.token, deadlineInMs: Math.round(msLeft(t, now)) } : {}),
      ...(leading && v.kind === 'waiting' ? { writableInMs: Math.round(v.ms) } : {}),
      terms: this.termCount,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private now(): Instant {
    return { mono: this.o.clock.now(), wall: this.wall() };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const sent = this.now();
      let r;
      try {
        r = await this.call(this.interval, (s) => this.o.backend.acquire(s));
      } catch (err) {
        if (this.stopping) break;
        this.failed('acquire', err);
        this.setHolder(null);
        await this.sleep(retryDelay(failures++, { baseMs: this.retry, maxMs: this.interval }, this.o.random) + this.retry);
        continue;
      }
      failures = 0;
      this.recovered();
      if (r.kind === 'held') {
        this.setHolder(r.holder);
        try {
          // Bounded: a watch that died silently must not keep us from seeing an expired lease.
          await this.call(this.o.ttlMs, (s) => this.o.backend.waitForChange(s));
        } catch (err) {
          if (this.stopping) break;
          if (!(err instanceof CallTimeout)) {
            this.failed('watch', err);
            await this.sleep(this.retry);
          }
        }
        continue;
      }
      await this.lead(beginTerm(r.token, sent, this.o.clock.now(), r.ttlMs, this.fence), sent.mono);
    }
  }

  /** Holds the term until it is lost, runs out or the elector stops; then releases the lease (best effort). */
  private async lead(first: Term, sentAt: number): Promise<void> {
    let term = first;
    this.current = term;
    this.termCount++;
    this.holder = this.o.identity;
    this.lastError = undefined;
    this.m?.leader.set(1);
    this.m?.transitions.inc({ to: 'leader' });
    this.log.info(
      { event: 'ha_acquired', token: term.token, waitMs: this.fence.inFlightMs },
      `leader (term ${term.token}); first write after ${this.fence.inFlightMs}ms, when the previous leader's calls have landed`,
    );
    this.gateTimer = this.armGate(this.termCount, first.writableAt);
    let nextAt = sentAt + this.interval;
    let failures = 0;
    let reason = 'stopping';
    while (!this.stopping) {
      const left = msLeft(term, this.now());
      if (left <= 0) {
        reason = 'the lease deadline passed without an acknowledged renewal';
        break;
      }
      const wait = nextAt - this.o.clock.now();
      if (wait > 0) {
        await this.sleep(Math.min(wait, left));
        continue; // re-check the deadline and the time first
      }
      const sent = this.now();
      try {
        const r = await this.call(Math.max(1, Math.min(this.interval, msLeft(term, sent))), (s) => this.o.backend.renew(s));
        if (r.kind === 'lost') {
          reason = r.reason;
          break;
        }
        term = renewTerm(term, sent, r.ttlMs, this.fence);
        this.current = term;
        failures = 0;
        this.recovered();
        nextAt = sent.mono + this.interval;
      } catch (err) {
        if (this.stopping) break;
        this.failed('renew', err, { msLeft: Math.round(msLeft(term, this.now())) });
        nextAt = this.o.clock.now() + retryDelay(failures++, { baseMs: this.retry, maxMs: this.interval }, this.o.random);
      }
    }
    this.gateTimer?.cancel();
    this.current = undefined;
    this.holder = null;
    this.m?.leader.set(0);
    this.m?.writable.set(0);
    this.m?.transitions.inc({ to: 'follower' });
    const level = this.stopping ? 'info' : 'warn';
    this.log[level]({ event: 'ha_lost', token: term.token, reason }, `no longer leader (term ${term.token}): ${reason}`);
    // Our writes have stopped (the gate reads the clock; on stop, VPC sync is already down), so the next leader
    // may start its takeover wait now instead of after our TTL.
    try {
      await this.call(this.interval, (s) => this.o.backend.release(s), true);
    } catch {
      // best effort: the lease runs out by itself
    }
  }

  /** A timer for the moment term `n` may write (timers may fire a little early: then it waits again). */
  private armGate(n: number, at: number): TimerHandle {
    return this.o.clock.setTimeout(() => this.opened(n), Math.max(0, Math.ceil(at - this.o.clock.now())));
  }

  private opened(n: number): void {
    const term = this.current;
    if (n !== this.termCount || !term) return;
    const v = fenceVerdict(term, this.now());
    if (v.kind === 'waiting') this.gateTimer = this.armGate(n, term.writableAt);
    if (v.kind !== 'open') return;
    this.m?.writable.set(1);
    this.log.info({ event: 'ha_writable', token: term.token }, `writing to EC2 (term ${term.token}), tables re-read first`);
    for (const cb of this.writableListeners) {
      try {
        cb();
      } catch (err) {
        this.log.error({ event: 'handler_error', handler: 'ha-writable', err: errorMessage(err) }, 'writable handler failed');
      }
    }
  }

  private setHolder(holder: string | null): void {
    if (holder === this.holder) return;
    this.holder = holder;
    if (holder !== null) this.log.info({ event: 'ha_leader_seen', leader: holder }, `the leader is ${holder}`);
  }

  private failed(op: string, err: unknown, extra: Record<string, unknown> = {}): void {
    this.m?.backendErrors.inc({ op });
    const msg = errorMessage(err);
    if (this.lastError === undefined)
      this.log.warn({ event: 'ha_backend_failed', op, err: msg, ...extra }, `${this.o.backend.name} ${op} failed: ${msg}`);
    this.lastError = `${op}: ${msg}`;
  }

  private recovered(): void {
    if (this.lastError === undefined) return;
    this.log.info({ event: 'ha_backend_ok', backend: this.o.backend.name }, `${this.o.backend.name} answers again`);
    this.lastError = undefined;
  }

  /** One backend call, aborted after `timeoutMs` or when the elector stops (unless `evenIfStopping`). */
  private async call<T>(timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>, evenIfStopping = false): Promise<T> {
    const ac = new AbortController();
    const onStop = (): void => ac.abort(new StopError('stopping'));
    if (!evenIfStopping) {
      if (this.stopCtl.signal.aborted) throw new StopError('stopping');
      this.stopCtl.signal.addEventListener('abort', onStop, { once: true });
    }
    const timer = this.o.clock.setTimeout(() => ac.abort(new CallTimeout(`no answer within ${timeoutMs}ms`)), timeoutMs);
    const aborted = new Promise<never>((_, reject) =>
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason instanceof Error ? ac.signal.reason : new Error('aborted')), {
        once: true,
      }),
    );
    aborted.catch(() => undefined);
    try {
      return await Promise.race([fn(ac.signal), aborted]);
    } finally {
      timer.cancel();
      this.stopCtl.signal.removeEventListener('abort', onStop);
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopCtl.signal;
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = (): void => {
        timer.cancel();
        resolve();
      };
      const timer = this.o.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
