// One scale run: every receiver in turn against the same fleet, then bgp2vpc's restart and AZ failure. Used by
// scripts/bench-scale.ts and, at a small size, by the interop test that keeps the benchmark from rotting.
import type { Fleet } from '../../test/support/fleet.js';
import { DaemonScaleReceiver } from './daemon.js';
import { measureFailover, tableComplete, type FailoverFigures } from './failover.js';
import { BirdScaleReceiver, GobgpScaleReceiver, type ScaleReceiver } from './receivers.js';
import { buildScenario, type ScenarioOptions } from './scenario.js';
import { measureSessions, type SessionFigures } from './sessions.js';

export const SCALE_RECEIVERS = ['bird', 'gobgpd', 'bgp2vpc'] as const;

export interface ScaleRun {
  readonly scenario: ScenarioOptions;
  readonly receivers: readonly (typeof SCALE_RECEIVERS)[number][];
  readonly concurrency: number;
  readonly steadyS: number;
  readonly holdTime: number;
  /** bgp2vpc's initial convergence wait (default 45 s). */
  readonly settleS?: number;
  /** Skip the AZ failure (sessions only). */
  readonly noFailover?: boolean;
  readonly log: (line: string) => void;
}

export async function runScale(
  dir: string,
  fleet: Fleet,
  run: ScaleRun,
): Promise<{ sessions: SessionFigures[]; failover?: FailoverFigures }> {
  const s = buildScenario(run.scenario);
  const opts = { concurrency: run.concurrency, steadyS: run.steadyS, holdTime: run.holdTime };
  const sessions: SessionFigures[] = [];
  let failover: FailoverFigures | undefined;
  // bgp2vpc last: its failover phase follows its session phase.
  for (const name of SCALE_RECEIVERS.filter((n) => run.receivers.includes(n))) {
    const r: ScaleReceiver =
      name === 'bird'
        ? new BirdScaleReceiver(dir)
        : name === 'gobgpd'
          ? new GobgpScaleReceiver(dir)
          : new DaemonScaleReceiver(dir, s, run.settleS, run.holdTime);
    run.log(`${name}: starting`);
    try {
      await r.start();
      const f = await measureSessions(r, fleet, s, opts);
      run.log(`${name}: ${JSON.stringify(f)}`);
      sessions.push(f);
      if (r instanceof DaemonScaleReceiver && !run.noFailover) {
        await tableComplete(r.emulator as NonNullable<typeof r.emulator>, s, 300_000);
        run.log('bgp2vpc: table complete; restarting with EC2 rates and probes');
        failover = await measureFailover(r, fleet, s, opts);
        run.log(`bgp2vpc failover: ${JSON.stringify(failover)}`);
      }
    } finally {
      await fleet.stopHosts().catch(() => undefined);
      await r.stop();
    }
  }
  return { sessions, ...(failover ? { failover } : {}) };
}
