import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidUtf8, InvalidUtf8Error } from '../../src/base/utf8-text.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const valid = (b: Uint8Array): boolean => {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('UTF-8 text', () => {
  it('finds exactly the inputs a fatal TextDecoder refuses, and the first bad byte', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
      // valid text with one byte changed
      fc
        .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([s, i, v]) => {
          const b = new TextEncoder().encode(s);
          b[i % b.length] = v;
          return b;
        }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const bad = firstInvalidUtf8(b);
        expect(bad === undefined).toBe(valid(b));
        if (bad !== undefined) {
          expect(valid(b.subarray(0, bad))).toBe(true);
          expect(valid(b.subarray(0, bad + 4))).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses overlong forms, surrogates and code points past U+10FFFF', () => {
    for (const b of [
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]) {
      expect(firstInvalidUtf8(Uint8Array.from([0x61, ...b]))).toBe(1);
    }
  });

  it('names the line and the column in characters', () => {
    const b = Buffer.concat([Buffer.from('a: 1\nbé: "x'), Buffer.from([0xc3]), Buffer.from('"\n')]);
    expect(() => decodeUtf8(b)).toThrow(InvalidUtf8Error);
    try {
      decodeUtf8(b);
    } catch (e) {
      expect(e).toMatchObject({ line: 2, col: 7, offset: 12, byte: 0xc3 });
    }
    expect(decodeUtf8(Buffer.from('\ufeffok'))).toBe('ok');
  });
});
