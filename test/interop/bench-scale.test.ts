// The scale benchmark at CI size, so it cannot rot (npm run bench:scale runs 5,000 hosts): 500 simulated hosts on
// 127.20.0.0/16 received by BIRD, gobgpd and the whole bgp2vpc daemon through one dynamic range each; then bgp2vpc
// restarts with EC2's real rates and TCP probes of every host (no write), and one AZ goes silent at once. Exact
// outcomes only; the timing figures are the benchmark's business.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerGate, peersInstalledTest } from './support/availability.js';
import { stopAllDaemons } from './support/daemon.js';
import { Fleet } from '../support/fleet.js';
import { runScale } from '../../scripts/bench-scale/run.js';
import { renderScale } from '../../scripts/bench-scale/report.js';

const gate = peerGate(['bird', 'gobgp']);
peersInstalledTest(gate, 'bird, gobgpd');

describe.runIf(gate.run)('bench:scale at CI size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-scale-ci-'));
  const fleet = Fleet.create();
  afterAll(async () => {
    await fleet.close();
    await stopAllDaemons();
    rmSync(dir, { recursive: true, force: true });
  });

  it('500 hosts: every receiver holds every session; a restart writes nothing; a silent AZ costs exactly the writes needed', async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }); // bgp2vpc runs from dist/
    const scenario = { hosts: 500, multiVips: 90, singleVips: 5 };
    const lines: string[] = [];
    const r = await runScale(dir, fleet, {
      scenario,
      receivers: ['bird', 'gobgpd', 'bgp2vpc'],
      concurrency: 100,
      steadyS: 2,
      holdTime: 90,
      settleS: 10,
      log: (l) => lines.push(l),
    });
    expect(r.sessions.map((s) => [s.receiver, s.hosts])).toEqual([
      ['bird', 500],
      ['gobgpd', 500],
      ['bgp2vpc', 500],
    ]);
    const f = r.failover;
    if (!f) throw new Error(`no failover figures:\n${lines.join('\n')}`);
    expect(f.restartWrites).toBe(0);
    // AZ b's multi-AZ VIPs: the {b, c} pairs always (30 of 90); {a, b} ones too when b's host announced first.
    expect(f.toMove).toBe(30);
    expect(f.stranded).toBe(5);
    expect(f.strandedKept).toBe(true);
    expect(f.throttled).toBe(0);
    expect(f.sessionsLost).toBe(0); // no hold timer ran out: the writes are the probes' failover alone
    // No cascade through hosts of the silent AZ: every write sent is one the final table needed.
    const sent = Object.values(f.writes).reduce((a, b) => a + b, 0);
    expect(sent).toBe(f.neededWrites);
    expect(f.neededWrites).toBeGreaterThanOrEqual(f.toMove);
    // The report renders (its timing lines are for a quiet machine: not asserted here).
    const report = renderScale({ command: 'ci', date: '', machine: '', scenario, holdTime: 90, concurrency: 100, ...r });
    expect(report).toContain(`writes sent = writes needed (${sent} vs ${sent}): met`);
    expect(report).toContain('a VIP with no healthy alternative costs no write: met');
  }, 600_000);
});
