// Connections that never become sessions (campaign defects 3 and 10): an OPEN with hold time 0 and then silence,
// and sources that send less than a BGP header. Both are bounded by the 240 s OPEN timer and visible per neighbour
// range in bgp2vpc_bgp_connections_opening / bgp2vpc_bgp_connections_silent_total. FakeClock: no real waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/base/clock.js';
import { Metrics } from '../../../src/base/metrics.js';
import { OPEN_HOLD_MS } from '../../../src/bgp/session/fsm.js';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { MessageType } from '../../../src/bgp/wire/index.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

const RANGE = '127.0.15.16/28';
const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

async function setup() {
  const clock = new FakeClock(1_000_000);
  const metrics = new Metrics();
  const s = await startSpeaker({ clock, metrics, dynamic: [{ range: RANGE, asns: { min: 65001, max: 65100 }, maxPeers: 100 }] });
  speakers.push(s.speaker);
  const series = async (name: string): Promise<string[]> =>
    (await metrics.text()).split('\n').filter((l) => l.startsWith(`bgp2vpc_${name}{`) || l.startsWith(`bgp2vpc_${name} `));
  const connect = async (i: number, holdTime = 90): Promise<TestPeer> => {
    const p = await TestPeer.connect({ port: s.port, localAddress: `127.0.15.${20 + i}`, asn: 65001 + i, holdTime });
    peers.push(p);
    return p;
  };
  return { ...s, clock, series, connect };
}

const states = (speaker: Speaker): string[] => speaker.peers().map((p) => p.state);

describe('connections that never become sessions', () => {
  it('an OPEN with hold time 0, then silence: OpenConfirm ends with Hold Timer Expired after the OPEN timer', async () => {
    const { speaker, clock, series, connect } = await setup();
    const ps = await Promise.all([1, 2, 3, 4, 5].map((i) => connect(i, 0)));
    for (const p of ps) p.send(p.openMessage());
    for (const p of ps) await p.waitFor(MessageType.KEEPALIVE, 'the speaker KEEPALIVE (OpenConfirm)');
    await until(() => states(speaker).filter((s) => s === 'OpenConfirm').length === 5, 'five sessions in OpenConfirm');
    expect(await series('bgp_connections_opening')).toEqual([`bgp2vpc_bgp_connections_opening{range="${RANGE}",state="OpenConfirm"} 5`]);
    clock.advance(OPEN_HOLD_MS - 1);
    expect(states(speaker).filter((s) => s === 'OpenConfirm')).toHaveLength(5);
    clock.advance(1);
    for (const p of ps) expect(await p.waitNotification()).toMatchObject({ code: 4, subcode: 0 });
    for (const p of ps) await p.waitClosed();
    await until(() => speaker.peers().every((p) => p.state === 'Idle'), 'every connection closed');
    expect(await series('bgp_connections_opening')).toEqual([]);
    // They sent a full OPEN: not counted as silent.
    expect(await series('bgp_connections_silent_total')).toEqual([]);
  });

  it('a completed handshake with hold time 0 stays up past the OPEN timer (no keepalives, no hold timer)', async () => {
    const { speaker, clock, connect } = await setup();
    const p = await connect(6, 0);
    await p.establish();
    await until(() => speaker.peer('127.0.15.26')?.state === 'Established', 'Established');
    clock.advance(10 * OPEN_HOLD_MS);
    await new Promise((r) => setTimeout(r, 50));
    expect(speaker.peer('127.0.15.26')?.state).toBe('Established');
    expect(p.closed).toBe(false);
  });

  it('sources that send fewer than 19 bytes are held until the OPEN timer, and counted per range', async () => {
    const { speaker, clock, series, connect } = await setup();
    const quiet = await connect(7); // nothing at all
    const short = await connect(8);
    short.send(Buffer.alloc(18, 0xff)); // one byte short of a header
    const full = await connect(9);
    full.send(full.openMessage().subarray(0, 25)); // a header and a bit: counted as opening, not as silent
    await until(() => states(speaker).filter((s) => s === 'OpenSent').length === 3, 'three connections in OpenSent');
    // Nothing observable says the speaker has read the partial bytes; loopback delivers them well within this.
    await new Promise((r) => setTimeout(r, 200));
    expect(await series('bgp_connections_opening')).toEqual([`bgp2vpc_bgp_connections_opening{range="${RANGE}",state="OpenSent"} 3`]);
    clock.advance(OPEN_HOLD_MS);
    for (const p of [quiet, short, full]) await p.waitClosed();
    expect(await series('bgp_connections_silent_total')).toEqual([`bgp2vpc_bgp_connections_silent_total{range="${RANGE}"} 2`]);
    expect(await series('bgp_connections_opening')).toEqual([]);
  });
});
