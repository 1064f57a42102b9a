// Property tests (fast-check): encode → decode is the identity; arbitrary or corrupted bytes either decode or
// throw BgpMessageError, never anything else. scripts/fuzz-codec.ts runs the same with far more cases.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BgpMessageError,
  decodeMessage,
  decodeOpen,
  decodeUpdate,
  encodeOpen,
  encodeUpdate,
  Framer,
  walkUpdate,
  readIpv6Prefix,
  type Nlri,
  type PathAttribute,
  type UpdateVisitor,
} from '../../../src/bgp/wire/index.js';
import { formatIpv4 } from '../../../src/net/address.js';
import { formatPrefix } from '../../../src/net/prefix.js';
import { ctxArb, mutatedMessageArb, openArb, updateArb } from './arbitraries.js';

/** Decoded attributes carry the flags they arrived with; generated ones may not. */
function stripFlags(a: PathAttribute): PathAttribute {
  if (a.type === 'unknown') return a;
  const { flags: _flags, ...rest } = a;
  if (rest.type === 'mp-reach' || rest.type === 'mp-unreach') return { ...rest, nlri: [...rest.nlri] };
  return rest;
}

/**
 * Encodes, or checks that the encoder refused because the message is over the 4096-byte limit (RFC 4271 §4.1) and
 * says so: a BgpEncodeError naming a size above the limit. Any other failure fails the property. Counts the
 * refusals in `tally`, so a property cannot pass by skipping every case.
 */
function encodeOrTooLarge(encode: () => Buffer, tally: { runs: number; tooLarge: number }): Buffer | undefined {
  tally.runs++;
  try {
    return encode();
  } catch (e) {
    expect((e as { code?: string }).code).toBe('BGP_ENCODE_ERROR');
    const m = /^message of (\d+) bytes exceeds the maximum of 4096$/.exec((e as Error).message);
    expect(m, (e as Error).message).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(4096);
    tally.tooLarge++;
    return undefined;
  }
}

/** At most a quarter of the generated cases may be too large to encode. */
function expectMostEncoded(tally: { runs: number; tooLarge: number }): void {
  expect(tally.runs).toBeGreaterThan(0);
  expect(tally.tooLarge / tally.runs).toBeLessThan(0.25);
}

function decodeOnlyBgpErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BgpMessageError)) throw e;
    expect(e.code).toBe('BGP_MESSAGE_ERROR');
    expect(e.notificationCode).toBeGreaterThanOrEqual(1);
  }
}

const NOOP: UpdateVisitor = { header() {}, announceIpv4() {}, withdrawIpv4() {}, announceIpv6() {}, withdrawIpv6() {} };

