// Scale benchmark (issue 14): thousands of simulated BGP hosts (test/support/fleet.ts, one child process) on
// 127.20.0.0/16, each announcing a /24 and two /32 VIPs, received in turn by BIRD, gobgpd and bgp2vpc (the whole
// daemon, `bgp2vpc run` against the EC2 emulator), each through one dynamic-neighbour range. Then, for bgp2vpc, a
// restart with EC2's real rates (zero writes expected) and one AZ of hosts going silent at once.
//
//   npm run bench:scale -- [--hosts 5000] [--multi-vips 900] [--single-vips 50] [--receivers bird,gobgpd,bgp2vpc]
//                          [--concurrency 100] [--steady 20] [--hold 240] [--json out.json]
//
// The hold time (default 240 s, set on the hosts and in bgp2vpc's bgp.holdTime: a session negotiates the lower)
// must outlast the measurement after the AZ goes silent (at 5,000 hosts EC2's bucket makes the writes take about a
// minute): what is measured is the probes' failover, and a session that ends on its hold timer meanwhile withdraws
// its VIPs, which is other work (counted in the report when it happens). bgp2vpc's default is 90 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllDaemons } from '../test/interop/support/daemon.js';
import { missingBinaries } from '../test/interop/support/availability.js';
import { Fleet } from '../test/support/fleet.js';
import { runScale, SCALE_RECEIVERS, type ScaleRun } from './bench-scale/run.js';
import { renderScale } from './bench-scale/report.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string' },
      'multi-vips': { type: 'string' },
      'single-vips': { type: 'string' },
      receivers: { type: 'string' },
      concurrency: { type: 'string' },
      steady: { type: 'string' },
      hold: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const hosts = Number(values.hosts ?? 5000);
  const receivers = (values.receivers ?? SCALE_RECEIVERS.join(',')).split(',').filter((r) => r !== '');
  for (const r of receivers) if (!(SCALE_RECEIVERS as readonly string[]).includes(r)) throw new Error(`unknown receiver ${r}`);
  const missing = missingBinaries([
    ...(receivers.includes('bird') ? (['bird'] as const) : []),
    ...(receivers.includes('gobgpd') ? (['gobgp'] as const) : []),
  ]);
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')} (bash gobgp-testbed/install.sh)`);
  if (receivers.includes('bgp2vpc')) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const run: ScaleRun = {
    scenario: {
      hosts,
      multiVips: Number(values['multi-vips'] ?? Math.round((hosts * 900) / 5000)),
      singleVips: Number(values['single-vips'] ?? Math.round((hosts * 50) / 5000)),
    },
    receivers: receivers as ScaleRun['receivers'],
    concurrency: Number(values.concurrency ?? 100),
    steadyS: Number(values.steady ?? 20),
    holdTime: Number(values.hold ?? 240),
    log: (line) => console.error(`[${new Date().toISOString()}] ${line}`),
  };
  const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-bench-scale-'));
  const fleet = Fleet.create();
  const started = new Date();
  try {
    const result = await runScale(dir, fleet, run);
    const command = `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim();
    const machine = `${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const report = {
      command,
      date: started.toISOString(),
      machine,
      scenario: run.scenario,
      holdTime: run.holdTime,
      concurrency: run.concurrency,
      ...result,
    };
    console.log(renderScale(report));
    if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(report, null, 2));
  } finally {
    await fleet.close();
    await stopAllDaemons();
    if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

// Exit when done, whatever is left open: a benchmark holds the machine-wide lock while it runs.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
