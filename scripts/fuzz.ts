// Fuzzing: `npm run fuzz [-- --inputs N --seed S --targets codec,config,route-spec]`. Each target gets N inputs
// (default 1,000,000) spread over its properties (scripts/fuzz/*.ts), from one seed, so a failure repeats with the
// seed printed. Ends with a summary table; exit 1 on any failure. CI runs a short seeded version.
import { codecTarget } from './fuzz/codec.js';
import { configTarget } from './fuzz/config.js';
import { routeSpecTarget } from './fuzz/route-spec.js';
import { runTarget, type FuzzTarget, type PropertyResult } from './fuzz/target.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const TARGETS: readonly FuzzTarget[] = [codecTarget, configTarget, routeSpecTarget];
const INPUTS = Number(arg('inputs') ?? arg('runs') ?? 1_000_000);
const SEED = Number(arg('seed') ?? Date.now() % 2 ** 31);
const wanted = (arg('targets') ?? TARGETS.map((t) => t.name).join(',')).split(',');

console.log(`fuzz: seed ${SEED}, ${INPUTS.toLocaleString('en')} inputs per target (${wanted.join(', ')})`);
const results: PropertyResult[] = [];
for (const t of TARGETS.filter((x) => wanted.includes(x.name))) {
  for (const r of runTarget(t, INPUTS, SEED)) {
    results.push(r);
    console.log(
      `${r.failure ? 'FAIL' : 'ok  '} ${t.name} / ${r.property}: ${r.inputs.toLocaleString('en')} inputs in ${r.seconds.toFixed(1)} s`,
    );
    if (r.failure) console.log(r.failure);
  }
}

const rows = [['target', 'property', 'inputs', 'seconds', 'inputs/s', 'slowest input', 'result']];
const byTarget = new Map<string, PropertyResult[]>();
for (const r of results) byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r]);
for (const [t, rs] of byTarget) {
  for (const r of rs)
    rows.push([
      t,
      r.property,
      r.inputs.toLocaleString('en'),
      r.seconds.toFixed(1),
      Math.round(r.inputs / r.seconds).toLocaleString('en'),
      `${r.slowestMs.toFixed(1)} ms`,
      r.failure ? 'FAIL' : 'ok',
    ]);
  const n = rs.reduce((a, r) => a + r.inputs, 0);
  const s = rs.reduce((a, r) => a + r.seconds, 0);
  const slow = Math.max(...rs.map((r) => r.slowestMs));
  rows.push([
    t,
    '(all)',
    n.toLocaleString('en'),
    s.toFixed(1),
    Math.round(n / s).toLocaleString('en'),
    `${slow.toFixed(1)} ms`,
    rs.some((r) => r.failure) ? 'FAIL' : 'ok',
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
console.log(`\nsummary (seed ${SEED})`);
for (const r of rows) console.log(r.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
process.exit(results.some((r) => r.failure) ? 1 : 0);
