import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpProbe, httpProbe } from '../../src/health/probes.js';
import { checkIcmpCapability, runPing } from '../../src/health/icmp.js';

const HOST = '127.0.3.21';

const listen = (s: TcpServer | HttpServer, port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, HOST, () => resolve((s.address() as AddressInfo).port));
  });
const close = (s: TcpServer | HttpServer): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
const signal = (ms = 2_000): AbortSignal => AbortSignal.timeout(ms);

describe('TCP and HTTP probes against real local servers', () => {
  const servers: (TcpServer | HttpServer)[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => (s.listening ? close(s) : Promise.resolve())));
  });

  it('TCP: ok while the server listens, refused after it stops, ok again after restart', async () => {
    const s1 = createTcpServer((c) => c.destroy());
    servers.push(s1);
    const port = await listen(s1);
    expect(await tcpProbe(HOST, port, signal())).toEqual({ ok: true, detail: `tcp ${port} connected` });
    await close(s1);
    expect(await tcpProbe(HOST, port, signal())).toEqual({ ok: false, detail: `tcp ${port}: ECONNREFUSED` });
    const s2 = createTcpServer((c) => c.destroy());
    servers.push(s2);
    await listen(s2, port);
    expect((await tcpProbe(HOST, port, signal())).ok).toBe(true);
  });

  it('TCP: an aborted probe reports a timeout', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await tcpProbe(HOST, 9, ac.signal)).toEqual({ ok: false, detail: 'tcp 9: timeout' });
  });

  it('HTTP: 2xx is ok, other statuses and a stopped server are failures', async () => {
    let status = 200;
    const seen: string[] = [];
    const s = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['user-agent']}`);
      res.statusCode = status;
      res.end('x');
    });
    servers.push(s);
    const port = await listen(s);
    expect(await httpProbe(HOST, port, '/healthz', undefined, signal())).toEqual({ ok: true, detail: `http ${port}/healthz: 200` });
    status = 503;
    expect(await httpProbe(HOST, port, '/healthz', undefined, signal())).toEqual({ ok: false, detail: `http ${port}/healthz: 503` });
    expect(seen[0]).toBe('GET /healthz bgp2vpc-health');
    await close(s);
    expect(await httpProbe(HOST, port, '/healthz', undefined, signal())).toEqual({
      ok: false,
      detail: `http ${port}/healthz: ECONNREFUSED`,
    });
  });

  it('HTTP: a server that never answers times out through the signal', async () => {
    const s = createHttpServer(() => undefined);
    servers.push(s);
    const port = await listen(s);
    const r = await httpProbe(HOST, port, '/', undefined, AbortSignal.timeout(100));
    expect(r).toEqual({ ok: false, detail: `http ${port}/: timeout` });
    s.closeAllConnections();
  });
});

describe('ICMP through the system ping', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function stub(body: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'bgp2vpc-ping-'));
    const p = join(dir, 'ping');
    await writeFile(p, `#!/bin/sh\n${body}\n`);
    await chmod(p, 0o755);
    return p;
  }

  it('names CAP_NET_RAW and ping_group_range when ping may not open its socket', async () => {
    const p = await stub('echo "ping: socket: Operation not permitted" >&2; exit 2');
    await expect(checkIcmpCapability(p)).rejects.toMatchObject({
      code: 'ICMP_NOT_PERMITTED',
      message: expect.stringMatching(/CAP_NET_RAW.*net\.ipv4\.ping_group_range/) as unknown,
    });
  });

  it('says so when ping is missing', async () => {
    await expect(checkIcmpCapability('/nonexistent/ping')).rejects.toMatchObject({
      code: 'ICMP_NOT_PERMITTED',
      message: expect.stringContaining('ENOENT') as unknown,
    });
  });

  it('passes when ping works, and maps exit codes to results', async () => {
    const p = await stub('for a in "$@"; do last="$a"; done; [ "$last" = "127.0.0.1" ] && exit 0; exit 1');
    await expect(checkIcmpCapability(p)).resolves.toBeUndefined();
    expect(await runPing('127.0.0.1', signal(), p)).toEqual({ ok: true, detail: 'icmp echo reply' });
    expect(await runPing('10.9.9.9', signal(), p)).toEqual({ ok: false, detail: 'icmp: no reply' });
  });

  it('kills ping at the timeout', async () => {
    const p = await stub('exec sleep 5');
    const t0 = Date.now();
    expect(await runPing('127.0.0.1', AbortSignal.timeout(100), p)).toEqual({ ok: false, detail: 'icmp: timeout' });
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
