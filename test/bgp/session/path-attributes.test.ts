// The codec's attributes → the speaker's PathAttributes: AS4_PATH merged, best-path length, communities.
import { describe, expect, it } from 'vitest';
import type { AsPathSegment, PathAttribute } from '../../../src/bgp/wire/index.js';
import { toPathAttributes } from '../../../src/bgp/session/path-attributes.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 'set', asns });

describe('toPathAttributes', () => {
  const attrs: PathAttribute[] = [
    { type: 'origin', origin: 1 },
    { type: 'as-path', segments: [seq(65001, 23456), set(7, 8)] },
    { type: 'next-hop', nextHop: '192.0.2.1' },
    { type: 'med', med: 10 },
    { type: 'local-pref', localPref: 300 },
    { type: 'communities', communities: [0xfde80001] },
    { type: 'large-communities', communities: [[65000, 1, 2]] },
    { type: 'extended-communities', communities: ['0002fde800000064'] },
    { type: 'as4-path', segments: [seq(4200000000), set(7, 8)] },
  ];
  it('fills the speaker contract, merging AS4_PATH on a 2-octet session', () => {
    expect(toPathAttributes(attrs, false)).toEqual({
      origin: 1,
      asPath: [65001, 4200000000, 7, 8],
      asPathLength: 3,
      med: 10,
      localPref: 300,
      communities: [0xfde80001],
      largeCommunities: [[65000, 1, 2]],
      extendedCommunities: ['0002fde800000064'],
    });
  });
  it('uses AS_PATH as is on a 4-octet session; MED and LOCAL_PREF stay absent when not sent', () => {
    const pa = toPathAttributes(
      [
        { type: 'origin', origin: 0 },
        { type: 'as-path', segments: [seq(65001, 65002)] },
      ],
      true,
    );
    expect(pa).toEqual({
      origin: 0,
      asPath: [65001, 65002],
      asPathLength: 2,
      communities: [],
      largeCommunities: [],
      extendedCommunities: [],
    });
    expect('med' in pa).toBe(false);
  });
});
