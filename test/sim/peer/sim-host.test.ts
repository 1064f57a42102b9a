// The simulated host against a minimal passive receiver written with our codec's decoders, over real TCP on
// loopback (127.0.3.x, kept apart from other tests' addresses).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimHost } from '../../../src/sim/peer/sim-host.js';
import { HealthPort } from '../../../src/sim/peer/health-port.js';
import { Framer } from '../../../src/bgp/wire/framer.js';
import { MessageType } from '../../../src/bgp/wire/constants.js';
import { decodeOpen, encodeOpen, type OpenMessage } from '../../../src/bgp/wire/open.js';
import { encodeKeepalive } from '../../../src/bgp/wire/keepalive.js';
import { decodeUpdate, type UpdateMessage } from '../../../src/bgp/wire/update-decode.js';
import { decodeNotification } from '../../../src/bgp/wire/notification.js';
import { DEFAULT_CONTEXT } from '../../../src/bgp/wire/decode-context.js';
import { formatPrefix } from '../../../src/net/prefix.js';

interface Received {
  open?: OpenMessage;
  updates: UpdateMessage[];
  notifications: { code: number; subcode: number }[];
  closed: boolean;
  reset: boolean;
  remoteAddress?: string;
}

async function receiver(asn = 65000): Promise<{ server: Server; port: number; rx: Received[]; sockets: Socket[] }> {
  const rx: Received[] = [];
  const sockets: Socket[] = [];
  const server = createServer((sock) => {
    sockets.push(sock);
    const r: Received = {
      updates: [],
      notifications: [],
      closed: false,
      reset: false,
      ...(sock.remoteAddress ? { remoteAddress: sock.remoteAddress } : {}),
    };
    rx.push(r);
    const framer = new Framer();
    sock.on('data', (chunk: Buffer) => {
      for (const m of framer.push(chunk)) {
        switch (m[18]) {
          case MessageType.OPEN:
            r.open = decodeOpen(m);
            sock.write(encodeOpen({ asn, holdTime: 90, routerId: '127.0.3.1', capabilities: [{ type: 'four-octet-asn', asn }] }));
            sock.write(encodeKeepalive());
            break;
          case MessageType.UPDATE:
            r.updates.push(decodeUpdate(m, DEFAULT_CONTEXT));
            break;
          case MessageType.NOTIFICATION: {
            const n = decodeNotification(m);
            r.notifications.push({ code: n.code, subcode: n.subcode });
            break;
          }
        }
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') r.reset = true;
    });
    sock.on('close', (hadError) => {
      if (hadError) r.reset = true;
      r.closed = true;
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.3.1', res));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, rx, sockets };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const announcedPrefixes = (r: Received): string[] =>
  r.updates.flatMap((u) => [...u.nlri, ...(u.mpReach?.nlri ?? [])].map((n) => formatPrefix(n.prefix)));

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('SimHost', () => {
  it('opens from its own loopback address with 4-octet ASN, MP v4/v6, GR and hostname, then announces', async () => {
    const { server, port, rx } = await receiver();
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = new SimHost({
      localAddress: '127.0.3.11',
      remoteHost: '127.0.3.1',
      remotePort: port,
      asn: 4200000001,
      gracefulRestartTime: 60,
      hostname: 'node-a',
    });
    cleanup.push(() => host.kill());
    host.announce(['100.64.1.0/24', '100.65.0.10/32']);
    host.announce(['2001:db8:1::/64']);
    await host.start();
    expect(host.state).toBe('established');
    await until(() => (rx[0]?.updates.length ?? 0) >= 4, 'updates + End-of-RIB');
    const r = rx[0] as Received;
    expect(r.remoteAddress).toBe('127.0.3.11');
    expect(r.open?.asn).toBe(4200000001);
    expect(r.open?.myAsn).toBe(23456); // AS_TRANS in the 2-octet field (RFC 6793 §4.1)
    const types = r.open?.capabilities.map((c) => c.type) ?? [];
    expect(types).toEqual(expect.arrayContaining(['multiprotocol', 'four-octet-asn', 'route-refresh', 'graceful-restart', 'fqdn']));
    expect(announcedPrefixes(r).sort()).toEqual(['100.64.1.0/24', '100.65.0.10/32', '2001:db8:1::/64']);
    const v4 = r.updates.find((u) => u.nlri.length > 0);
    expect(v4?.attributes.find((a) => a.type === 'next-hop')).toMatchObject({ nextHop: '127.0.3.11' });
    expect(v4?.attributes.find((a) => a.type === 'as-path')).toMatchObject({ segments: [{ type: 'sequence', asns: [4200000001] }] });
    expect(r.updates.find((u) => u.mpReach)?.mpReach?.nextHop).toBe('::ffff:127.0.3.11'); // IPv4-mapped, like GoBGP
    expect(
      r.updates
        .filter((u) => u.endOfRib)
        .map((u) => u.endOfRib)
        .sort(),
    ).toEqual(['ipv4', 'ipv6']);
  });

  it('withdraws, stops with Cease 6/2, and re-announces what it remembers after a restart', async () => {
    const { server, port, rx } = await receiver();
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = new SimHost({ localAddress: '127.0.3.12', remoteHost: '127.0.3.1', remotePort: port, asn: 65012 });
    cleanup.push(() => host.kill());
    host.announce(['100.64.2.0/24', '100.64.3.0/24']);
    await host.start();
    host.withdraw(['100.64.3.0/24']);
    await until(() => rx[0]?.updates.some((u) => u.withdrawn.length > 0) ?? false, 'withdrawal');
    const w = rx[0]?.updates.find((u) => u.withdrawn.length)?.withdrawn[0];
    expect(w && formatPrefix(w.prefix)).toBe('100.64.3.0/24');
    await host.stop();
    await until(() => rx[0]?.closed ?? false, 'close');
    expect(rx[0]?.notifications).toEqual([{ code: 6, subcode: 2 }]);
    await host.start();
    await until(() => (rx[1]?.updates.length ?? 0) >= 1, 'replay');
    expect(announcedPrefixes(rx[1] as Received)).toEqual(['100.64.2.0/24']);
    expect(host.sessions).toBe(2);
  });

  it('dies abruptly: the connection drops with no NOTIFICATION', async () => {
    const { server, port, rx } = await receiver();
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = new SimHost({ localAddress: '127.0.3.13', remoteHost: '127.0.3.1', remotePort: port, asn: 65013 });
    await host.start();
    host.kill();
    await until(() => rx[0]?.closed ?? false, 'close');
    // SO_LINGER 0: an RST where the kernel can send one (the receiver may see a plain close instead).
    expect(rx[0]?.notifications).toEqual([]);
    expect(host.state).toBe('closed');
  });

  it('goes silent on freeze(): connection kept open, nothing more sent', async () => {
    const { server, port, rx } = await receiver();
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = new SimHost({ localAddress: '127.0.3.16', remoteHost: '127.0.3.1', remotePort: port, asn: 65016 });
    cleanup.push(() => host.kill());
    await host.start();
    host.freeze();
    host.announce(['100.64.9.0/24']);
    await new Promise((r) => setTimeout(r, 150));
    expect(rx[0]?.closed).toBe(false);
    expect(rx[0]?.updates).toEqual([]);
    host.kill();
    await until(() => rx[0]?.closed ?? false, 'close after kill');
  });

  it('uses an empty AS_PATH and LOCAL_PREF over iBGP', async () => {
    const { server, port, rx } = await receiver(65000);
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = new SimHost({ localAddress: '127.0.3.14', remoteHost: '127.0.3.1', remotePort: port, asn: 65000 });
    cleanup.push(() => host.kill());
    host.announce(['100.64.4.0/24']);
    await host.start();
    await until(() => (rx[0]?.updates.length ?? 0) >= 1, 'update');
    const attrs = rx[0]?.updates[0]?.attributes ?? [];
    expect(attrs.find((a) => a.type === 'as-path')).toMatchObject({ segments: [] });
    expect(attrs.find((a) => a.type === 'local-pref')).toMatchObject({ localPref: 100 });
  });

  it('fails start() with a clear error when nobody listens', async () => {
    const { server, port } = await receiver();
    await new Promise<void>((r) => server.close(() => r()));
    const host = new SimHost({ localAddress: '127.0.3.15', remoteHost: '127.0.3.1', remotePort: port, asn: 65015 });
    await expect(host.start()).rejects.toMatchObject({ code: 'SIM_SOCKET' });
    expect(host.state).toBe('closed');
  });
});

describe('HealthPort', () => {
  const probe = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const s = connect({ host: '127.0.3.21', port });
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });

  it('accepts connections while open and refuses them once closed', async () => {
    const hp = new HealthPort('127.0.3.21', 0);
    // Port 0 would pick a new port on every open; find a free one first.
    const probeServer = createServer();
    await new Promise<void>((r) => probeServer.listen(0, '127.0.3.21', r));
    const addr = probeServer.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    await new Promise<void>((r) => probeServer.close(() => r()));
    const h = new HealthPort(hp.address, port);
    await h.open();
    expect(await probe(port)).toBe(true);
    await h.close();
    expect(await probe(port)).toBe(false);
    await h.open();
    expect(await probe(port)).toBe(true);
    await h.close();
  });
});
