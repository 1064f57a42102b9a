// The admin HTTP API under /_emulator/ (JSON in, JSON out): observation, fault injection and drift, for the
// standalone emulator and scripts. Routes are listed in emulator.ts.
import { Ec2ApiError } from './ec2-error.js';
import { snapshot } from './snapshot.js';
import { applyState, StateFileError } from './state-file.js';
import type { CallLog, Counters } from './call-log.js';
import type { FaultScope, Faults, ThrottleConfig } from './faults.js';
import type { Ec2Model } from './model.js';
import type { TargetInput } from './route-ops.js';

/** What the admin API works on: the running emulator (emulator.ts), seen through the little it needs. */
export interface AdminTarget {
  readonly endpoint: string;
  readonly model: Ec2Model;
  readonly faults: Faults;
  readonly callLog: CallLog;
  counters(): Counters;
  reset(): void;
  terminateInstance(id: string): void;
  deleteEni(id: string): void;
  setRoute(routeTableId: string, destination: string, target: TargetInput): void;
  deleteRoute(routeTableId: string, destination: string): boolean;
}

export interface AdminResponse {
  readonly status: number;
  readonly json: unknown;
}

const ok = (json: unknown = { ok: true }): AdminResponse => ({ status: 200, json });
const bad = (message: string, status = 400): AdminResponse => ({ status, json: { error: message } });

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

function setFaults(emu: AdminTarget, body: Record<string, unknown>): void {
  if (body.clear === true) emu.faults.clear();
  if (typeof body.frozen === 'boolean') emu.faults.freeze(body.frozen);
  if ('throttle' in body) {
    const t = body.throttle;
    emu.faults.throttle(typeof t === 'boolean' ? t : (obj(t) as Partial<ThrottleConfig>));
  }
  if ('errorRate' in body) {
    const e = obj(body.errorRate);
    const scope = e.scope === 'mutating' || e.scope === 'describe' ? (e.scope as FaultScope) : 'all';
    emu.faults.errorRate(
      num(e.p, typeof body.errorRate === 'number' ? body.errorRate : 0),
      num(e.seed, 1),
      scope,
      e.when === 'after' ? 'after' : 'before',
    );
  }
  if ('latency' in body) {
    const l = obj(body.latency);
    emu.faults.latency(num(l.ms, typeof body.latency === 'number' ? body.latency : 0), num(l.jitter, 0));
  }
  if ('timeouts' in body) {
    const t = obj(body.timeouts);
    const reset = typeof t.resetAfterMs === 'number' ? t.resetAfterMs : undefined;
    emu.faults.timeouts(num(t.p, typeof body.timeouts === 'number' ? body.timeouts : 0), num(t.seed, 3), reset);
  }
  if (Array.isArray(body.deny)) emu.faults.deny(body.deny.filter((a): a is string => typeof a === 'string'));
}

function target(v: unknown): TargetInput {
  const t = obj(v);
  const s = (k: string): string | undefined => (typeof t[k] === 'string' ? t[k] : undefined);
  return {
    gatewayId: s('gatewayId'),
    instanceId: s('instanceId'),
    networkInterfaceId: s('networkInterfaceId'),
    natGatewayId: s('natGatewayId'),
    vpcPeeringConnectionId: s('vpcPeeringConnectionId'),
    transitGatewayId: s('transitGatewayId'),
    egressOnlyInternetGatewayId: s('egressOnlyInternetGatewayId'),
  };
}

export function handleAdmin(emu: AdminTarget, method: string, url: URL, body: unknown): AdminResponse {
  const path = url.pathname.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  const b = obj(body);
  try {
    switch (`${method} ${parts[0] ?? ''}`) {
      case 'GET ':
      case 'GET health':
        return ok({ ok: true, endpoint: emu.endpoint });
      case 'GET state':
        return ok(snapshot(emu.model));
      case 'GET calls': {
        const since = Number(url.searchParams.get('since') ?? 0);
        const action = url.searchParams.get('action');
        const calls = emu.callLog.entries(since).filter((c) => action === null || c.action === action);
        return ok({ lastSeq: emu.callLog.lastSeq, calls });
      }
      case 'GET counters':
        return ok(emu.counters());
      case 'POST reset':
        emu.reset();
        return ok();
      case 'GET faults':
        return ok(emu.faults.snapshot());
      case 'POST faults':
        setFaults(emu, b);
        return ok(emu.faults.snapshot());
      case 'POST route-limit':
        emu.model.routeLimit = num(b.limit, emu.model.routeLimit);
        return ok({ routeLimit: emu.model.routeLimit });
      case 'POST setup':
        return ok({ names: Object.fromEntries(applyState(emu.model, body as never)) });
      case 'POST instances': {
        const [, id, verb] = parts;
        if (id === undefined) return bad('instance ID missing');
        if (verb === 'terminate') emu.terminateInstance(id);
        else if (verb === 'stop') emu.model.stopInstance(id);
        else if (verb === 'start') emu.model.startInstance(id);
        else return bad('use /_emulator/instances/ID/terminate|stop|start', 404);
        return ok();
      }
      case 'DELETE network-interfaces': {
        const id = parts[1];
        if (id === undefined) return bad('network interface ID missing');
        emu.deleteEni(id);
        return ok();
      }
      case 'DELETE gateways': {
        const id = parts[1];
        if (id === undefined) return bad('gateway ID missing');
        emu.model.deleteGateway(id);
        return ok();
      }
      case 'PUT route-tables':
      case 'POST route-tables': {
        const id = parts[1];
        if (id === undefined || parts[2] !== 'routes' || typeof b.destination !== 'string') {
          return bad('use PUT /_emulator/route-tables/ID/routes {"destination": …, "target": {…}}');
        }
        emu.setRoute(id, b.destination, target(b.target));
        return ok(emu.model.findRoute(id, b.destination));
      }
      case 'DELETE route-tables': {
        const id = parts[1];
        const dest = typeof b.destination === 'string' ? b.destination : url.searchParams.get('destination');
        if (id === undefined || parts[2] !== 'routes' || dest === null) {
          return bad('use DELETE /_emulator/route-tables/ID/routes?destination=CIDR');
        }
        return ok({ deleted: emu.deleteRoute(id, dest) });
      }
      default:
        return bad(`no admin route ${method} ${url.pathname}`, 404);
    }
  } catch (err) {
    if (err instanceof Ec2ApiError) return bad(`${err.code}: ${err.message}`);
    if (err instanceof StateFileError) return bad(err.message);
    throw err;
  }
}
