import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import type { ApiBackend } from '../../src/api/backend.js';
import { silentLogger } from '../../src/base/log.js';

function fakeBackend(overrides: Partial<ApiBackend> = {}): ApiBackend & { posted: unknown[] } {
  const posted: unknown[] = [];
  let spec: Record<string, string[]> = { '10.55.0.0/16': ['10.33.20.142'] };
  return {
    posted,
    ready: () => ({ ready: false, checks: { config: true, aws: true, converged: false } }),
    status: () => ({
      version: '0.1.0',
      cluster: 'c1',
      uptimeSeconds: 3,
      ready: { ready: false, checks: {} },
      dryRun: false,
      peers: { total: 1, established: 1 },
      prefixes: 1,
      tables: [],
      ec2Calls: {},
      ha: { role: 'standalone', leader: 'h', identity: 'h', backend: 'none', writable: true },
    }),
    peers: () => [],
    routes: () => ({ routes: [{ prefix: '10.1.0.0/24', candidates: [], chosen: '10.0.0.5' }] }),
    explain: (p) => (p === '10.1.0.0/24' ? { prefix: p, why: 'only candidate' } : undefined),
    tables: () => ({ tables: [] }),
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'bgp2vpc_up 1\n' }),
    routeSpec: (method, body) => {
      if (method !== 'POST') return { status: 200, json: spec };
      posted.push(body);
      spec = JSON.parse(body) as Record<string, string[]>;
      return { status: 200, json: { status: 'ok' } };
    },
    ...overrides,
  };
}

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  backend: ApiBackend,
  auth?: { token?: string; protectReads?: boolean },
  maxBodyBytes?: number,
  maxConcurrent?: number,
): Promise<string> {
  server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    backend,
    logger: silentLogger,
    ...(auth ? { auth } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
  });
  return server.url;
}

