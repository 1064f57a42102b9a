// Which real peers are installed, and what a test does when one is missing: in CI (or with
// BGP2VPC_REQUIRE_PEERS=1) the suite fails with a clear message; elsewhere it skips, loudly.
import { accessSync, constants } from 'node:fs';
import { it } from 'vitest';
import { delimiter, join } from 'node:path';
import type { PeerKind } from './testbed.js';

const BINARIES: Readonly<Record<PeerKind, readonly string[]>> = {
  gobgp: ['gobgpd', 'gobgp'],
  bird: ['bird', 'birdc'],
  frr: ['/usr/lib/frr/bgpd', 'vtysh'],
  exabgp: ['exabgp'],
};

function onPath(bin: string): boolean {
  const candidates = bin.includes('/')
    ? [bin]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .concat(['/usr/sbin', '/sbin'])
        .map((d) => join(d, bin));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Binaries missing for the given peers (empty when all are installed). TESTBED_PRETEND_MISSING=bird,frr makes
 * those peers count as missing, to check the skip / fail behaviour without uninstalling anything.
 */
export function missingBinaries(kinds: readonly PeerKind[]): string[] {
  const pretend = new Set((process.env.TESTBED_PRETEND_MISSING ?? '').split(',').map((s) => s.trim()));
  return kinds.flatMap((k) => (pretend.has(k) ? [...BINARIES[k]] : BINARIES[k].filter((b) => !onPath(b))));
}

/** True in CI or when BGP2VPC_REQUIRE_PEERS=1: a missing peer is a failure, not a skip. */
export const peersRequired: boolean =
  (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') || process.env.BGP2VPC_REQUIRE_PEERS === '1';

export interface PeerGate {
  /** Run the real-peer tests. */
  readonly run: boolean;
  /** Register a failing test (peers required but missing). */
  readonly fail: boolean;
  readonly message: string;
}

/**
 * Decides whether the tests for `kinds` run. Use as `describe.runIf(gate.run)(...)` plus
 * `peersInstalledTest(gate, 'gobgpd')`, which always runs: it passes when the peers are there (or not required
 * here) and fails when CI requires them, so a CI run reports no skipped test.
 */
export function peerGate(kinds: readonly PeerKind[]): PeerGate {
  const missing = missingBinaries(kinds);
  if (missing.length === 0) return { run: true, fail: false, message: '' };
  const message =
    `real BGP peers missing: ${missing.join(', ')} (needed by ${kinds.join(', ')}). ` +
    'Install them with `bash gobgp-testbed/install.sh`.';
  if (peersRequired) return { run: false, fail: true, message: `${message} CI / BGP2VPC_REQUIRE_PEERS=1 requires them.` };
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING interop tests: ${message}\n${'!'.repeat(100)}\n`);
  return { run: false, fail: false, message };
}

/** A test that always runs and fails only when the peers are required (CI) but missing. */
export function peersInstalledTest(gate: PeerGate, what: string): void {
  it(`${what} installed (required in CI)`, () => {
    if (gate.fail) throw new Error(gate.message);
  });
}
