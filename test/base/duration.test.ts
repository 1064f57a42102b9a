import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/base/duration.js';
import { expandEnv } from '../../src/config/env-expand.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0s', 0],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5 s', 's', '1d', '-1s', '1s2'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow();
  });

  it('asks for a unit when given a bare number', () => {
    expect(() => parseDuration('30')).toThrow('duration "30" needs a unit (ms, s, m, h), e.g. "30s"');
  });

  it('formats', () => {
    expect([500, 2000, 60_000, 3_600_000, 1500].map(formatDuration)).toEqual(['500ms', '2s', '1m', '1h', '1500ms']);
  });
});

describe('environment expansion', () => {
  it('expands, defaults, escapes and reports missing names', () => {
    expect(expandEnv('a${X}b', { X: '1' })).toEqual({ value: 'a1b', missing: [] });
    expect(expandEnv('${X:-d}', {})).toEqual({ value: 'd', missing: [] });
    expect(expandEnv('${X:-d}', { X: '' })).toEqual({ value: 'd', missing: [] });
    expect(expandEnv('$${X}', { X: '1' })).toEqual({ value: '${X}', missing: [] });
    expect(expandEnv('${A}${B}', {})).toEqual({ value: '', missing: ['A', 'B'] });
  });
});
