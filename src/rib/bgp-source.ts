// The route spec's BGP source: one candidate per path a peer announced (pre-policy: rejected paths are kept with
// their verdict), ADD-PATH aware (key = prefix + path id). It follows the speaker's events and nothing else:
// graceful restart (RFC 4724) is the speaker's state machine (bgp/session/stale-paths.ts), which keeps a
// restarting peer's paths, marks them stale, and withdraws them at End-of-RIB or when the restart time runs out.
// Here a stale path stays a usable candidate until that withdrawal arrives. Mutations go through the route
// spec's hooks.
import type { PolicyVerdict } from '../policy/import-policy.js';
import type { BgpPath, SpeakerEvent } from '../bgp/events.js';
import type { Prefix } from '../net/prefix.js';
import type { BgpCandidate, Candidate, NextHopState, PeerState, PrefixEntry } from './candidate.js';
import { LazySet } from './lazy-collections.js';

export interface BgpSourceHooks {
  now(): number;
  entry(prefix: Prefix): PrefixEntry;
  /** The entry of a prefix, if there is one (never creates it). */
  find(prefix: Prefix): PrefixEntry | undefined;
  add(c: Candidate): void;
  remove(c: Candidate): void;
  nextHop(text: string, group: string): NextHopState;
  ref(nh: NextHopState, e: PrefixEntry): void;
  unref(nh: NextHopState, e: PrefixEntry): void;
  evaluate(path: BgpPath): PolicyVerdict;
  refresh(c: Candidate): void;
  markDirty(e: PrefixEntry): void;
}

/** The peer's path for this prefix and path id: a scan of the prefix's few candidates, no key to build. */
function pathOf(e: PrefixEntry, p: PeerState, pathId: number): BgpCandidate | undefined {
  for (const c of e.cands) if (c.source === 'bgp' && c.peer === p && c.pathId === pathId) return c;
  return undefined;
}

export class BgpSource {
  readonly peers = new Map<string, PeerState>();

  constructor(private readonly h: BgpSourceHooks) {}

  /** Applies one speaker event; the caller flushes. */
  apply(ev: SpeakerEvent): void {
    switch (ev.type) {
      case 'peer-up': {
        const p = this.peer(ev.info.peer);
        p.up = true;
        p.asn = ev.info.asn;
        break;
      }
      case 'peer-down':
        this.peerDown(ev.peer, ev.staleUntil);
        break;
      case 'paths':
        for (const path of ev.paths) this.upsertPath(path);
        break;
      case 'withdrawals': {
        const p = this.peers.get(ev.peer);
        if (!p) break;
        for (const w of ev.removed) {
          const e = this.h.find(w.prefix);
          const c = e && pathOf(e, p, w.pathId);
          if (c) this.removePath(p, c);
        }
        break;
      }
      case 'end-of-rib':
        // RFC 4724 §4.2: the speaker withdraws what stayed stale; nothing to do here.
        break;
      default: {
        const never: never = ev;
        throw new Error(`unknown speaker event ${JSON.stringify(never)}`);
      }
    }
  }

  peer(addr: string): PeerState {
    let p = this.peers.get(addr);
    if (!p) {
      // A path is alive while its prefix entry holds it (a removed candidate is spliced out of entry.cands).
      p = { peer: addr, asn: 0, up: false, staleUntil: undefined, paths: new LazySet((c) => c.entry.cands.includes(c)) };
      this.peers.set(addr, p);
    }
    return p;
  }

  upsertPath(path: BgpPath): void {
    const p = this.peer(path.peer);
    if (p.asn === 0) p.asn = path.peerAsn;
    const verdict = this.h.evaluate(path);
    const entry = this.h.entry(path.prefix);
    const old = pathOf(entry, p, path.pathId);
    if (old) {
      old.attrs = path.attrs;
      old.peerAsn = path.peerAsn;
      old.verdict = verdict;
      old.stale = path.stale;
      if (old.nextHop !== path.nextHop) {
        this.h.unref(old.nh, old.entry);
        old.nh = this.h.nextHop(path.nextHop, verdict.group);
        old.addedAt = this.h.now();
        this.h.ref(old.nh, old.entry);
      }
      this.h.refresh(old);
      this.h.markDirty(old.entry);
      return;
    }
    const nh = this.h.nextHop(path.nextHop, verdict.group);
    // All fields at once, in one order: one hidden class for a million candidates.
    const c: BgpCandidate = {
      source: 'bgp',
      peer: p,
      pathId: path.pathId,
      attrs: path.attrs,
      peerAsn: path.peerAsn,
      stale: path.stale,
      entry,
      nh,
      addedAt: this.h.now(),
      verdict,
      nextHop: nh.text,
      nhFamily: nh.family,
      nhAddr: nh.addr,
      nhKey: nh.key,
      localPref: 0,
      asPathLength: 0,
      med: 0,
      neighborAs: undefined,
      priority: 0,
      eligible: false,
      eligibleSince: 0,
      az: undefined,
    };
    this.h.refresh(c);
    p.paths.add(c);
    this.h.add(c);
  }

  removePath(p: PeerState, c: BgpCandidate): void {
    this.h.remove(c);
    p.paths.removed();
  }

  peerDown(addr: string, staleUntil: number | undefined): void {
    const p = this.peers.get(addr);
    if (!p) return;
    p.up = false;
    p.staleUntil = staleUntil;
    if (staleUntil === undefined) {
      // No graceful restart: every path leaves at once (RFC 4271 §8.2.2, session down).
      for (const c of [...p.paths]) this.removePath(p, c);
      return;
    }
    // RFC 4724 §4.2: the paths stay, marked stale, until the speaker re-announces or withdraws them.
    for (const c of p.paths) {
      c.stale = true;
      this.h.markDirty(c.entry);
    }
  }
}

/** The BgpPath a candidate stands for (the policy takes paths; candidates do not keep them). */
export function pathOfCandidate(c: BgpCandidate): BgpPath {
  return {
    peer: c.peer.peer,
    peerAsn: c.peerAsn,
    pathId: c.pathId,
    prefix: c.entry.prefix,
    nextHop: c.nh.text,
    attrs: c.attrs,
    stale: c.stale,
  };
}
