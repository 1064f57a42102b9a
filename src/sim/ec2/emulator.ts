// EC2 emulator: a real HTTP server on 127.0.0.1 that speaks the EC2 Query protocol well enough for the
// unmodified @aws-sdk/client-ec2, faithful on everything VPC routing depends on.
//
// ## Programmatic API
//
//   const emu = await startEmulator({ port: 0, routeLimit: 500, state, seed, clock });
//   const ec2 = new EC2Client({ endpoint: emu.endpoint, region: 'us-east-1',
//                               credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
//
//   emu.model            synchronous setup and reads (src/sim/ec2/model.ts):
//                        createVpc({cidr, ipv6Cidr?, tags?}), associateVpcCidr(vpcId, {ipv4|ipv6}),
//                        createSubnet({vpcId, cidr, az?, ipv6Cidr?}), associateSubnetIpv6Cidr(subnet, /64),
//                        runInstances({subnetId, privateIp?, secondaryIps?, ipv6Addresses? | ipv6AddressCount?,
//                        sourceDestCheck?, count?}), createEni({subnetId, privateIp?, ipv6Addresses? |
//                        ipv6AddressCount?}), assignIpv6Addresses(eni, {addresses? | count?}),
//                        unassignIpv6Addresses(eni, addresses),
//                        attachEni(eni, instance, deviceIndex), createRouteTable(vpcId, tags?),
//                        associateRouteTable(rtb, subnet), createGateway('internet-gateway' | 'nat-gateway' |
//                        'vpc-peering-connection' | 'transit-gateway' | …, {vpcId|subnetId}), createRoute /
//                        replaceRoute / deleteRoute (EC2's checks), routesOf(rtb), findRoute(rtb, dest),
//                        setSourceDestCheck(instance, bool), deleteGateway(id),
//                        vpcs/subnets/instances/enis/routeTables/gateways maps.
//   emu.names            state-file name → ID (e.g. names.get('node1'), names.get('node1.eni')).
//   emu.faults           freeze(true | false) (requests held unanswered until thawed),
//                        throttle(true | {mutating: {burst, perSecond}, describe, unfilteredDescribe} | false),
//                        errorRate(p, seed?, scope?: 'all'|'mutating'|'describe', when?: 'before'|'after'),
//                        latency(ms, jitter?), timeouts(p, seed?, resetAfterMs?),
//                        deny(['CreateRoute', …]) → UnauthorizedOperation, clear(), snapshot().
//   emu.calls            the call log: [{seq, time, action, accessKeyId, params, outcome: 'ok' | errorCode,
//                        httpStatus, mutating, timedOut?}] (time from the clock; accessKeyId from the SigV4
//                        Authorization header, null when unsigned); emu.callLog for since()/count().
//   emu.counters()       {action: {outcome: n}};  emu.count({action?, outcome?, mutating?}).
//   emu.reset()          clears the call log and counters (not the model, not the faults).
//   emu.terminateInstance(id), emu.deleteEni(id)     the instance/ENI vanishes: routes to it go blackhole.
//   emu.setRoute(rtb, dest, {networkInterfaceId | instanceId | gatewayId | …}), emu.deleteRoute(rtb, dest)
//                        change a route behind the controller's back (drift; no EC2 checks).
//   await emu.stop()
//
// ## Admin HTTP API (JSON), same server
//
//   GET  /_emulator/health                      {ok, endpoint}
//   GET  /_emulator/state                       every VPC, subnet, instance, ENI, gateway, table and route
//   GET  /_emulator/calls?since=SEQ&action=A    {lastSeq, calls}
//   GET  /_emulator/counters                    {action: {outcome: n}}
//   POST /_emulator/reset                       clear calls and counters
//   GET  /_emulator/faults                      current faults
//   POST /_emulator/faults                      {frozen: true | false, throttle: true | false | {mutating: …},
//                                                errorRate: {p, seed, scope, when}, latency: {ms, jitter},
//                                                timeouts: {p, seed, resetAfterMs}, deny: [actions], clear: true}
//   POST /_emulator/route-limit                 {limit}
//   POST /_emulator/setup                       a state document as JSON → {names}
//   POST /_emulator/instances/ID/terminate|stop|start
//   DELETE /_emulator/network-interfaces/ID     force-detach and delete
//   DELETE /_emulator/gateways/ID               delete an IGW/NAT/peering/TGW: routes to it go blackhole
//   PUT  /_emulator/route-tables/ID/routes      {destination, target: {networkInterfaceId | …}} (drift)
//   DELETE /_emulator/route-tables/ID/routes?destination=CIDR                               (drift)
//
// ## Service Quotas, same server
//
//   POST / with X-Amz-Target: ServiceQuotasV20190624.GetServiceQuota (AWS JSON 1.1): the quota "Routes per route
//   table" (vpc / L-93826ACB) is the route limit, so the unmodified @aws-sdk/client-service-quotas can read it.
//   faults.deny(['GetServiceQuota']) answers AccessDeniedException (service-quotas.ts).
//
// ## Semantics worth knowing
// - The route limit (default 500, EC2's default since June 2025; settable per run, state file or admin API)
//   counts non-local routes, separately for IPv4 and IPv6.
// - A route to an ENI is `active` only while the ENI is attached to a running instance; a route to an
//   instance only while that instance runs. Otherwise `blackhole`, and the route stays.
// - Throttling is off unless enabled (--throttle, faults.throttle(true)); the SDK retries RequestLimitExceeded
//   and 5xx itself, so tests that want to see them use `maxAttempts: 1`.
// - Injected timeouts run the action and never answer (or reset the connection after resetAfterMs); latency,
//   timeouts and throttling use the injected Clock.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '../../base/clock.js';
import { handleAdmin, type AdminTarget } from './admin-api.js';
import { CallLog, type CallRecord } from './call-log.js';
import { dispatch } from './dispatch.js';
import { Faults } from './faults.js';
import { Ec2Model } from './model.js';
import { SERVICE_QUOTAS_TARGET_PREFIX, serviceQuotasRequest } from './service-quotas.js';
import { applyState, type StateDoc } from './state-file.js';

