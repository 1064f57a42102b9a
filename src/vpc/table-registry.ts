// The managed route tables and their state in EC2: discovery (by ID, by VPC + tags, or by association with the
// next hops' subnets: table-discovery.ts), claiming with the `bgp2vpc:cluster` tag, refusal of tables claimed by
// another cluster, re-reads (paged, one describe for all stale tables), and each table's AZ (from its subnets,
// read once per subnet, when asked for). Errors are recorded on the table (status, log), never thrown, except when
// EC2 cannot be read at all.
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { Ec2CallError, TableClaimedError } from './ec2-errors.js';
import type { Ec2Gateway } from './ec2-gateway.js';
import { CLAIM_TAG, claimState, installedTargets, type Ownership } from './ownership.js';
import { learnLimits, newTableState, type TableState } from './table-state.js';
import type { Family } from '../net/address.js';
import { discoverTables, tableAz, type TableSelector } from './table-discovery.js';
import type { TableSnapshot } from './types.js';
import { InstalledTargets } from './installed-targets.js';

export type { TableSelector };

const NOT_FOUND = 'InvalidRouteTableID.NotFound';

export class TableRegistry {
  tables: TableState[] = [];
  /** The next hops' subnets (discovery by association). */
  private subnets: ReadonlySet<string> = new Set();
  private readonly subnetAz = new Map<string, string>();

  constructor(
    private readonly gw: Ec2Gateway,
    private readonly clusterName: string,
    private readonly selector: TableSelector,
    private readonly log: Logger,
    /** Read each table's AZ from its subnets (per-AZ next-hop preference). */
    private readonly withAzs = false,
  ) {}

  /**
   * The hosts our installed routes lead to: per ENI or instance that an active route of ours targets, its
   * addresses, and where the tables send each prefix (per AZ, installed-targets.ts). One DescribeNetworkInterfaces
   * per 100 targets; throws when EC2 cannot say.
   */
  async installedHosts(own: Ownership): Promise<{ hosts: string[][]; targets: InstalledTargets }> {
    const routes = this.tables.flatMap((t) => t.routes);
    const { enis, instances } = installedTargets(own, routes);
    const addresses =
      enis.length === 0 && instances.length === 0 ? new Map<string, string[]>() : await this.gw.addressesOfTargets(enis, instances);
    return {
      hosts: [...addresses.values()].filter((ips) => ips.length > 0),
      targets: new InstalledTargets(own, this.tables, addresses),
    };
  }

  vpcIds(): string[] {
    const ids = this.tables.map((t) => t.vpcId);
    if ('vpcId' in this.selector) ids.push(this.selector.vpcId);
    return [...new Set(ids.filter((v) => v !== ''))];
  }

  private get byAssociation(): boolean {
    return 'vpcId' in this.selector && this.selector.by === 'association';
  }

  private query(): Promise<TableSnapshot[]> {
    const sel = this.selector;
    return 'ids' in sel
      ? this.gw.describeRouteTables([{ Name: 'route-table-id', Values: [...sel.ids] }])
      : discoverTables(this.gw, sel, this.subnets);
  }

  /**
   * Discovery by association: the subnets of the next-hop ENIs. True when they changed (then refreshAll()
   * re-runs the discovery; it also does on every drift pass).
   */
  setNextHopSubnets(subnets: ReadonlySet<string>): boolean {
    if (!this.byAssociation || (subnets.size === this.subnets.size && [...subnets].every((x) => this.subnets.has(x)))) return false;
    this.subnets = new Set(subnets);
    return true;
  }

  /** Reads the selected tables and their VPCs' CIDRs. Throws when EC2 cannot be read. */
  async discover(): Promise<void> {
    const sel = this.selector;
    const snaps = await this.query();
    this.tables = snaps.map((s) => newTableState(s, claimState(s.tags, this.clusterName)));
    if ('ids' in sel) {
      for (const id of sel.ids) {
        if (this.tables.some((t) => t.id === id)) continue;
        const t = newTableState({ id, vpcId: '', tags: {}, routes: [], subnetIds: [], main: false }, { kind: 'unclaimed' });
        this.markMissing(t);
        this.tables.push(t);
      }
    } else if (this.tables.length === 0 && !this.byAssociation) {
      this.log.warn({ event: 'no_tables', vpcId: sel.vpcId }, 'no route table matches the discovery filter');
    }
    await this.loadVpcCidrs(this.tables);
    await this.loadAzs();
    for (const t of this.tables) this.checkClaim(t);
  }

  /** Each table's AZ from its subnets; DescribeSubnets only for subnets not seen before. */
  private async loadAzs(): Promise<void> {
    if (!this.withAzs) return;
    const unknown = [...new Set(this.tables.flatMap((t) => t.subnetIds))].filter((id) => !this.subnetAz.has(id));
    if (unknown.length > 0) for (const [id, az] of await this.gw.describeSubnetAzs(unknown)) this.subnetAz.set(id, az);
    for (const t of this.tables) {
      const az = tableAz(t.subnetIds, (id) => this.subnetAz.get(id));
      if (az !== t.az)
        this.log.info({ event: 'table_az', routeTable: t.id, az: az ?? null }, `route table ${t.id} serves ${az ?? 'no single AZ'}`);
      t.az = az;
    }
  }

  private async loadVpcCidrs(tables: readonly TableState[]): Promise<void> {
    const ids = [...new Set(tables.map((t) => t.vpcId).filter((v) => v !== ''))];
    if (ids.length === 0) return;
    const cidrs = await this.gw.describeVpcCidrs(ids);
    for (const t of tables) t.vpcCidrs = cidrs.get(t.vpcId) ?? t.vpcCidrs;
  }

