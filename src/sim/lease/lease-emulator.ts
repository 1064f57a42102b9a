// A Kubernetes API server that serves only coordination.k8s.io/v1 Leases, over plain HTTP on loopback, with no
// authentication: enough for @kubernetes/client-node pointed at it through a kubeconfig (server http://…,
// insecure-skip-tls-verify: true). Tests use it for the HA Kubernetes backend; no real API server was tested.
//
//   const emu = await startLeaseEmulator({ host: '127.0.12.60', port: 0 });
//   emu.url                       http://127.0.12.60:PORT
//   emu.store                     the objects (lease-store.ts): get/list/create/replace/delete, spec(ns, name)
//   emu.requests                  every request answered: {method, path, status}
//   emu.outage('unavailable')     answer 503 ServiceUnavailable;  emu.outage('unreachable') close the port
//   emu.outage(false)             back to normal (same port, same objects)
//   await emu.stop()
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LEASE_GROUP, LeaseStore, type Json, type StoreAnswer } from './lease-store.js';

export interface LeaseEmulatorOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface LeaseRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export type Outage = 'unavailable' | 'unreachable' | false;

export interface LeaseEmulator {
  readonly url: string;
  readonly store: LeaseStore;
  readonly requests: readonly LeaseRequest[];
  outage(kind: Outage): Promise<void>;
  stop(): Promise<void>;
}

const PREFIX = `/apis/${LEASE_GROUP}/v1/namespaces/`;

function route(store: LeaseStore, method: string, path: string, body: string): StoreAnswer {
  const notFound: StoreAnswer = {
    status: 404,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
      code: 404,
    },
  };
  if (!path.startsWith(PREFIX)) return notFound;
  const [ns, resource, name, ...rest] = path.slice(PREFIX.length).split('/');
  if (!ns || resource !== 'leases' || rest.length > 0) return notFound;
  let input: Json = {};
  if (method === 'POST' || method === 'PUT') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      input = parsed as Json;
    } catch (err) {
      return {
        status: 400,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'BadRequest',
          message: `error decoding body: ${String(err)}`,
          code: 400,
        },
      };
    }
  }
  const methodNotAllowed: StoreAnswer = {
    status: 405,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', message: 'method not allowed', code: 405 },
  };
  switch (method) {
    case 'GET':
      return name ? store.get(ns, name) : store.list(ns);
    case 'POST':
      return name ? methodNotAllowed : store.create(ns, input);
    case 'PUT':
      return name ? store.replace(ns, name, input) : methodNotAllowed;
    case 'DELETE':
      return name ? store.delete(ns, name) : methodNotAllowed;
    default:
      return methodNotAllowed;
  }
}

export async function startLeaseEmulator(opts: LeaseEmulatorOptions = {}): Promise<LeaseEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const store = new LeaseStore();
  const requests: LeaseRequest[] = [];
  const sockets = new Set<Socket>();
  let unavailable = false;

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    const method = req.method ?? 'GET';
    const a: StoreAnswer = unavailable
      ? {
          status: 503,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'ServiceUnavailable',
            message: 'emulated outage',
            code: 503,
          },
        }
      : route(store, method, path, body);
    requests.push({ method, path, status: a.status });
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  let server: Server = createServer();
  const listen = async (port: number): Promise<number> => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const close = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const port = await listen(opts.port ?? 0);
  let closed = false;
  return {
    url: `http://${host}:${port}`,
    store,
    requests,
    async outage(kind) {
      unavailable = kind === 'unavailable';
      if (kind === 'unreachable' && !closed) {
        closed = true;
        await close();
      } else if (kind !== 'unreachable' && closed) {
        closed = false;
        await listen(port);
      }
    },
    async stop() {
      if (!closed) await close();
      closed = true;
    },
  };
}
