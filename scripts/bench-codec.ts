// Codec benchmark: decode throughput in prefixes/s (median of several runs) for
//   1. packed IPv4 /32 UPDATEs (~800 prefixes each) through walkUpdate (the speaker's hot path),
//   2. the same through decodeUpdate (convenient path),
//   3. one-prefix IPv4 UPDATEs (walkUpdate and decodeUpdate),
//   4. MP_REACH IPv6 /64 UPDATEs (walkUpdate and decodeUpdate),
//   5. framing the packed stream (Framer.push in 64 KiB chunks) + walkUpdate, as a session sees it.
// Usage: npm run bench:codec [-- --prefixes 1000000 --runs 7]
import {
  basicAttributes,
  decodeUpdate,
  DEFAULT_CONTEXT,
  encodePackedIpv4Updates,
  encodeUpdate,
  Framer,
  walkUpdate,
  type UpdateVisitor,
} from '../src/bgp/wire/index.js';
import type { Prefix } from '../src/net/prefix.js';
import { cpus } from 'node:os';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('prefixes', 1_000_000);
const RUNS = arg('runs', 7);
const SINGLE = Math.min(N, 200_000);
const V6 = Math.min(N, 200_000);

/**
 * A minimal consumer: counts prefixes and folds a numeric key per prefix (IPv4: address and length as numbers,
 * IPv6: first byte and length) so the work cannot be optimised away. What is measured is the codec.
 */
class CountingVisitor implements UpdateVisitor {
  announced = 0;
  withdrawn = 0;
  fold = 0;
  header(): void {}
  announceIpv4(addr: number, len: number): void {
    this.announced++;
    this.fold = (this.fold ^ (addr + len)) | 0;
  }
  withdrawIpv4(): void {
    this.withdrawn++;
  }
  announceIpv6(buf: Buffer, off: number, len: number): void {
    this.announced++;
    this.fold = (this.fold ^ ((buf[off] ?? 0) + len)) | 0;
  }
  withdrawIpv6(): void {
    this.withdrawn++;
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Each timed run repeats `fn` until at least this long has passed, so a scheduler hiccup cannot dominate a run. */
const MIN_RUN_MS = 300;

function bench(name: string, prefixes: number, fn: () => number): { name: string; median: number; runs: number[] } {
  fn(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    let done = 0;
    let dt = 0;
    do {
      const got = fn();
      if (got !== prefixes) throw new Error(`${name}: decoded ${got} prefixes, expected ${prefixes}`);
      done += got;
      dt = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (dt < MIN_RUN_MS);
    rates.push(done / (dt / 1000));
  }
  const m = median(rates);
  console.log(
    `${name.padEnd(44)} ${(m / 1e6).toFixed(2).padStart(7)} M prefixes/s  (runs: ${rates.map((x) => (x / 1e6).toFixed(2)).join(' ')})`,
  );
  return { name, median: m, runs: rates };
}

const v4: Prefix[] = [];
for (let i = 0; i < N; i++) v4.push({ family: 'ipv4', addr: BigInt(0x0a000000 + i), len: 32 });
const attrs = basicAttributes({ asPath: [65001], nextHop: '192.0.2.1' });
const packed = encodePackedIpv4Updates(v4, attrs);
const single = v4.slice(0, SINGLE).map((p) => encodeUpdate({ attributes: attrs, nlri: [p] }));
const v6msgs: Buffer[] = [];
for (let i = 0; i < V6; i++) {
  const addr = (0x20010db8n << 96n) | (BigInt(i) << 64n);
  v6msgs.push(
    encodeUpdate({
      attributes: basicAttributes({ asPath: [65001] }),
      mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: '2001:db8:ffff::1', nlri: [{ family: 'ipv6', addr, len: 64 }] },
    }),
  );
}
// Packed IPv6: as many /64s as fit in one MP_REACH.
const v6packed: Buffer[] = [];
{
  const per = 400;
  for (let i = 0; i < V6; i += per) {
    const nlri: Prefix[] = [];
    for (let k = i; k < Math.min(V6, i + per); k++) nlri.push({ family: 'ipv6', addr: (0x20010db8n << 96n) | (BigInt(k) << 64n), len: 64 });
    v6packed.push(
      encodeUpdate({
        attributes: basicAttributes({ asPath: [65001] }),
        mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: '2001:db8:ffff::1', nlri },
      }),
    );
  }
}
const stream = Buffer.concat(packed);
console.log(
  `codec benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}; ${N} IPv4 /32 in ${packed.length} packed UPDATEs ` +
    `(${(N / packed.length).toFixed(0)} per UPDATE), ${SINGLE} one-prefix UPDATEs, ${V6} IPv6 /64; median of ${RUNS} runs of >= ${MIN_RUN_MS} ms`,
);

const walkAll = (msgs: Buffer[]) => (): number => {
  const v = new CountingVisitor();
  for (const m of msgs) walkUpdate(m, DEFAULT_CONTEXT, v);
  return v.announced;
};
const decodeAll = (msgs: Buffer[]) => (): number => {
  let n = 0;
  for (const m of msgs) {
    const u = decodeUpdate(m, DEFAULT_CONTEXT);
    n += u.nlri.length + (u.mpReach?.nlri.length ?? 0);
  }
  return n;
};

const results = [
  bench('packed IPv4 /32, walkUpdate (visitor)', N, walkAll(packed)),
  bench('packed IPv4 /32, Framer + walkUpdate', N, () => {
    const v = new CountingVisitor();
    const f = new Framer();
    for (let o = 0; o < stream.length; o += 65536) {
      for (const m of f.push(stream.subarray(o, o + 65536))) walkUpdate(m, DEFAULT_CONTEXT, v);
    }
    return v.announced;
  }),
  bench('packed IPv4 /32, decodeUpdate (convenient)', N, decodeAll(packed)),
  bench('one-prefix IPv4 UPDATEs, walkUpdate', SINGLE, walkAll(single)),
  bench('one-prefix IPv4 UPDATEs, decodeUpdate', SINGLE, decodeAll(single)),
  bench('one-prefix MP_REACH IPv6, walkUpdate', V6, walkAll(v6msgs)),
  bench('one-prefix MP_REACH IPv6, decodeUpdate', V6, decodeAll(v6msgs)),
  bench('packed MP_REACH IPv6 /64, walkUpdate', V6, walkAll(v6packed)),
  bench('packed MP_REACH IPv6 /64, decodeUpdate', V6, decodeAll(v6packed)),
];
const hot = results[0]?.median ?? 0;
console.log(`target >= 5 M prefixes/s on the visitor path: ${hot >= 5e6 ? 'met' : 'NOT met'} (${(hot / 1e6).toFixed(2)} M/s)`);
