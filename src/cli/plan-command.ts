// `bgp2vpc plan -c FILE [--spec FILE] [--settle 10s] [--json]`: a dry run. Reads the route tables, builds the route
// spec (listening for BGP for the settle time, or from a spec file), and prints what bgp2vpc would create, replace
// and delete in each table. Never writes to EC2 (dryRun forced). Health probes are not run: every next hop counts
// as healthy, so the plan shows the steady state.
import { parseDuration } from '../base/duration.js';
import { loadConfig, type Config } from '../config/index.js';
import { createLogger } from '../base/log.js';
import { Metrics } from '../base/metrics.js';
import { UserError, errorMessage } from '../base/errors.js';
import { loadSpecFile } from '../rib/spec-file.js';
import type { Plan } from '../vpc/plan.js';
import { plansToJson, renderPlans } from '../vpc/plan-render.js';
import { assemble, staticEntries } from '../daemon/assemble.js';
import { ConvergenceTracker } from '../daemon/convergence.js';

/** The dry run as text: a header, every table's diff (vpc/plan-render.ts), and a closing line. */
export function renderPlan(cluster: string, plans: readonly Plan[], source: string, prefixes: number): string {
  const head = `Plan for cluster ${cluster} (dry run: nothing is written). Route spec: ${prefixes} prefixes from ${source}; health not probed.\n`;
  if (plans.length === 0) return head + 'No route tables selected (vpc.routeTables or vpc.vpcId + vpc.discoverTags).\n';
  const tail = plans.every((p) => p.ops.length === 0) ? 'No changes: the tables match the route spec.\n' : '';
  return head + renderPlans(plans) + tail;
}

export async function planCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  const file = String(opts.config);
  const loaded = loadConfig(file);
  const config: Config = { ...loaded, vpc: { ...loaded.vpc, dryRun: true } };
  let settleMs: number;
  try {
    settleMs = parseDuration(String(opts.settle ?? '10s'));
  } catch (err) {
    throw new UserError('BAD_OPTION', `--settle: ${errorMessage(err)}`);
  }
  const logger = createLogger({ level: 'warn', format: 'pretty' });
  const parts = assemble(config, { logger, metrics: new Metrics() });
  const { spec, sync, speaker } = parts;
  let source: string;
  try {
    spec.setSpec('static', staticEntries(config));
    const specFile = typeof opts.spec === 'string' ? opts.spec : undefined;
    if (specFile !== undefined || config.routes.file !== undefined) {
      const path = specFile ?? config.routes.file ?? '';
      spec.setSpec('file', await loadSpecFile(path));
    }
    try {
      await sync.start();
    } catch (err) {
      throw new UserError('EC2_UNREADABLE', `cannot read the route tables: ${errorMessage(err)} (bgp2vpc doctor -c ${file} shows why)`);
    }
    if (specFile !== undefined) {
      source = specFile;
    } else {
      // Listen like the daemon would, until End-of-RIB from every graceful-restart peer or the settle time.
      const start = performance.now();
      const tracker = new ConvergenceTracker(start, { settleMs, minMs: Math.min(1000, settleMs), quietMs: Math.min(1000, settleMs) });
      speaker.on((ev) => {
        tracker.observe(ev, performance.now());
        spec.applySpeakerEvent(ev);
      });
      await speaker.start();
      process.stderr.write(`listening for BGP for up to ${settleMs / 1000}s...\n`);
      while (!tracker.check(performance.now())) await new Promise((r) => setTimeout(r, 100));
      const peers = speaker.peers().filter((p) => p.state === 'Established').length;
      await speaker.stop({ notify: true, message: 'bgp2vpc plan finished' });
      source = `BGP (${peers} peers, ${tracker.reason})${config.routes.file ? ` and ${config.routes.file}` : ''}`;
    }
    sync.setDesired(spec.chosen());
    await sync.reconcileNow();
    const plans = sync.planOnly();
    const prefixes = spec.stats().prefixes;
    process.stdout.write(
      opts.json
        ? JSON.stringify({ source, prefixes, tables: plansToJson(plans) }, null, 2) + '\n'
        : renderPlan(config.cluster.name, plans, source, prefixes),
    );
    return 0;
  } finally {
    await speaker.stop({ notify: true }).catch(() => undefined);
    await sync.stop();
    parts.health.stop();
  }
}
