// The HTTP API of a whole daemon (in-process, EC2 emulator, no BGP) under the abuse a black-box campaign tried:
// deeply nested JSON (defect 1), entries the policy refuses (defect 2), a large route spec read in pages (defect 8).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sim/ec2/emulator.js';
import { parseConfig } from '../../src/config/index.js';
import { runDaemon, type RunningDaemon } from '../../src/daemon/run-daemon.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';

const TABLE = 'rtb-0e2e0000000000f15';
let emu: Emulator;
let d: RunningDaemon;
const lines: { level: number; event?: string; msg?: string; err?: unknown }[] = [];

beforeAll(async () => {
  emu = await startEmulator({
    host: '127.0.15.1',
    port: 0,
    state: {
      vpcs: [
        {
          name: 'vpc',
          id: 'vpc-0e2e0000000000f15',
          cidr: '127.0.15.0/24',
          subnets: [{ name: 'sub', cidr: '127.0.15.0/25', az: 'us-east-1a' }],
          instances: [{ name: 'a', subnet: 'sub', privateIp: '127.0.15.11', sourceDestCheck: false }],
          routeTables: [{ name: 'rt', id: TABLE, subnets: ['sub'], routes: [] }],
        },
      ],
    },
  });
  const config = parseConfig(
    `cluster: { name: api, cidrs: [100.70.0.0/16] }
bgp: { asn: 65000, routerId: 127.0.15.1, listen: [] }
routes: { settleTime: 100ms }
vpc: { endpoint: "${emu.endpoint}", routeTables: [${TABLE}], debounce: 50ms, routeLimit: 1000 }
api: { listen: "127.0.15.1:0", maxBodyBytes: 4194304 }
`,
    'api.yaml',
  );
  const dest = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[number]);
      done();
    },
  });
  d = await runDaemon(config, { logger: pino({ level: 'info' }, dest), ec2: createEmulatorEc2Client(emu.endpoint) });
}, 30_000);

afterAll(async () => {
  await d?.stop();
  await emu?.stop();
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const post = (body: string) => fetch(`${d.api.url}/route_spec`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('API abuse (campaign defects 1, 2 and 8)', () => {
  it('deeply nested JSON on POST /route_spec is a 400 with a reason, and nothing is logged as an error', async () => {
    const before = lines.length;
    const r = await post('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: 'body:1:321: invalid JSON: nesting deeper than 64 levels',
      line: 1,
      column: 321,
      reason: 'invalid JSON: nesting deeper than 64 levels',
    });
    expect(lines.slice(before).filter((l) => l.level >= 50)).toEqual([]);
    expect((await fetch(`${d.api.url}/healthz`)).status).toBe(200);
  });

  it('POST /route_spec lists every entry the policy refused, and why', async () => {
    const r = await post(JSON.stringify({ '0.0.0.0/0': ['8.8.8.8'], '100.70.1.0/24': ['8.8.8.8', '127.0.15.11'] }));
    expect(r.status).toBe(200);
    const body: unknown = await r.json();
    expect(body).toEqual({
      status: 'ok',
      prefixes: 2,
      rejected: [
        { prefix: '0.0.0.0/0', nextHop: '8.8.8.8', reason: '0.0.0.0/0 is a default route (never accepted)' },
        { prefix: '100.70.1.0/24', nextHop: '8.8.8.8', reason: 'next hop 8.8.8.8 is not a private address' },
      ],
    });
  });

  it('20k prefixes changing at once log a handful of info lines, not one per prefix (defect 9)', async () => {
    expect((await post('{}')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1200)); // the change log's 1 s window of that reset closes
    const before = lines.length;
    const spec: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) spec[`100.70.${i >> 8}.${i & 255}/32`] = ['127.0.15.11'];
    expect((await post(JSON.stringify(spec))).status).toBe(200);
    await until(
      () => lines.slice(before).some((l) => l.event === 'next_hop_chosen' && (l as { prefixes?: number }).prefixes !== undefined),
      'the summary line',
    );
    const chosen = lines.slice(before).filter((l) => l.event === 'next_hop_chosen');
    expect(chosen.length).toBeLessThanOrEqual(11);
    expect(chosen.reduce((n, l) => n + ((l as { prefixes?: number }).prefixes ?? 1), 0)).toBe(20_000);
    expect((await post('{}')).status).toBe(200); // withdraw them all again
  });

  it('GET /api/v1/routes comes in pages that together hold the whole route spec once, in prefix order', async () => {
    const spec: Record<string, string[]> = {};
    for (let i = 0; i < 2500; i++) spec[`100.70.${i >> 4}.${(i & 15) * 16}/28`] = ['127.0.15.11'];
    expect((await post(JSON.stringify(spec))).status).toBe(200);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const r = (await (await fetch(`${d.api.url}/api/v1/routes${after ? `?after=${encodeURIComponent(after)}` : ''}`)).json()) as {
        routes: { prefix: string; chosen?: string }[];
        total: number;
        next?: string;
      };
      pages++;
      expect(r.total).toBe(2500);
      expect(r.routes.length).toBeLessThanOrEqual(1000);
      seen.push(...r.routes.map((x) => x.prefix));
      if (r.next === undefined) break;
      expect(r.next).toBe(r.routes.at(-1)?.prefix);
      after = r.next;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Object.keys(spec));
    const one = (await (await fetch(`${d.api.url}/api/v1/routes?limit=1&after=100.70.0.16/28`)).json()) as { routes: { prefix: string }[] };
    expect(one.routes.map((x) => x.prefix)).toEqual(['100.70.0.32/28']);
  });
});
