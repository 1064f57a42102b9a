// Flap damping for next-hop health, after RFC 2439 §4.2 (route flap damping) applied to a host instead of a
// route: every up→down transition adds a fixed penalty; the penalty decays exponentially with a half-life;
// above the suppress threshold the host is not used, until the penalty decays below the reuse threshold.
// The penalty is capped so that suppression never outlasts maxSuppressMs after the last flap (RFC 2439 §4.2,
// "maximum hold-down time"). Pure functions of (state, time).

export interface DampingOptions {
  /** Penalty added per flap (RFC 2439's figure of merit increment). */
  readonly penalty: number;
  /** Half-life of the penalty (ms). */
  readonly halfLifeMs: number;
  /** Suppress when the penalty exceeds this. */
  readonly suppress: number;
  /** Reuse once the penalty falls below this. */
  readonly reuse: number;
  /** Longest suppression after the last flap (ms). */
  readonly maxSuppressMs: number;
}
// The defaults live in the configuration schema (health.damping in src/config/schema.ts), nowhere else.

export interface DampingState {
  readonly penalty: number;
  /** Clock time the penalty value refers to. */
  readonly at: number;
  readonly suppressed: boolean;
  readonly flaps: number;
}

export const INITIAL_DAMPING: DampingState = { penalty: 0, at: 0, suppressed: false, flaps: 0 };

export function validateDamping(o: DampingOptions): string | undefined {
  if (!(o.penalty > 0 && o.halfLifeMs > 0 && o.maxSuppressMs > 0))
    return 'damping penalty, half-life and max suppress time must be positive';
  if (!(o.reuse > 0 && o.reuse < o.suppress)) return 'damping reuse threshold must be positive and below the suppress threshold';
  return undefined;
}

/** Largest penalty kept: decays to `reuse` in exactly maxSuppressMs (RFC 2439 §4.2 ceiling). */
export function ceiling(o: DampingOptions): number {
  return o.reuse * Math.pow(2, o.maxSuppressMs / o.halfLifeMs);
}

export function decayedPenalty(s: DampingState, now: number, o: DampingOptions): number {
  if (s.penalty === 0 || now <= s.at) return s.penalty;
  const p = s.penalty * Math.pow(0.5, (now - s.at) / o.halfLifeMs);
  return p < 1 ? 0 : p;
}

/** Applies decay up to `now` and updates suppression (reuse when below the threshold). */
export function decay(s: DampingState, now: number, o: DampingOptions): DampingState {
  const penalty = decayedPenalty(s, now, o);
  const suppressed = s.suppressed ? penalty > o.reuse : penalty > o.suppress;
  return { penalty, at: Math.max(now, s.at), suppressed, flaps: s.flaps };
}

/** One flap (up → down). */
export function flap(s: DampingState, now: number, o: DampingOptions): DampingState {
  const d = decay(s, now, o);
  const penalty = Math.min(d.penalty + o.penalty, ceiling(o));
  return { penalty, at: d.at, suppressed: d.suppressed || penalty > o.suppress, flaps: d.flaps + 1 };
}

/** When a suppressed state becomes reusable (clock ms), or undefined when not suppressed. */
export function reuseAt(s: DampingState, o: DampingOptions): number | undefined {
  if (!s.suppressed || s.penalty <= o.reuse) return undefined;
  return s.at + o.halfLifeMs * Math.log2(s.penalty / o.reuse);
}
