// The stale-path lifecycle of one peer's Adj-RIB-In: graceful restart (RFC 4724 §4.2: restart timer, End-of-RIB,
// stale-path timer) and enhanced route refresh (RFC 7313 §4: BoRR/EoRR). It owns the timers and emits the
// withdrawals of swept paths; the decisions themselves are the pure functions of graceful-restart.ts.
import type { Clock, TimerHandle } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';
import type { AdjRibIn } from './adj-rib-in.js';
import { sweepOnReestablish, type PeerGracefulRestart, type RetainDecision } from './graceful-restart.js';

export type WithdrawSink = (removed: { prefix: Prefix; pathId: number }[]) => void;

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export class StalePaths {
  private restartTimer: TimerHandle | undefined;
  private staleTimer: TimerHandle | undefined;
  private readonly errTimers = new Map<Family, TimerHandle>();
  /** Graceful restart in progress: stale paths kept until this time (ms, injected clock) or End-of-RIB. */
  staleUntil: number | undefined;

  constructor(
    private readonly rib: AdjRibIn,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly withdraw: WithdrawSink,
    /** Seconds the re-established peer gets to send End-of-RIB / EoRR. */
    private readonly stalePathTime: () => number,
  ) {}

  /** True when the family has stale paths (live + stale minus live). */
  staleIn(f: Family): boolean {
    return this.rib.familyTotal(f) > (f === 'ipv4' ? this.rib.ipv4Count : this.rib.ipv6Count);
  }

  /**
   * The session went down and graceful restart applies: every path stale, families the peer does not preserve
   * swept now, the rest swept when the restart timer expires unless `isBack()` by then. Returns staleUntil.
   */
  sessionLost(retain: RetainDecision, isBack: () => boolean): number {
    this.cancelErr();
    this.rib.markAllStale();
    this.staleTimer?.cancel();
    this.staleTimer = undefined;
    this.staleUntil = this.clock.now() + retain.restartMs;
    for (const f of FAMILIES) if (!retain.families.includes(f) && this.staleIn(f)) this.sweep(f, 'graceful restart: family not covered');
    this.restartTimer?.cancel();
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (!isBack()) this.sweep(undefined, 'graceful restart: restart time expired');
    }, retain.restartMs);
    return this.staleUntil;
  }

  /**
   * RFC 4724 §4.2: the peer is back. Stop the restart timer, sweep what it cannot have kept (no F bit, family
   * missing or no longer negotiated), and give the rest until End-of-RIB or the stale-path timer.
   */
  sessionUp(gr: PeerGracefulRestart | undefined, families: readonly Family[]): void {
    if (this.rib.staleCount === 0) return;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    const stale = FAMILIES.filter((f) => this.staleIn(f));
    const now = sweepOnReestablish(stale, gr).concat(stale.filter((f) => !families.includes(f)));
    for (const f of new Set(now)) this.sweep(f, 'graceful restart: family not preserved by the restarted peer');
    if (this.rib.staleCount === 0) return;
    const ms = this.stalePathTime() * 1000;
    this.staleTimer?.cancel();
    this.staleUntil = this.clock.now() + ms;
    this.staleTimer = this.clock.setTimeout(() => {
      this.staleTimer = undefined;
      this.sweep(undefined, 'graceful restart: no End-of-RIB in time');
    }, ms);
  }

  /** RFC 4724 §2: End-of-RIB for a family. */
  endOfRib(f: Family): void {
    if (this.staleIn(f)) this.sweep(f, `graceful restart: End-of-RIB ${f}`);
  }

  /** After each UPDATE while Established: a restart whose stale paths were all re-announced is complete. */
  afterUpdate(): void {
    if (this.staleUntil === undefined || this.rib.staleCount !== 0) return;
    this.cancelGr();
    this.log.info({ event: 'gr_complete' }, 'graceful restart complete: every stale path was re-announced');
  }

  /** RFC 7313 §4: Beginning of Route Refresh: the family's paths are stale until EoRR (or a timeout). */
  beginRefresh(f: Family): void {
    this.rib.markAllStale(f);
    this.errTimers.get(f)?.cancel();
    this.errTimers.set(
      f,
      this.clock.setTimeout(() => {
        this.errTimers.delete(f);
        if (this.staleIn(f)) this.sweep(f, `enhanced route refresh: no EoRR for ${f}`);
      }, this.stalePathTime() * 1000),
    );
    this.log.debug({ event: 'borr', family: f }, `BoRR ${f}`);
  }

  /** RFC 7313 §4: End of Route Refresh: what was not re-advertised goes. */
  endRefresh(f: Family): void {
    this.errTimers.get(f)?.cancel();
    this.errTimers.delete(f);
    if (this.staleIn(f)) this.sweep(f, `enhanced route refresh: EoRR ${f}`);
  }

  /** Removes stale paths of a family (or all) and emits their withdrawals. */
  sweep(family: Family | undefined, why: string): void {
    const removed = this.rib.sweepStale(family);
    if (this.rib.staleCount === 0) this.cancelGr();
    this.log.info({ event: 'gr_sweep', family: family ?? 'all', removed: removed.length }, `${why}: ${removed.length} stale paths removed`);
    if (removed.length > 0) this.withdraw(removed);
  }

  /** Every path goes now (session loss without GR, stop): the caller withdraws them; timers stop. */
  reset(): void {
    this.cancelErr();
    this.cancelGr();
  }

  private cancelGr(): void {
    this.staleTimer?.cancel();
    this.staleTimer = undefined;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.staleUntil = undefined;
  }

  private cancelErr(): void {
    for (const t of this.errTimers.values()) t.cancel();
    this.errTimers.clear();
  }
}
