// The one Service Quotas action bgp2vpc uses, GetServiceQuota, for the quota "Routes per route table" (ServiceCode
// `vpc`, QuotaCode `L-93826ACB`), answering with the emulator's route limit. Service Quotas speaks the AWS JSON 1.1
// protocol, not EC2's Query protocol: POST / with `X-Amz-Target: ServiceQuotasV20190624.GetServiceQuota`, a JSON
// body, and errors as HTTP 400 with `{"__type": Code, "message": …}` (the SDK reads the code from `__type`).
// Denial (faults.deny(['GetServiceQuota'])) answers AccessDeniedException, throttling TooManyRequestsException,
// both recorded in the call log like EC2 actions.
import type { CallLog } from './call-log.js';
import type { Faults } from './faults.js';

export const SERVICE_QUOTAS_TARGET_PREFIX = 'ServiceQuotasV20190624.';
export const ROUTES_PER_TABLE_QUOTA = { serviceCode: 'vpc', quotaCode: 'L-93826ACB' } as const;
const ACCOUNT_ID = '123456789012';

export interface ServiceQuotasContext {
  readonly faults: Faults;
  readonly calls: CallLog;
  readonly routeLimit: () => number;
  readonly region: string;
  now(): number;
}

export interface JsonResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

function reply(status: number, json: unknown, errorType?: string): JsonResult {
  return {
    status,
    body: JSON.stringify(json),
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
  };
}

/** One Service Quotas request (`target` is the X-Amz-Target header). Synchronous, like the EC2 dispatcher. */
export function serviceQuotasRequest(c: ServiceQuotasContext, target: string, body: string, accessKeyId: string | null = null): JsonResult {
  const action = target.slice(SERVICE_QUOTAS_TARGET_PREFIX.length);
  let params: Record<string, string> = {};
  const time = c.now();
  const fail = (status: number, code: string, message: string): JsonResult => {
    c.calls.add({ time, action, accessKeyId, params, outcome: code, httpStatus: status, mutating: false });
    return reply(status, { __type: code, message }, code);
  };
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    params = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } catch {
    return fail(400, 'SerializationException', 'The request body is not a JSON object');
  }
  if (action !== 'GetServiceQuota') return fail(400, 'UnknownOperationException', `Operation ${action} is not emulated`);
  if (c.faults.decide('describe').kind === 'throttle') return fail(400, 'TooManyRequestsException', 'Rate exceeded');
  if (c.faults.isDenied(action)) {
    return fail(400, 'AccessDeniedException', `User is not authorized to perform: servicequotas:${action}`);
  }
  const { ServiceCode: serviceCode, QuotaCode: quotaCode } = params;
  if (serviceCode === undefined || quotaCode === undefined)
    return fail(400, 'IllegalArgumentException', 'ServiceCode and QuotaCode are required');
  if (serviceCode !== ROUTES_PER_TABLE_QUOTA.serviceCode || quotaCode !== ROUTES_PER_TABLE_QUOTA.quotaCode) {
    return fail(
      400,
      'NoSuchResourceException',
      `The request failed because the specified quota ${serviceCode}/${quotaCode} does not exist`,
    );
  }
  c.calls.add({ time, action, accessKeyId, params, outcome: 'ok', httpStatus: 200, mutating: false });
  return reply(200, {
    Quota: {
      ServiceCode: serviceCode,
      ServiceName: 'Amazon Virtual Private Cloud (Amazon VPC)',
      QuotaArn: `arn:aws:servicequotas:${c.region}:${ACCOUNT_ID}:${serviceCode}/${quotaCode}`,
      QuotaCode: quotaCode,
      QuotaName: 'Routes per route table',
      Value: c.routeLimit(),
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
    },
  });
}
