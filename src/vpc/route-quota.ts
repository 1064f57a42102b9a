// The route quota VPC sync plans for: "Routes per route table" (Service Quotas: ServiceCode `vpc`, QuotaCode
// `L-93826ACB`), per account and region, counted per table and address family. Its default is 500 since June 2025
// (was 50), adjustable up to 1000.
//
// `vpc.routeLimit: auto` (the default) reads the applied value once at start with GetServiceQuota, through the
// gateway's rate-limited, retried call (describe bucket). When the call is denied, the quota is unknown to Service
// Quotas, or the endpoint cannot answer after retries, AWS's default (500) is used and the reason logged; EC2
// itself still has the last word: a RouteLimitExceeded teaches the table's real quota (vpc-sync.ts learnLimit).
// A number in the config overrides all of this.
import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { Ec2CallError } from './ec2-errors.js';
import type { Ec2Gateway } from './ec2-gateway.js';

export const ROUTE_QUOTA_CODE = { serviceCode: 'vpc', quotaCode: 'L-93826ACB' } as const;
/** AWS's default for "Routes per route table" since June 2025. */
export const AWS_DEFAULT_ROUTE_QUOTA = 500;
/** The most EC2 allows after a quota increase. */
export const MAX_ROUTE_QUOTA = 1000;

export type RouteLimitSetting = number | 'auto';

/** Where the limit in force came from. */
export type RouteQuotaSource = 'config' | 'service-quotas' | 'aws-default';

export interface RouteQuota {
  readonly limit: number;
  readonly source: RouteQuotaSource;
  /** Why AWS's default is used (source 'aws-default'). */
  readonly reason?: string;
}

/** A quota value as a route count: a whole number from 1 up to EC2's maximum, or undefined when it is not one. */
export function quotaValue(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value) || value < 1) return undefined;
  return Math.min(MAX_ROUTE_QUOTA, Math.floor(value));
}

/**
 * The quota in force for `setting`: the number as configured, or (auto) the applied quota from Service Quotas,
 * falling back to AWS's default when there is no client, the call is refused, or it keeps failing.
 */
export async function resolveRouteQuota(
  setting: RouteLimitSetting,
  gw: Ec2Gateway,
  sq: ServiceQuotasClient | undefined,
  log: Logger,
): Promise<RouteQuota> {
  if (setting !== 'auto') return { limit: setting, source: 'config' };
  const fallback = (reason: string): RouteQuota => {
    log.warn(
      { event: 'route_quota_default', limit: AWS_DEFAULT_ROUTE_QUOTA, reason },
      `route quota: using AWS's default of ${AWS_DEFAULT_ROUTE_QUOTA} routes per table (${reason}); a RouteLimitExceeded still teaches the real one`,
    );
    return { limit: AWS_DEFAULT_ROUTE_QUOTA, source: 'aws-default', reason };
  };
  if (!sq) return fallback('no Service Quotas client');
  let value: number | undefined;
  try {
    const out = await gw.call('GetServiceQuota', 'describe', (abortSignal) =>
      sq.send(new GetServiceQuotaCommand({ ServiceCode: ROUTE_QUOTA_CODE.serviceCode, QuotaCode: ROUTE_QUOTA_CODE.quotaCode }), {
        abortSignal,
      }),
    );
    value = out.Quota?.Value;
  } catch (err) {
    if (err instanceof Ec2CallError && err.ec2Code === 'Aborted') throw err;
    return fallback(err instanceof Ec2CallError ? `GetServiceQuota: ${err.ec2Code}` : `GetServiceQuota: ${errorMessage(err)}`);
  }
  const limit = quotaValue(value);
  if (limit === undefined) return fallback(`GetServiceQuota answered no usable value (${String(value)})`);
  log.info(
    { event: 'route_quota_read', limit },
    `route quota: ${limit} routes per table and family (Service Quotas ${ROUTE_QUOTA_CODE.quotaCode})`,
  );
  return { limit, source: 'service-quotas' };
}
