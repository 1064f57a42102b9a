// TCP-MD5 (RFC 2385) through the speaker, over loopback (127.0.16.0/24): keys on the listener per neighbour and per
// range, the key on active connects, and a reload that rotates keys without dropping established sessions.
import { sockoptRequiredTest, sockoptUsable } from '../../support/sockopt-gate.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, Socket, type Server } from 'node:net';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { parseAddress } from '../../../src/net/address.js';
import { parsePrefix } from '../../../src/net/prefix.js';
import { createListenFd, md5ClientSocket } from '../../../src/sockopt/md5-sockets.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

const CTRL = '127.0.16.1';
const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
const servers: Server[] = [];
const strays: Socket[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  for (const s of strays.splice(0)) s.destroy();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Dials the speaker from `from` and reports whether the TCP handshake completed (a dropped SYN is silent). */
function dial(port: number, from: string, key: string | undefined, ms = 800): Promise<'connected' | 'timeout'> {
  const s = key === undefined ? new Socket() : md5ClientSocket(parseAddress(CTRL), Buffer.from(key));
  strays.push(s);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve('timeout'), ms);
    s.once('error', reject);
    s.connect({ host: CTRL, port, localAddress: from }, () => {
      clearTimeout(t);
      resolve('connected');
    });
  });
}

sockoptRequiredTest();
describe.runIf(sockoptUsable())('TCP-MD5 sessions', () => {
  async function speakerWithKeys(): Promise<{ speaker: Speaker; port: number }> {
    const s = await startSpeaker({
      listen: [{ address: CTRL, port: 0 }],
      neighbors: [{ address: '127.0.16.11', asn: 65011, password: 'node-a-key' }],
      dynamic: [{ range: '127.0.16.32/28', asns: { min: 65100, max: 65199 }, password: 'range-key' }],
    });
    speakers.push(s.speaker);
    return s;
  }

  it('a neighbour and a range member with the right keys reach Established', async () => {
    const { speaker, port } = await speakerWithKeys();
    const a = await TestPeer.connect({ host: CTRL, port, localAddress: '127.0.16.11', asn: 65011, md5Key: 'node-a-key' });
    const b = await TestPeer.connect({ host: CTRL, port, localAddress: '127.0.16.33', asn: 65133, md5Key: 'range-key' });
    peers.push(a, b);
    await a.establish();
    await b.establish();
    await until(
      () => speaker.peer('127.0.16.11')?.state === 'Established' && speaker.peer('127.0.16.33')?.state === 'Established',
      'both Established',
    );
  });

  it('without the key or with a wrong one, the connection never reaches the speaker', async () => {
    const { speaker, port } = await speakerWithKeys();
    expect(await dial(port, '127.0.16.11', undefined)).toBe('timeout');
    expect(await dial(port, '127.0.16.11', 'range-key')).toBe('timeout');
    expect(await dial(port, '127.0.16.34', 'node-a-key')).toBe('timeout');
    expect(speaker.peer('127.0.16.11')?.state).toBe('Idle');
    expect(speaker.peer('127.0.16.34')).toBeUndefined();
    // An address with no key configured still connects unsigned (and is then matched as usual: here refused).
    expect(await dial(port, '127.0.16.60', undefined)).toBe('connected');
  });

  it('a reload rotates keys: established sessions stay, new connections need the new key', async () => {
    const { speaker, port } = await speakerWithKeys();
    const a = await TestPeer.connect({ host: CTRL, port, localAddress: '127.0.16.11', asn: 65011, md5Key: 'node-a-key' });
    peers.push(a);
    await a.establish();
    await until(() => speaker.peer('127.0.16.11')?.state === 'Established', 'Established');
    speaker.setNeighbors(
      [{ address: '127.0.16.11', asn: 65011, password: 'node-a-key-2' }],
      [{ range: '127.0.16.32/28', asns: { min: 65100, max: 65199 } }], // the range drops its key
    );
    expect(await dial(port, '127.0.16.33', undefined)).toBe('connected');
    expect(await dial(port, '127.0.16.11', 'node-a-key')).toBe('timeout');
    expect(await dial(port, '127.0.16.11', 'node-a-key-2')).toBe('connected');
    // The established session kept its socket's key: keepalives still flow, no NOTIFICATION, still up.
    expect(a.closed).toBe(false);
    expect(speaker.peer('127.0.16.11')?.state).toBe('Established');
    expect(a.received.filter((m) => m[18] === 3)).toEqual([]);
  });

  it('an active connect signs its SYN with the neighbour key', async () => {
    const accepted: Socket[] = [];
    const fd = createListenFd(parseAddress('127.0.16.12'), 0, [{ prefix: parsePrefix('127.0.16.1/32'), key: Buffer.from('dial-key') }]);
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen({ fd }, r));
    servers.push(server);
    const hostPort = (server.address() as { port: number }).port;
    const s = await startSpeaker({
      listen: [{ address: CTRL, port: 0 }],
      neighbors: [{ address: '127.0.16.12', asn: 65012, port: hostPort, active: true, localAddress: CTRL, password: 'dial-key' }],
    });
    speakers.push(s.speaker);
    const sock = await until(() => accepted[0], 'the signed connect');
    const p = TestPeer.wrap(sock, { port: hostPort, localAddress: '127.0.16.12', asn: 65012 });
    peers.push(p);
    await p.establish();
    await until(() => s.speaker.peer('127.0.16.12')?.state === 'Established', 'Established');
  });

  it('refuses a neighbour without a key inside a keyed range', async () => {
    await expect(
      startSpeaker({
        neighbors: [{ address: '127.0.16.35', asn: 65135 }],
        dynamic: [{ range: '127.0.16.32/28', asns: { min: 65100, max: 65199 }, password: 'range-key' }],
      }),
    ).rejects.toThrow('neighbour 127.0.16.35 has no password but lies inside range 127.0.16.32/28, which has one');
  });
});
