// What VpcSync is built from: the EC2 client, the cluster, which tables, limits, timing, the write gate and the
// seams tests and benchmarks use. The contract of each is in vpc-sync.ts's header.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { Metrics } from '../base/metrics.js';
import type { Prefix } from '../net/prefix.js';
import type { Backoff, RetryPolicy } from '../base/backoff.js';
import type { AggregateFn } from './desired-table.js';
import type { RateConfig } from './ec2-gateway.js';
import type { TableSelector } from './table-registry.js';
import type { RouteLimitSetting } from './route-quota.js';

/** vpc.spareRoutes' default (src/config/schema.ts has the same; test/config/defaults.test.ts holds them equal). */
export const DEFAULT_SPARE_ROUTES = 16;

export interface VpcSyncOptions {
  readonly ec2: EC2Client;
  /** Reads the route quota when routeLimit is 'auto' (without it: AWS's default, 500). */
  readonly serviceQuotas?: ServiceQuotasClient;
  readonly clusterName: string;
  readonly clusterCidrs: readonly Prefix[];
  /** Explicit IDs, or a VPC's tables by tags or by association with the next hops' subnets (table-discovery.ts). */
  readonly tables: TableSelector;
  /** Per-AZ tables prefer next hops in their own AZ: read each table's AZ from its subnets. */
  readonly preferSameAz?: boolean;
  readonly routeLimit?: RouteLimitSetting;
  readonly headroom?: number;
  /**
   * Routes a table may carry above the minimal table so that a change costs the fewest writes (a failover: one
   * ReplaceRoute) instead of re-minimising the table (default DEFAULT_SPARE_ROUTES, the configuration's default;
   * 0: always the minimal table). Never beyond the route limit.
   */
  readonly spareRoutes?: number;
  readonly debounceMs?: number;
  readonly driftIntervalMs?: number;
  readonly rate?: RateConfig;
  readonly backoff?: RetryPolicy;
  readonly dryRun?: boolean;
  /** Turn the source/destination check off on next-hop ENIs (once per ENI, rate-limited: source-dest-fixer.ts). */
  readonly fixSourceDestCheck?: boolean;
  /** The write gate (HA: leader with a valid lease); asked per pass, per op and immediately before every write. */
  readonly mayWrite?: () => boolean;
  /** Changes whenever the write gate may have closed and reopened (HA: a new term); default constant. */
  readonly writeTerm?: () => number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The aggregator; default src/aggregate (minimal table, least damage under the budget). */
  readonly aggregate?: AggregateFn;
  readonly random?: () => number;
  /** Per-attempt timeout of an EC2 call (default 10 s). */
  readonly callTimeoutMs?: number;
  /** Per-attempt timeout of a mutating EC2 call (default callTimeoutMs): HA's bound on a write in flight. */
  readonly mutatingTimeoutMs?: number;
  /** Delay before a failed pass is retried: at least baseMs, exponential with jitter up to maxMs (1 s … 60 s). */
  readonly retryPass?: Backoff;
  /** Benchmarks: called as each mutating request leaves. */
  readonly onMutatingSend?: (action: string) => void;
  /** Warn (and report not ready) when a change has waited this long for EC2 (default 15 s). */
  readonly stallWarningMs?: number;
  /** Aggregations of at least this many (collapsed) routes run in a worker thread (default 5,000; real aggregator only). */
  readonly offThreadAbove?: number;
}
