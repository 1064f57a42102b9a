// Framer behaviour beyond the captures: zero-copy output, buffering, extended messages on and off.
import { describe, expect, it } from 'vitest';
import { encodeKeepalive, encodeUpdate, Framer, DEFAULT_CONTEXT } from '../../../src/bgp/wire/index.js';
import { parsePrefix } from '../../../src/net/prefix.js';

describe('Framer', () => {
  it('returns whole messages as views of the pushed chunk (no copy) and keeps the remainder', () => {
    const ka = encodeKeepalive();
    const chunk = Buffer.concat([ka, ka, ka.subarray(0, 7)]);
    const f = new Framer();
    const got = f.push(chunk);
    expect(got).toHaveLength(2);
    expect(got[0]?.buffer).toBe(chunk.buffer);
    expect(f.buffered).toBe(7);
    expect(f.push(ka.subarray(7))).toEqual([ka]);
    expect(f.buffered).toBe(0);
  });

  it('completes a held-back message from the next chunk and frames the rest of that chunk in place', () => {
    const ka = encodeKeepalive();
    const f = new Framer();
    expect(f.push(ka.subarray(0, 7))).toEqual([]);
    // a chunk with its own memory (small Buffer.concat results share Node's pool, which would hide a copy)
    const chunk = Buffer.alloc(12 + 19 + 19 + 3);
    Buffer.concat([ka.subarray(7), ka, ka, ka.subarray(0, 3)]).copy(chunk);
    const got = f.push(chunk);
    expect(got).toEqual([ka, ka, ka]);
    expect(got[0]?.buffer).not.toBe(chunk.buffer); // the completed message is its own copy
    // the rest are views of the chunk: no chunk-sized concatenation per push
    expect([got[1]?.buffer === chunk.buffer, got[1]?.byteOffset, got[2]?.byteOffset]).toEqual([true, 12, 31]);
    expect(f.buffered).toBe(3);
  });

  it('checks a held-back header once the next chunk completes it; a failed framer holds nothing back', () => {
    const bad = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0x00, 0x12, 0x04])]); // length 18 (RFC 4271 §6.1)
    const f = new Framer();
    expect(f.push(bad.subarray(0, 10))).toEqual([]);
    expect(f.buffered).toBe(10);
    expect(() => f.push(bad.subarray(10))).toThrow(expect.objectContaining({ notificationCode: 1, notificationSubcode: 2 }));
    expect(f.buffered).toBe(0);
    expect(() => f.push(encodeKeepalive())).toThrow(expect.objectContaining({ notificationSubcode: 2 }));
  });

  it('hands out the completed held-back message before a bad header in the same chunk', () => {
    const ka = encodeKeepalive();
    const badType = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0x00, 0x13, 0x09])]);
    const f = new Framer();
    f.push(ka.subarray(0, 18));
    expect(f.push(Buffer.concat([ka.subarray(18), badType]))).toEqual([ka]);
    expect(f.error).toMatchObject({ notificationCode: 1, notificationSubcode: 3 });
    expect(f.buffered).toBe(0);
  });

  it('waits for a whole header before checking it', () => {
    const f = new Framer();
    expect(f.push(Buffer.alloc(18, 0xff))).toEqual([]);
    expect(f.buffered).toBe(18);
  });

  it('extended messages can be switched on and off (RFC 8654), and a custom limit applies before', () => {
    const nlri = Array.from({ length: 1000 }, (_, i) => parsePrefix(`10.${i >> 8}.${i & 255}.0/32`, { requireCanonical: false }));
    const big = encodeUpdate({ nlri }, { ...DEFAULT_CONTEXT, extendedMessages: true });
    expect(big.length).toBeGreaterThan(4096);
    const f = new Framer();
    f.setExtendedMessages(true);
    expect(f.push(big)).toHaveLength(1);
    f.setExtendedMessages(false);
    expect(() => f.push(big)).toThrow(expect.objectContaining({ notificationCode: 1, notificationSubcode: 2 }));
    expect(() => new Framer({ maxLength: 100 }).push(big.subarray(0, 19))).toThrow(expect.objectContaining({ notificationSubcode: 2 }));
  });
});
