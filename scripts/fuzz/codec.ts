// The BGP codec: corrupted valid messages and arbitrary bodies through the framer, decodeMessage and walkUpdate
// (each must decode or throw BgpMessageError), arbitrary byte streams through the framer, and UPDATE / OPEN
// encode → decode → encode identity.
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
  type DecodeContext,
  type UpdateVisitor,
} from '../../src/bgp/wire/index.js';
import { ctxArb, mutatedMessageArb, openArb, updateArb } from '../../test/bgp/wire/arbitraries.js';
import { prop, type FuzzTarget } from './target.js';

const NOOP: UpdateVisitor = { header() {}, announceIpv4() {}, withdrawIpv4() {}, announceIpv6() {}, withdrawIpv6() {} };

/** Runs fn; true when it succeeded or threw a BgpMessageError, false (and prints) for anything else. */
function onlyBgpErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof BgpMessageError && e.code === 'BGP_MESSAGE_ERROR') return true;
    console.error('unexpected error:', e);
    return false;
  }
}

function decodeAll(m: Buffer, ctx: DecodeContext): boolean {
  const framed = onlyBgpErrors(() => {
    for (const x of new Framer().push(m)) decodeMessage(x, ctx);
  });
  const direct = onlyBgpErrors(() => decodeMessage(m, ctx));
  const walk = m[18] !== 2 || m.length < 23 || onlyBgpErrors(() => walkUpdate(m, ctx, NOOP));
  return framed && direct && walk;
}

const encodeError = (e: unknown): boolean => (e as { code?: string }).code === 'BGP_ENCODE_ERROR';

export const codecTarget: FuzzTarget = {
  name: 'codec',
  properties: [
    prop({
      name: 'corrupted messages',
      weight: 3,
      arb: ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), mutatedMessageArb(ctx))),
      check: ([ctx, m]) => decodeAll(m, ctx),
    }),
    prop({
      name: 'arbitrary bodies',
      weight: 3,
      arb: fc.tuple(ctxArb, fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 })),
      check: ([ctx, type, body]) => {
        const m = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 0, type]), Buffer.from(body)]);
        m.writeUInt16BE(m.length, 16);
        return decodeAll(m, ctx);
      },
    }),
    prop({
      name: 'arbitrary streams through the framer',
      weight: 2,
      arb: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
      check: (chunks) =>
        onlyBgpErrors(() => {
          const f = new Framer();
          for (const c of chunks) f.push(Buffer.from(c));
        }),
    }),
    prop({
      name: 'UPDATE encode → decode → encode',
      arb: ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), updateArb(ctx))),
      check: ([ctx, u]) => {
        let bytes: Buffer;
        try {
          bytes = encodeUpdate(u, ctx);
        } catch (e) {
          return encodeError(e);
        }
        const d = decodeUpdate(bytes, ctx);
        return d.treatAsWithdraw === undefined && d.discarded.length === 0 && encodeUpdate(d, ctx).equals(bytes);
      },
    }),
    prop({
      name: 'OPEN encode → decode → encode',
      arb: openArb,
      check: (o) => {
        let bytes: Buffer;
        try {
          bytes = encodeOpen(o);
        } catch (e) {
          return encodeError(e);
        }
        return encodeOpen(decodeOpen(bytes)).equals(bytes);
      },
    }),
  ],
};
