// The whole-daemon ingest benchmark at CI size, so it cannot rot (npm run bench:ingest runs 100k and 1M):
// 50,000 packed /32s from a BIRD sender into `bgp2vpc run` (against the emulator) and into BIRD, then withdrawn.
// Exact outcomes only: every prefix counted in and out, the daemon's event-loop figures read, the report rendered.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerGate, peersInstalledTest } from './support/availability.js';
import { stopAllDaemons } from './support/daemon.js';
import { measure } from '../../scripts/bench-ingest/measure.js';
import { BirdReceiver } from '../../scripts/bench-ingest/receivers.js';
import { DaemonReceiver } from '../../scripts/bench-ingest/daemon-receiver.js';
import { BirdSender } from '../../scripts/bench-ingest/sender.js';
import { renderReport } from '../../scripts/bench-ingest/report.js';

const gate = peerGate(['bird']);
peersInstalledTest(gate, 'bird');

describe.runIf(gate.run)('bench:ingest at CI size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-ingest-ci-'));
  afterAll(async () => {
    await stopAllDaemons();
    rmSync(dir, { recursive: true, force: true });
  });

  it('50k packed /32s: the whole daemon and BIRD count them all in and out', async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }); // bgp2vpc runs from dist/
    const n = 50_000;
    const daemon = new DaemonReceiver(dir);
    const bird = new BirdReceiver(dir);
    const sender = new BirdSender(dir, n, 'packed', [daemon.target, bird.target]);
    await sender.start();
    await daemon.start();
    await bird.start();
    const idle = await daemon.memory();
    expect(idle.rss).toBeGreaterThan(0);
    const ours = await measure(sender, daemon, n, 20, daemon);
    const theirs = await measure(sender, bird, n, 20);
    for (const s of [ours, theirs]) {
      expect(s.ingestS).toBeGreaterThan(0);
      expect(s.withdrawS).toBeGreaterThan(0);
    }
    expect(await daemon.accepted()).toBe(0);
    for (const r of [ours.ingestResponsiveness, ours.withdrawResponsiveness]) {
      expect(Number.isFinite(r?.lagP99Ms)).toBe(true);
      expect(Number.isFinite(r?.lagMaxMs)).toBe(true);
      expect(r?.healthzCount).toBeGreaterThan(0);
    }
    const cell = (s: typeof ours) => ({
      receiver: s.receiver,
      n,
      packing: 'packed' as const,
      ingestPerS: n / s.ingestS,
      withdrawPerS: n / s.withdrawS,
      rssAfterBytes: s.rssAfterBytes,
      rssGrowthPerPrefix: (s.rssAfterBytes - s.rssBeforeBytes) / n,
      runs: 1,
    });
    const report = renderReport([cell(ours), cell(theirs)], { command: 'ci', date: '', machine: '', pollMs: 20, idle });
    expect(report).toMatch(/\| 50k \| packed \| bgp2vpc \| whole daemon/);
    expect(report).toMatch(/\| 50k \| packed \| bird \| whole daemon/);
    expect(report).toMatch(/whole daemon vs BIRD: ingest/);
    await daemon.stop();
    await bird.stop();
    await sender.stop();
  }, 300_000);
});
