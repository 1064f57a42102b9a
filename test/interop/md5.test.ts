// TCP-MD5 (RFC 2385) against BIRD 2 (`password`), FRR (`neighbor … password`) and GoBGP (`auth-password`): with
// the right key the session comes up and routes flow; with a wrong key or none, nothing reaches our FSM and the
// kernel counts the drop. Also our signed active connect to BIRD's listener. Addresses in 127.0.16.0/24.
import { sockoptRequiredTest, sockoptUsable } from '../support/sockopt-gate.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { peerGate, peersInstalledTest } from './support/availability.js';
import { SpeakerHarness } from './support/speaker-harness.js';
import { PEER_DEFAULTS, TestbedPeer, stopAllPeers, type PeerKind } from './support/testbed.js';
import { holdsFor, waitFor } from './support/wait.js';
import { readTcpMd5Drops, type TcpMd5Drops } from '../../src/sockopt/tcp-ext-stats.js';

const CTRL = '127.0.16.1';
const KINDS: readonly PeerKind[] = ['bird', 'frr', 'gobgp'];
const ADDR: Readonly<Record<string, string>> = { gobgp: '127.0.16.21', bird: '127.0.16.22', frr: '127.0.16.23' };
/** gobgpd's first connect comes 5–19 s after it starts (TESTBED.md), whatever connect-retry says. */
const CONNECT_MS = 45_000;

const gate = peerGate(KINDS);
peersInstalledTest(gate, 'BIRD, FRR and GoBGP are');

async function drops(): Promise<TcpMd5Drops> {
  const d = await readTcpMd5Drops();
  if (!d) throw new Error('/proc/net/netstat has no TcpExt counters');
  return d;
}

sockoptRequiredTest();
describe.runIf(gate.run && sockoptUsable())('TCP-MD5 with real peers', () => {
  let h: SpeakerHarness;
  let port = 0;

  beforeAll(async () => {
    h = await SpeakerHarness.start({
      address: CTRL,
      port: 0,
      neighbors: KINDS.map((k) => ({ address: ADDR[k] ?? '', asn: PEER_DEFAULTS[k].asn, password: `key-for-${k}` })),
    });
    port = h.speaker.addresses()[0]?.port ?? 0;
  });
  afterEach(() => stopAllPeers());
  afterAll(async () => {
    await stopAllPeers();
    await h?.stop();
  });

  const start = (kind: PeerKind, md5Password: string | undefined, prefix: string, extra: { controllerPort?: number } = {}) =>
    TestbedPeer.start({
      kind,
      address: ADDR[kind] ?? '',
      controllerAddress: CTRL,
      controllerPort: extra.controllerPort ?? port,
      routes: [prefix],
      ...(md5Password !== undefined ? { md5Password } : {}),
    });

  for (const [i, kind] of KINDS.entries()) {
    const addr = ADDR[kind] ?? '';
    it(`${kind}: the right key brings the session up and its routes in`, async () => {
      const peer = await start(kind, `key-for-${kind}`, `100.64.${16 + i}.0/24`);
      await h.waitPath(addr, `100.64.${16 + i}.0/24`, undefined, { timeoutMs: CONNECT_MS, extra: () => peer.logTail(10) });
      expect(h.status(addr)?.state).toBe('Established');
    });

    it(`${kind}: a wrong key never reaches the FSM; the kernel counts TCPMD5Failure`, async () => {
      // The last session's paths may linger stale (graceful restart, FRR and BIRD) for a few seconds.
      await waitFor(() => h.rib.pathsOf(addr).length === 0, { timeoutMs: 20_000, what: `${kind}'s earlier paths to go` });
      const before = await drops();
      const peer = await start(kind, 'not-the-key', `100.64.${16 + i}.0/24`);
      await waitFor(async () => (await drops()).failure > before.failure, {
        timeoutMs: CONNECT_MS,
        what: `a TCPMD5Failure from ${kind}`,
        describe: () => peer.logTail(10),
      });
      await holdsFor(() => h.status(addr)?.state !== 'Established' && h.rib.pathsOf(addr).length === 0, 3000, 'no session');
      expect(h.status(addr)?.messagesReceived).toBe(0);
    });
  }

  it('bird without any key: its unsigned SYNs are dropped as TCPMD5NotFound', async () => {
    const before = await drops();
    const peer = await start('bird', undefined, '100.64.30.0/24');
    await waitFor(async () => (await drops()).notFound > before.notFound, {
      timeoutMs: CONNECT_MS,
      what: 'a TCPMD5NotFound',
      describe: () => peer.logTail(10),
    });
    await holdsFor(() => h.status(ADDR.bird ?? '')?.state !== 'Established', 3000, 'no session');
  });

  it('our active connect signs its SYN: BIRD accepts it on its own listener', async () => {
    // BIRD is pointed at a port where nothing listens, so only our connect to BIRD's port can bring the session up.
    const birdAddr = '127.0.16.24';
    const active = await SpeakerHarness.start({
      address: CTRL,
      port: 0,
      neighbors: [{ address: birdAddr, asn: 65002, active: true, port: 1792, localAddress: CTRL, password: 'dial-key' }],
    });
    try {
      const peer = await TestbedPeer.start({
        kind: 'bird',
        address: birdAddr,
        controllerAddress: CTRL,
        controllerPort: 9,
        md5Password: 'dial-key',
        routes: ['100.64.31.0/24'],
      });
      await active.waitPath(birdAddr, '100.64.31.0/24', undefined, { timeoutMs: CONNECT_MS, extra: () => peer.logTail(10) });
    } finally {
      await stopAllPeers();
      await active.stop();
    }
  });
});