  private markMissing(t: TableState): void {
    if (!t.missing) this.log.error({ event: 'table_missing', routeTable: t.id }, `route table ${t.id} not found`);
    t.missing = true;
    t.operatorErrors.set(NOT_FOUND, `route table ${t.id} does not exist (or is not visible to these credentials)`);
  }

  /** A table claimed by another cluster is refused: reported, never written. */
  private checkClaim(t: TableState): void {
    const e = t.claim.kind === 'foreign' ? new TableClaimedError(t.id, t.claim.owner, this.clusterName) : undefined;
    if (!e) {
      t.operatorErrors.delete('TABLE_CLAIMED_BY_OTHER_CLUSTER');
      return;
    }
    if (!t.operatorErrors.has(e.code)) this.log.error({ event: 'table_refused', routeTable: t.id, owner: e.owner }, e.message);
    t.operatorErrors.set(e.code, e.message);
  }

  /**
   * Re-reads every managed table. With tables discovered (tags, association) this is the discovery query again: a
   * table that now matches is taken on (claimed at the next write), one that no longer does, or is gone, is let
   * go, untouched.
   */
  async refreshAll(): Promise<void> {
    if ('ids' in this.selector) return this.refresh(this.tables);
    const what = this.byAssociation ? 'is associated with a next hop subnet' : 'matches the discovery filter';
    const snaps = await this.query();
    const byId = new Map(this.tables.map((t) => [t.id, t]));
    const next: TableState[] = [];
    const added: TableState[] = [];
    for (const s of snaps) {
      const t = byId.get(s.id);
      if (!t) {
        const fresh = newTableState(s, claimState(s.tags, this.clusterName));
        this.log.info({ event: 'table_discovered', routeTable: s.id }, `route table ${s.id} now ${what}`);
        added.push(fresh);
        next.push(fresh);
        continue;
      }
      t.stale = false;
      t.routes = [...s.routes];
      t.tags = { ...s.tags };
      t.subnetIds = s.subnetIds;
      t.main = s.main;
      t.claim = claimState(s.tags, this.clusterName);
      next.push(t);
    }
    for (const t of this.tables) {
      if (!next.includes(t))
        this.log.info(
          { event: 'table_released', routeTable: t.id },
          `route table ${t.id} no longer ${what} (or is gone); no longer managed (routes left as they are)`,
        );
    }
    this.tables = next;
    await this.loadVpcCidrs(added);
    await this.loadAzs();
    for (const t of this.tables) this.checkClaim(t);
  }

  /** Tags unclaimed tables as ours (a write: only call when writes are allowed). */
  async claimUnclaimed(): Promise<void> {
    for (const t of this.tables) {
      if (t.claim.kind !== 'unclaimed' || t.missing) continue;
      try {
        await this.gw.createTags(t.id, { [CLAIM_TAG]: this.clusterName });
        t.tags[CLAIM_TAG] = this.clusterName;
        t.claim = { kind: 'ours' };
        this.log.info({ event: 'table_claimed', routeTable: t.id }, `claimed ${t.id} for cluster ${this.clusterName}`);
      } catch (err) {
        if (err instanceof Ec2CallError && err.errorClass === 'fenced') return; // not the writer any more
        recordTableError(t, err, this.log);
      }
    }
  }

  /**
   * EC2 refused a create with RouteLimitExceeded: its quota is what the table holds now (read afresh, never our
   * possibly stale copy). From here on the table is planned and aggregated for that quota. True when learned.
   */
  async learnLimit(t: TableState, families: ReadonlySet<Family>, configured: number): Promise<boolean> {
    await this.refresh([t]);
    return learnLimits(t, families, configured, this.log);
  }

  /** Re-reads the given tables, 100 IDs per paged DescribeRouteTables. Throws when EC2 cannot be read. */
  async refresh(tables: readonly TableState[]): Promise<void> {
    if (tables.length === 0) return;
    const snaps = [];
    for (let i = 0; i < tables.length; i += 100) {
      const ids = tables.slice(i, i + 100).map((t) => t.id); // EC2 caps the values of one filter
      snaps.push(...(await this.gw.describeRouteTables([{ Name: 'route-table-id', Values: ids }])));
    }
    const found: TableState[] = [];
    for (const t of tables) {
      const s = snaps.find((x) => x.id === t.id);
      t.stale = false;
      if (!s) {
        this.markMissing(t);
        continue;
      }
      if (t.missing || t.vpcId !== s.vpcId) found.push(t);
      t.operatorErrors.delete(NOT_FOUND);
      t.missing = false;
      t.vpcId = s.vpcId;
      t.routes = [...s.routes];
      t.tags = { ...s.tags };
      t.subnetIds = s.subnetIds;
      t.main = s.main;
      t.claim = claimState(s.tags, this.clusterName);
      this.checkClaim(t);
    }
    await this.loadVpcCidrs(found);
    await this.loadAzs();
  }
}

/** Operator errors (permissions, quota, missing table) go to operatorErrors; the rest to lastError. */
export function recordTableError(t: TableState, err: unknown, log: Logger): void {
  if (err instanceof Ec2CallError && (err.errorClass === 'operator' || err.errorClass === 'table-gone')) {
    t.operatorErrors.set(err.ec2Code, err.message);
    log.error({ event: 'operator_error', routeTable: t.id, code: err.ec2Code }, err.message);
  } else {
    t.lastError = errorMessage(err);
    log.warn({ event: 'table_error', routeTable: t.id, err: t.lastError }, t.lastError);
  }
}
