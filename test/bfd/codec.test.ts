// BFD Control packets: captured from BIRD 2.0.12 and FRR 8.4 bfdd (tshark, /work/proto/md5bfd), decoded field by
// field, re-encoded byte for byte, and every discard rule of RFC 5880 §6.8.6 that needs no session.
import { describe, expect, it } from 'vitest';
import { decodeBfdControl, encodeBfdControl, type BfdControl } from '../../src/bfd/codec.js';

const VECTORS = {
  // BIRD, Up, Desired Min TX 300 ms, Required Min RX 300 ms, mult 3, no echo
  birdUp: '20c003188e2bcc4b1f69e830000493e0000493e000000000',
  // FRR bfdd, Init, slow 1 s timers while not Up, Required Min Echo RX 50 ms
  frrInit: '208003189532245f63e1bd3d000f4240000f42400000c350',
  // FRR, Up + Poll (announcing its 300 ms timers)
  frrUpPoll: '20e003189532245f63e1bd3d000493e0000493e00000c350',
  // FRR, Up + Final (answering our Poll)
  frrUpFinal: '20d003189532245f63e1bd3d000493e0000493e00000c350',
  // bgp2vpc's prototype, Down, Your Discriminator 0 (the remote is not known yet)
  down: '20400318269af2cb00000000000f4240000493e000000000',
};

const decode = (hex: string): BfdControl => {
  const r = decodeBfdControl(Buffer.from(hex, 'hex'));
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
};

describe('BFD control packet codec', () => {
  it('decodes BIRD Up: version 1, diag 0, state Up, mult 3, both discriminators, intervals in µs', () => {
    expect(decode(VECTORS.birdUp)).toEqual({
      diag: 0,
      state: 'Up',
      poll: false,
      final: false,
      cpi: false,
      demand: false,
      detectMult: 3,
      myDiscr: 0x8e2bcc4b,
      yourDiscr: 0x1f69e830,
      desiredMinTxUs: 300_000,
      requiredMinRxUs: 300_000,
      requiredMinEchoRxUs: 0,
    });
  });

  it('decodes FRR Init with slow timers and its echo interval, and its Poll and Final', () => {
    expect(decode(VECTORS.frrInit)).toMatchObject({ state: 'Init', desiredMinTxUs: 1_000_000, requiredMinEchoRxUs: 50_000 });
    expect(decode(VECTORS.frrUpPoll)).toMatchObject({ state: 'Up', poll: true, final: false });
    expect(decode(VECTORS.frrUpFinal)).toMatchObject({ state: 'Up', poll: false, final: true });
    expect(decode(VECTORS.down)).toMatchObject({ state: 'Down', yourDiscr: 0 });
  });

  it('encode(decode(x)) gives x back for every capture', () => {
    for (const [name, hex] of Object.entries(VECTORS)) expect(encodeBfdControl(decode(hex)).toString('hex'), name).toBe(hex);
  });

  it('discards what RFC 5880 §6.8.6 says to discard, naming why', () => {
    const up = Buffer.from(VECTORS.birdUp, 'hex');
    const reason = (mutate: (b: Buffer) => void, len = up.length): string | undefined => {
      const b = Buffer.from(up.subarray(0, len));
      mutate(b);
      const r = decodeBfdControl(b);
      return r.ok ? undefined : r.reason;
    };
    expect(reason(() => undefined, 20)).toBe('20 bytes, shorter than a control packet');
    expect(reason((b) => (b[0] = (2 << 5) | (b[0]! & 0x1f)))).toBe('version 2');
    expect(reason((b) => (b[3] = 20))).toBe('length 20 too short');
    expect(reason((b) => (b[3] = 30))).toBe('length 30 beyond the 24-byte payload');
    expect(reason((b) => (b[2] = 0))).toBe('detect multiplier 0');
    expect(reason((b) => (b[1] = b[1]! | 0x01))).toBe('multipoint (M) bit set');
    expect(reason((b) => b.writeUInt32BE(0, 4))).toBe('my discriminator 0');
    expect(reason((b) => b.writeUInt32BE(0, 8))).toBe('your discriminator 0 in state Up');
    expect(reason((b) => (b[1] = b[1]! | 0x30))).toBe('poll and final both set');
    // A bit with a 26-byte length (the smallest with authentication): we run no authentication.
    const auth = Buffer.concat([up, Buffer.from([1, 2])]);
    auth[1] = auth[1]! | 0x04;
    auth[3] = 26;
    expect(decodeBfdControl(auth)).toEqual({ ok: false, reason: 'authentication (A bit) is not configured here' });
    expect(reason(() => undefined)).toBeUndefined();
  });
});
