// speaker.resetPeer: the daemon resets a peer's session when BFD sees the peer go down (RFC 9384: Cease 6/10).
import { afterEach, describe, expect, it } from 'vitest';
import type { Speaker } from '../../../src/bgp/speaker.js';
import { CeaseSubcode, ErrorCode } from '../../../src/bgp/wire/constants.js';
import { startSpeaker, TestPeer, until } from './support/test-peer.js';

const speakers: Speaker[] = [];
const peers: TestPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop({ notify: false })));
});

describe('resetPeer', () => {
  it('sends Cease / BFD Down to an Established peer and reports whether there was one', async () => {
    const s = await startSpeaker({ listen: [{ address: '127.0.16.1', port: 0 }], neighbors: [{ address: '127.0.16.51', asn: 65051 }] });
    speakers.push(s.speaker);
    expect(s.speaker.resetPeer('127.0.16.51', CeaseSubcode.BFD_DOWN, 'BFD down')).toBe(false);
    const p = await TestPeer.connect({ host: '127.0.16.1', port: s.port, localAddress: '127.0.16.51', asn: 65051 });
    peers.push(p);
    await p.establish();
    await until(() => s.speaker.peer('127.0.16.51')?.state === 'Established', 'Established');
    expect(s.speaker.resetPeer('127.0.16.51', CeaseSubcode.BFD_DOWN, 'BFD down: control detection time expired')).toBe(true);
    const n = await p.waitNotification();
    expect([n.code, n.subcode]).toEqual([ErrorCode.CEASE, CeaseSubcode.BFD_DOWN]);
    await until(() => s.speaker.peer('127.0.16.51')?.state !== 'Established', 'the session to end');
    expect(s.speaker.resetPeer('127.0.16.99', CeaseSubcode.BFD_DOWN, 'x')).toBe(false);
  });
});
