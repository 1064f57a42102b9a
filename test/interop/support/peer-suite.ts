// The interop scenario every real peer goes through against our speaker (one file per implementation calls
// definePeerSuite). Steps run in order on one peer process and one speaker; each step waits on conditions with
// deadlines, never on fixed sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerDownReason } from '../../../src/bgp/events.js';
import { peerGate, peersInstalledTest } from './availability.js';
import { SpeakerHarness } from './speaker-harness.js';
import { PEER_DEFAULTS, TestbedPeer, stopAllPeers, type PeerKind } from './testbed.js';
import { holdsFor, waitFor } from './wait.js';

export interface PeerExpectations {
  readonly kind: PeerKind;
  /** Human name for test titles. */
  readonly title: string;
  /** Capabilities as the speaker reports them (PeerStatus.capabilities), exactly, sorted. From TESTBED.md. */
  readonly capabilities: readonly string[];
  /** The peer advertises graceful restart (BIRD, FRR): a crash keeps its paths stale for GR_TIME. */
  readonly gracefulRestart: boolean;
  readonly hostname: boolean;
  /** How the session ends on SIGTERM, as the speaker reports it. */
  readonly stopReason: PeerDownReason;
  /** Time budget for the peer to (re)connect: gobgpd waits 5–10 s before its first connect. */
  readonly connectTimeoutMs: number;
}

/** Graceful-restart time the GR-capable peers advertise in these tests (seconds). */
export const GR_TIME = 5;
/** Peers of this suite live at SUITE_NET.11..14 and connect to our speaker at 127.0.0.1:SUITE_PORT. */
const SUITE_NET = '127.0.2';
const SUITE_PORT = 11179;

