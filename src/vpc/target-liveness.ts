// What EC2 tells us about next-hop health, turned into the health hook's edge-triggered signals:
//   - an owned route in state `blackhole` means its ENI/instance is dead ('blackhole'),
//   - a next hop no ENI holds (after a fresh lookup), or an ENI EC2 calls unknown, is 'eni-not-found'.
// Each next hop is reported once until it resolves to a live ENI again. Dead targets also feed the planner, so
// moving a route away from them counts as a failover (applied first).
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { EniResolver } from './eni-resolver.js';
import { isOwnedRoute, type Ownership } from './ownership.js';
import type { TableState } from './table-state.js';
import { targetId } from './types.js';

export type UnhealthyReason = 'blackhole' | 'eni-not-found';
export type UnhealthyHook = (nextHop: string, reason: UnhealthyReason) => void;

export class TargetLiveness {
  private readonly hooks: UnhealthyHook[] = [];
  private readonly reported = new Map<string, UnhealthyReason>();
  /** Targets behind a blackholed owned route, recomputed from every scan. */
  private blackholed = new Set<string>();
  /** Targets EC2 called unknown (InvalidNetworkInterfaceID.NotFound…), until the next drift pass. */
  private gone = new Set<string>();

  constructor(
    private readonly resolver: EniResolver,
    private readonly own: Ownership,
    private readonly log: Logger,
  ) {}

  subscribe(cb: UnhealthyHook): () => void {
    this.hooks.push(cb);
    return () => {
      const i = this.hooks.indexOf(cb);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** ENIs/instances known dead. */
  deadTargets(): ReadonlySet<string> {
    return new Set([...this.blackholed, ...this.gone]);
  }

  /** A drift pass re-learns everything. */
  forgetGone(): void {
    this.gone = new Set();
  }

  notify(nextHop: string, reason: UnhealthyReason): void {
    if (this.reported.has(nextHop)) return;
    this.reported.set(nextHop, reason);
    this.log.warn({ event: 'next_hop_unhealthy', nextHop, reason }, `next hop ${nextHop}: ${reason}`);
    for (const h of [...this.hooks]) {
      try {
        h(nextHop, reason);
      } catch (err) {
        this.log.error({ event: 'hook_error', err: errorMessage(err) }, 'onNextHopUnhealthy callback threw');
      }
    }
  }

  /** EC2 refused a write because the target does not exist. */
  targetGone(id: string): void {
    this.gone.add(id);
    for (const ip of this.resolver.invalidateTarget(id)) this.notify(ip, 'eni-not-found');
  }

  /**
   * Finds owned blackholed routes, reports the next hops (among `wanted`) that resolved to their targets and
   * drops those cache entries so they are looked up again. Returns true when the cache was invalidated.
   */
  scanBlackholes(tables: readonly TableState[], wanted: ReadonlySet<string>): boolean {
    let invalidated = false;
    const before = this.blackholed;
    this.blackholed = new Set();
    for (const t of tables) {
      for (const r of t.routes) {
        if (r.state !== 'blackhole' || !isOwnedRoute(this.own, r)) continue;
        const id = targetId(r.target);
        if (!before.has(id) && !this.blackholed.has(id)) {
          this.log.warn(
            { event: 'route_blackhole', routeTable: t.id, destination: r.destinationText, target: id },
            `${r.destinationText} → ${id} is blackholed`,
          );
        }
        this.blackholed.add(id);
        const ips = new Set(this.resolver.ipsOf(id));
        if (r.target.kind === 'eni' && r.target.instanceId) for (const ip of this.resolver.ipsOf(r.target.instanceId)) ips.add(ip);
        for (const ip of ips) if (wanted.has(ip)) this.notify(ip, 'blackhole');
        if (this.resolver.invalidateTarget(id).length > 0) invalidated = true;
      }
    }
    return invalidated;
  }

  /** After resolution: report next hops nobody holds; re-arm those that resolve to a live ENI. */
  checkResolved(wanted: ReadonlySet<string>): void {
    const dead = this.deadTargets();
    for (const ip of wanted) {
      const r = this.resolver.peek(ip);
      if (r.kind === 'missing') this.notify(ip, 'eni-not-found');
      else if (r.kind === 'found' && !dead.has(r.eni.networkInterfaceId)) this.reported.delete(ip);
    }
  }

  /** Next hops whose ENI has source/destination checking on drop forwarded traffic: the operator must fix it. */
  checkSourceDest(t: TableState, nextHops: ReadonlySet<string>): void {
    const bad: string[] = [];
    for (const ip of nextHops) {
      const r = this.resolver.peek(ip);
      if (r.kind === 'found' && r.eni.sourceDestCheck) bad.push(`${ip} (${r.eni.networkInterfaceId})`);
    }
    if (bad.length === 0) {
      t.operatorErrors.delete('SourceDestCheckEnabled');
      return;
    }
    const msg = `source/destination check is enabled on next hop ${[...new Set(bad)].sort().join(', ')}: the instance will drop forwarded traffic`;
    if (t.operatorErrors.get('SourceDestCheckEnabled') !== msg)
      this.log.error({ event: 'operator_error', routeTable: t.id, code: 'SourceDestCheckEnabled' }, msg);
    t.operatorErrors.set('SourceDestCheckEnabled', msg);
  }
}
