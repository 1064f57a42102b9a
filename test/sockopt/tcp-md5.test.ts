// TCP-MD5 through the kernel: Node listener and Node client on 127.0.16.0/24, keys set with sockopt/. Exact
// struct bytes first, then what the kernel does with them (connect, silent drop, longest match, v4-mapped keys).
import { sockoptRequiredTest, sockoptUsable } from '../support/sockopt-gate.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, Socket, type Server } from 'node:net';
import { parseAddress } from '../../src/net/address.js';
import { parsePrefix } from '../../src/net/prefix.js';
import { deleteTcpMd5Key, encodeTcpMd5sig, setTcpMd5Key } from '../../src/sockopt/tcp-md5.js';
import { createListenFd, md5ClientSocket } from '../../src/sockopt/md5-sockets.js';
import { serverFd, socketFd } from '../../src/sockopt/fds.js';
import { parseTcpMd5Drops, readTcpMd5Drops, registerTcpMd5DropMetrics } from '../../src/sockopt/tcp-ext-stats.js';
import { Metrics } from '../../src/base/metrics.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const key = (prefix: string, k: string) => ({ prefix: parsePrefix(prefix), key: Buffer.from(k) });

describe('struct tcp_md5sig', () => {
  it('encodes an IPv4 prefix key: sockaddr_in, FLAG_PREFIX, prefix length, key length, key', () => {
    const b = encodeTcpMd5sig(key('10.1.2.0/24', 'secret'), 'ipv4');
    expect(b.length).toBe(216);
    expect(b.subarray(0, 16).toString('hex')).toBe('0200' + '0000' + '0a010200' + '0000000000000000');
    expect(b.subarray(128, 142).toString('hex')).toBe('01' + '18' + '0600' + '00000000' + Buffer.from('secret').toString('hex'));
    expect(b.subarray(142).every((x) => x === 0)).toBe(true);
  });

  it('writes an IPv4 key for a dual-stack socket as ::ffff:a.b.c.d with the IPv4 prefix length', () => {
    const b = encodeTcpMd5sig(key('127.0.16.0/24', 'k'), 'ipv6');
    expect(b.subarray(0, 28).toString('hex')).toBe('0a00' + '0000' + '00000000' + '00000000000000000000ffff7f001000' + '00000000');
    expect(b[129]).toBe(24);
  });

  it('refuses keys over 80 bytes and IPv6 keys on an IPv4 socket', () => {
    expect(() => encodeTcpMd5sig(key('10.0.0.1/32', 'x'.repeat(81)), 'ipv4')).toThrow(/81 bytes; at most 80/);
    expect(() => encodeTcpMd5sig(key('2001:db8::1/128', 'x'), 'ipv4')).toThrow(/cannot go on an IPv4 socket/);
  });
});

describe('TcpExt counters', () => {
  it('reads the three MD5 drop counters from /proc/net/netstat text', () => {
    const text = 'TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\nTcpExt: 0 4 5 6\nIpExt: InNoRoutes\nIpExt: 0\n';
    expect(parseTcpMd5Drops(text)).toEqual({ notFound: 4, unexpected: 5, failure: 6 });
    expect(parseTcpMd5Drops('IpExt: a\nIpExt: 1\n')).toBeUndefined();
  });
});

