import { describe, expect, it } from 'vitest';
import { formatDuration, formatUptime, parseDuration } from '../../src/base/duration.js';

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

describe('formatUptime', () => {
  it('shows two units at most, in milliseconds in', () => {
    expect([0, 42_999, 185_000, 7_620_000, 349_200_000].map(formatUptime)).toEqual(['0s', '42s', '3m05s', '2h07m', '4d01h']);
  });
});
