// BfdLink: route-spec next hops of BFD groups get sessions; a session that was Up and goes Down marks the next hop
// (and resets the peer with resetSession); Up, a host-side AdminDown or the next hop leaving lifts the mark; a
// session that never came up marks nothing. The far end is a BfdSession on the same FakeClock over a fake wire.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/log.js';
import { BfdService } from '../../src/bfd/bfd-service.js';
import { BfdSession } from '../../src/bfd/session.js';
import { decodeBfdControl } from '../../src/bfd/codec.js';
import type { BfdReceived } from '../../src/bfd/udp-transport.js';
import { BfdLink, type BfdGroup } from '../../src/daemon/bfd-link.js';

const T = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3 };
const GROUP: BfdGroup = { multihop: false, resetSession: false, timers: T };

function world(groups: Record<string, BfdGroup>) {
  const clock = new FakeClock();
  const wire = { up: true, toHost: true };
  const hosts = new Map<string, BfdSession>();
  let deliver: (r: BfdReceived) => void = () => undefined;
  const decode = (b: Buffer) => {
    const d = decodeBfdControl(b);
    if (!d.ok) throw new Error(d.reason);
    return d.packet;
  };
  const bfd = new BfdService({
    clock,
    random: () => 0.5,
    transport: (onPacket) => {
      deliver = onPacket;
      return {
        ensure: () => Promise.resolve(),
        sender: (peer) =>
          Promise.resolve({
            localPort: 49152,
            send: (b: Buffer) => {
              const p = decode(b);
              if (wire.up && wire.toHost) clock.setTimeout(() => wire.up && hosts.get(peer)?.receive(p), 1);
            },
            close: () => undefined,
          }),
        close: () => Promise.resolve(),
      };
    },
  });
  /** A host running BFD at `address`. */
  const host = (address: string, discr: number): BfdSession => {
    const s = new BfdSession(T, {
      clock,
      random: () => 0.5,
      localDiscr: discr,
      send: (b) => {
        const packet = decode(b);
        if (wire.up) clock.setTimeout(() => wire.up && deliver({ packet, from: address, multihop: false }), 1);
      },
      onState: () => undefined,
    });
    hosts.set(address, s);
    return s;
  };
  let targets: { nextHop: string; group: string }[] = [];
  let nhListener: () => void = () => undefined;
  const liveness: string[] = [];
  const resets: string[] = [];
  const link = new BfdLink(
    {
      bfd,
      nextHopTargets: () => targets,
      onNextHops: (l) => {
        nhListener = l;
        return () => undefined;
      },
      setLiveness: (nh, reason) => liveness.push(`${nh} ${reason ?? 'up'}`),
      resetPeer: (a, reason) => {
        resets.push(`${a} ${reason}`);
        return true;
      },
      logger: silentLogger,
    },
    new Map(Object.entries(groups)),
  );
  const setTargets = async (t: typeof targets): Promise<void> => {
    targets = t;
    nhListener();
    await flush();
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      await flush();
    }
  };
  return { clock, wire, bfd, host, link, liveness, resets, setTargets, advance, flush };
}

describe('BfdLink', () => {
  it('sessions for the next hops of BFD groups only; Down after Up marks at once, Up lifts', async () => {
    const w = world({ hosts: GROUP });
    w.link.start();
    w.host('10.0.1.5', 501).start();
    await w.setTargets([
      { nextHop: '10.0.1.5', group: 'hosts' },
      { nextHop: '10.0.1.6', group: 'default' },
    ]);
    await w.advance(3000);
    expect(w.bfd.sessions().map((s) => [s.peer, s.state])).toEqual([['10.0.1.5', 'Up']]);
    expect(w.liveness).toEqual([]);
    w.wire.up = false;
    const cut = w.clock.now();
    await w.advance(1000);
    expect(w.liveness).toEqual(['10.0.1.5 BFD down (control detection time expired)']);
    expect(w.bfd.sessions()[0]?.since).toBeLessThanOrEqual(cut + 900);
    expect(w.resets).toEqual([]);
    w.wire.up = true;
    await w.advance(3000);
    expect(w.liveness).toEqual(['10.0.1.5 BFD down (control detection time expired)', '10.0.1.5 up']);
  });

  it('with resetSession the peer at that address is reset too', async () => {
    const w = world({ hosts: { ...GROUP, resetSession: true } });
    w.link.start();
    w.host('10.0.1.5', 501).start();
    await w.setTargets([{ nextHop: '10.0.1.5', group: 'hosts' }]);
    await w.advance(3000);
    w.wire.up = false;
    await w.advance(1000);
    expect(w.resets).toEqual(['10.0.1.5 BFD down (control detection time expired)']);
  });

  it('a host switching BFD off (AdminDown) is not a failure; a next hop that leaves takes its mark with it', async () => {
    const w = world({ hosts: GROUP });
    w.link.start();
    const a = w.host('10.0.1.5', 501);
    w.host('10.0.1.7', 502).start();
    a.start();
    await w.setTargets([
      { nextHop: '10.0.1.5', group: 'hosts' },
      { nextHop: '10.0.1.7', group: 'hosts' },
    ]);
    await w.advance(3000);
    void a.adminDown();
    await w.advance(100);
    expect(w.bfd.sessions().find((s) => s.peer === '10.0.1.5')?.state).toBe('Down');
    expect(w.liveness).toEqual([]);
    w.wire.up = false;
    await w.advance(1000);
    expect(w.liveness).toEqual(['10.0.1.7 BFD down (control detection time expired)']);
    await w.setTargets([{ nextHop: '10.0.1.5', group: 'hosts' }]);
    expect(w.liveness).toEqual(['10.0.1.7 BFD down (control detection time expired)', '10.0.1.7 up']);
    expect(w.bfd.sessions().map((s) => s.peer)).toEqual(['10.0.1.5']);
  });

  it('a session that never came up gates nothing (no BFD on the host, or a one-way path)', async () => {
    const w = world({ hosts: GROUP });
    w.link.start();
    await w.setTargets([{ nextHop: '10.0.1.9', group: 'hosts' }]);
    await w.advance(3000);
    expect(w.bfd.sessions()[0]?.state).toBe('Down');
    // The host hears nothing from us: our side reaches Init, never Up, then loses it.
    w.wire.toHost = false;
    w.host('10.0.1.9', 509).start();
    await w.advance(1500);
    expect(w.bfd.sessions()[0]?.state).toBe('Init');
    w.wire.up = false;
    await w.advance(4000);
    expect(w.bfd.sessions()[0]?.state).toBe('Down');
    expect(w.liveness).toEqual([]);
  });
});