sockoptRequiredTest();
describe.runIf(sockoptUsable())('the kernel honours the keys (127.0.16.0/24)', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function listen(address: string, keys: ReturnType<typeof key>[]): Promise<{ server: Server; port: number; accepted: string[] }> {
    const fd = createListenFd(parseAddress(address), 0, keys);
    const server = createServer();
    const accepted: string[] = [];
    server.on('connection', (s) => {
      accepted.push(s.remoteAddress ?? '?');
      sockets.push(s);
    });
    await new Promise<void>((r) => server.listen({ fd }, r));
    servers.push(server);
    const a = server.address();
    return { server, port: typeof a === 'object' && a ? a.port : 0, accepted };
  }

  /** 'connected' or 'timeout' (a dropped SYN is silent: no RST, no ECONNREFUSED). */
  function tryConnect(to: string, port: number, from: string, k: string | undefined, ms = 1500): Promise<'connected' | 'timeout'> {
    const s = k === undefined ? new Socket() : md5ClientSocket(parseAddress(to), Buffer.from(k));
    sockets.push(s);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve('timeout');
      }, ms);
      s.once('error', (err) => {
        clearTimeout(t);
        reject(err);
      });
      s.connect({ host: to.replace(/^::ffff:/, ''), port, localAddress: from }, () => {
        clearTimeout(t);
        resolve('connected');
      });
    });
  }

  it('connects with the right key, drops a wrong one and counts it', async () => {
    const l = await listen('127.0.16.1', [key('127.0.16.2/32', 'k1'), key('127.0.16.3/32', 'k2')]);
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.2', 'k1')).toBe('connected');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.3', 'k2')).toBe('connected');
    const before = await readTcpMd5Drops();
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.2', 'wrong', 800)).toBe('timeout');
    const after = await readTcpMd5Drops();
    expect(after!.failure).toBeGreaterThan(before!.failure);
    expect(l.accepted).toEqual(['127.0.16.2', '127.0.16.3']);
  });

  it('a /32 key overrides a prefix key; deleting the /32 brings the prefix key back', async () => {
    const l = await listen('127.0.16.1', [key('127.0.16.0/24', 'range'), key('127.0.16.4/32', 'own')]);
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.5', 'range')).toBe('connected');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.4', 'range', 800)).toBe('timeout');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.4', 'own')).toBe('connected');
    deleteTcpMd5Key(serverFd(l.server), parsePrefix('127.0.16.4/32'), 'ipv4');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.4', 'range')).toBe('connected');
    expect(() => deleteTcpMd5Key(serverFd(l.server), parsePrefix('127.0.16.4/32'), 'ipv4')).toThrow(/ENOENT|No such file/);
  });

  it('a dual-stack listener takes IPv4 keys v4-mapped, prefix keys included', async () => {
    const l = await listen('::', [key('127.0.16.0/28', 'mapped')]);
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.6', 'mapped')).toBe('connected');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.7', 'nope', 800)).toBe('timeout');
    // Outside the /28: no key, so an unsigned SYN is accepted (keys are per address).
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.20', undefined)).toBe('connected');
    expect(l.accepted).toEqual(['::ffff:127.0.16.6', '::ffff:127.0.16.20']);
  });

  it('a key added to a listening socket applies to later SYNs; accepted sockets keep their own copy', async () => {
    const l = await listen('127.0.16.1', []);
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.8', undefined)).toBe('connected');
    setTcpMd5Key(serverFd(l.server), key('127.0.16.8/32', 'late'), 'ipv4');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.8', undefined, 800)).toBe('timeout');
    expect(await tryConnect('127.0.16.1', l.port, '127.0.16.8', 'late')).toBe('connected');
    expect(socketFd(sockets[0]!)).toBeGreaterThan(0);
  });
});

describe('bgp2vpc_tcp_md5_drops_total', () => {
  it('exposes the three kernel counters by reason at scrape time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bgp2vpc-netstat-')), 'netstat');
    writeFileSync(file, 'TcpExt: TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\nTcpExt: 1 2 3\n');
    const m = new Metrics();
    registerTcpMd5DropMetrics(m, file);
    const lines = (await m.text()).split('\n').filter((l) => l.startsWith('bgp2vpc_tcp_md5_drops_total'));
    expect(lines).toEqual([
      'bgp2vpc_tcp_md5_drops_total{reason="not_found"} 1',
      'bgp2vpc_tcp_md5_drops_total{reason="unexpected"} 2',
      'bgp2vpc_tcp_md5_drops_total{reason="failure"} 3',
    ]);
    writeFileSync(file, 'TcpExt: TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\nTcpExt: 1 2 7\n');
    expect(await m.text()).toContain('bgp2vpc_tcp_md5_drops_total{reason="failure"} 7');
  });
});
