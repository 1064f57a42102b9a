// The health of one next hop as a pure state machine: probe results in, eligibility out.
//   - hysteresis: `fall` consecutive failures take an up host down, `rise` consecutive successes bring it up;
//   - flap damping (damping.ts): a host that keeps flapping stays out until its penalty decays;
//   - overrides: markUnhealthy (EC2 reported a blackhole route to it) holds it down for a TTL;
//   - liveness: an external detector (BFD) says the path is down: down at once, counted as a flap for damping,
//     until the detector says up again.
// No timers here: the monitor asks nextWakeup() when eligibility could change without a probe.
import { decay, flap, INITIAL_DAMPING, reuseAt, type DampingOptions, type DampingState } from './damping.js';

export interface HysteresisOptions {
  readonly rise: number;
  readonly fall: number;
}

export interface TargetHealthView {
  readonly eligible: boolean;
  readonly state: 'up' | 'down';
  readonly suppressed: boolean;
  readonly penalty: number;
  readonly flaps: number;
  readonly reason: string;
  /** When eligibility last changed (clock ms). */
  readonly since: number;
  readonly lastProbe?: { readonly ok: boolean; readonly detail: string; readonly at: number };
  readonly overrideUntil?: number;
}

export class TargetHealth {
  private state: 'up' | 'down' = 'up';
  private okStreak = 0;
  private failStreak = 0;
  private damping: DampingState;
  private override: { reason: string; until: number } | undefined;
  private livenessDown: string | undefined;
  private lastProbe: { ok: boolean; detail: string; at: number } | undefined;
  private lastEligible = true;
  private eligibleSince: number;

  constructor(
    private readonly hyst: HysteresisOptions,
    private readonly damp: DampingOptions | undefined,
    now: number,
    /** Start down (rise successes needed) instead of up (fall failures needed). Default up. */
    startDown = false,
  ) {
    this.damping = { ...INITIAL_DAMPING, at: now };
    this.eligibleSince = now;
    if (startDown) {
      this.state = 'down';
      this.lastEligible = false;
    }
  }

  /** Records one probe result. Returns true when eligibility changed. */
  observe(ok: boolean, detail: string, now: number): boolean {
    this.lastProbe = { ok, detail, at: now };
    if (ok) {
      this.failStreak = 0;
      this.okStreak++;
      if (this.state === 'down' && this.okStreak >= this.hyst.rise) this.state = 'up';
    } else {
      this.okStreak = 0;
      this.failStreak++;
      if (this.state === 'up' && this.failStreak >= this.hyst.fall) {
        this.state = 'down';
        if (this.damp) this.damping = flap(this.damping, now, this.damp);
      }
    }
    return this.settle(now);
  }

  /**
   * An external liveness verdict (BFD): a reason makes the target ineligible at once and counts a flap (if it was
   * up); undefined lifts it. Returns true when eligibility changed.
   */
  setLiveness(downReason: string | undefined, now: number): boolean {
    if (downReason !== undefined && this.livenessDown === undefined && this.damp && this.lastEligible) {
      this.damping = flap(this.damping, now, this.damp);
    }
    this.livenessDown = downReason;
    return this.settle(now);
  }

  /** Holds the target down until `until` (or forever when undefined). Returns true when eligibility changed. */
  markUnhealthy(reason: string, until: number | undefined, now: number): boolean {
    this.override = { reason, until: until ?? Infinity };
    return this.settle(now);
  }

  /** The blackhole mark in force, if any (kept by the monitor when the target is removed and re-added). */
  activeOverride(now: number): { readonly reason: string; readonly until: number | undefined } | undefined {
    const o = this.override;
    if (!o || now >= o.until) return undefined;
    return { reason: o.reason, until: Number.isFinite(o.until) ? o.until : undefined };
  }

  clearOverride(now: number): boolean {
    this.override = undefined;
    return this.settle(now);
  }

  /** Re-evaluates time-driven changes (damping reuse, override expiry). Returns true when eligibility changed. */
  tick(now: number): boolean {
    return this.settle(now);
  }

  eligible(): boolean {
    return this.lastEligible;
  }

  /** When eligibility may change without a probe result (reuse or override expiry), else undefined. */
  nextWakeup(): number | undefined {
    let t: number | undefined;
    if (this.override && Number.isFinite(this.override.until)) t = this.override.until;
    if (this.damp) {
      const r = reuseAt(this.damping, this.damp);
      if (r !== undefined && (t === undefined || r < t)) t = r;
    }
    return t;
  }

  view(now: number): TargetHealthView {
    const d = this.damp ? decay(this.damping, now, this.damp) : this.damping;
    return {
      eligible: this.lastEligible,
      state: this.state,
      suppressed: d.suppressed,
      penalty: Math.round(d.penalty),
      flaps: d.flaps,
      reason: this.reason(now),
      since: this.eligibleSince,
      ...(this.lastProbe ? { lastProbe: { ...this.lastProbe } } : {}),
      ...(this.override && now < this.override.until && Number.isFinite(this.override.until) ? { overrideUntil: this.override.until } : {}),
    };
  }

  reason(now: number): string {
    if (this.override && now < this.override.until) return this.override.reason;
    if (this.livenessDown !== undefined) return this.livenessDown;
    if (this.state === 'down') return `probe failed ${this.failStreak}× (${this.lastProbe?.detail ?? 'no result'})`;
    if (this.damping.suppressed) return `damped after ${this.damping.flaps} flaps (penalty ${Math.round(this.damping.penalty)})`;
    return this.lastProbe ? `probe ok (${this.lastProbe.detail})` : 'no probe yet';
  }

  private settle(now: number): boolean {
    if (this.override && now >= this.override.until) this.override = undefined;
    if (this.damp) this.damping = decay(this.damping, now, this.damp);
    const eligible = this.state === 'up' && !this.damping.suppressed && this.override === undefined && this.livenessDown === undefined;
    if (eligible === this.lastEligible) return false;
    this.lastEligible = eligible;
    this.eligibleSince = now;
    return true;
  }
}
