// AS path arithmetic: RFC 6793 §4.2.3 merge and the best-path length.
import { describe, expect, it } from 'vitest';
import { asPathLength, mergeAs4Path, type AsPathSegment } from '../../../src/bgp/wire/index.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 'set', asns });

describe('asPathLength (RFC 4271 §9.1.2.2, RFC 5065 §5.3)', () => {
  it('counts sequence ASNs, a set as 1, confederation segments as 0', () => {
    expect(asPathLength([])).toBe(0);
    expect(asPathLength([seq(1, 2, 3)])).toBe(3);
    expect(asPathLength([seq(1, 2), set(3, 4, 5)])).toBe(3);
    expect(asPathLength([{ type: 'confed-sequence', asns: [64512, 64513] }, { type: 'confed-set', asns: [1] }, seq(7)])).toBe(1);
  });
});

describe('mergeAs4Path (RFC 6793 §4.2.3)', () => {
  it('replaces the AS_TRANS tail with the real 4-octet ASNs', () => {
    expect(mergeAs4Path([seq(65001, 23456, 23456)], [seq(4200000000, 4200000001)])).toEqual([seq(65001), seq(4200000000, 4200000001)]);
  });
  it('ignores an AS4_PATH longer than AS_PATH', () => {
    const asPath = [seq(23456)];
    expect(mergeAs4Path(asPath, [seq(1, 2)])).toBe(asPath);
  });
  it('ignores AS4_PATH when AGGREGATOR is not AS_TRANS', () => {
    const asPath = [seq(65001, 23456)];
    expect(mergeAs4Path(asPath, [seq(4200000000)], 65001)).toBe(asPath);
    expect(mergeAs4Path(asPath, [seq(4200000000)], 23456)).toEqual([seq(65001), seq(4200000000)]);
  });
  it('keeps leading sets and confederation segments, drops confederation segments of AS4_PATH', () => {
    const merged = mergeAs4Path(
      [{ type: 'confed-sequence', asns: [64512] }, set(1, 2), seq(23456)],
      [{ type: 'confed-sequence', asns: [9] }, seq(4200000000)],
    );
    expect(merged).toEqual([{ type: 'confed-sequence', asns: [64512] }, set(1, 2), seq(4200000000)]);
  });
  it('without AS4_PATH returns AS_PATH', () => {
    const asPath = [seq(1)];
    expect(mergeAs4Path(asPath, undefined)).toBe(asPath);
  });
});
