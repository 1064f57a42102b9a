// A new import policy (config reload) applied to what the route spec holds: every stored BGP path and spec entry
// is evaluated again, and the candidates whose verdict changed are refreshed and their prefixes queued for
// re-ranking. Sessions are untouched.
import type { PathPolicy } from '../policy/import-policy.js';
import { pathOfCandidate } from './bgp-source.js';
import type { Candidate, PeerState, SpecCandidate } from './candidate.js';

export function reevaluateCandidates(
  policy: PathPolicy,
  peers: Iterable<PeerState>,
  specCandidates: Iterable<SpecCandidate>,
  /** A candidate's verdict changed: refresh its rank fields and queue its prefix. */
  changed: (c: Candidate) => void,
): void {
  for (const p of peers) {
    for (const c of p.paths) {
      const v = policy.evaluatePath(pathOfCandidate(c));
      if (
        v.accepted !== c.verdict.accepted ||
        v.group !== c.verdict.group ||
        (v.accepted && c.verdict.accepted && v.priority !== c.verdict.priority)
      ) {
        c.verdict = v;
        changed(c);
      }
    }
  }
  for (const c of specCandidates) {
    const v = policy.evaluateSpec(c.entry.prefix, c.nextHop);
    if (v.accepted !== c.verdict.accepted || (v.accepted && c.verdict.accepted && v.priority !== c.verdict.priority)) {
      c.verdict = v;
      changed(c);
    }
  }
}
