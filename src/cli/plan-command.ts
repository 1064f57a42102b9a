// `bgp2vpc plan -c FILE [--spec FILE] [--settle 10s] [--json]`: a dry run. Reads the route tables, builds the route
// spec (listening for BGP for the settle time, or from a spec file), and prints what bgp2vpc would create, replace
// and delete in each table. Never writes to EC2 (dryRun forced). Health probes are not run: every next hop counts
// as healthy, so the plan shows the steady state.
import { loadConfig, parseDuration, type Config } from '../config/index.js';
import { createLogger } from '../base/log.js';
import { Metrics } from '../base/metrics.js';
import { UserError, errorMessage } from '../base/errors.js';
import { formatPrefix } from '../net/prefix.js';
import { loadSpecFile } from '../rib/spec-file.js';
import { describeConflict, describeOp, type Plan } from '../vpc/plan.js';
import { assemble, staticEntries } from '../daemon/assemble.js';
import { ConvergenceTracker } from '../daemon/convergence.js';

export interface PlanJson {
  readonly source: string;
  readonly prefixes: number;
  readonly tables: readonly {
    readonly id: string;
    readonly ops: readonly { readonly kind: string; readonly destination: string; readonly target?: string; readonly from?: string; readonly reason?: string }[];
    readonly conflicts: readonly string[];
  }[];
}

export function planJson(plans: readonly Plan[], source: string, prefixes: number): PlanJson {
  return {
    source,
    prefixes,
    tables: plans.map((p) => ({
      id: p.tableId,
      ops: p.ops.map((op) => {
        switch (op.kind) {
          case 'create':
            return { kind: op.kind, destination: formatPrefix(op.prefix), target: op.networkInterfaceId };
          case 'replace':
            return { kind: op.kind, destination: formatPrefix(op.prefix), target: op.networkInterfaceId, from: op.from, reason: op.reason };
          case 'delete':
            return { kind: op.kind, destination: formatPrefix(op.prefix), from: op.from };
        }
      }),
      conflicts: p.conflicts.map(describeConflict),
    })),
  };
}

export function renderPlan(cluster: string, plans: readonly Plan[], source: string, prefixes: number): string {
  const out = [`Plan for cluster ${cluster} (dry run: nothing is written). Route spec: ${prefixes} prefixes from ${source}; health not probed.`];
  let changes = 0;
  for (const p of plans) {
    const n = (k: string): number => p.ops.filter((o) => o.kind === k).length;
    out.push(`${p.tableId}: ${n('create')} to create, ${n('replace')} to replace, ${n('delete')} to delete${p.overLimit ? `, ${p.overLimit} over the route limit` : ''}`);
    for (const op of p.ops) out.push(`  ${describeOp(op)}`);
    for (const c of p.conflicts) out.push(`  ${describeConflict(c)}`);
    changes += p.ops.length;
  }
  if (plans.length === 0) out.push('No route tables selected (vpc.routeTables or vpc.vpcId + vpc.discoverTags).');
  else if (changes === 0) out.push('No changes: the tables match the route spec.');
  return out.join('\n') + '\n';
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
    sync.setDesired(spec.chosen().map((c) => ({ prefix: c.prefix, nextHop: c.nextHop })));
    await sync.reconcileNow();
    const plans = sync.planOnly();
    const prefixes = spec.stats().prefixes;
    process.stdout.write(opts.json ? JSON.stringify(planJson(plans, source, prefixes), null, 2) + '\n' : renderPlan(config.cluster.name, plans, source, prefixes));
    return 0;
  } finally {
    await speaker.stop({ notify: true }).catch(() => undefined);
    await sync.stop();
    parts.health.stop();
  }
}
