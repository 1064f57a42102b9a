// The HTTP API (node:http, default 127.0.0.1:33289, vpc-router's port). Read endpoints serve the daemon's views as
// JSON; POST /route_spec is vpc-router compatible. Writes need the bearer token when one is configured (reads
// too with protectReads). Bad bodies get 400 with a reason, oversize bodies 413. A failing handler answers 500
// and is logged once here; it never takes the daemon down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../base/log.js';
import { Bgp2vpcError } from '../base/errors.js';
import { decodeUtf8, InvalidUtf8Error } from '../base/utf8-text.js';
import type { ApiBackend } from './backend.js';
import { checkAuth, type AuthPolicy } from './auth.js';
import { parsePrefix, formatPrefix } from '../net/prefix.js';
import type { RoutesPage } from './views.js';

export interface ApiServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly backend: ApiBackend;
  readonly auth?: AuthPolicy;
  /** Largest accepted request body (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Requests served at once (besides /healthz and /readyz); more get 503 with Retry-After (default 16). */
  readonly maxConcurrent?: number;
  readonly logger: Logger;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export class ApiListenError extends Bgp2vpcError {
  constructor(message: string, cause: unknown) {
    super('API_LISTEN_FAILED', message, { cause });
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_MAX_CONCURRENT = 16;
/** GET /api/v1/routes pages: 1000 routes (about 300 KB of JSON) unless ?limit= says otherwise, at most 10000. */
export const ROUTES_PAGE = 1000;
export const ROUTES_PAGE_MAX = 10_000;

/** ?limit= and ?after= of GET /api/v1/routes; a bad value is a 400. */
function routesPage(q: URLSearchParams): RoutesPage {
  const l = q.get('limit');
  const limit = l === null ? ROUTES_PAGE : Number(l);
  if (!Number.isInteger(limit) || limit < 1 || limit > ROUTES_PAGE_MAX)
    throw new HttpError(400, `limit must be an integer from 1 to ${ROUTES_PAGE_MAX}, got ${JSON.stringify(l)}`);
  const a = q.get('after');
  if (a === null) return { limit };
  try {
    return { limit, after: formatPrefix(parsePrefix(a, { requireCanonical: false })) };
  } catch {
    throw new HttpError(400, `after must be a prefix (the "next" of the previous page), got ${JSON.stringify(a)}`);
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message }) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra });
  res.end(body);
}

/** Reads the body up to `limit` bytes; rejects with 413 past it (checked on Content-Length first). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body is ${declared} bytes, the limit is ${limit}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** The body as text; invalid UTF-8 is a 400 naming where (never a silent U+FFFD). */
function bodyText(b: Buffer): string {
  try {
    return decodeUtf8(b);
  } catch (err) {
    if (err instanceof InvalidUtf8Error) throw new HttpError(400, `body:${err.line}:${err.col}: ${err.message}`);
    throw err;
  }
}

type Route = { readonly write: boolean; readonly methods: readonly string[] };

const ROUTES: Readonly<Record<string, Route>> = {
  '/healthz': { write: false, methods: ['GET', 'HEAD'] },
  '/readyz': { write: false, methods: ['GET', 'HEAD'] },
  '/metrics': { write: false, methods: ['GET', 'HEAD'] },
  '/status': { write: false, methods: ['GET', 'HEAD'] },
  '/api/v1/status': { write: false, methods: ['GET', 'HEAD'] },
  '/api/v1/peers': { write: false, methods: ['GET', 'HEAD'] },
  '/api/v1/routes': { write: false, methods: ['GET', 'HEAD'] },
  '/api/v1/tables': { write: false, methods: ['GET', 'HEAD'] },
  '/api/v1/bfd': { write: false, methods: ['GET', 'HEAD'] },
  '/route_spec': { write: false, methods: ['GET', 'HEAD', 'POST'] },
};

/** Health and readiness stay open even with protected reads: probes from kubelet carry no token. */
const ALWAYS_OPEN = new Set(['/healthz', '/readyz']);

export async function handleRequest(
  opts: Pick<ApiServerOptions, 'backend' | 'auth' | 'maxBodyBytes' | 'logger'>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const method = req.method ?? 'GET';
  const route = ROUTES[path];
  if (!route) return sendError(res, 404, `no such endpoint: ${path}`);
  if (!route.methods.includes(method)) {
    return sendError(res, 405, `${method} is not allowed on ${path}`, { allow: route.methods.join(', ') });
  }
  const isWrite = method === 'POST';
  if (!ALWAYS_OPEN.has(path)) {
    const decision = checkAuth(opts.auth ?? {}, isWrite, req.headers.authorization);
    if (decision !== 'allow') {
      return sendError(res, 401, decision === 'missing' ? 'bearer token required' : 'invalid bearer token', {
        'www-authenticate': 'Bearer realm="bgp2vpc"',
      });
    }
  }
  const b = opts.backend;
  switch (path) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const r = b.ready();
      return sendJson(res, r.ready ? 200 : 503, r);
    }
    case '/metrics': {
      const m = await b.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.body);
      return;
    }
    case '/status':
    case '/api/v1/status':
      return sendJson(res, 200, b.status());
    case '/api/v1/peers':
      return sendJson(res, 200, { peers: b.peers() });
    case '/api/v1/routes': {
      const prefix = url.searchParams.get('prefix');
      if (prefix === null) return sendJson(res, 200, b.routes(routesPage(url.searchParams)));
      const explained = b.explain(prefix);
      if (explained === undefined) return sendError(res, 404, `no route spec entry for ${prefix}`);
      return sendJson(res, 200, explained);
    }
    case '/api/v1/tables':
      return sendJson(res, 200, b.tables());
    case '/api/v1/bfd':
      return sendJson(res, 200, { sessions: b.bfd?.() ?? [] });
    case '/route_spec': {
      const handle = b.routeSpec;
      if (!handle) return sendError(res, 404, 'the HTTP route spec source is disabled (routes.httpPost in the config)');
      const body = isWrite ? bodyText(await readBody(req, opts.maxBodyBytes ?? DEFAULT_MAX_BODY)) : '';
      const r = handle(method, body, req.headers['content-type']);
      res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...r.headers });
      res.end(JSON.stringify(r.json, null, 2) + '\n');
      return;
    }
    default:
      return sendError(res, 404, `no such endpoint: ${path}`);
  }
}

export function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.logger.child({ component: 'api' });
  // Responses are built whole and held until the client has read them: with 31k routes, 200 concurrent readers
  // held 8.7 MB each (RSS +250 MB). Pages bound one response; this bounds how many are in progress.
  const maxConcurrent = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  let inProgress = 0;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (!ALWAYS_OPEN.has(path)) {
      if (inProgress >= maxConcurrent) {
        sendError(res, 503, `${inProgress} requests in progress; retry shortly`, { 'retry-after': '1' });
        return;
      }
      inProgress++;
      res.once('close', () => inProgress--);
    }
    handleRequest(opts, req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendError(res, err.status, err.message, err.status === 413 ? { connection: 'close' } : {});
        return;
      }
      log.error({ event: 'api_error', err, path: req.url, method: req.method }, 'API handler failed');
      if (!res.headersSent) sendError(res, 500, 'internal error (see the daemon log)');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new ApiListenError(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`, err));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      server.on('error', (err) => log.error({ event: 'api_error', err }, 'API server error'));
      const port = (server.address() as AddressInfo).port;
      const hostText = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      const url = `http://${hostText}:${port}`;
      log.info({ event: 'api_listening', url }, `API listening on ${url}`);
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
