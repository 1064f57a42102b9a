// Durations, always in milliseconds. In config: "500ms", "2s", "1m", "1h", "1m30s" (a bare number is refused:
// units are not guessed), printed back exactly by formatDuration. For people, formatUptime rounds to two units.
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

/** The config form of a duration, exact: 1500 → "1500ms", 120000 → "2m". */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** An elapsed time for people, two units at most: 42s, 3m05s, 2h07m, 4d01h. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}
