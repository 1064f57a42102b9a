// Codec fuzzing: far more fast-check cases than `npm test` runs.
//   1. corrupted valid messages (random bytes overwritten) through the framer, decodeMessage and walkUpdate,
//   2. arbitrary bodies behind a valid header,
//   3. arbitrary byte streams through the framer,
//   4. UPDATE and OPEN encode → decode → encode identity.
// Every decode must either succeed or throw BgpMessageError. Usage: npm run fuzz [-- --runs 100000 --seed N]
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
} from '../src/bgp/wire/index.js';
import { ctxArb, mutatedMessageArb, openArb, updateArb } from '../test/bgp/wire/arbitraries.js';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}
const RUNS = arg('runs') ?? 100_000;
const SEED = arg('seed') ?? Date.now() % 2 ** 31;

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

let failed = false;
function run<T>(name: string, arb: fc.Arbitrary<T>, pred: (x: T) => boolean, runs: number): void {
  const t0 = Date.now();
  const r = fc.check(fc.property(arb, pred), { numRuns: runs, seed: SEED });
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.failed) {
    failed = true;
    console.log(`FAIL ${name}: ${fc.defaultReportMessage(r)}`);
  } else {
    console.log(`ok   ${name}: ${r.numRuns} cases in ${s} s`);
  }
}

console.log(`codec fuzz: seed ${SEED}, ${RUNS} cases per robustness property`);
run(
  'corrupted messages',
  ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), mutatedMessageArb(ctx))),
  ([ctx, m]) => decodeAll(m, ctx),
  RUNS,
);
run(
  'arbitrary bodies',
  fc.tuple(ctxArb, fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 })),
  ([ctx, type, body]) => {
    const m = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 0, type]), Buffer.from(body)]);
    m.writeUInt16BE(m.length, 16);
    return decodeAll(m, ctx);
  },
  RUNS,
);
run(
  'arbitrary streams through the framer',
  fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
  (chunks) =>
    onlyBgpErrors(() => {
      const f = new Framer();
      for (const c of chunks) f.push(Buffer.from(c));
    }),
  RUNS,
);
run(
  'UPDATE encode → decode → encode',
  ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), updateArb(ctx))),
  ([ctx, u]) => {
    let bytes: Buffer;
    try {
      bytes = encodeUpdate(u, ctx);
    } catch (e) {
      return (e as { code?: string }).code === 'BGP_ENCODE_ERROR';
    }
    const d = decodeUpdate(bytes, ctx);
    return d.treatAsWithdraw === undefined && d.discarded.length === 0 && encodeUpdate(d, ctx).equals(bytes);
  },
  Math.max(1000, Math.floor(RUNS / 5)),
);
run(
  'OPEN encode → decode → encode',
  openArb,
  (o) => {
    let bytes: Buffer;
    try {
      bytes = encodeOpen(o);
    } catch (e) {
      return (e as { code?: string }).code === 'BGP_ENCODE_ERROR';
    }
    return encodeOpen(decodeOpen(bytes)).equals(bytes);
  },
  Math.max(1000, Math.floor(RUNS / 5)),
);
if (failed) process.exitCode = 1;
