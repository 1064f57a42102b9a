// vpc.fixSourceDestCheck: turns the source/destination check off on next-hop ENIs (an instance with it on drops
// every packet it should forward). Careless versions of this (kube-router #63, #536) call
// ModifyInstanceAttribute for every node on every sync and get throttled; here each ENI is tried once:
//   - a queue worker apart from the passes (a route write never waits for a fix), one call at a time,
//   - its own small token bucket (burst 5, 1 per second) on top of the gateway's mutating bucket, so a fleet of new
//     hosts cannot take more than a fifth of EC2's mutating refill from failovers,
//   - an ENI is asked for once: a success or a refusal (permissions, ENI gone) is final for this process; only a
//     throttle or transient failure that outlived the gateway's retries lets a later pass ask again,
//   - each outcome is logged as one event and counted in bgp2vpc_source_dest_check_fixes_total{outcome}.
import type { Clock, TimerHandle } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { TokenBucket, type BucketConfig } from '../base/token-bucket.js';
import { Ec2CallError } from './ec2-errors.js';
import type { Ec2Gateway, EniInfo } from './ec2-gateway.js';
import type { VpcMetrics } from './vpc-metrics.js';

export const FIX_RATE: BucketConfig = { burst: 5, perSecond: 1 };

export type FixOutcome = 'ok' | 'failed';

export interface SourceDestFixerOptions {
  readonly gateway: Pick<Ec2Gateway, 'disableSourceDestCheck'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: VpcMetrics;
  readonly rate?: BucketConfig;
  /** Writes allowed now (dry run and the HA write gate): checked before every call. */
  readonly mayWrite: () => boolean;
  /** The check is off on this ENI now. */
  readonly onFixed: (networkInterfaceId: string) => void;
}

export class SourceDestFixer {
  private readonly bucket: TokenBucket;
  /** ENI → final outcome; an ENI in here is never asked for again. */
  private readonly done = new Map<string, FixOutcome>();
  private readonly queue: EniInfo[] = [];
  /** ENIs queued or being fixed. */
  private readonly queued = new Set<string>();
  private worker: Promise<void> | undefined;
  private waitTimer: { timer: TimerHandle; resolve: () => void } | undefined;
  private closed = false;

  constructor(private readonly o: SourceDestFixerOptions) {
    this.bucket = new TokenBucket(o.clock, o.rate ?? FIX_RATE);
  }

  /** Queues the ENIs among `enis` whose check is on and that were not tried yet. */
  want(enis: Iterable<EniInfo>): void {
    if (this.closed) return;
    for (const e of enis) {
      const id = e.networkInterfaceId;
      if (!e.sourceDestCheck || this.done.has(id) || this.queued.has(id)) continue;
      this.queued.add(id);
      this.queue.push(e);
    }
    if (this.queue.length > 0 && !this.worker) this.worker = this.work().finally(() => (this.worker = undefined));
  }

  /** Outcome per ENI tried (status, tests). */
  outcomes(): ReadonlyMap<string, FixOutcome> {
    return this.done;
  }

  /** Resolves when the queue is empty (tests; stop()). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.queued.clear();
    if (this.waitTimer) {
      this.waitTimer.timer.cancel();
      this.waitTimer.resolve();
    }
    await this.idle();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.waitTimer = { timer: this.o.clock.setTimeout(resolve, ms), resolve };
    });
  }

  private async work(): Promise<void> {
    for (let e = this.queue.shift(); e && !this.closed; e = this.queue.shift()) {
      while (!this.closed && !this.bucket.tryTake()) await this.wait(Math.max(1, this.bucket.msUntilToken()));
      if (this.closed) return;
      // asked again by the next pass that may write
      if (this.o.mayWrite()) await this.fix(e);
      this.queued.delete(e.networkInterfaceId); // only now: a want() meanwhile must not queue it twice
    }
  }

  private async fix(e: EniInfo): Promise<void> {
    const id = e.networkInterfaceId;
    const who = e.instanceId ? `${id} (${e.instanceId}, next hop ${e.ip})` : `${id} (next hop ${e.ip})`;
    try {
      await this.o.gateway.disableSourceDestCheck(id);
    } catch (err) {
      const code = err instanceof Ec2CallError ? err.ec2Code : 'UnknownError';
      if (code === 'Aborted') return;
      const retryLater = err instanceof Ec2CallError && (err.errorClass === 'throttle' || err.errorClass === 'transient');
      if (!retryLater) this.done.set(id, 'failed');
      this.o.metrics?.sourceDestFixes.inc({ outcome: code });
      this.o.log.error(
        { event: 'source_dest_check_fix_failed', networkInterfaceId: id, nextHop: e.ip, code, retryLater },
        `could not turn the source/destination check off on ${who}: ${errorMessage(err)}${retryLater ? ' (will try again)' : ''}`,
      );
      return;
    }
    this.done.set(id, 'ok');
    this.o.metrics?.sourceDestFixes.inc({ outcome: 'ok' });
    this.o.log.info(
      { event: 'source_dest_check_disabled', networkInterfaceId: id, nextHop: e.ip, ...(e.instanceId ? { instanceId: e.instanceId } : {}) },
      `turned the source/destination check off on ${who}`,
    );
    this.o.onFixed(id);
  }
}
