// From the codec's attribute values to the speaker's PathAttributes (src/bgp/events.ts): AS4_PATH merged, the
// best-path length computed, communities flattened.
import type { PathAttributes } from '../events.js';
import type { AsPathSegment, PathAttribute } from '../wire/attributes.js';
import { asPathLength, flattenAsPath, mergeAs4Path } from '../wire/as-path.js';

/**
 * Builds PathAttributes from an UPDATE's attributes. For a 2-octet session (`fourOctetAsn` false) AS4_PATH is
 * merged into AS_PATH (RFC 6793 §4.2.3); on a 4-octet session the decoder has already discarded it.
 */
export function toPathAttributes(attributes: readonly PathAttribute[], fourOctetAsn: boolean): PathAttributes {
  let origin: 0 | 1 | 2 = 2;
  let asPath: readonly AsPathSegment[] = [];
  let as4Path: readonly AsPathSegment[] | undefined;
  let aggregatorAsn: number | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let communities: readonly number[] = [];
  let largeCommunities: readonly (readonly [number, number, number])[] = [];
  let extendedCommunities: readonly string[] = [];
  for (const a of attributes) {
    switch (a.type) {
      case 'origin':
        origin = a.origin;
        break;
      case 'as-path':
        asPath = a.segments;
        break;
      case 'as4-path':
        as4Path = a.segments;
        break;
      case 'aggregator':
        aggregatorAsn = a.asn;
        break;
      case 'med':
        med = a.med;
        break;
      case 'local-pref':
        localPref = a.localPref;
        break;
      case 'communities':
        communities = a.communities;
        break;
      case 'large-communities':
        largeCommunities = a.communities;
        break;
      case 'extended-communities':
        extendedCommunities = a.communities;
        break;
      default:
        break;
    }
  }
  const segments = fourOctetAsn ? asPath : mergeAs4Path(asPath, as4Path, aggregatorAsn);
  const out: { -readonly [K in keyof PathAttributes]: PathAttributes[K] } = {
    origin,
    asPath: flattenAsPath(segments),
    asPathLength: asPathLength(segments),
    communities,
    largeCommunities,
    extendedCommunities,
  };
  if (med !== undefined) out.med = med;
  if (localPref !== undefined) out.localPref = localPref;
  return out;
}
