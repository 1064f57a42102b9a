// `doctor`: the route quota bgp2vpc will plan for, and where it comes from (vpc.routeLimit, Service Quotas, or
// AWS's default when Service Quotas cannot be read). Read-only: one GetServiceQuota.
import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { Config } from '../config/index.js';
import { errorMessage } from '../base/errors.js';
import { errorCode } from '../vpc/ec2-errors.js';
import { AWS_DEFAULT_ROUTE_QUOTA, ROUTE_QUOTA_CODE, quotaValue } from '../vpc/route-quota.js';
import type { CheckResult } from './doctor-checks.js';

const QUOTA = `Service Quotas ${ROUTE_QUOTA_CODE.serviceCode}/${ROUTE_QUOTA_CODE.quotaCode}`;

/** The account's quota, or why it could not be read. */
async function readQuota(sq: ServiceQuotasClient): Promise<{ limit: number } | { error: string; denied: boolean }> {
  try {
    const out = await sq.send(
      new GetServiceQuotaCommand({ ServiceCode: ROUTE_QUOTA_CODE.serviceCode, QuotaCode: ROUTE_QUOTA_CODE.quotaCode }),
    );
    const limit = quotaValue(out.Quota?.Value);
    return limit === undefined ? { error: `no usable value (${String(out.Quota?.Value)})`, denied: false } : { limit };
  } catch (err) {
    const code = errorCode(err);
    return { error: `${code}: ${errorMessage(err)}`, denied: code === 'AccessDeniedException' || code === 'UnauthorizedOperation' };
  }
}

/** The quota check and the limit the other checks should use (what `run` would plan for). */
export async function quotaCheck(sq: ServiceQuotasClient, config: Config): Promise<{ result: CheckResult; limit: number }> {
  const setting = config.vpc.routeLimit;
  const read = await readQuota(sq);
  if (setting !== 'auto') {
    if ('limit' in read && read.limit < setting) {
      return {
        limit: setting,
        result: {
          check: 'route quota',
          verdict: 'warn',
          detail: `${setting} routes per table and family (vpc.routeLimit), above the account's quota of ${read.limit} (${QUOTA})`,
          fix: `set vpc.routeLimit: auto (or at most ${read.limit}), or raise the quota; EC2 refuses routes past it (bgp2vpc then learns it from RouteLimitExceeded)`,
        },
      };
    }
    const quota = 'limit' in read ? `the account's quota is ${read.limit}` : `the account's quota could not be read: ${read.error}`;
    return {
      limit: setting,
      result: { check: 'route quota', verdict: 'ok', detail: `${setting} routes per table and family (vpc.routeLimit; ${quota})` },
    };
  }
  if ('limit' in read) {
    return {
      limit: read.limit,
      result: { check: 'route quota', verdict: 'ok', detail: `${read.limit} routes per table and family (${QUOTA})` },
    };
  }
  return {
    limit: AWS_DEFAULT_ROUTE_QUOTA,
    result: {
      check: 'route quota',
      verdict: 'warn',
      detail: `${AWS_DEFAULT_ROUTE_QUOTA} routes per table and family (AWS's default: GetServiceQuota failed: ${read.error})`,
      fix: read.denied
        ? 'allow servicequotas:GetServiceQuota (deploy/iam/bgp2vpc-policy.json), or set vpc.routeLimit to the quota'
        : 'set vpc.serviceQuotasEndpoint (behind a VPC endpoint) or vpc.routeLimit to the quota',
    },
  };
}
