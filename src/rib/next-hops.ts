// The route spec's next-hop index: one NextHopState per next-hop address, with the prefix entries that reference
// it (so a health change finds its prefixes without a scan), created with the health it has when it first
// appears and dropped with its last reference. Additions and removals are collected until the route spec's flush
// hands them to the health monitor, so a next hop that comes and goes within one batch is never probed.
import { parseAddress, unmapIpv4 } from '../net/address.js';
import type { NextHopState, PrefixEntry } from './candidate.js';
import type { NextHopHealth } from './chosen.js';
import { downText, setReason } from './eligibility.js';
import { RefCounts } from './lazy-collections.js';

export class NextHops {
  private readonly byText = new Map<string, NextHopState>();
  private readonly added = new Set<NextHopState>();
  private readonly removed = new Set<string>();

  constructor(
    private readonly healthOf: (nextHop: string, group: string) => NextHopHealth,
    private readonly now: () => number,
  ) {}

  get(text: string): NextHopState | undefined {
    return this.byText.get(text);
  }

  values(): IterableIterator<NextHopState> {
    return this.byText.values();
  }

  /** The state of a next hop, created (with its current health) on first use. */
  acquire(text: string, group: string): NextHopState {
    let nh = this.byText.get(text);
    if (!nh) {
      const a = unmapIpv4(parseAddress(text));
      const h = this.healthOf(text, group);
      const reason = h.reason ?? (h.healthy ? 'healthy' : 'unhealthy');
      nh = {
        text,
        family: a.family,
        addr: a.addr,
        key: a.family === 'ipv4' ? Number(a.addr) : Number(a.addr >> 75n),
        healthy: h.healthy,
        since: h.since ?? this.now(),
        reason,
        downText: downText(reason),
        group,
        refs: new RefCounts(),
      };
      this.byText.set(text, nh);
      if (!this.removed.delete(text)) this.added.add(nh);
    }
    return nh;
  }

  /** Records a health verdict. Returns the next hop when its eligibility changed (its prefixes need a look). */
  setHealth(text: string, health: NextHopHealth): NextHopState | undefined {
    const nh = this.byText.get(text);
    if (nh && health.reason !== undefined) setReason(nh, health.reason);
    if (!nh || nh.healthy === health.healthy) return undefined;
    nh.healthy = health.healthy;
    nh.since = health.since ?? this.now();
    if (health.reason === undefined) setReason(nh, health.healthy ? 'healthy' : 'unhealthy');
    return nh;
  }

  ref(nh: NextHopState, e: PrefixEntry): void {
    nh.refs.add(e);
  }

  unref(nh: NextHopState, e: PrefixEntry): void {
    if (!nh.refs.remove(e)) return;
    if (nh.refs.size === 0) {
      this.byText.delete(nh.text);
      if (!this.added.delete(nh)) this.removed.add(nh.text);
    }
  }

  /** Next hops that appeared and disappeared since the last call, or undefined when there were none. */
  takeChanges(): { added: { nextHop: string; group: string }[]; removed: string[] } | undefined {
    if (this.added.size === 0 && this.removed.size === 0) return undefined;
    const added = [...this.added].map((n) => ({ nextHop: n.text, group: n.group }));
    const removed = [...this.removed];
    this.added.clear();
    this.removed.clear();
    return { added, removed };
  }

  /** Every next hop currently referenced, with its health-check group. */
  targets(): { nextHop: string; group: string }[] {
    return [...this.byText.values()].map((n) => ({ nextHop: n.text, group: n.group }));
  }
}
