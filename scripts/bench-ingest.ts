// Ingest benchmark (issues 4 and 14): how fast receivers take in N IPv4 /32s from one BIRD sender and drop them
// again. Receivers in the same run: bgp2vpc (the whole daemon, `bgp2vpc run` against the emulator), speaker
// (bgp2vpc's speaker alone, no route spec or VPC sync), gobgpd, BIRD, FRR bgpd. Each is measured alone (only its
// session on the sender is enabled), median of --runs, packed UPDATEs and one prefix per UPDATE. For bgp2vpc the
// daemon's event-loop delay and /healthz latency are recorded while the prefixes arrive and are aggregated.
//
//   npm run bench:ingest -- [--n 100000,1000000] [--runs 3] [--receivers bgp2vpc,speaker,gobgpd,bird,frr]
//                           [--packing packed,single] [--poll 20] [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllDaemons } from '../test/interop/support/daemon.js';
import { missingBinaries } from '../test/interop/support/availability.js';
import { measure, type Sample } from './bench-ingest/measure.js';
import { BirdReceiver, FrrReceiver, GobgpReceiver, type Receiver } from './bench-ingest/receivers.js';
import { Bgp2vpcReceiver } from './bench-ingest/bgp2vpc-receiver.js';
import { DaemonReceiver } from './bench-ingest/daemon-receiver.js';
import { BirdSender, type Packing } from './bench-ingest/sender.js';
import { renderReport, type Cell } from './bench-ingest/report.js';

const RECEIVERS = ['bgp2vpc', 'speaker', 'gobgpd', 'bird', 'frr'] as const;
type ReceiverName = (typeof RECEIVERS)[number];

function makeReceiver(name: ReceiverName, dir: string): Receiver {
  switch (name) {
    case 'bgp2vpc':
      return new DaemonReceiver(dir);
    case 'speaker':
      return new Bgp2vpcReceiver(dir);
    case 'gobgpd':
      return new GobgpReceiver(dir);
    case 'bird':
      return new BirdReceiver(dir);
    case 'frr':
      return new FrrReceiver(dir);
  }
}

function list(v: string | undefined, dflt: string): string[] {
  return (v ?? dflt)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** The worst responsiveness over the runs (a target holds only if every run meets it). */
function worst(ss: readonly Sample[]): Pick<Cell, 'lagP99Ms' | 'lagMaxMs' | 'healthzMaxMs'> {
  const rs = ss.flatMap((s) => [s.ingestResponsiveness, s.withdrawResponsiveness]).filter((r) => r !== undefined);
  if (rs.length === 0) return {};
  return {
    lagP99Ms: Math.max(...rs.map((r) => r.lagP99Ms)),
    lagMaxMs: Math.max(...rs.map((r) => r.lagMaxMs)),
    healthzMaxMs: Math.max(...rs.map((r) => r.healthzMaxMs)),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      runs: { type: 'string' },
      receivers: { type: 'string' },
      packing: { type: 'string' },
      poll: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const ns = list(values.n, '100000,1000000').map((s) => Number(s.replace(/k$/i, '000').replace(/m$/i, '000000')));
  const runs = Number(values.runs ?? 3);
  const pollMs = Number(values.poll ?? 20);
  const receivers = list(values.receivers, RECEIVERS.join(','));
  const packings = list(values.packing, 'packed,single');
  for (const r of receivers) if (!(RECEIVERS as readonly string[]).includes(r)) throw new Error(`unknown receiver ${r}`);
  for (const p of packings) if (p !== 'packed' && p !== 'single') throw new Error(`unknown packing ${p}`);
  if (ns.some((n) => !Number.isInteger(n) || n <= 0 || n > 4_000_000)) throw new Error('--n: integers in 1..4000000');
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('--runs: 1..20');
  const binaries = missingBinaries([
    'bird',
    ...(receivers.includes('gobgpd') ? (['gobgp'] as const) : []),
    ...(receivers.includes('frr') ? (['frr'] as const) : []),
  ]);
  if (binaries.length > 0) throw new Error(`missing: ${binaries.join(', ')} (bash gobgp-testbed/install.sh)`);

  if (receivers.includes('bgp2vpc')) {
    // The whole daemon runs from dist/, as a user runs it: build it from the current sources first.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-bench-ingest-'));
  const cells: Cell[] = [];
  let idle: { rss: number; heapUsed: number; heapTotal: number; external: number } | undefined;
  const started = new Date();
  try {
    for (const n of ns) {
      for (const packing of packings as Packing[]) {
        const rxs = receivers.map((name) => makeReceiver(name as ReceiverName, dir));
        const sender = new BirdSender(
          dir,
          n,
          packing,
          rxs.map((r) => r.target),
        );
        console.error(`[${new Date().toISOString()}] N=${n} ${packing}: loading sender config`);
        await sender.start();
        for (const r of rxs) await r.start();
        for (const r of rxs) {
          if (!(r instanceof DaemonReceiver)) continue;
          const m = await r.memory();
          idle = m;
          console.error(
            `  bgp2vpc idle: RSS ${mib(m.rss)}, V8 heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}`,
          );
        }
        const samples = new Map<string, Sample[]>();
        for (let run = 1; run <= runs; run++) {
          for (const r of rxs) {
            const s = await measure(sender, r, n, pollMs, r instanceof DaemonReceiver ? r : undefined);
            const resp = s.ingestResponsiveness;
            console.error(
              `  run ${run} ${r.name.padEnd(8)} ingest ${s.ingestS.toFixed(3)} s (${Math.round(n / s.ingestS)}/s), ` +
                `withdraw ${s.withdrawS.toFixed(3)} s, RSS ${(s.rssBeforeBytes / 2 ** 20).toFixed(1)} → ${(s.rssAfterBytes / 2 ** 20).toFixed(1)} MiB` +
                (resp
                  ? `, loop lag p99 ${resp.lagP99Ms.toFixed(0)} ms max ${resp.lagMaxMs.toFixed(0)} ms, /healthz max ${resp.healthzMaxMs.toFixed(0)} ms`
                  : ''),
            );
            samples.set(r.name, [...(samples.get(r.name) ?? []), s]);
          }
        }
        for (const r of rxs) {
          const ss = samples.get(r.name) ?? [];
          const first = ss[0];
          cells.push({
            receiver: r.name,
            n,
            packing,
            ingestPerS: n / median(ss.map((s) => s.ingestS)),
            withdrawPerS: n / median(ss.map((s) => s.withdrawS)),
            // RSS growth from the fresh process's first run (later runs reuse memory already taken).
            rssAfterBytes: first?.rssAfterBytes ?? 0,
            rssGrowthPerPrefix: first ? (first.rssAfterBytes - first.rssBeforeBytes) / n : 0,
            runs: ss.length,
            ...worst(ss),
          });
        }
        for (const r of rxs) await r.stop();
        await sender.stop();
      }
    }
  } finally {
    await stopAllDaemons();
    rmSync(dir, { recursive: true, force: true });
  }
  const cmd = `npm run bench:ingest -- ${process.argv.slice(2).join(' ')}`.trim();
  const machine = `${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(renderReport(cells, { command: cmd, date: started.toISOString(), machine, pollMs, ...(idle ? { idle } : {}) }));
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ command: cmd, date: started, machine, cells }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
