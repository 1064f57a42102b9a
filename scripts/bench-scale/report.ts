// Markdown report of the scale benchmark.
import type { FailoverFigures } from './failover.js';
import type { SessionFigures } from './sessions.js';
import type { ScenarioOptions } from './scenario.js';

export interface ScaleReport {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly scenario: ScenarioOptions;
  readonly holdTime: number;
  readonly concurrency: number;
  readonly sessions: readonly SessionFigures[];
  readonly failover?: FailoverFigures;
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const s1 = (x: number): string => `${x.toFixed(1)} s`;

export function renderScale(r: ScaleReport): string {
  const o = r.scenario;
  const out: string[] = [];
  out.push(
    `Command: \`${r.command}\` — ${r.date} — ${r.machine}. ${o.hosts} hosts (127.20.0.0/16, one dynamic range, hold time ${r.holdTime} s, ` +
      `${r.concurrency} connecting at a time), each announcing a /24 and two /32 VIPs (${o.multiVips} VIPs in two AZs, ${o.singleVips} in one): ` +
      `${o.hosts + o.multiVips + o.singleVips} prefixes. Each receiver alone, the same fleet process.`,
  );
  out.push('');
  out.push(
    '| receiver | all Established | connections retried | all prefixes held | RSS idle | RSS with all sessions | per session | CPU at steady state |',
  );
  out.push('|---|---|---|---|---|---|---|---|');
  for (const f of r.sessions) {
    out.push(
      `| ${f.receiver} | ${s1(f.establishS)} | ${f.retries} | ${s1(f.prefixesS)} | ${mib(f.idleRssBytes)} | ${mib(f.loadedRssBytes)} | ` +
        `${((f.loadedRssBytes - f.idleRssBytes) / f.hosts / 1024).toFixed(1)} KiB | ${f.steadyCpuPercent.toFixed(1)} % of a core (${f.steadyWindowS.toFixed(0)} s) |`,
    );
  }
  const checks: string[] = [];
  for (const f of r.sessions) {
    checks.push(
      `${f.receiver}: all ${f.hosts} Established in ${s1(f.establishS)} (target ≤ 30 s): ${f.establishS <= 30 ? 'met' : 'NOT met'}`,
    );
  }
  const fo = r.failover;
  if (fo) {
    const writes = Object.entries(fo.writes)
      .map(([a, n]) => `${n} × ${a}`)
      .join(', ');
    const within = fo.floorS === 0 ? fo.writePhaseS <= 1 : fo.writePhaseS <= fo.floorS * 1.1;
    out.push('');
    out.push('bgp2vpc, one AZ silent (EC2 rate limits on: the emulator throttles like EC2, 50 writes at once then 5/s):');
    out.push('');
    out.push('| | measured |');
    out.push('|---|---|');
    out.push(`| restart (real rates, probes on): all Established | ${s1(fo.restartEstablishS)} |`);
    out.push(`| restart with unchanged hosts: EC2 writes | ${fo.restartWrites} |`);
    out.push(`| VIPs that must move / VIPs with no healthy alternative | ${fo.toMove} / ${fo.stranded} |`);
    out.push(
      `| EC2 writes after the silence (ok) | ${fo.neededWrites} needed; sent: ${writes || 'none'}; ${fo.throttled} × RequestLimitExceeded |`,
    );
    out.push(`| silence → first write (detection: TCP probes, fall 2 × 1 s) | ${s1(fo.detectionS)} |`);
    out.push(`| first → last write | ${s1(fo.writePhaseS)} (EC2 floor for ${fo.neededWrites} writes: ${s1(fo.floorS)}) |`);
    out.push(`| silence → every VIP moved | ${s1(fo.allMovedS)} |`);
    out.push(`| VIPs with no healthy alternative kept, no write | ${fo.strandedKept ? 'yes' : 'NO'} |`);
    out.push(`| BGP sessions ended meanwhile (hold time ${r.holdTime} s; their withdrawals would add writes) | ${fo.sessionsLost} |`);
    checks.push(`restart with unchanged hosts makes zero writes: ${fo.restartWrites === 0 ? 'met' : 'NOT met'}`);
    const sent = Object.values(fo.writes).reduce((a, b) => a + b, 0);
    checks.push(`writes sent = writes needed (${sent} vs ${fo.neededWrites}): ${sent === fo.neededWrites ? 'met' : 'NOT met'}`);
    checks.push(`a VIP with no healthy alternative costs no write: ${fo.strandedKept ? 'met' : 'NOT met'}`);
    checks.push(`writes within 10% of the EC2 floor (${s1(fo.writePhaseS)} vs ${s1(fo.floorS)}): ${within ? 'met' : 'NOT met'}`);
  }
  out.push('');
  for (const c of checks) out.push(`- ${c}`);
  return out.join('\n');
}