export interface EmulatorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly routeLimit?: number;
  readonly state?: StateDoc;
  readonly seed?: number;
  readonly clock?: Clock;
  readonly region?: string;
}

export interface Emulator extends AdminTarget {
  readonly host: string;
  readonly port: number;
  readonly names: ReadonlyMap<string, string>;
  readonly calls: readonly CallRecord[];
  count(filter?: { action?: string; outcome?: string; mutating?: boolean }): number;
  stop(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const clock = opts.clock ?? systemClock;
  const model = new Ec2Model({
    ...(opts.routeLimit !== undefined ? { routeLimit: opts.routeLimit } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
  });
  const names = opts.state ? applyState(model, opts.state) : new Map<string, string>();
  const faults = new Faults(clock);
  const callLog = new CallLog();
  let requestCounter = 0;
  const seedHex = ((opts.seed ?? 1) >>> 0).toString(16).padStart(8, '0');
  const dispatcher = {
    model,
    faults,
    calls: callLog,
    now: () => clock.now(),
    nextRequestId: () => {
      const n = (++requestCounter).toString(16).padStart(12, '0');
      return `${seedHex}-0000-4000-8000-${n}`;
    },
  };
  const quotas = { faults, calls: callLog, routeLimit: () => model.routeLimit, region: model.region, now: () => clock.now() };
  const sockets = new Set<Socket>();
  const host = opts.host ?? '127.0.0.1';

  const onRequest = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
      let json: unknown = undefined;
      if (body.trim() !== '') {
        try {
          json = JSON.parse(body);
        } catch {
          send(res, 400, 'application/json', JSON.stringify({ error: 'body is not JSON' }));
          return;
        }
      }
      const r = handleAdmin(emu, req.method ?? 'GET', url, json);
      send(res, r.status, 'application/json', JSON.stringify(r.json));
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, 'text/plain', 'EC2 Query API: POST form-encoded requests\n');
      return;
    }
    if (faults.holdIfFrozen(() => onRequest(req, res, body))) return;
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(SERVICE_QUOTAS_TARGET_PREFIX)) {
      const r = serviceQuotasRequest(quotas, target, body, accessKeyIdOf(req.headers.authorization));
      send(res, r.status, r.headers['content-type'] ?? 'application/json', r.body, r.headers);
      return;
    }
    const timedOut = faults.shouldTimeOut();
    const result = dispatch(dispatcher, body, accessKeyIdOf(req.headers.authorization), timedOut);
    if (timedOut) {
      // the action ran; the answer never comes (the socket is reset later if asked, and on stop())
      const reset = faults.timeoutResetMs();
      if (reset !== undefined) clock.setTimeout(() => res.socket?.destroy(), reset);
      return;
    }
    const delay = faults.delay();
    if (delay <= 0) send(res, result.status, 'text/xml;charset=UTF-8', result.body);
    else clock.setTimeout(() => send(res, result.status, 'text/xml;charset=UTF-8', result.body), delay);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, 413, 'text/plain', 'request too large\n');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      onRequest(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  // Requests only arrive after listen() has resolved, so the handlers above never see `emu` uninitialised.
  const emu: Emulator = {
    endpoint,
    host,
    port,
    model,
    names,
    faults,
    callLog,
    get calls() {
      return callLog.entries();
    },
    counters: () => callLog.counters(),
    count: (filter) => callLog.count(filter),
    reset: () => callLog.reset(),
    terminateInstance: (id) => void model.terminateInstance(id),
    deleteEni: (id) => model.deleteEni(id, true),
    setRoute: (rtb, dest, target) => model.setRouteUnchecked(rtb, dest, target),
    deleteRoute: (rtb, dest) => model.deleteRouteUnchecked(rtb, dest),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
  return emu;
}

/**
 * The access key ID of a SigV4-signed request: `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request,
 * SignedHeaders=…, Signature=…`. The signature is not checked: the emulator takes any credentials.
 */
export function accessKeyIdOf(authorization: string | undefined): string | null {
  const m = authorization === undefined ? null : /Credential=([^/,\s]+)\//.exec(authorization);
  return m?.[1] ?? null;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
