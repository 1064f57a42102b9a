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
