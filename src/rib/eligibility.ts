// Whether a candidate may carry traffic now, and why not. A candidate is eligible when the import policy
// accepted it and its next hop is healthy (probes, EC2 blackhole reports, damping: see src/health). A BGP path
// exists only while its session is Established or the speaker keeps it stale for graceful restart (RFC 4724
// §4.2: stale paths are used as before until End-of-RIB or the restart time; the speaker withdraws them then).
import type { Candidate, NextHopState, PrefixEntry } from './candidate.js';
import { selectNextHop, type MutableSelection, type RankOptions } from './ranking.js';

const DEFAULT_LOCAL_PREF = 100;

export function isEligible(c: Candidate): boolean {
  return c.verdict.accepted && c.nh.healthy;
}

export function ineligibleReason(c: Candidate): string {
  if (!c.verdict.accepted) return `rejected by policy: ${c.verdict.reason}`;
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
    const a = c.attrs;
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

/** A candidate of `e` still has next hop `nh` (it announces the prefix, healthy or not). */
export function stillAnnounced(e: PrefixEntry, nh: string): boolean {
  for (const c of e.cands) if (c.nextHop === nh) return true;
  return false;
}

/**
 * keep-last when the last choice withdrew the prefix: the best candidate the import policy accepts, health aside.
 * Routing on to a host that no longer announces the prefix serves no one; one that announces it but looks unhealthy
 * (a probe timing out under loss, flap damping) may. -1 when policy accepts none (the last choice is kept then).
 */
export function bestDespiteHealth(e: PrefixEntry, now: number, rank: RankOptions, sel: MutableSelection): number {
  let any = false;
  for (const c of e.cands) if ((c.eligible = c.verdict.accepted)) any = true;
  const winner = any ? selectNextHop(e.cands, undefined, now, { ...rank, holdDownMs: 0 }, undefined, sel).winner : -1;
  for (const c of e.cands) c.eligible = isEligible(c);
  return winner;
}

/** Why `nh` no longer carries `e`: its candidate's ineligibility, or 'withdrawn' when it has none. */
export function whyGone(e: PrefixEntry, nh: string): string {
  for (const c of e.cands) if (c.nextHop === nh) return ineligibleReason(c);
  return 'withdrawn';
}
