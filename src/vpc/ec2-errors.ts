// EC2 error classification. The SDK raises ServiceExceptions whose `name` is the EC2 error code
// (`RouteAlreadyExists`, `RequestLimitExceeded`…) and whose `$metadata.httpStatusCode` is the HTTP status;
// network failures and timeouts arrive as plain errors (`TimeoutError`, `ECONNRESET`…).
import { Bgp2vpcError } from '../base/errors.js';

export type Ec2ErrorClass =
  /** RequestLimitExceeded and friends: drain our bucket, back off, retry. */
  | 'throttle'
  /** 5xx, timeouts, connection errors: back off, retry. */
  | 'transient'
  /** The table is not what we thought (RouteAlreadyExists, no route to replace/delete): re-read and re-plan. */
  | 'conflict'
  /** The ENI or instance named as target is gone: refresh the next-hop cache, tell the health hook. */
  | 'target-gone'
  /** The route table is gone. */
  | 'table-gone'
  /** The operator's to fix: permissions, quota, a destination EC2 refuses. Reported, never retried in a loop. */
  | 'operator'
  /** Never sent: the write gate closed (HA: not the leader, or its lease ran out). Stop writing; nothing failed. */
  | 'fenced'
  | 'other';

const THROTTLE = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequestsException']);
const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RequestExpired',
]);
const NET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);
const CONFLICT = new Set(['RouteAlreadyExists', 'InvalidRoute.NotFound']);
const TARGET_GONE = new Set(['InvalidNetworkInterfaceID.NotFound', 'InvalidInstanceID.NotFound', 'InvalidNetworkInterfaceID.Malformed']);
const OPERATOR = new Set([
  'UnauthorizedOperation',
  'AccessDeniedException', // the JSON-protocol services' denial (Service Quotas)
  'AuthFailure',
  'RouteLimitExceeded',
  'OptInRequired',
  'Blocked',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
]);

export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; code?: unknown; Code?: unknown };
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.code === 'string' && !(err instanceof Ec2CallError)) return e.code;
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  }
  return 'UnknownError';
}

function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const md = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof md?.httpStatusCode === 'number' ? md.httpStatusCode : undefined;
}

/**
 * Classifies an error from an EC2 call. `action` matters for one code: InvalidParameterValue from ReplaceRoute
 * means "there is no route to replace" (a conflict), elsewhere it is the operator's (e.g. a destination inside
 * the VPC CIDR).
 */
export function classifyEc2Error(err: unknown, action: string): Ec2ErrorClass {
  const code = errorCode(err);
  if (THROTTLE.has(code)) return 'throttle';
  if (CONFLICT.has(code)) return 'conflict';
  if (code === 'InvalidParameterValue') return action === 'ReplaceRoute' ? 'conflict' : 'operator';
  if (TARGET_GONE.has(code)) return 'target-gone';
  if (code === 'InvalidRouteTableID.NotFound') return 'table-gone';
  if (OPERATOR.has(code)) return 'operator';
  if (TRANSIENT.has(code) || NET_CODES.has(code)) return 'transient';
  const status = httpStatus(err);
  if (status === 503 && /throttl|limit/i.test(String((err as Error).message))) return 'throttle';
  if (status !== undefined && status >= 500) return 'transient';
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; message?: unknown; cause?: unknown };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'transient';
    if (typeof e.message === 'string' && /socket hang up|timed? ?out|ECONNRESET|ECONNREFUSED/i.test(e.message)) return 'transient';
    const causeCode = (e.cause as { code?: unknown } | undefined)?.code;
    if (typeof causeCode === 'string' && NET_CODES.has(causeCode)) return 'transient';
  }
  return 'other';
}

/** An EC2 call that failed for good (after our retries, or at once for non-retryable classes). */
export class Ec2CallError extends Bgp2vpcError {
  constructor(
    readonly action: string,
    readonly ec2Code: string,
    readonly errorClass: Ec2ErrorClass,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('EC2_CALL_FAILED', `${action}: ${ec2Code}: ${message}`, options);
  }
}

/** A route table claimed by another cluster: never written. */
export class TableClaimedError extends Bgp2vpcError {
  constructor(
    readonly tableId: string,
    readonly owner: string,
    clusterName: string,
  ) {
    super(
      'TABLE_CLAIMED_BY_OTHER_CLUSTER',
      `route table ${tableId} is claimed by cluster "${owner}" (tag bgp2vpc:cluster), not "${clusterName}"; refusing to write it`,
    );
  }
}
