// What VPC sync tells the route spec about AZs (vpc.preferSameAz): the AZs its route tables serve, and the AZ of
// every candidate next hop, not only the chosen ones (a host that is nobody's default choice can still be the
// same-AZ choice of a table). The daemon hands it the route spec's next hops (watch); each pass looks up the ones
// not cached yet, in the same batched DescribeNetworkInterfaces as the chosen ones, and reports each AZ once
// ('' when no ENI in the managed VPCs holds the address), and again only if it changes.
import { EniResolver } from './eni-resolver.js';

export interface AzListener {
  tableAzs(azs: readonly string[]): void;
  nextHopAz(nextHop: string, az: string): void;
}

export class AzReporter {
  private readonly listeners: AzListener[] = [];
  /** Watched next hop (as given) → canonical IP. */
  private readonly watched = new Map<string, string>();
  private readonly reported = new Map<string, string>();
  private tables: string | undefined;

  subscribe(l: AzListener): void {
    this.listeners.push(l);
  }

  watch(added: readonly string[], removed: readonly string[]): void {
    for (const nh of removed) {
      this.watched.delete(nh);
      this.reported.delete(nh);
    }
    for (const nh of added) {
      const ip = EniResolver.canonical(nh);
      if (ip !== undefined) this.watched.set(nh, ip);
    }
  }

  /** The canonical IPs to look up. */
  ips(): Set<string> {
    return new Set(this.watched.values());
  }

  /** One pass's turn: the tables' AZs, then the watched and `wanted` next hops looked up and their AZs reported. */
  async learn(
    resolver: EniResolver,
    tables: readonly { readonly az: string | undefined }[],
    wanted: ReadonlySet<string>,
    vpcIds: readonly string[],
  ): Promise<void> {
    this.reportTables(tables.map((t) => t.az));
    await resolver.resolve(new Set([...this.ips(), ...wanted]));
    this.report(resolver, vpcIds);
  }

  /** After a lookup: reports every watched next hop whose AZ is now known and new. */
  report(resolver: EniResolver, vpcIds: readonly string[]): void {
    for (const [nh, ip] of this.watched) {
      const r = resolver.peek(ip);
      if (r.kind === 'unknown') continue;
      const az = r.kind === 'found' && (vpcIds.length === 0 || vpcIds.includes(r.eni.vpcId)) ? r.eni.az : '';
      if (this.reported.get(nh) === az) continue;
      this.reported.set(nh, az);
      for (const l of this.listeners) l.nextHopAz(nh, az);
    }
  }

  /** The AZs the tables serve; reported when the set changes. */
  reportTables(azs: Iterable<string | undefined>): void {
    const list = [...new Set([...azs].filter((a): a is string => a !== undefined && a !== ''))].sort();
    const key = list.join(',');
    if (key === this.tables) return;
    this.tables = key;
    for (const l of this.listeners) l.tableAzs(list);
  }
}