export function definePeerSuite(x: PeerExpectations): void {
  const gate = peerGate([x.kind]);
  peersInstalledTest(gate, `${x.title} is`);

  describe.runIf(gate.run)(`${x.title} against our speaker`, () => {
    const d = PEER_DEFAULTS[x.kind];
    const n = Number(d.address.split('.')[3]) - 10; // 1..4
    // Own loopback block and controller port, so a developer's testbed on the defaults does not collide.
    const peerAddr = `${SUITE_NET}.${10 + n}`;
    const doc4 = `10.${16 * n}.0.0/24`;
    const self4 = `10.${16 * n}.1.0/24`;
    const explicit4 = `10.${16 * n}.2.0/24`;
    const doc6 = `2001:db8:${n}::/64`;
    const self6 = `2001:db8:${n}:1::/64`;
    const explicitNh = `192.0.2.${100 + n}`;
    let peer: TestbedPeer;
    let h: SpeakerHarness;

    const expected = (): string[] => [
      `${doc4} ${peer.expectedNextHop(doc4)}`,
      `${self4} ${peer.expectedNextHop(self4, 'self')}`,
      `${explicit4} ${explicitNh}`,
      `${doc6} ${peer.expectedNextHop(doc6)}`,
      `${self6} ${peer.expectedNextHop(self6, 'self')}`,
    ];
    const logs = (): string => peer.logTail(15);

    beforeAll(async () => {
      h = await SpeakerHarness.start({ port: SUITE_PORT, neighbors: [{ address: peerAddr, asn: d.asn }] });
      peer = await TestbedPeer.start({
        kind: x.kind,
        address: peerAddr,
        controllerPort: SUITE_PORT,
        nextHop4: `192.0.2.${10 + n}`,
        nextHop6: `2001:db8:ffff::${10 + n}`,
        grTime: GR_TIME,
        routes: [
          doc4,
          { prefix: self4, nextHop: 'self' },
          { prefix: explicit4, nextHop: explicitNh },
          doc6,
          { prefix: self6, nextHop: 'self' },
        ],
      });
    });

    afterAll(async () => {
      await stopAllPeers();
      await h?.stop();
    });

    it('reaches Established with the expected capabilities', async () => {
      const info = await h.waitPeerUp(peerAddr, x.connectTimeoutMs, logs);
      expect(info.asn).toBe(d.asn);
      expect([...info.families].sort()).toEqual(['ipv4', 'ipv6']);
      expect(info.gracefulRestart).toBe(x.gracefulRestart);
      expect(info.hostname !== undefined).toBe(x.hostname);
      const st = h.status(peerAddr);
      expect(st?.state).toBe('Established');
      expect([...(st?.capabilities ?? [])].sort()).toEqual([...x.capabilities].sort());
    });

    it('receives IPv4 and IPv6 prefixes with the right next hops (documentation, explicit, next-hop-self)', async () => {
      await h.waitPaths(peerAddr, expected(), 20_000, logs);
      for (const p of h.rib.pathsOf(peerAddr)) {
        expect(p.peerAsn).toBe(d.asn);
        expect(p.attrs.asPath[0]).toBe(d.asn);
        expect(p.stale).toBe(false);
      }
    });

    it('a withdrawal removes exactly that path', async () => {
      const mark = Date.now();
      await peer.withdraw(doc4);
      await h.waitNoPath(peerAddr, doc4);
      await h.waitPaths(
        peerAddr,
        expected().filter((l) => !l.startsWith(`${doc4} `)),
      );
      expect(h.rib.removalsOf(peerAddr, mark).map((r) => r.prefix)).toEqual([doc4]);
      await peer.withdraw(doc6);
      await h.waitNoPath(peerAddr, doc6);
      expect(h.rib.removalsOf(peerAddr, mark).map((r) => r.prefix)).toEqual([doc4, doc6]);
    });

    it('a re-announcement with a new next hop replaces the path', async () => {
      await peer.announce(doc4, '192.0.2.77');
      await peer.announce(doc6, '2001:db8:ffff::77');
      await h.waitPath(peerAddr, doc4, '192.0.2.77');
      await h.waitPath(peerAddr, doc6, '2001:db8:ffff::77');
      await peer.announce(doc4);
      await peer.announce(doc6);
      await h.waitPaths(peerAddr, expected(), 20_000, logs);
    });

    it('after our speaker restarts, the peer reconnects and the RIB is rebuilt', async () => {
      await h.restart();
      expect(h.rib.pathsOf(peerAddr)).toEqual([]);
      await h.waitPeerUp(peerAddr, x.connectTimeoutMs + 15_000, logs);
      await h.waitPaths(peerAddr, expected(), 20_000, logs);
    });

    if (x.gracefulRestart) {
      it('a crash keeps its paths stale; a restart within the restart time keeps them with no gap', async () => {
        const mark = Date.now();
        await peer.crash();
        await waitFor(() => h.rib.downsOf(peerAddr, mark)[0], { what: 'peer-down', timeoutMs: 10_000 });
        const down = h.rib.downsOf(peerAddr, mark)[0];
        expect(down?.reason).toBe('tcp-closed');
        expect(down?.staleUntil).toBeDefined();
        await h.waitPaths(
          peerAddr,
          expected().map((l) => `${l} stale`),
          5_000,
        );
        await peer.up({ gracefulRestart: true });
        await h.waitPeerUp(peerAddr, GR_TIME * 1000 * 3, logs);
        await h.waitPaths(peerAddr, expected(), 20_000, logs);
        expect(h.rib.removalsOf(peerAddr, mark)).toEqual([]);
      });

      it('a crash with no restart: stale paths go when the restart time runs out', async () => {
        const mark = Date.now();
        await peer.crash();
        await h.waitPaths(
          peerAddr,
          expected().map((l) => `${l} stale`),
          10_000,
        );
        // Still there well inside the restart time...
        await holdsFor(() => h.rib.pathsOf(peerAddr).length === expected().length, (GR_TIME * 1000) / 2, 'stale paths kept');
        // ...and gone after it (timer armed at session loss; generous margin for a loaded machine).
        await h.waitPaths(peerAddr, [], GR_TIME * 1000 + 10_000);
        const gone = h.rib.removalsOf(peerAddr, mark);
        expect(gone.length).toBe(expected().length);
        expect(Math.min(...gone.map((r) => r.at)) - mark).toBeGreaterThanOrEqual(GR_TIME * 1000 - 1000);
        await peer.up();
        await h.waitPeerUp(peerAddr, x.connectTimeoutMs, logs);
        await h.waitPaths(peerAddr, expected(), 20_000, logs);
      });
    } else {
      it('a crash (no NOTIFICATION, no graceful restart) removes all its paths at once', async () => {
        const mark = Date.now();
        await peer.crash();
        await h.waitPaths(peerAddr, [], 10_000);
        expect(h.rib.downsOf(peerAddr, mark)[0]?.reason).toBe('tcp-closed');
        await peer.up();
        await h.waitPeerUp(peerAddr, x.connectTimeoutMs, logs);
        await h.waitPaths(peerAddr, expected(), 20_000, logs);
      });
    }

    it('stopping the peer removes all its paths', async () => {
      const mark = Date.now();
      await peer.halt();
      const down = await waitFor(() => h.rib.downsOf(peerAddr, mark)[0], { what: 'peer-down', timeoutMs: 15_000 });
      expect(down.reason).toBe(x.stopReason);
      await h.waitPaths(peerAddr, [], down.staleUntil === undefined ? 5_000 : GR_TIME * 1000 + 10_000);
    });
  });
}
