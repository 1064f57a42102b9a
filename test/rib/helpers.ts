// Builders for route spec tests: BGP paths and speaker events with sensible defaults.
import type { BgpPath, PathAttributes, SpeakerEvent } from '../../src/bgp/events.js';
import { parsePrefix } from '../../src/net/prefix.js';

export function attrs(over: Partial<PathAttributes> = {}): PathAttributes {
  return { origin: 0, asPath: [65001], asPathLength: 1, communities: [], largeCommunities: [], extendedCommunities: [], ...over };
}

export function path(
  peer: string,
  prefix: string,
  over: Omit<Partial<BgpPath>, 'attrs'> & { attrs?: Partial<PathAttributes> } = {},
): BgpPath {
  const { attrs: a, ...rest } = over;
  return { peer, peerAsn: 65001, pathId: 0, prefix: parsePrefix(prefix), nextHop: peer, stale: false, ...rest, attrs: attrs(a) };
}

export function paths(peer: string, ...ps: BgpPath[]): SpeakerEvent {
  return { type: 'paths', peer, paths: ps };
}

export function withdraw(peer: string, prefix: string, pathId = 0): SpeakerEvent {
  return { type: 'withdrawals', peer, removed: [{ prefix: parsePrefix(prefix), pathId }] };
}

export function peerUp(peer: string, asn = 65001, gracefulRestart = false): SpeakerEvent {
  return { type: 'peer-up', info: { peer, asn, routerId: peer, families: ['ipv4'], gracefulRestart } };
}
