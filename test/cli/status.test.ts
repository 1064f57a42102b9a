import { afterEach, describe, expect, it, vi } from 'vitest';
import { haLine, renderStatus, type StatusSnapshot } from '../../src/cli/status-render.js';
import { fetchSnapshot, statusCommand } from '../../src/cli/status-command.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/base/log.js';
import type { ApiBackend } from '../../src/api/backend.js';

const snap: StatusSnapshot = {
  status: {
    version: '0.1.0',
    cluster: 'prod',
    uptimeSeconds: 125,
    ready: { ready: true, checks: { config: true, aws: true, converged: true } },
    dryRun: false,
    peers: { total: 2, established: 1 },
    prefixes: 2,
    tables: [{ id: 'rtb-1', used: 4, limit: 50, desired: 2 }],
    ec2Calls: { CreateRoute: 2, DescribeRouteTables: 3 },
    ha: { role: 'follower', leader: 'bgp2vpc-1', identity: 'bgp2vpc-0', backend: 'etcd', writable: false, terms: 0 },
  },
  peers: [
    {
      peer: '10.0.1.10',
      asn: 65010,
      state: 'established',
      hostname: 'node-a',
      uptimeSeconds: 120,
      capabilities: ['mp-ipv4', 'as4'],
      prefixes: { received: 2, accepted: 2, rejected: 0 },
      flaps: 0,
      health: { healthy: true },
    },
    {
      peer: '10.0.1.11',
      asn: 65010,
      state: 'active',
      uptimeSeconds: 30,
      capabilities: [],
      prefixes: { received: 0, accepted: 0, rejected: 0 },
      flaps: 3,
      lastError: 'hold timer expired',
      health: { healthy: false, reason: 'session down' },
    },
  ],
  routes: {
    routes: [
      {
        prefix: '100.64.1.0/24',
        chosen: '10.0.1.10',
        candidates: [
          { nextHop: '10.0.1.10', source: 'bgp:10.0.1.10', healthy: true, chosen: true },
          { nextHop: '10.0.1.11', source: 'bgp:10.0.1.11', healthy: false, chosen: false },
        ],
      },
    ],
  },
  tables: {
    tables: [
      {
        id: 'rtb-1',
        limit: 50,
        used: 4,
        desired: [
          { destination: '100.64.1.0/24', target: 'eni-a' },
          { destination: '100.64.2.0/24', target: 'eni-b' },
        ],
        actual: [{ destination: '100.64.1.0/24', target: 'eni-a', state: 'active' }],
        damageAddresses: '0',
      },
    ],
  },
};

describe('status rendering', () => {
  it('shows sessions, chosen next hops and tables vs limit', () => {
    const text = renderStatus(snap);
    expect(text).toContain('cluster prod  up 2m05s  ready');
    expect(text).toContain('Sessions (1/2 established)');
    expect(text).toMatch(/10\.0\.1\.10 \(node-a\)\s+65010\s+established/);
    expect(text).toMatch(/10\.0\.1\.11\s+65010\s+active.*down \(session down\)\s+hold timer expired/);
    expect(text).toMatch(/100\.64\.1\.0\/24\s+10\.0\.1\.10\s+10\.0\.1\.10\* 10\.0\.1\.11\(down\)/);
    expect(text).toContain('rtb-1: 4/50 routes (8%), 2 desired');
    expect(text).toMatch(/100\.64\.1\.0\/24\s+eni-a\s+eni-a\s+in sync/);
    expect(text).toMatch(/100\.64\.2\.0\/24\s+eni-b\s+-\s+pending/);
    expect(text).toContain('EC2 calls: CreateRoute=2 DescribeRouteTables=3');
    expect(text).toContain('HA: follower as bgp2vpc-0 (etcd), leader bgp2vpc-1\n');
  });

  it('says who writes: the leader with its term and lease, a follower without a leader, standalone', () => {
    const base = { identity: 'r1', backend: 'etcd' };
    expect(haLine({ ...base, role: 'leader', leader: 'r1', writable: false, token: '42', deadlineInMs: 2300, writableInMs: 1200 })).toBe(
      'HA: LEADER as r1 (etcd, term 42, lease valid 2.3s, first write in 1.2s)  not writing',
    );
    expect(haLine({ ...base, role: 'leader', leader: 'r1', writable: true, token: '42', deadlineInMs: 2000 })).toBe(
      'HA: LEADER as r1 (etcd, term 42, lease valid 2.0s)',
    );
    expect(haLine({ ...base, role: 'follower', leader: null, writable: false, lastError: 'acquire: connect ECONNREFUSED' })).toBe(
      'HA: follower as r1 (etcd), NO LEADER: nobody writes to EC2  etcd error: acquire: connect ECONNREFUSED',
    );
    expect(haLine({ role: 'standalone', leader: 'h', identity: 'h', backend: 'none', writable: true })).toBe(
      'HA: standalone (no election; this process writes)',
    );
  });

  it('says NOT READY with the failing checks and shows damage', () => {
    const t0 = snap.tables.tables[0];
    if (!t0) throw new Error('fixture');
    const text = renderStatus({
      ...snap,
      status: { ...snap.status, ready: { ready: false, checks: { config: true, converged: false } } },
      tables: { tables: [{ ...t0, damageAddresses: '256' }] },
    });
    expect(text).toContain('NOT READY (converged)');
    expect(text).toContain('DAMAGE: 256 announced addresses');
  });
});

describe('status command', () => {
  let server: ApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    vi.restoreAllMocks();
  });

  const backend: ApiBackend = {
    ready: () => snap.status.ready,
    status: () => snap.status,
    peers: () => snap.peers,
    routes: () => snap.routes,
    explain: () => undefined,
    tables: () => snap.tables,
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  };

  it('reads a running API, with the token when reads are protected', async () => {
    server = await startApiServer({ host: '127.0.0.1', port: 0, backend, logger: silentLogger, auth: { token: 't', protectReads: true } });
    await expect(fetchSnapshot(server.url)).rejects.toMatchObject({ code: 'API_UNAUTHORIZED' });
    expect(await fetchSnapshot(server.url, 't')).toEqual(snap);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await statusCommand({ api: server.url, token: 't' }, [])).toBe(0);
    expect(String(write.mock.calls[0]?.[0])).toContain('Sessions (1/2 established)');
  });

  it('is a one-line user error when the daemon is not running', async () => {
    server = await startApiServer({ host: '127.0.0.1', port: 0, backend, logger: silentLogger });
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(statusCommand({ api: url }, [])).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    await expect(statusCommand({ api: 'not a url' }, [])).rejects.toMatchObject({ code: 'BAD_API_URL' });
  });
});
