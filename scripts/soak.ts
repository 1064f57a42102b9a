// Soak: `npm run soak -- --minutes N [--seed S] [--out FILE]` (root, network namespaces, BIRD and FRR). A
// ChaosWorld (test/support/chaos) with four hosts takes random faults from the list, one at a time, each held 3–12 s
// and healed, for N minutes, while the invariants are checked every 250 ms. Ends with a summary table: faults by
// kind, reaction and convergence times (p50, p99, max), EC2 writes, invariant violations and bound misses, and
// bgp2vpc's RSS over time. Exit 1 when anything was violated. The same seed replays the same fault sequence.
import { writeFileSync } from 'node:fs';
import { seededRandom } from '../src/sim/ec2/faults.js';
import { ChaosWorld } from '../test/support/chaos/world.js';
import { Invariants } from '../test/support/chaos/invariants.js';
import { CONVERGE_BOUND_MS, EC2_RECOVERY_MS, runEpisode, type EpisodeResult } from '../test/support/chaos/episode.js';
import { FAULT_KINDS, needsWire, type FaultKind } from '../test/support/chaos/faults.js';
import { checkNetns } from '../test/support/netns/gate.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const MINUTES = Number(arg('minutes') ?? 10);
const SEED = Number(arg('seed') ?? Date.now() % 2 ** 31);
const OUT = arg('out');

const HOSTS = [{ kind: 'bird' as const }, { kind: 'bird' as const }, { kind: 'frr' as const }, { kind: 'bird' as const, wire: true }];
const WIRE_HOST = 4;

const check = checkNetns();
if (!check.usable || !check.nft || !check.tun) {
  console.error(`soak: the netns testbed is not usable here (${check.reason || 'nft or /dev/net/tun missing'}); run as root with nftables`);
  process.exit(2);
}

const rand = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};
const sec = (ms: number): string => (Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(1));

console.log(`soak: ${MINUTES} min, seed ${SEED}`);
// Ctrl-C or a CI timeout: exit through process.exit so the testbed's exit hook removes the namespaces.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
const world = await ChaosWorld.up({
  hosts: HOSTS,
  vips: { '100.72.200.1/32': [1, 2, 3], '100.72.200.2/32': [2, 3, 4], '100.72.200.3/32': [1, 4] },
});
const inv = new Invariants(world);
inv.start();
const results: EpisodeResult[] = [];
/** When each episode ended (for the drift line). */
const ends: number[] = [];
const t0 = Date.now();
let lastReport = t0;
try {
  while (Date.now() - t0 < MINUTES * 60_000) {
    const kind: FaultKind = pick(FAULT_KINDS);
    const host = needsWire(kind) ? WIRE_HOST : 1 + Math.floor(rand() * HOSTS.length);
    const hold = 3_000 + Math.floor(rand() * 9_000);
    const r = await runEpisode(world, inv, kind, host, hold);
    results.push(r);
    ends.push(Date.now());
    const flag = r.problems.length > 0 ? `  PROBLEM: ${r.problems.join('; ')}` : '';
    console.log(
      `${sec(Date.now() - t0).padStart(7)} s  ${kind.padEnd(13)} h${host}  held ${sec(r.heldMs)} s  reaction ${r.reactionMs !== undefined ? `${sec(r.reactionMs)} s` : '-'}  quiet after ${r.convergeMs !== undefined ? `${sec(r.convergeMs)} s` : 'NEVER'}  writes ${r.writes}/${r.attempts}${flag}`,
    );
    if (Date.now() - lastReport > 5 * 60_000) {
      lastReport = Date.now();
      console.log(`   … ${results.length} faults, ${inv.violations.length} violations, RSS ${Math.round(world.rss() / 2 ** 20)} MiB`);
    }
  }
} finally {
  await inv.stop();
}
const alive = world.daemon.running;
await world.down();

