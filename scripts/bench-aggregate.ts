// Aggregation benchmark: routes out and time for naive (one route per prefix), sibling merge and bgp2vpc's
// minimal / least-damage table on the same inputs. Run: npm run bench:aggregate
// The machine is shared and noisy: each timing is the median of several runs in this one process.
import { cpus, loadavg } from 'node:os';
import { aggregate } from '../src/aggregate/aggregate.js';
import { siblingMerge } from '../src/aggregate/sibling-merge.js';
import type { AggregateResult } from '../src/aggregate/types.js';
import {
  alternating,
  calicoBlocks,
  calicoRuns,
  hostRanges,
  ipv6,
  overlapping,
  podCidrs,
  vips,
  type Shape,
} from '../test/aggregate/shapes.js';

interface Timed<T> {
  readonly value: T;
  /** Median wall time and median CPU time (user + system) of this process. */
  readonly ms: number;
  readonly cpuMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timed<T>(fn: () => T, runs: number): Timed<T> {
  let value: T | undefined;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    value = fn();
    const u = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpu.push((u.user + u.system) / 1000);
  }
  return { value: value as T, ms: median(times), cpuMs: median(cpu) };
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

const exactCases: { shape: Shape; runs: number; target?: string }[] = [
  { shape: calicoBlocks(100_000, 1000, 1), runs: 5, target: '< 0.2 s' },
  { shape: calicoRuns(100_000, 1000, 8), runs: 5, target: '< 0.2 s' },
  { shape: podCidrs(256, 1), runs: 9 },
  { shape: calicoBlocks(10_000, 500, 2), runs: 5 },
  { shape: vips(10_000, 500, 3), runs: 5 },
  { shape: hostRanges(500, 4), runs: 5 },
  { shape: overlapping(250, 5000, 5), runs: 5 },
  { shape: ipv6(10_000, 500, 6), runs: 5 },
  { shape: alternating(10_000), runs: 5 },
];

const budgetCases: { shape: Shape; budget: number; runs: number; target?: string }[] = [
  { shape: calicoBlocks(10_000, 500, 2), budget: 50, runs: 3, target: '< 2 s' },
  { shape: calicoBlocks(10_000, 500, 2), budget: 1000, runs: 1, target: '< 10 s' },
  { shape: calicoRuns(10_000, 500, 9), budget: 50, runs: 3, target: '< 2 s' },
  { shape: calicoRuns(10_000, 500, 9), budget: 1000, runs: 1, target: '< 10 s' },
  { shape: vips(10_000, 500, 3), budget: 50, runs: 3, target: '< 2 s' },
  { shape: vips(10_000, 500, 3), budget: 1000, runs: 1, target: '< 10 s' },
  { shape: hostRanges(500, 4), budget: 50, runs: 3 },
  { shape: ipv6(10_000, 500, 6), budget: 50, runs: 3 },
];

const run = (s: Shape, budget?: number): AggregateResult =>
  aggregate({ family: s.family, routes: s.routes, cluster: s.cluster, ...(budget !== undefined ? { budget } : {}) });

function main(): void {
  console.log(
    `# aggregation benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
      `load average ${loadavg()[0]?.toFixed(1)} at start\n`,
  );
  console.log('Times are medians; "cpu" is this process\'s CPU time, less sensitive to other load than wall time.\n');
  console.log('## Minimal table (no budget)\n');
  console.log(
    '| input | prefixes | naive | sibling merge | bgp2vpc (minimal) | vs sibling | sibling time | bgp2vpc wall / cpu | heap Δ MB | target |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of exactCases) {
    const s = c.shape;
    const merged = timed(() => siblingMerge(s.routes), Math.min(c.runs, 3));
    const heap0 = process.memoryUsage().heapUsed;
    const ours = timed(() => run(s), c.runs);
    const heap1 = process.memoryUsage().heapUsed;
    const saving = (1 - ours.value.routes.length / merged.value.length) * 100;
    console.log(
      `| ${s.name} | ${s.routes.length} | ${s.routes.length} | ${merged.value.length} | ${ours.value.routes.length} | ` +
        `−${saving.toFixed(0)}% | ${fmt(merged.ms)} | ${fmt(ours.ms)} / ${fmt(ours.cpuMs)} | ${mb(Math.max(0, heap1 - heap0))} | ${c.target ?? ''} |`,
    );
  }
  console.log('\n## Least-damage table (budget below the minimal table)\n');
  console.log(
    '| input | prefixes | minimal | budget | routes | damaged addresses (of announced) | wall / cpu | heap Δ MB | RSS MB | target |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of budgetCases) {
    const s = c.shape;
    const announced = s.routes.reduce((sum, r) => sum + (1n << BigInt((s.family === 'ipv4' ? 32 : 128) - r.prefix.len)), 0n);
    const heap0 = process.memoryUsage().heapUsed;
    const ours = timed(() => run(s, c.budget), c.runs);
    const heap1 = process.memoryUsage().heapUsed;
    const pct = Number((ours.value.damage.addresses * 10000n) / announced) / 100;
    console.log(
      `| ${s.name} | ${s.routes.length} | ${ours.value.optimum} | ${c.budget} | ${ours.value.routes.length} | ` +
        `${ours.value.damage.addresses} (${pct.toFixed(2)}%) | ${fmt(ours.ms)} / ${fmt(ours.cpuMs)} | ${mb(Math.max(0, heap1 - heap0))} | ` +
        `${mb(process.memoryUsage().rss)} | ${c.target ?? ''} |`,
    );
  }
  console.log('\n## Minimal table closest to the previous one (one host renamed, as after a failover)\n');
  console.log('| input | routes | changed routes with previous | without previous | wall / cpu with previous |');
  console.log('|---|---:|---:|---:|---:|');
  for (const s of [calicoBlocks(100_000, 1000, 1), calicoRuns(100_000, 1000, 8), calicoRuns(5000, 200, 10)]) {
    const before = run(s).routes;
    const victim = s.routes[0]?.target ?? '';
    const churned = s.routes.map((r) => (r.target === victim ? { ...r, target: 'i-replacement' } : r));
    const input = { family: s.family, routes: churned, cluster: s.cluster };
    const withPrev = timed(() => aggregate({ ...input, previous: before }), 3);
    const without = aggregate(input);
    const key = (r: { prefix: { addr: bigint; len: number }; target: string }): string => `${r.prefix.addr}/${r.prefix.len} ${r.target}`;
    const changed = (t: readonly { prefix: { addr: bigint; len: number }; target: string }[]): number => {
      const a = new Set(before.map(key));
      const b = new Set(t.map(key));
      return [...a].filter((k) => !b.has(k)).length + [...b].filter((k) => !a.has(k)).length;
    };
    console.log(
      `| ${s.name} | ${withPrev.value.routes.length} | ${changed(withPrev.value.routes)} | ${changed(without.routes)} | ` +
        `${fmt(withPrev.ms)} / ${fmt(withPrev.cpuMs)} |`,
    );
  }
  console.log(`\npeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main();
