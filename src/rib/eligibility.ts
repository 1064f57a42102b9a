// Whether a candidate may carry traffic now, and why not. A candidate is eligible when the import policy
// accepted it, its BGP session is Established or its stale paths are inside the graceful-restart window, and
// its next hop is healthy (probes, EC2 blackhole reports, damping: see src/health).
import type { Candidate, NextHopState } from './candidate.js';

const DEFAULT_LOCAL_PREF = 100;

export function isEligible(c: Candidate, now: number): boolean {
  if (!c.verdict.accepted || !c.nh.healthy) return false;
  if (c.source === 'bgp' && c.stale) {
    // RFC 4724 §4.2: stale paths stay usable until the restart time runs out (or End-of-RIB sweeps them).
    const until = c.peer.staleUntil;
    return until !== undefined && now < until;
  }
  return true;
}

export function ineligibleReason(c: Candidate, now: number): string {
  if (!c.verdict.accepted) return `rejected by policy: ${c.verdict.reason}`;
  if (c.source === 'bgp' && c.stale) {
    const until = c.peer.staleUntil;
    if (until === undefined || now >= until) return 'stale (graceful-restart window over)';
  }
  if (!c.nh.healthy) return c.nh.downText;
  return 'eligible';
}

/** Copies ranking inputs from the path / verdict into the candidate (after it changed). */
export function refreshRankFields(c: Candidate, azOf: ((nh: string) => string | undefined) | undefined): void {
  c.nextHop = c.nh.text;
  c.nhFamily = c.nh.family;
  c.nhAddr = c.nh.addr;
  c.nhKey = c.nh.key;
  c.az = azOf?.(c.nh.text);
  if (c.source === 'bgp') {
    const a = c.path.attrs;
    c.localPref = a.localPref ?? DEFAULT_LOCAL_PREF;
    c.asPathLength = a.asPathLength;
    c.med = a.med ?? 0; // RFC 4271 §9.1.2.2 (c): a missing MED is the lowest possible value
    c.neighborAs = a.asPath[0] ?? c.peer.asn;
  } else {
    c.localPref = DEFAULT_LOCAL_PREF;
    c.asPathLength = 0;
    c.med = 0;
    c.neighborAs = undefined;
  }
  c.priority = c.verdict.accepted ? c.verdict.priority - (c.source === 'bgp' ? 0 : c.index) : 0;
  c.eligible = false;
  c.eligibleSince = 0;
}

export const downText = (reason: string): string => `next hop unhealthy: ${reason}`;

export function setReason(nh: NextHopState, reason: string): void {
  if (nh.reason === reason) return;
  nh.reason = reason;
  nh.downText = downText(reason);
}
