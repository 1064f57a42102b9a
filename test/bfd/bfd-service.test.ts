// Two BFD services talking over real UDP on loopback (127.0.16.0/24, port 3784 on specific addresses): sessions come
// up, AdminDown reaches the other side, the TTL filter drops single-hop packets that did not arrive with TTL 255.
import { sockoptRequiredTest, sockoptUsable } from '../support/sockopt-gate.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { BfdService } from '../../src/bfd/bfd-service.js';
import type { BfdStateChange } from '../../src/bfd/session.js';
import { encodeBfdControl } from '../../src/bfd/codec.js';
import { Metrics } from '../../src/base/metrics.js';
import { waitFor } from '../interop/support/wait.js';

const timers = { desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, detectMult: 3 };
const services: BfdService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop(200)));
});

function service(listen: string, metrics?: Metrics): { bfd: BfdService; changes: string[] } {
  const bfd = new BfdService({ listen: [listen], ...(metrics ? { metrics } : {}) });
  services.push(bfd);
  const changes: string[] = [];
  bfd.onChange((peer: string, c: BfdStateChange) => changes.push(`${peer} ${c.from}>${c.to}/${c.diag}`));
  return { bfd, changes };
}

sockoptRequiredTest();
describe.runIf(sockoptUsable())('BFD over UDP', () => {
  it('two services bring their sessions Up; AdminDown on one side takes the other Down with diagnostic 3', async () => {
    const metrics = new Metrics();
    const a = service('127.0.16.41', metrics);
    const b = service('127.0.16.42');
    await a.bfd.setPeers([{ peer: '127.0.16.42', multihop: false, timers }]);
    await b.bfd.setPeers([{ peer: '127.0.16.41', multihop: false, timers }]);
    await waitFor(() => a.bfd.state('127.0.16.42') === 'Up' && b.bfd.state('127.0.16.41') === 'Up', { what: 'both Up', timeoutMs: 10_000 });
    const s = a.bfd.sessions()[0];
    expect(s).toMatchObject({ peer: '127.0.16.42', multihop: false, state: 'Up', txIntervalMs: 100, detectionTimeMs: 300 });
    expect(s?.localPort).toBeGreaterThanOrEqual(49152); // RFC 5881 §4
    await b.bfd.setPeers([]);
    await waitFor(() => a.bfd.state('127.0.16.42') === 'Down', { what: 'A Down', timeoutMs: 5000 });
    expect(a.changes.at(-1)).toBe('127.0.16.42 Up>Down/3');
    const text = await metrics.text();
    expect(text).toContain('bgp2vpc_bfd_session_up{peer="127.0.16.42"} 0');
    expect(text).toContain('bgp2vpc_bfd_session_flaps_total{peer="127.0.16.42"} 1');
  });

  it('drops single-hop packets that arrive with a TTL below 255 (GTSM by socket filter)', async () => {
    const metrics = new Metrics();
    const a = service('127.0.16.43', metrics);
    await a.bfd.setPeers([{ peer: '127.0.16.44', multihop: false, timers }]);
    const down = encodeBfdControl({
      diag: 0,
      state: 'Down',
      poll: false,
      final: false,
      cpi: false,
      demand: false,
      detectMult: 3,
      myDiscr: 4242,
      yourDiscr: 0,
      desiredMinTxUs: 1_000_000,
      requiredMinRxUs: 1_000_000,
      requiredMinEchoRxUs: 0,
    });
    const tx = createSocket('udp4');
    await new Promise<void>((r) => tx.bind(0, '127.0.16.44', r));
    const send = (ttl: number) =>
      new Promise<void>((r) => {
        tx.setTTL(ttl);
        tx.send(down, 3784, '127.0.16.43', () => r());
      });
    try {
      // Loopback keeps the order: when the TTL 255 packet has been taken, the two before it were dropped, not late.
      for (const ttl of [64, 254, 255]) await send(ttl);
      await waitFor(() => a.bfd.state('127.0.16.44') === 'Init', { what: 'Init after the TTL 255 packet', timeoutMs: 3000 });
      expect(a.bfd.sessions()[0]?.rx).toBe(1);
    } finally {
      tx.close();
    }
  });
});
