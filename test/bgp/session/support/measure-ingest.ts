// Quick local ingest measurement (not the real benchmark, which is scripts/bench-ingest.ts against real peers):
// our encoder sends N packed /32 UPDATEs over loopback to an in-process speaker; we time first byte → the
// per-peer accepted counter reaching N, then the withdrawal, and report RSS growth.
//   npx tsx test/bgp/session/support/measure-ingest.ts [N=100000] [runs=3] [--events] [--single]
import { basicAttributes, encodePackedIpv4Updates, encodePackedIpv4Withdrawals, encodeUpdate } from '../../../../src/bgp/wire/index.js';
import { startSpeaker, TestPeer } from './test-peer.js';

const args = process.argv.slice(2);
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const N = nums[0] ?? 100_000;
const RUNS = nums[1] ?? 3;
const withEvents = args.includes('--events');
const single = args.includes('--single');

async function waitCount(read: () => number, target: number, limitMs = 120_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (read() !== target) {
    if (Date.now() > end) throw new Error(`stuck at ${read()} of ${target}`);
    await new Promise((r) => setImmediate(r));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const prefixes = Array.from({ length: N }, (_, i) => ({ addr: ((10 << 24) >>> 0) + i, len: 32 }));
  const attrs = basicAttributes({ asPath: [65001], nextHop: '192.0.2.21' });
  const announce = single
    ? prefixes.map((p, i) => encodeUpdate({ attributes: basicAttributes({ asPath: [65001], nextHop: '192.0.2.21', med: i }), nlri: [{ prefix: { family: 'ipv4', addr: BigInt(p.addr), len: 32 }, pathId: 0 }] }))
    : encodePackedIpv4Updates(prefixes, attrs);
  const withdraw = encodePackedIpv4Withdrawals(prefixes);
  const bytes = announce.reduce((n, b) => n + b.length, 0);
  const inRate: number[] = [];
  const outRate: number[] = [];
  let rssGrowth = 0;
  for (let run = 0; run < RUNS; run++) {
    const { speaker, port } = await startSpeaker({ neighbors: [{ address: '127.0.0.21', asn: 65001 }] });
    let sink = 0;
    const off = withEvents ? speaker.on((e) => (sink += e.type === 'paths' ? e.paths.length : 0)) : () => undefined;
    const peer = await TestPeer.connect({ port, localAddress: '127.0.0.21', asn: 65001 });
    await peer.establish();
    const counters = await (async () => {
      for (;;) {
        const c = speaker.counters('127.0.0.21');
        if (c && speaker.peer('127.0.0.21')?.state === 'Established') return c;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let t0 = performance.now();
    for (const m of announce) peer.socket.write(m);
    await waitCount(() => counters.accepted, N);
    const tIn = performance.now() - t0;
    global.gc?.();
    rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rss0);
    t0 = performance.now();
    for (const m of withdraw) peer.socket.write(m);
    await waitCount(() => counters.accepted, 0);
    const tOut = performance.now() - t0;
    inRate.push(N / (tIn / 1000));
    outRate.push(N / (tOut / 1000));
    console.log(`run ${run + 1}: announce ${tIn.toFixed(0)} ms (${(N / tIn).toFixed(0)}k/s), withdraw ${tOut.toFixed(0)} ms${withEvents ? `, events ${sink}` : ''}`);
    off();
    peer.close();
    await speaker.stop({ notify: false });
  }
  console.log(
    `N=${N} ${single ? 'one prefix per UPDATE' : 'packed'} (${announce.length} UPDATEs, ${(bytes / 1e6).toFixed(1)} MB)${withEvents ? ' with an event listener' : ''}: ` +
      `announce median ${(median(inRate) / 1e6).toFixed(2)} M prefixes/s, withdraw median ${(median(outRate) / 1e6).toFixed(2)} M/s, ` +
      `RSS growth ${(rssGrowth / 1e6).toFixed(1)} MB (${(rssGrowth / N).toFixed(0)} B/prefix)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
