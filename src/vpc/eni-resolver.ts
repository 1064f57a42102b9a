// Next-hop IP → ENI, via DescribeNetworkInterfaces (filter addresses.private-ip-address for IPv4,
// ipv6-addresses.ipv6-address for IPv6; many IPs per call), cached. Entries are refreshed when a route to the ENI goes blackhole or EC2 says the ENI/instance is gone
// (invalidate*), and "not found" answers expire after `missingTtlMs` so a freshly launched host is picked up.
import type { Clock } from '../base/clock.js';
import { canonicalAddressText } from '../net/address.js';
import type { EniInfo } from './ec2-gateway.js';

export type Resolution = { readonly kind: 'found'; readonly eni: EniInfo } | { readonly kind: 'missing' } | { readonly kind: 'unknown' };

/** Looks IPs up; `failed` lists IPs whose lookup EC2 refused (they stay unknown, not "missing"). */
export type EniLookup = (ips: readonly string[]) => Promise<{ readonly enis: readonly EniInfo[]; readonly failed: readonly string[] }>;

export class EniResolver {
  /** ip → the ENIs holding it; more than one only when the managed tables span VPCs with overlapping CIDRs. */
  private readonly found = new Map<string, EniInfo[]>();
  private readonly missing = new Map<string, number>(); // ip → time of the answer

  constructor(
    private readonly lookup: EniLookup,
    private readonly clock: Clock,
    private readonly missingTtlMs = 30_000,
  ) {}

  /** Canonical text of a next hop (`::ffff:10.0.0.5` → `10.0.0.5`), or undefined when it is not an IP. */
  static canonical(nextHop: string): string | undefined {
    try {
      return canonicalAddressText(nextHop);
    } catch {
      return undefined;
    }
  }

  /** From the cache only (no I/O). With a VPC, only an ENI of that VPC counts (a route can only target those). */
  /** The ENI ID a next hop (as given) resolves to, from the cache only; undefined when unknown or not found. */
  eniIdOf(nextHop: string, vpcId?: string): string | undefined {
    const ip = EniResolver.canonical(nextHop);
    const r = ip ? this.peek(ip, vpcId) : undefined;
    return r?.kind === 'found' ? r.eni.networkInterfaceId : undefined;
  }

  peek(ip: string, vpcId?: string): Resolution {
    const all = this.found.get(ip);
    const f = vpcId === undefined || vpcId === '' ? all?.[0] : all?.find((e) => e.vpcId === vpcId);
    if (f) return { kind: 'found', eni: f };
    if (all && all.length > 0) return { kind: 'missing' }; // held only in other VPCs
    const at = this.missing.get(ip);
    if (at !== undefined && this.clock.now() - at < this.missingTtlMs) return { kind: 'missing' };
    return { kind: 'unknown' };
  }

  /** Resolves every IP, asking EC2 (batched) only for those not cached. */
  async resolve(ips: Iterable<string>): Promise<Map<string, Resolution>> {
    const out = new Map<string, Resolution>();
    const ask: string[] = [];
    for (const ip of new Set(ips)) {
      const r = this.peek(ip);
      if (r.kind === 'unknown') ask.push(ip);
      else out.set(ip, r);
    }
    if (ask.length > 0) {
      const got = await this.lookup(ask);
      const failed = new Set(got.failed);
      const now = this.clock.now();
      for (const e of got.enis) {
        const list = this.found.get(e.ip) ?? [];
        if (!list.some((x) => x.networkInterfaceId === e.networkInterfaceId)) list.push(e);
        this.found.set(e.ip, list);
      }
      for (const ip of ask) {
        const e = this.found.get(ip)?.[0];
        if (e) {
          this.missing.delete(ip);
          out.set(ip, { kind: 'found', eni: e });
        } else if (failed.has(ip)) {
          out.set(ip, { kind: 'unknown' });
        } else {
          this.missing.set(ip, now);
          out.set(ip, { kind: 'missing' });
        }
      }
    }
    return out;
  }

  invalidateIp(ip: string): void {
    this.found.delete(ip);
    this.missing.delete(ip);
  }

  /** Forgets every IP mapped to this ENI or instance; returns those IPs. */
  invalidateTarget(id: string): string[] {
    const ips: string[] = [];
    for (const [ip, list] of this.found) {
      if (list.some((e) => e.networkInterfaceId === id || e.instanceId === id)) ips.push(ip);
    }
    for (const ip of ips) this.found.delete(ip);
    return ips;
  }

  /** IPs currently mapped to this ENI (or instance). */
  ipsOf(id: string): string[] {
    const ips: string[] = [];
    for (const [ip, list] of this.found) if (list.some((e) => e.networkInterfaceId === id || e.instanceId === id)) ips.push(ip);
    return ips;
  }

  /** The ENIs the cache holds for these IPs (no I/O). */
  foundEnis(ips: Iterable<string>): EniInfo[] {
    const out: EniInfo[] = [];
    for (const ip of ips) out.push(...(this.found.get(ip) ?? []));
    return out;
  }

  /** The source/destination check was turned off on this ENI (by us): the cache follows. */
  markSourceDestOff(networkInterfaceId: string): void {
    for (const [ip, list] of this.found) {
      if (list.some((e) => e.networkInterfaceId === networkInterfaceId && e.sourceDestCheck)) {
        this.found.set(
          ip,
          list.map((e) => (e.networkInterfaceId === networkInterfaceId ? { ...e, sourceDestCheck: false } : e)),
        );
      }
    }
  }

  /** Drops everything (drift pass: re-learn, catching moved IPs and source/dest check changes). */
  clear(): void {
    this.found.clear();
    this.missing.clear();
  }
}
