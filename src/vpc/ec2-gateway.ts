// The thin, rate-limited shell around @aws-sdk/client-ec2. Every call:
//   1. spends a token from our client-side bucket (mutating or describe, mirroring EC2's buckets),
//   2. is sent once by the SDK (the client is built with maxAttempts: 1, see ec2-client.ts, so that retries,
//      backoff and the request budget are ours alone and never multiplied by hidden SDK retries),
//   3. is retried here with exponential backoff and full jitter on throttles, 5xx, timeouts and connection
//      errors, up to `backoff.maxAttempts`; any other error is thrown at once as an Ec2CallError with its class.
// A mutating call passes the write fence (`mayMutate`, HA) right before each attempt is handed to the SDK.
// Throttles drain our bucket so the next call waits for the refill instead of hammering EC2.
import {
  CreateRouteCommand,
  CreateTagsCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type EC2Client,
  type Filter,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { Clock, TimerHandle } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { canonicalAddressText } from '../net/address.js';
import { tryParsePrefix, type Prefix } from '../net/prefix.js';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from '../base/backoff.js';
import { Ec2CallError, classifyEc2Error, errorCode } from './ec2-errors.js';
import { destinationParams, toTableSnapshot } from './ec2-routes.js';
import { TokenBucket, type BucketConfig } from '../base/token-bucket.js';
import type { TableSnapshot } from './types.js';
import type { VpcMetrics } from './vpc-metrics.js';

export interface RateConfig {
  readonly mutating: BucketConfig;
  readonly describe: BucketConfig;
}

export const EC2_RATE: RateConfig = { mutating: { burst: 50, perSecond: 5 }, describe: { burst: 100, perSecond: 20 } };

export interface EniInfo {
  /** The next-hop IP in canonical text. */
  readonly ip: string;
  readonly networkInterfaceId: string;
  readonly instanceId?: string;
  readonly vpcId: string;
  /** The ENI's subnet and its availability zone ('' when EC2 did not say). */
  readonly subnetId: string;
  readonly az: string;
  readonly sourceDestCheck: boolean;
}

export interface GatewayOptions {
  readonly ec2: EC2Client;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rate?: RateConfig;
  readonly backoff?: RetryPolicy;
  /** Per-attempt timeout on the injected clock (default 10 s). */
  readonly callTimeoutMs?: number;
  /** Per-attempt timeout of mutating calls (default callTimeoutMs). HA bounds a call in flight by it. */
  readonly mutatingTimeoutMs?: number;
  /**
   * The write fence, asked immediately before every mutating request is handed to the SDK (each retry too): false
   * refuses the call with errorClass 'fenced'. HA: this replica is the leader and its lease is valid now.
   */
  readonly mayMutate?: () => boolean;
  readonly metrics?: VpcMetrics;
  readonly random?: () => number;
  /** Called just before a mutating request is handed to the SDK (benchmarks measure from here). */
  readonly onMutatingSend?: (action: string) => void;
}

type CallKind = 'mutating' | 'describe';

export class Ec2Gateway {
  readonly mutating: TokenBucket;
  readonly describe: TokenBucket;
  private readonly backoff: RetryPolicy;
  private closed = false;
  private readonly waiters = new Set<{ timer: TimerHandle; resolve: () => void }>();
  /** Counts of calls actually sent, by action (tests and `status`). */
  readonly sent = new Map<string, number>();

  constructor(private readonly o: GatewayOptions) {
    const rate = o.rate ?? EC2_RATE;
    this.mutating = new TokenBucket(o.clock, rate.mutating);
    this.describe = new TokenBucket(o.clock, rate.describe);
    this.backoff = o.backoff ?? DEFAULT_RETRY;
  }

  /** Ends every wait at once; calls in progress fail with `Aborted`. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters) {
      w.timer.cancel();
      w.resolve();
    }
    this.waiters.clear();
  }

  private wait(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w = {
        timer: this.o.clock.setTimeout(() => {
          this.waiters.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waiters.add(w);
    });
  }

  private async token(kind: CallKind): Promise<void> {
    const bucket = kind === 'mutating' ? this.mutating : this.describe;
    while (!this.closed && !bucket.tryTake()) await this.wait(Math.max(1, bucket.msUntilToken()));
  }

  private aborted(action: string): Ec2CallError {
    return new Ec2CallError(action, 'Aborted', 'other', 'VPC sync stopped');
  }

  /** One EC2 action with budget, timeout, retries and metrics. */
  async call<T>(action: string, kind: CallKind, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.token(kind);
      if (this.closed) throw this.aborted(action);
      if (kind === 'mutating' && this.o.mayMutate && !this.o.mayMutate()) {
        this.o.metrics?.writesFenced.inc({ action });
        throw new Ec2CallError(
          action,
          'WriteFenced',
          'fenced',
          'not sent: the write gate is closed (not the leader, or its lease ran out)',
        );
      }
      const ac = new AbortController();
      const timeout = kind === 'mutating' ? (this.o.mutatingTimeoutMs ?? this.o.callTimeoutMs) : this.o.callTimeoutMs;
      const timer = this.o.clock.setTimeout(() => ac.abort(), timeout ?? 10_000);
      try {
        this.sent.set(action, (this.sent.get(action) ?? 0) + 1);
        if (kind === 'mutating') this.o.onMutatingSend?.(action);
        const out = await send(ac.signal);
        this.o.metrics?.ec2Calls.inc({ action, outcome: 'ok' });
        return out;
      } catch (err) {
        const cls = ac.signal.aborted && !this.closed ? 'transient' : classifyEc2Error(err, action);
        const code = ac.signal.aborted && !this.closed ? 'Timeout' : errorCode(err);
        this.o.metrics?.ec2Calls.inc({ action, outcome: cls === 'throttle' ? 'throttled' : cls === 'transient' ? 'transient' : code });
        if (this.closed) throw this.aborted(action);
        const retryable = cls === 'throttle' || cls === 'transient';
        if (!retryable || attempt + 1 >= this.backoff.maxAttempts) {
          throw new Ec2CallError(action, code, cls, errorMessage(err), { cause: err });
        }
        if (cls === 'throttle') {
          this.o.metrics?.throttles.inc({ action });
          (kind === 'mutating' ? this.mutating : this.describe).drain();
        }
        const delay = retryDelay(attempt, this.backoff, this.o.random);
        this.o.logger.debug(
          { event: 'ec2_retry', action, code, attempt: attempt + 1, delayMs: delay },
          `${action} failed (${code}), retrying`,
        );
        await this.wait(delay);
      } finally {
        timer.cancel();
        (kind === 'mutating' ? this.mutating : this.describe).settle();
      }
    }
  }

  /** All route tables matching the filters, paged with MaxResults/NextToken (each page costs a describe token). */
  async describeRouteTables(filters: readonly Filter[], pageSize = 100): Promise<TableSnapshot[]> {
    const out: TableSnapshot[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const res = await this.call('DescribeRouteTables', 'describe', (abortSignal) =>
        this.o.ec2.send(
          new DescribeRouteTablesCommand({ Filters: [...filters], MaxResults: pageSize, ...(token ? { NextToken: token } : {}) }),
          { abortSignal },
        ),
      );
      for (const t of res.RouteTables ?? []) out.push(toTableSnapshot(t));
      token = res.NextToken;
      if (!token) break;
    }
    return out;
  }

  async describeVpcCidrs(vpcIds: readonly string[]): Promise<Map<string, Prefix[]>> {
    const out = new Map<string, Prefix[]>();
    if (vpcIds.length === 0) return out;
    const res = await this.call('DescribeVpcs', 'describe', (abortSignal) =>
      this.o.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [...vpcIds] }] }), { abortSignal }),
    );
    for (const v of res.Vpcs ?? []) {
      const cidrs: Prefix[] = [];
      const texts = [
        v.CidrBlock,
        ...(v.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock),
        ...(v.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock),
      ];
      for (const t of texts) {
        const p = t ? tryParsePrefix(t, { requireCanonical: false }) : undefined;
        if (p && !cidrs.some((c) => c.family === p.family && c.addr === p.addr && c.len === p.len)) cidrs.push(p);
      }
      if (v.VpcId) out.set(v.VpcId, cidrs);
    }
    return out;
  }

  /**
   * ENIs holding the given IPs, many IPs per request (one filter with many values), paged. IPv4 addresses use
   * `addresses.private-ip-address`, IPv6 ones `ipv6-addresses.ipv6-address`. A batch that EC2 refuses for a
   * non-transient reason (e.g. a filter an endpoint does not support) is logged and its IPs are listed in
   * `failed` rather than reported as "not found"; transient failures (after retries) throw.
   */
  async describeEnisByIp(
    ips: readonly string[],
    vpcIds: readonly string[] = [],
    batch = 100,
  ): Promise<{ enis: EniInfo[]; failed: string[] }> {
    const want = new Set(ips);
    const v4 = ips.filter((ip) => !ip.includes(':'));
    const v6 = ips.filter((ip) => ip.includes(':'));
    const out: EniInfo[] = [];
    const failed: string[] = [];
    const queries: { name: string; values: string[] }[] = [];
    for (let i = 0; i < v4.length; i += batch) queries.push({ name: 'addresses.private-ip-address', values: v4.slice(i, i + batch) });
    for (let i = 0; i < v6.length; i += batch) queries.push({ name: 'ipv6-addresses.ipv6-address', values: v6.slice(i, i + batch) });
    for (const q of queries) {
      const filters: Filter[] = [{ Name: q.name, Values: q.values }];
      if (vpcIds.length > 0) filters.push({ Name: 'vpc-id', Values: [...vpcIds] });
      let found: NetworkInterface[];
      try {
        found = await this.describeEnis(filters);
      } catch (err) {
        if (!(err instanceof Ec2CallError) || err.errorClass === 'throttle' || err.errorClass === 'transient') throw err;
        this.o.logger.error(
          { event: 'eni_lookup_failed', filter: q.name, code: err.ec2Code },
          `next-hop lookup by ${q.name} failed: ${err.message}`,
        );
        failed.push(...q.values);
        continue;
      }
      for (const ni of found) {
        const seen = new Set<string>();
        for (const ip of eniAddresses(ni)) {
          if (!want.has(ip) || seen.has(ip)) continue;
          seen.add(ip);
          const instanceId = ni.Attachment?.InstanceId;
          out.push({
            ip,
            networkInterfaceId: ni.NetworkInterfaceId as string,
            ...(instanceId ? { instanceId } : {}),
            vpcId: ni.VpcId ?? '',
            subnetId: ni.SubnetId ?? '',
            az: ni.AvailabilityZone ?? '',
            sourceDestCheck: ni.SourceDestCheck ?? true,
          });
        }
      }
    }
    return { enis: out, failed };
  }

  /**
   * The addresses of the ENIs that route targets name: per ENI ID, and per instance ID every address of every ENI
   * attached to it (canonical text, IPv4 and IPv6), 100 IDs per paged request. Errors are thrown.
   */
  async addressesOfTargets(eniIds: readonly string[], instanceIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const add = (key: string, ips: readonly string[]) => out.set(key, [...new Set([...(out.get(key) ?? []), ...ips])]);
    for (const [name, ids] of [
      ['network-interface-id', eniIds],
      ['attachment.instance-id', instanceIds],
    ] as const) {
      for (let i = 0; i < ids.length; i += 100) {
        for (const ni of await this.describeEnis([{ Name: name, Values: ids.slice(i, i + 100) }])) {
          const key = name === 'network-interface-id' ? ni.NetworkInterfaceId : ni.Attachment?.InstanceId;
          if (key) add(key, eniAddresses(ni));
        }
      }
    }
    return out;
  }

  /** Every ENI matching the filters (paged, 1000 per page). */
  private async describeEnis(filters: Filter[]): Promise<NetworkInterface[]> {
    const out: NetworkInterface[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const res = await this.call('DescribeNetworkInterfaces', 'describe', (abortSignal) =>
        this.o.ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
          {
            abortSignal,
          },
        ),
      );
      for (const ni of res.NetworkInterfaces ?? []) if (ni.NetworkInterfaceId) out.push(ni);
      token = res.NextToken;
      if (!token) break;
    }
    return out;
  }

  /** Subnet → availability zone, 100 IDs per paged DescribeSubnets. */
  async describeSubnetAzs(subnetIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < subnetIds.length; i += 100) {
      const values = subnetIds.slice(i, i + 100);
      let token: string | undefined;
      for (let page = 0; page < 10_000; page++) {
        const res = await this.call('DescribeSubnets', 'describe', (abortSignal) =>
          this.o.ec2.send(
            new DescribeSubnetsCommand({
              Filters: [{ Name: 'subnet-id', Values: values }],
              MaxResults: 1000,
              ...(token ? { NextToken: token } : {}),
            }),
            { abortSignal },
          ),
        );
        for (const s of res.Subnets ?? []) if (s.SubnetId && s.AvailabilityZone) out.set(s.SubnetId, s.AvailabilityZone);
        token = res.NextToken;
        if (!token) break;
      }
    }
    return out;
  }

  /** Turns the ENI's source/destination check off (it must be off for an instance to forward traffic). */
  async disableSourceDestCheck(networkInterfaceId: string): Promise<void> {
    await this.call('ModifyNetworkInterfaceAttribute', 'mutating', (abortSignal) =>
      this.o.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, SourceDestCheck: { Value: false } }),
        {
          abortSignal,
        },
      ),
    );
  }

  async createTags(resourceId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.call('CreateTags', 'mutating', (abortSignal) =>
      this.o.ec2.send(
        new CreateTagsCommand({ Resources: [resourceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
        { abortSignal },
      ),
    );
  }

  async createRoute(tableId: string, p: Prefix, eni: string): Promise<void> {
    await this.call('CreateRoute', 'mutating', (abortSignal) =>
      this.o.ec2.send(new CreateRouteCommand({ RouteTableId: tableId, NetworkInterfaceId: eni, ...destinationParams(p) }), { abortSignal }),
    );
  }

  async replaceRoute(tableId: string, p: Prefix, eni: string): Promise<void> {
    await this.call('ReplaceRoute', 'mutating', (abortSignal) =>
      this.o.ec2.send(new ReplaceRouteCommand({ RouteTableId: tableId, NetworkInterfaceId: eni, ...destinationParams(p) }), {
        abortSignal,
      }),
    );
  }

  async deleteRoute(tableId: string, p: Prefix): Promise<void> {
    await this.call('DeleteRoute', 'mutating', (abortSignal) =>
      this.o.ec2.send(new DeleteRouteCommand({ RouteTableId: tableId, ...destinationParams(p) }), { abortSignal }),
    );
  }
}

/** An ENI's private IPv4 and IPv6 addresses in canonical text (unparseable ones skipped). */
function eniAddresses(ni: NetworkInterface): string[] {
  const out: string[] = [];
  for (const a of [
    ...(ni.PrivateIpAddresses ?? []).map((x) => x.PrivateIpAddress),
    ni.PrivateIpAddress,
    ...(ni.Ipv6Addresses ?? []).map((x) => x.Ipv6Address),
  ]) {
    if (!a) continue;
    try {
      out.push(canonicalAddressText(a));
    } catch {
      // not an address: EC2 never sends one, and a next hop could not match it anyway
    }
  }
  return out;
}
