import { describe, expect, it } from 'vitest';
import { expandEnv } from '../../src/config/env-expand.js';

describe('environment expansion', () => {
  it('expands, defaults, escapes and reports missing names', () => {
    expect(expandEnv('a${X}b', { X: '1' })).toEqual({ value: 'a1b', missing: [] });
    expect(expandEnv('${X:-d}', {})).toEqual({ value: 'd', missing: [] });
    expect(expandEnv('${X:-d}', { X: '' })).toEqual({ value: 'd', missing: [] });
    expect(expandEnv('$${X}', { X: '1' })).toEqual({ value: '${X}', missing: [] });
    expect(expandEnv('${A}${B}', {})).toEqual({ value: '', missing: ['A', 'B'] });
  });
});
