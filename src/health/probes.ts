// The probe shell: one check of one target, I/O only. Each probe resolves (never rejects) with ok/detail and
// honours an AbortSignal, which the monitor fires at the timeout.
import { connect, isIPv6 } from 'node:net';
import { request } from 'node:http';
import { runPing } from './icmp.js';
import type { Probe, ProbeResult } from './probe-result.js';

export type ProbeSpec =
  | { readonly type: 'tcp'; readonly port: number }
  | { readonly type: 'http'; readonly port: number; readonly path?: string; readonly host?: string }
  | { readonly type: 'icmp'; readonly pingPath?: string }
  | { readonly type: 'none' };

export function makeProbe(spec: ProbeSpec): Probe {
  switch (spec.type) {
    case 'tcp':
      return (target, signal) => tcpProbe(target, spec.port, signal);
    case 'http':
      return (target, signal) => httpProbe(target, spec.port, spec.path ?? '/', spec.host, signal);
    case 'icmp':
      return (target, signal) => runPing(target, signal, spec.pingPath);
    case 'none':
      return () => Promise.resolve({ ok: true, detail: 'no probe' });
    default: {
      const never: never = spec;
      throw new Error(`unknown probe ${JSON.stringify(never)}`);
    }
  }
}

const errText = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
};

/** TCP connect: ok when the three-way handshake completes; the socket is closed at once. */
export function tcpProbe(target: string, port: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ ok: false, detail: `tcp ${port}: timeout` });
    const sock = connect({ host: target, port, noDelay: true });
    let done = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = (): void => finish({ ok: false, detail: `tcp ${port}: timeout` });
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => finish({ ok: true, detail: `tcp ${port} connected` }));
    sock.once('error', (err) => finish({ ok: false, detail: `tcp ${port}: ${errText(err)}` }));
  });
}

/** HTTP GET: ok on a 2xx status; the body is discarded. */
export function httpProbe(target: string, port: number, path: string, host: string | undefined, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ ok: false, detail: `http ${port}${path}: timeout` });
    let done = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const onAbort = (): void => finish({ ok: false, detail: `http ${port}${path}: timeout` });
    const req = request({
      host: target,
      port,
      path,
      method: 'GET',
      agent: false,
      headers: {
        host: host ?? (isIPv6(target) ? `[${target}]:${port}` : `${target}:${port}`),
        'user-agent': 'bgp2vpc-health',
        connection: 'close',
      },
    });
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      finish({ ok: status >= 200 && status < 300, detail: `http ${port}${path}: ${status}` });
    });
    req.once('error', (err) => finish({ ok: false, detail: `http ${port}${path}: ${errText(err)}` }));
    req.end();
  });
}
