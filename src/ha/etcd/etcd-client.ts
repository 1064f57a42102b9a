// A small client of etcd's v3 JSON gateway (grpc-gateway in front of etcd's gRPC API, `POST /v3/...`), with no
// dependency: node:http(s) requests, so a CA and a client certificate can be given (global fetch in Node 20 takes
// neither without the undici package). Facts it relies on, checked against etcd 3.4.23 (docs/ha.md):
// - keys and values are base64; int64 fields (revisions, lease IDs, TTLs) are JSON strings, and lease IDs exceed
//   2^53, so they stay strings;
// - proto3 JSON leaves out default values: a failed txn has no `succeeded`, a keepalive of a lost lease no `TTL`,
//   a PUT watch event no `type`;
// - errors are non-200 answers with {error, message, code: <gRPC code>};
// - /v3/watch answers a stream of newline-delimited {"result": WatchResponse}; closing the request cancels it.
// Several endpoints: a transport failure moves the next request to the next endpoint.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Bgp2vpcError } from '../../base/errors.js';

export interface EtcdTls {
  /** PEM contents (not paths). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface EtcdClientOptions {
  /** e.g. ['http://127.0.0.1:2379']; https:// endpoints use `tls`. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls;
}

export interface ResponseHeader {
  readonly revision?: string;
}

export interface KeyValue {
  readonly key: string;
  readonly create_revision?: string;
  readonly mod_revision?: string;
  readonly value?: string;
  readonly lease?: string;
}

export interface RangeResponse {
  readonly header?: ResponseHeader;
  readonly kvs?: readonly KeyValue[];
}

export interface TxnResponse {
  readonly header?: ResponseHeader;
  readonly succeeded?: boolean;
  readonly responses?: readonly { readonly response_range?: RangeResponse }[];
}

export interface LeaseGrantResponse {
  readonly ID?: string;
  readonly TTL?: string;
}

export interface KeepAliveResponse {
  readonly ID?: string;
  readonly TTL?: string;
}

export interface WatchEvent {
  readonly type?: 'PUT' | 'DELETE';
  readonly kv?: KeyValue;
}

export interface WatchResponse {
  readonly header?: ResponseHeader;
  readonly created?: boolean;
  readonly canceled?: boolean;
  readonly compact_revision?: string;
  readonly events?: readonly WatchEvent[];
}

/** etcd answered with an error (HTTP status and gRPC code), or not at all. */
export class EtcdError extends Bgp2vpcError {
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly grpcCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super('ETCD_ERROR', message, options);
  }
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const unb64 = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

export class EtcdClient {
  private next = 0;

  constructor(private readonly o: EtcdClientOptions) {
    if (o.endpoints.length === 0) throw new Error('etcd: no endpoints');
  }

  /** A unary call: POST /v3<path> with a JSON body, the JSON answer. */
  async call<T>(path: string, body: unknown, signal: AbortSignal): Promise<T> {
    const res = await this.post(path, body, signal);
    const text = await readAll(res, signal);
    if (res.statusCode !== 200) throw errorFrom(path, res.statusCode, text);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new EtcdError(`etcd ${path}: answer is not JSON`, res.statusCode, undefined, { cause: err });
    }
  }

  /**
   * Watches from a create request until `onResponse` returns true (done), the stream ends (etcd closed it) or
   * fails (rejects). Aborting the signal resolves.
   */
  async watch(
    createRequest: Readonly<Record<string, unknown>>,
    signal: AbortSignal,
    onResponse: (r: WatchResponse) => boolean,
  ): Promise<void> {
    const res = await this.post('/watch', { create_request: createRequest }, signal);
    if (res.statusCode !== 200) throw errorFrom('/watch', res.statusCode, await readAll(res, signal));
    let buf = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buf += chunk.toString('utf8');
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === '') continue;
          const msg = JSON.parse(line) as { result?: WatchResponse; error?: { message?: string; grpc_code?: number; http_code?: number } };
          if (msg.error) throw new EtcdError(`etcd watch: ${msg.error.message ?? 'error'}`, msg.error.http_code, msg.error.grpc_code);
          if (msg.result && onResponse(msg.result)) return;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err instanceof EtcdError ? err : new EtcdError(`etcd watch: ${describe(err)}`, undefined, undefined, { cause: err });
    } finally {
      res.destroy(); // closing the stream cancels the watch in etcd
    }
  }

  private post(path: string, body: unknown, signal: AbortSignal): Promise<IncomingMessage> {
    const endpoint = this.o.endpoints[this.next % this.o.endpoints.length] as string;
    const url = new URL(`/v3${path}`, endpoint);
    const payload = JSON.stringify(body);
    const tls = url.protocol === 'https:' ? (this.o.tls ?? {}) : {};
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (signal.aborted) {
        reject(new EtcdError(`etcd ${path}: aborted`, undefined, undefined));
        return;
      }
      const req = send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        signal,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
      });
      req.on('response', resolve);
      req.on('error', (err) => {
        this.next++; // try the next endpoint next time
        reject(new EtcdError(`etcd ${endpoint}${url.pathname}: ${describe(err)}`, undefined, undefined, { cause: err }));
      });
      req.end(payload);
    });
  }
}

function readAll(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(new EtcdError(`etcd: ${describe(err)}`, res.statusCode, undefined, { cause: err })));
    signal.addEventListener('abort', () => res.destroy(), { once: true });
  });
}

function errorFrom(path: string, status: number | undefined, text: string): EtcdError {
  let code: number | undefined;
  let message = text.trim();
  try {
    const j = JSON.parse(text) as { code?: number; message?: string; error?: string };
    code = j.code;
    message = j.message ?? j.error ?? message;
  } catch {
    // not JSON ("404 page not found")
  }
  return new EtcdError(`etcd ${path}: HTTP ${status ?? '?'}: ${message}`, status, code);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}