describe('API server', () => {
  it('serves healthz, readyz (503 until ready), metrics and the views', async () => {
    const url = await start(fakeBackend());
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, checks: { config: true, aws: true, converged: false } });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toBe('bgp2vpc_up 1\n');
    expect(((await (await fetch(`${url}/api/v1/status`)).json()) as { cluster: string }).cluster).toBe('c1');
    expect(await (await fetch(`${url}/api/v1/peers`)).json()).toEqual({ peers: [] });
    expect(await (await fetch(`${url}/api/v1/tables/`)).json()).toEqual({ tables: [] });
  });

  it('lists BFD sessions at /api/v1/bfd (an empty list without BFD)', async () => {
    const session = {
      peer: '10.0.1.5',
      multihop: false,
      state: 'Up' as const,
      remoteState: 'Up' as const,
      diagnostic: 'no diagnostic',
      remoteDiagnostic: 'no diagnostic',
      txIntervalMs: 300,
      detectionTimeMs: 900,
      remoteMultiplier: 3,
      sinceSeconds: 12,
      flaps: 1,
      received: 40,
      sent: 41,
    };
    let url = await start(fakeBackend({ bfd: () => [session] }));
    expect(await (await fetch(`${url}/api/v1/bfd`)).json()).toEqual({ sessions: [session] });
    await server?.close();
    url = await start(fakeBackend());
    expect(await (await fetch(`${url}/api/v1/bfd`)).json()).toEqual({ sessions: [] });
  });

  it('explains one prefix with ?prefix= and 404s an unknown one', async () => {
    const url = await start(fakeBackend());
    const ok = await fetch(`${url}/api/v1/routes?prefix=${encodeURIComponent('10.1.0.0/24')}`);
    expect(await ok.json()).toEqual({ prefix: '10.1.0.0/24', why: 'only candidate' });
    expect((await fetch(`${url}/api/v1/routes?prefix=10.9.0.0/24`)).status).toBe(404);
  });

  it('accepts a vpc-router style POST /route_spec and serves it back', async () => {
    const url = await start(fakeBackend());
    const body = { '10.55.0.0/16': ['10.33.20.142'], '10.66.17.0/24': ['10.33.20.93', '10.33.30.22'] };
    const res = await fetch(`${url}/route_spec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await (await fetch(`${url}/route_spec`)).json()).toEqual(body);
  });

  it('hands the route spec handler the method, the body text and its content type, and sends its answer back', async () => {
    const seen: unknown[] = [];
    const url = await start(
      fakeBackend({
        routeSpec: (method, body, type) => {
          seen.push([method, body, type]);
          return { status: 400, json: { error: 'bad', line: 1, column: 17 }, headers: { 'x-test': '1' } };
        },
      }),
    );
    const r = await fetch(`${url}/route_spec`, {
      method: 'POST',
      body: '{"10.0.0.0/8": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-test')).toBe('1');
    expect(await r.json()).toEqual({ error: 'bad', line: 1, column: 17 });
    expect((await fetch(`${url}/route_spec`)).status).toBe(400);
    expect(seen).toEqual([
      ['POST', '{"10.0.0.0/8": [', 'application/json'],
      ['GET', '', undefined],
    ]);
  });

  it('answers 413 for an oversize body without passing it to the handler', async () => {
    const backend = fakeBackend();
    const url = await start(backend, undefined, 64);
    const res = await fetch(`${url}/route_spec`, { method: 'POST', body: JSON.stringify({ x: 'y'.repeat(100) }) });
    expect(res.status).toBe(413);
    expect(backend.posted).toHaveLength(0);
  });

  // Campaign defect 8: 31k routes in one answer, 200 concurrent readers → 8.7 MB each, p50 11.5 s, RSS +250 MB.
  it('pages GET /api/v1/routes: ?limit (default 1000, at most 10000) and ?after (a prefix); bad values are 400', async () => {
    const pages: unknown[] = [];
    const url = await start(fakeBackend({ routes: (page) => (pages.push(page), { routes: [], total: 0 }) }));
    expect((await fetch(`${url}/api/v1/routes`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/routes?limit=10000&after=10.1.2.3/16`)).status).toBe(200);
    expect(pages).toEqual([{ limit: 1000 }, { limit: 10_000, after: '10.1.0.0/16' }]);
    for (const q of ['limit=0', 'limit=10001', 'limit=1.5', 'limit=x', 'after=10.1.0.0/33', 'after=']) {
      const r = await fetch(`${url}/api/v1/routes?${q}`);
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/^(limit|after) must be/);
    }
    expect(pages).toHaveLength(2);
  });

  it('serves at most maxConcurrent requests at once (503 with Retry-After beyond), health and readiness always', async () => {
    // Answers far larger than the socket buffers: a client that does not read keeps its request in progress.
    const big = {
      routes: Array.from({ length: 20_000 }, (_, i) => ({
        prefix: `10.${i >> 8}.${i & 255}.0/24`,
        candidates: [],
        chosen: 'x'.repeat(400),
      })),
    };
    const url = await start(fakeBackend({ routes: () => big }), undefined, undefined, 2);
    const port = Number(new URL(url).port);
    const stuck = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<Socket>((resolve) => {
            const c = connect({ host: '127.0.0.1', port }, () => {
              c.pause(); // never read the answer
              c.write('GET /api/v1/routes HTTP/1.1\r\nHost: x\r\n\r\n');
              resolve(c);
            });
          }),
      ),
    );
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const r = await fetch(`${url}/api/v1/status`);
      if (r.status === 503) refused = r;
      else await new Promise((res) => setTimeout(res, 20));
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(((await refused?.json()) as { error: string }).error).toBe('2 requests in progress; retry shortly');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ ready: false }); // answered (the fake is not ready), not refused
    for (const c of stuck) c.destroy();
    let ok = 0;
    for (let i = 0; i < 200 && ok !== 200; i++) {
      ok = (await fetch(`${url}/api/v1/status`)).status;
      if (ok !== 200) await new Promise((res) => setTimeout(res, 20));
    }
    expect(ok).toBe(200);
  });

  it('answers 400 with the position for a body that is not UTF-8, without passing it to the handler', async () => {
    const backend = fakeBackend();
    const url = await start(backend);
    const body = Buffer.concat([Buffer.from('{"10.55.0.0/16": ["10.0.0.'), Buffer.from([0xff]), Buffer.from('"]}')]);
    const res = await fetch(`${url}/route_spec`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body:1:27: invalid UTF-8 (byte 0xff at offset 26)' });
    expect(backend.posted).toHaveLength(0);
  });

  it('requires the bearer token for writes only, unless reads are protected', async () => {
    const url = await start(fakeBackend(), { token: 's3cret' });
    expect((await fetch(`${url}/route_spec`)).status).toBe(200);
    const none = await fetch(`${url}/route_spec`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${url}/route_spec`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${url}/route_spec`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer s3cret' } });
    expect(right.status).toBe(200);
  });

  it('protects reads when configured but keeps healthz and readyz open for probes', async () => {
    const url = await start(fakeBackend(), { token: 's3cret', protectReads: true });
    expect((await fetch(`${url}/api/v1/peers`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/peers`, { headers: { authorization: 'bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });

  it('returns 404 for unknown paths, 405 with Allow for wrong methods, 404 when the HTTP spec source is off', async () => {
    const backend = fakeBackend();
    const { routeSpec: _omit, ...noSpec } = backend;
    const url = await start(noSpec);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const m = await fetch(`${url}/api/v1/peers`, { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${url}/route_spec`)).status).toBe(404);
  });

  it('answers 500 when a view throws and keeps serving', async () => {
    const url = await start(
      fakeBackend({
        tables: () => {
          throw new Error('boom');
        },
      }),
    );
    expect((await fetch(`${url}/api/v1/tables`)).status).toBe(500);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const url = await start(fakeBackend());
    const port = Number(new URL(url).port);
    await expect(startApiServer({ host: '127.0.0.1', port, backend: fakeBackend(), logger: silentLogger })).rejects.toMatchObject({
      code: 'API_LISTEN_FAILED',
    });
  });
});
