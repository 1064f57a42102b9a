// Quick local ingest measurement (not the real benchmark, which is scripts/bench-ingest.ts against real peers):
// our encoder sends N packed /32 UPDATEs over loopback to an in-process speaker; we time first byte → the
// per-peer accepted counter reaching N, then the withdrawal, and report RSS growth.
//   npx tsx test/bgp/session/support/measure-ingest.ts [N=100000] [runs=3] [--events] [--single]
// The sender runs in a child process (as BIRD would), so its encoding and writes do not share our event loop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basicAttributes, encodePackedIpv4Updates, encodePackedIpv4Withdrawals, encodeUpdate } from '../../../../src/bgp/wire/index.js';
import { startSpeaker, TestPeer } from './test-peer.js';

const args = process.argv.slice(2);
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const N = nums[0] ?? 100_000;
const RUNS = nums[1] ?? 3;
const withEvents = args.includes('--events');
const single = args.includes('--single');
const isChild = args.includes('--child');

async function waitCount(read: () => number, target: number, limitMs = 120_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (read() !== target) {
    if (Date.now() > end) throw new Error(`stuck at ${read()} of ${target}`);
    await new Promise((r) => setImmediate(r));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function encodeAll(): { announce: Buffer[]; withdraw: Buffer[] } {
  const prefixes = Array.from({ length: N }, (_, i) => ({ addr: ((10 << 24) >>> 0) + i, len: 32 }));
  const attrs = basicAttributes({ asPath: [65001], nextHop: '192.0.2.21' });
  const announce = single
    ? prefixes.map((p, i) =>
        encodeUpdate({
          attributes: basicAttributes({ asPath: [65001], nextHop: '192.0.2.21', med: i }),
          nlri: [{ prefix: { family: 'ipv4', addr: BigInt(p.addr), len: 32 }, pathId: 0 }],
        }),
      )
    : encodePackedIpv4Updates(prefixes, attrs);
  return { announce, withdraw: encodePackedIpv4Withdrawals(prefixes) };
}

/** Child: connect, establish, then send announcements / withdrawals when the parent says so. */
async function child(port: number): Promise<void> {
  const { announce, withdraw } = encodeAll();
  const peer = await TestPeer.connect({ port, localAddress: '127.0.0.21', asn: 65001 });
  await peer.establish();
  process.send?.({ ready: true, updates: announce.length, bytes: announce.reduce((n, b) => n + b.length, 0) });
  process.on('message', (m: { go?: 'announce' | 'withdraw'; bye?: boolean }) => {
    if (m.go === 'announce') peer.socket.write(Buffer.concat(announce));
    if (m.go === 'withdraw') peer.socket.write(Buffer.concat(withdraw));
    if (m.bye) {
      peer.close();
      process.exit(0);
    }
  });
}

function message<T>(c: ChildProcess, pred: (m: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const f = (m: T): void => {
      if (pred(m)) {
        c.off('message', f);
        resolve(m);
      }
    };
    c.on('message', f);
  });
}

async function main(): Promise<void> {
  const inRate: number[] = [];
  const outRate: number[] = [];
  const cpuMs: number[] = [];
  let rssGrowth = 0;
  let info = { updates: 0, bytes: 0 };
  for (let run = 0; run < RUNS; run++) {
    const { speaker, port } = await startSpeaker({ neighbors: [{ address: '127.0.0.21', asn: 65001 }] }, false);
    let sink = 0;
    const off = withEvents ? speaker.on((e) => (sink += e.type === 'paths' ? e.paths.length : 0)) : () => undefined;
    const c = fork(fileURLToPath(import.meta.url), [String(N), '--child', String(port), ...(single ? ['--single'] : [])], {
      execArgv: ['--import', 'tsx'],
    });
    info = await message<{ ready?: boolean; updates: number; bytes: number }>(c, (m) => m.ready === true);
    const counters = speaker.counters('127.0.0.21');
    if (!counters) throw new Error('no peer');
    await waitCount(() => (speaker.peer('127.0.0.21')?.state === 'Established' ? 1 : 0), 1);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let t0 = performance.now();
    const cpu0 = process.cpuUsage();
    c.send({ go: 'announce' });
    await waitCount(() => counters.accepted, N);
    const tIn = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    global.gc?.();
    rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rss0);
    if (process.env.MEASURE_MEM) {
      console.log(process.memoryUsage());
    }
    t0 = performance.now();
    c.send({ go: 'withdraw' });
    await waitCount(() => counters.accepted, 0);
    const tOut = performance.now() - t0;
    inRate.push(N / (tIn / 1000));
    outRate.push(N / (tOut / 1000));
    console.log(
      `run ${run + 1}: announce ${tIn.toFixed(0)} ms (${(N / tIn / 1000).toFixed(2)} M/s, receiver CPU ${cpuMs.at(-1)?.toFixed(0)} ms incl. polling), withdraw ${tOut.toFixed(0)} ms${withEvents ? `, events ${sink}` : ''}`,
    );
    off();
    c.send({ bye: true });
    await speaker.stop({ notify: false });
  }
  console.log(
    `N=${N} ${single ? 'one prefix per UPDATE' : 'packed'} (${info.updates} UPDATEs, ${(info.bytes / 1e6).toFixed(1)} MB)${withEvents ? ' with an event listener' : ''}: ` +
      `announce median ${(median(inRate) / 1e6).toFixed(2)} M prefixes/s, withdraw median ${(median(outRate) / 1e6).toFixed(2)} M/s, ` +
      `RSS growth ${(rssGrowth / 1e6).toFixed(1)} MB (${(rssGrowth / N).toFixed(0)} B/prefix)`,
  );
}

(isChild ? child(nums[1] ?? 0) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
