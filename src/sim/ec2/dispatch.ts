// One EC2 Query request → one response: action lookup, throttling and injected faults, permission denial,
// DryRun, the handler, and XML rendering. Synchronous; the HTTP server adds latency and timeouts.
import { ACTIONS } from './actions/registry.js';
import type { CallLog } from './call-log.js';
import { Ec2ApiError } from './ec2-error.js';
import type { Faults, RateClass } from './faults.js';
import type { Ec2Model } from './model.js';
import { QueryParams } from './query.js';
import { renderError, renderResponse } from './xml.js';

export interface DispatchResult {
  readonly status: number;
  readonly body: string;
  readonly action: string;
  readonly outcome: string;
  readonly mutating: boolean;
}

export interface Dispatcher {
  readonly model: Ec2Model;
  readonly faults: Faults;
  readonly calls: CallLog;
  now(): number;
  nextRequestId(): string;
}

const UNFILTERED_CLASS: Readonly<Record<string, string>> = {
  DescribeInstances: 'InstanceId',
  DescribeNetworkInterfaces: 'NetworkInterfaceId',
};

function rateClass(action: string, kind: 'mutating' | 'describe', q: QueryParams): RateClass {
  if (kind === 'mutating') return 'mutating';
  const idParam = UNFILTERED_CLASS[action];
  if (idParam !== undefined && q.structs('Filter').length === 0 && q.list(idParam).length === 0) return 'unfilteredDescribe';
  return 'describe';
}

/**
 * `accessKeyId`: the caller, from the request's SigV4 signature (null when unsigned). `timedOut`: the caller will
 * not send the answer (an injected timeout); the call log says so.
 */
export function dispatch(d: Dispatcher, body: string, accessKeyId: string | null = null, timedOut = false): DispatchResult {
  const time = d.now();
  const requestId = d.nextRequestId();
  const q = QueryParams.parse(body);
  const action = q.action ?? '';
  const def = ACTIONS.get(action);
  const mutating = def?.kind !== 'describe';
  const flag = timedOut ? { timedOut: true as const } : {};
  const fail = (err: Ec2ApiError): DispatchResult => {
    d.calls.add({ time, action, accessKeyId, params: q.toRecord(), outcome: err.code, httpStatus: err.httpStatus, mutating, ...flag });
    return { status: err.httpStatus, body: renderError(err.code, err.message, requestId), action, outcome: err.code, mutating };
  };
  if (!def) {
    return fail(
      action === ''
        ? new Ec2ApiError('MissingAction', 'The request must contain the parameter Action')
        : new Ec2ApiError('InvalidAction', `The action ${action} is not valid for this web service.`),
    );
  }
  const decision = d.faults.decide(rateClass(action, def.kind, q));
  switch (decision.kind) {
    case 'throttle':
      return fail(new Ec2ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    case 'error5xx':
      if (!decision.afterApply) return fail(internalError());
      break;
    case 'pass':
      break;
  }
  const failAfter = decision.kind === 'error5xx';
  if (d.faults.isDenied(action)) {
    return fail(new Ec2ApiError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
  }
  try {
    if (q.bool('DryRun') === true) {
      return fail(new Ec2ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412));
    }
    const out = def.handler({ model: d.model, q });
    if (failAfter) return fail(internalError());
    d.calls.add({ time, action, accessKeyId, params: q.toRecord(), outcome: 'ok', httpStatus: 200, mutating, ...flag });
    return { status: 200, body: renderResponse(action, requestId, out), action, outcome: 'ok', mutating };
  } catch (err) {
    if (err instanceof Ec2ApiError) return fail(err);
    return fail(new Ec2ApiError('InternalError', `An internal error has occurred (${String(err)})`, 500));
  }
}

const internalError = (): Ec2ApiError => new Ec2ApiError('InternalError', 'An internal error has occurred', 500);
