// What a test knows about the speaker's output: the current paths per peer, peers up, sessions lost, End-of-RIBs,
// and a log of every removal (to prove "no gap" through a graceful restart). Fed from SpeakerEvents; pure.
import { formatPrefix, parsePrefix } from '../../../src/net/prefix.js';
import type { BgpPath, PeerDownReason, PeerInfo, SpeakerEvent } from '../../../src/bgp/events.js';

export interface PeerDown {
  readonly peer: string;
  readonly reason: PeerDownReason;
  readonly detail: string;
  readonly staleUntil?: number;
  readonly at: number;
}

export interface Removal {
  readonly peer: string;
  readonly prefix: string;
  readonly pathId: number;
  readonly at: number;
}

const key = (peer: string, prefix: string, pathId: number): string => `${peer}|${prefix}|${pathId}`;

/** Canonical text of a prefix ("10.0.0.0/8", "2001:db8::/32"). */
export function canonicalPrefix(text: string): string {
  return formatPrefix(parsePrefix(text));
}

export class RibView {
  private readonly paths = new Map<string, BgpPath>();
  readonly up = new Map<string, PeerInfo>();
  readonly downs: PeerDown[] = [];
  readonly removals: Removal[] = [];
  readonly endOfRib = new Set<string>();
  /** Number of events seen, per type. */
  readonly counts = new Map<SpeakerEvent['type'], number>();

  constructor(private readonly now: () => number = Date.now) {}

  readonly listener = (ev: SpeakerEvent): void => this.apply(ev);

  apply(ev: SpeakerEvent): void {
    this.counts.set(ev.type, (this.counts.get(ev.type) ?? 0) + 1);
    switch (ev.type) {
      case 'peer-up':
        this.up.set(ev.info.peer, ev.info);
        for (const f of ['ipv4', 'ipv6']) this.endOfRib.delete(`${ev.info.peer}|${f}`);
        break;
      case 'peer-down': {
        this.up.delete(ev.peer);
        const d: PeerDown = { peer: ev.peer, reason: ev.reason, detail: ev.detail, at: this.now() };
        this.downs.push(ev.staleUntil === undefined ? d : { ...d, staleUntil: ev.staleUntil });
        // Graceful restart: the speaker keeps the peer's paths, stale, without re-sending them (path.ts contract).
        if (ev.staleUntil !== undefined) {
          for (const [k, p] of this.paths) if (p.peer === ev.peer) this.paths.set(k, { ...p, stale: true });
        }
        break;
      }
      case 'paths':
        for (const p of ev.paths) this.paths.set(key(p.peer, formatPrefix(p.prefix), p.pathId), p);
        break;
      case 'withdrawals':
        for (const r of ev.removed) {
          const prefix = formatPrefix(r.prefix);
          this.paths.delete(key(ev.peer, prefix, r.pathId));
          this.removals.push({ peer: ev.peer, prefix, pathId: r.pathId, at: this.now() });
        }
        break;
      case 'end-of-rib':
        this.endOfRib.add(`${ev.peer}|${ev.family}`);
        break;
      default: {
        const never: never = ev;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  /** The path of `peer` for `prefix` (path id 0 unless given). */
  get(peer: string, prefix: string, pathId = 0): BgpPath | undefined {
    return this.paths.get(key(peer, canonicalPrefix(prefix), pathId));
  }

  pathsOf(peer: string): BgpPath[] {
    return [...this.paths.values()].filter((p) => p.peer === peer);
  }

  /** "prefix nexthop[ stale]" lines of a peer, sorted: compact for assertions and failure messages. */
  summary(peer: string): string[] {
    return this.pathsOf(peer)
      .map((p) => `${formatPrefix(p.prefix)} ${p.nextHop}${p.stale ? ' stale' : ''}`)
      .sort();
  }

  removalsOf(peer: string, since: number): Removal[] {
    return this.removals.filter((r) => r.peer === peer && r.at >= since);
  }

  downsOf(peer: string, since = 0): PeerDown[] {
    return this.downs.filter((d) => d.peer === peer && d.at >= since);
  }

  clear(): void {
    this.paths.clear();
    this.up.clear();
    this.endOfRib.clear();
  }
}
