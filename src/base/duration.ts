// Durations in config: "500ms", "2s", "1m", "1h", "1m30s". A bare number is refused: units are not guessed.
import { UserError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

export class DurationError extends UserError {
  constructor(message: string) {
    super('BAD_DURATION', message);
  }
}

/** Parses a duration to milliseconds. Throws DurationError with a one-line reason. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '') throw new DurationError('empty duration');
  if (/^\d+(\.\d+)?$/.test(t)) throw new DurationError(`duration "${text}" needs a unit (ms, s, m, h), e.g. "${t}s"`);
  let total = 0;
  PART_RE.lastIndex = 0;
  while (PART_RE.lastIndex < t.length) {
    const m = PART_RE.exec(t);
    if (!m) throw new DurationError(`invalid duration "${text}" (examples: 500ms, 2s, 1m, 1m30s)`);
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