// ---- summary -------------------------------------------------------------------------------------------------------
const rows: string[][] = [['fault', 'count', 'reaction p50/p99/max s', 'quiet after heal p50/p99/max s', 'writes', 'attempts', 'problems']];
for (const k of FAULT_KINDS) {
  const rs = results.filter((r) => r.kind === k);
  if (rs.length === 0) continue;
  const re = rs.flatMap((r) => (r.reactionMs !== undefined ? [r.reactionMs] : []));
  const co = rs.flatMap((r) => (r.convergeMs !== undefined ? [r.convergeMs] : []));
  rows.push([
    k,
    String(rs.length),
    re.length ? `${sec(pct(re, 50))} / ${sec(pct(re, 99))} / ${sec(Math.max(...re))}` : '-',
    `${sec(pct(co, 50))} / ${sec(pct(co, 99))} / ${sec(Math.max(...co))}`,
    String(rs.reduce((n, r) => n + r.writes, 0)),
    String(rs.reduce((n, r) => n + r.attempts, 0)),
    String(rs.reduce((n, r) => n + r.problems.length, 0)),
  ]);
}
const co = results.flatMap((r) => (r.convergeMs !== undefined ? [r.convergeMs] : []));
const re = results.flatMap((r) => (r.reactionMs !== undefined ? [r.reactionMs] : []));
rows.push([
  'all',
  String(results.length),
  `${sec(pct(re, 50))} / ${sec(pct(re, 99))} / ${sec(re.length ? Math.max(...re) : NaN)}`,
  `${sec(pct(co, 50))} / ${sec(pct(co, 99))} / ${sec(co.length ? Math.max(...co) : NaN)}`,
  String(results.reduce((n, r) => n + r.writes, 0)),
  String(results.reduce((n, r) => n + r.attempts, 0)),
  String(results.reduce((n, r) => n + r.problems.length, 0)),
]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
const minutes = (Date.now() - t0) / 60_000;
console.log(`\nsoak summary: ${minutes.toFixed(1)} min, seed ${SEED}, ${results.length} faults, ${inv.checks} invariant checks`);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
console.log(
  `bounds: reaction within the fault's detection time (EC2 faults: ${sec(EC2_RECOVERY_MS)} s after EC2 is back), quiet within ${sec(CONVERGE_BOUND_MS)} s, writes within 2 × routes + 4 per fault`,
);
const mib = inv.rss.map((s) => Math.round(s.bytes / 2 ** 20));
const every = Math.max(1, Math.ceil(mib.length / 12));
console.log(
  `RSS (MiB, every ${(every * 10).toFixed(0)} s): ${mib.filter((_, i) => i % every === 0 || i === mib.length - 1).join(' ')}  (min ${Math.min(...mib)}, max ${Math.max(...mib)})`,
);
const fds = inv.rss.map((s) => s.fds);
console.log(
  `open descriptors (every ${(every * 10).toFixed(0)} s): ${fds.filter((_, i) => i % every === 0 || i === fds.length - 1).join(' ')}  (min ${Math.min(...fds)}, max ${Math.max(...fds)})`,
);
// Drift: the same measures in the first and the second half of the run.
const half = t0 + (Date.now() - t0) / 2;
const halves = [results.filter((_, i) => (ends[i] ?? 0) <= half), results.filter((_, i) => (ends[i] ?? 0) > half)];
const p50 = (rs: EpisodeResult[], f: (r: EpisodeResult) => number | undefined): string =>
  sec(
    pct(
      rs.flatMap((r) => (f(r) !== undefined ? [f(r) as number] : [])),
      50,
    ),
  );
console.log(
  `drift (first half → second half): quiet after heal p50 ${p50(halves[0]!, (r) => r.convergeMs)} → ${p50(halves[1]!, (r) => r.convergeMs)} s, reaction p50 ${p50(halves[0]!, (r) => r.reactionMs)} → ${p50(halves[1]!, (r) => r.reactionMs)} s`,
);
console.log(`bgp2vpc ${alive ? 'alive at the end' : 'DIED'}; invariant violations: ${inv.violations.length}`);
for (const v of inv.violations) console.log(`  ${v.at} ${v.what}`);
const problems = results.flatMap((r) => r.problems);
for (const p of problems) console.log(`  bound missed: ${p}`);
if (OUT)
  writeFileSync(
    OUT,
    JSON.stringify({ seed: SEED, minutes, results, violations: inv.violations, rss: inv.rss, checks: inv.checks }, null, 1),
  );
process.exit(!alive || inv.violations.length > 0 || problems.length > 0 ? 1 : 0);
