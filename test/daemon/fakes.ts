// Plain fakes of the daemon's ports, recording what the daemon asked of them.
import type { SpeakerEvent, SpeakerListener } from '../../src/bgp/events.js';
import type { BgpPort, RibPort, SyncPort } from '../../src/daemon/ports.js';
import type { ChosenChange } from '../../src/rib/chosen.js';
import type { DesiredChange } from '../../src/vpc/types.js';
import { formatPrefix, parsePrefix } from '../../src/net/prefix.js';

export class FakeBgp implements BgpPort {
  listeners: SpeakerListener[] = [];
  started = false;
  stopped = false;
  start(): Promise<void> {
    this.started = true;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
  on(l: SpeakerListener): void {
    this.listeners.push(l);
  }
  peers() {
    return [];
  }
  emit(ev: SpeakerEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

export class FakeRib implements RibPort {
  applied: SpeakerEvent[] = [];
  unhealthy: string[] = [];
  private cbs: ((batch: readonly ChosenChange[]) => void)[] = [];
  throwOnApply = false;
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  apply(ev: SpeakerEvent): void {
    if (this.throwOnApply) throw new Error('bad path from peer');
    this.applied.push(ev);
    if (ev.type === 'paths') {
      const batch = ev.paths.map((p): ChosenChange => ({
        prefix: p.prefix,
        prefixText: formatPrefix(p.prefix),
        from: undefined,
        to: p.nextHop,
        reason: 'new',
        detail: 'new',
        failover: false,
      }));
      for (const cb of this.cbs) cb(batch);
    }
  }
  onChanges(cb: (batch: readonly ChosenChange[]) => void): void {
    this.cbs.push(cb);
  }
  nextHopUnhealthy(nextHop: string): void {
    this.unhealthy.push(nextHop);
  }
  routes() {
    return { routes: [] };
  }
  explain(): unknown {
    return undefined;
  }
}

export class FakeSync implements SyncPort {
  prepared = 0;
  failPrepare = 0;
  writesEnabled = false;
  /** The desired set as the applied changes built it, by prefix text. */
  desired = new Map<string, string>();
  complete = false;
  stopped = false;
  log: string[] = [];
  private unhealthyCb: ((nh: string, reason: string) => void) | undefined;
  prepare(): Promise<void> {
    this.log.push('prepare');
    if (this.failPrepare > 0) {
      this.failPrepare--;
      return Promise.reject(new Error('UnauthorizedOperation'));
    }
    this.prepared++;
    return Promise.resolve();
  }
  enableWrites(): void {
    this.log.push('enableWrites');
    this.writesEnabled = true;
  }
  applyChanges(batch: readonly DesiredChange[]): void {
    this.log.push(`applyChanges(${batch.length})`);
    for (const c of batch) {
      if (c.to === undefined) this.desired.delete(formatPrefix(c.prefix));
      else this.desired.set(formatPrefix(c.prefix), c.to);
    }
  }
  completeDesired(): void {
    this.log.push(`completeDesired(${this.desired.size})`);
    this.complete = true;
  }
  onNextHopUnhealthy(cb: (nh: string, reason: string) => void): void {
    this.unhealthyCb = cb;
  }
  blackhole(nh: string): void {
    this.unhealthyCb?.(nh, 'blackhole');
  }
  tables() {
    return { tables: [] };
  }
  ec2Calls() {
    return {};
  }
  stop(): Promise<void> {
    this.log.push('stop');
    this.stopped = true;
    return Promise.resolve();
  }
}

export function pathEvent(peer: string, prefix: string, nextHop: string): SpeakerEvent {
  return {
    type: 'paths',
    peer,
    paths: [
      {
        peer,
        peerAsn: 65010,
        pathId: 0,
        prefix: parsePrefix(prefix),
        nextHop,
        stale: false,
        attrs: { origin: 0, asPath: [65010], asPathLength: 1, communities: [], largeCommunities: [], extendedCommunities: [] },
      },
    ],
  };
}

export function peerUp(peer: string, gracefulRestart: boolean, families: readonly ('ipv4' | 'ipv6')[] = ['ipv4']): SpeakerEvent {
  return { type: 'peer-up', info: { peer, asn: 65010, routerId: peer, families, gracefulRestart } };
}