describe('codec properties', () => {
  it('UPDATE: decode(encode(u)) gives back u, and re-encoding is byte-identical', () => {
    const tally = { runs: 0, tooLarge: 0 };
    fc.assert(
      fc.property(
        ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), updateArb(ctx))),
        ([ctx, u]) => {
          const bytes = encodeOrTooLarge(() => encodeUpdate(u, ctx), tally);
          if (!bytes) return;
          const d = decodeUpdate(bytes, ctx);
          expect(d.treatAsWithdraw).toBeUndefined();
          expect(d.discarded).toEqual([]);
          expect(d.withdrawn).toEqual(u.withdrawn);
          expect(d.nlri).toEqual(u.nlri);
          // The generators give MP NLRI as Nlri values, so the inputs are PathAttributes as they are.
          const expectedAttrs = [
            ...(u.mpUnreach ? [u.mpUnreach as PathAttribute] : []),
            ...(u.mpReach ? [u.mpReach as PathAttribute] : []),
            ...(u.attributes ?? []),
          ].map(stripFlags);
          expect(d.attributes.map(stripFlags)).toEqual(expectedAttrs);
          expect(encodeUpdate(d, ctx).equals(bytes)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
    expectMostEncoded(tally);
  });

  it('walkUpdate reports exactly what decodeUpdate returns, path ids included', () => {
    const tally = { runs: 0, tooLarge: 0 };
    fc.assert(
      fc.property(
        ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), updateArb(ctx))),
        ([ctx, u]) => {
          const bytes = encodeOrTooLarge(() => encodeUpdate(u, ctx), tally);
          if (!bytes) return;
          const d = decodeUpdate(bytes, ctx);
          const key = (n: Nlri) => `${formatPrefix(n.prefix)}#${n.pathId}`;
          const want = [
            ...d.withdrawn.map((n) => '-' + key(n)),
            ...(d.mpUnreach?.nlri ?? []).map((n) => '-' + key(n)),
            ...d.nlri.map((n) => '+' + key(n)),
            ...(d.mpReach?.nlri ?? []).map((n) => '+' + key(n)),
          ];
          const got: string[] = [];
          const v6 = (b: Buffer, o: number, l: number) => formatPrefix({ family: 'ipv6', addr: readIpv6Prefix(b, o, l), len: l });
          const h = walkUpdate(bytes, ctx, {
            header() {},
            announceIpv4: (a, l, id) => got.push(`+${formatIpv4(a)}/${l}#${id}`),
            withdrawIpv4: (a, l, id) => got.push(`-${formatIpv4(a)}/${l}#${id}`),
            announceIpv6: (b, o, l, id) => got.push(`+${v6(b, o, l)}#${id}`),
            withdrawIpv6: (b, o, l, id) => got.push(`-${v6(b, o, l)}#${id}`),
          });
          expect(got).toEqual(want);
          expect(h.nextHop).toBe(u.attributes?.find((a) => a.type === 'next-hop')?.nextHop);
          expect(h.mpReach?.nextHop).toBe(u.mpReach?.nextHop);
        },
      ),
      { numRuns: 300 },
    );
    expectMostEncoded(tally);
  });

  it('OPEN: decode(encode(o)) gives back o', () => {
    const tally = { runs: 0, tooLarge: 0 };
    fc.assert(
      fc.property(openArb, (o) => {
        const bytes = encodeOrTooLarge(() => encodeOpen(o), tally);
        if (!bytes) return;
        const d = decodeOpen(bytes);
        expect(d.capabilities).toEqual(o.capabilities);
        expect([d.holdTime, d.routerId, d.myAsn]).toEqual([o.holdTime, o.routerId, o.asn > 0xffff ? 23456 : o.asn]);
        expect(encodeOpen(d).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expectMostEncoded(tally);
  });

  it('corrupted messages decode or throw BgpMessageError only (convenient and visitor paths)', () => {
    fc.assert(
      fc.property(
        ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), mutatedMessageArb(ctx))),
        ([ctx, m]) => {
          decodeOnlyBgpErrors(() => {
            for (const x of new Framer().push(m)) decodeMessage(x, ctx);
          });
          decodeOnlyBgpErrors(() => decodeMessage(m, ctx));
          if (m[18] === 2 && m.length >= 23) decodeOnlyBgpErrors(() => walkUpdate(m, ctx, NOOP));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary bytes after a header decode or throw BgpMessageError only', () => {
    fc.assert(
      fc.property(ctxArb, fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 200 }), (ctx, type, body) => {
        const m = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 0, type]), Buffer.from(body)]);
        m.writeUInt16BE(m.length, 16);
        decodeOnlyBgpErrors(() => decodeMessage(m, ctx));
        if (type === 2 && m.length >= 23) decodeOnlyBgpErrors(() => walkUpdate(m, ctx, NOOP));
      }),
      { numRuns: 2000 },
    );
  });

  it('the framer on arbitrary streams returns messages or throws BgpMessageError only', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const f = new Framer();
        decodeOnlyBgpErrors(() => {
          for (const c of chunks) f.push(Buffer.from(c));
        });
      }),
      { numRuns: 500 },
    );
  });
});
