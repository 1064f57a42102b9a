// Cost of one changing UPDATE against the size of the table held (issue 14: with 1M prefixes held it must cost at
// most 2× what it costs with an empty table). The whole daemon (runDaemon, tsx, EC2 emulator) in this
// process; a flapper and a witness (hold time 9 s) in the fleet child process. For each table size: the flapper
// announces N /32s, then sends 1,000 UPDATEs that announce and withdraw one prefix; measured from the request to
// the fleet until the route spec has reported all 1,000 changes (CPU and wall time of this process), with the
// event loop's lag meanwhile and the witness's session checked afterwards.
//
//   npm run bench:storm -- [--held 0,100000,1000000] [--updates 1000]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpus, totalmem } from 'node:os';
import { Fleet } from '../test/support/fleet.js';
import { startEmulator } from '../src/sim/ec2/emulator.js';
import { parseConfig } from '../src/config/index.js';
import { runDaemon } from '../src/daemon/run-daemon.js';
import { silentLogger } from '../src/base/log.js';
import { createEmulatorEc2Client } from '../src/vpc/ec2-client.js';

interface Row {
  readonly held: number;
  readonly wallMsPerUpdate: number;
  readonly cpuMsPerUpdate: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly witnessOk: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { held: { type: 'string' }, updates: { type: 'string' } } });
  const sizes = (values.held ?? '0,100000,1000000').split(',').map(Number);
  const updates = Number(values.updates ?? 1000);
  const rows: Row[] = [];
  for (const held of sizes) {
    const emu = await startEmulator({
      host: '127.0.0.1',
      port: 0,
      state: {
        vpcs: [
          {
            name: 'vpc',
            id: 'vpc-0e2e0000000000015',
            cidr: '127.0.14.0/24',
            subnets: [{ name: 'sub', cidr: '127.0.14.0/25', az: 'us-east-1a' }],
            instances: [
              { name: 'witness', subnet: 'sub', privateIp: '127.0.14.31', sourceDestCheck: false },
              { name: 'flapper', subnet: 'sub', privateIp: '127.0.14.32', sourceDestCheck: false },
            ],
            routeTables: [{ name: 'rt', id: 'rtb-0e2e0000000000015', subnets: ['sub'], routes: [] }],
          },
        ],
      },
    });
    const cfg = parseConfig(
      `cluster: { name: storm, cidrs: [100.64.0.0/10] }
bgp:
  asn: 65000
  routerId: 127.0.14.30
  listen: [{ address: 127.0.14.30, port: 0 }]
  holdTime: 9s
  dynamic: [{ range: 127.0.14.0/25, asns: ["65001-65100"] }]
  groups: { default: { maxPrefixes: 5000000 } }
routes: { settleTime: 500ms }
vpc: { endpoint: ${emu.endpoint}, routeTables: [rtb-0e2e0000000000015], debounce: 200ms, driftInterval: 1h }
api: { listen: "127.0.14.30:0" }
`,
      'storm.yaml',
    );
    const d = await runDaemon(cfg, { logger: silentLogger, ec2: createEmulatorEc2Client(emu.endpoint) });
    const fleet = Fleet.create();
    try {
      const port = d.parts.speaker.addresses()[0]?.port ?? 0;
      await fleet.start({ host: '127.0.14.30', port }, [
        { name: 'witness', localAddress: '127.0.14.31', asn: 65001, holdTime: 9 },
        { name: 'flapper', localAddress: '127.0.14.32', asn: 65002, holdTime: 9 },
      ]);
      await fleet.announce('witness', ['100.100.0.0/24']);
      if (held > 0) await fleet.announce('flapper', { base: '100.64.0.0', len: 32, count: held });
      const accepted = (): number => d.parts.speaker.peer('127.0.14.32')?.counters.accepted ?? 0;
      while (accepted() < held || d.parts.daemon.phase !== 'running') await sleep(50);
      while (!d.parts.sync.converged()) await sleep(50);
      await sleep(1000);
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const before = d.parts.spec.stats().changesEmitted;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fleet.request({ op: 'storm', host: 'flapper', prefix: '100.127.0.0/24', count: updates });
      while (d.parts.spec.stats().changesEmitted - before < updates) await sleep(1);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      await sleep(12_000); // past the witness's hold time
      lag.disable();
      const st = await fleet.status();
      const w = st.hosts?.find((h) => h.name === 'witness');
      rows.push({
        held,
        wallMsPerUpdate: wall / updates,
        cpuMsPerUpdate: (cpu.user + cpu.system) / 1000 / updates,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
        witnessOk: w?.state === 'established' && w.sessions === 1 && w.notifications.length === 0,
      });
      console.error(JSON.stringify(rows.at(-1)));
    } finally {
      await fleet.close();
      await d.stop();
      await emu.stop();
    }
  }
  const base = rows.find((r) => r.held === 0);
  console.log(
    `Command: \`npm run bench:storm -- ${process.argv.slice(2).join(' ')}\` — ${new Date().toISOString()} — ${cpus().length} vCPU, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ${updates} UPDATEs (announce/withdraw of one prefix), whole daemon.`,
  );
  console.log('');
  console.log(
    '| prefixes held | wall per UPDATE | CPU per UPDATE (daemon process) | vs empty table (CPU) | loop lag p99 / max (storm + 12 s) | witness (hold 9 s) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = base ? `${(r.cpuMsPerUpdate / base.cpuMsPerUpdate).toFixed(2)}×` : '';
    console.log(
      `| ${r.held.toLocaleString('en')} | ${(r.wallMsPerUpdate * 1000).toFixed(0)} µs | ${(r.cpuMsPerUpdate * 1000).toFixed(0)} µs | ${ratio} | ` +
        `${r.lagP99Ms.toFixed(0)} / ${r.lagMaxMs.toFixed(0)} ms | ${r.witnessOk ? 'kept its session' : 'RESET'} |`,
    );
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
