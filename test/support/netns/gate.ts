// Can this machine run the network-namespace testbed (gobgp-testbed/netns-check.sh), and what a test does when it
// cannot: in CI (CI set) or with BGP2VPC_REQUIRE_PEERS=1 the suite fails with the reason; elsewhere it skips,
// loudly. The same rule as the real-peer gate of test/interop/support/availability.ts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'vitest';
import { TESTBED_HOME } from '../../interop/support/testbed.js';

export interface NetnsCheck {
  readonly usable: boolean;
  /** Why not, when not usable. */
  readonly reason: string;
  /** nft present: partitions by nft and packet loss (without it, partitions use the bridge port state). */
  readonly nft: boolean;
  /** tc netem in the kernel. */
  readonly netem: boolean;
  /** /dev/net/tun and python3: the userspace wire (delay, jitter, reorder without netem). */
  readonly tun: boolean;
  /** BGP daemon binaries that are not installed. */
  readonly missing: readonly string[];
}

/**
 * Runs netns-check.sh (creates and deletes one namespace, about 40 ms). Never throws. TESTBED_PRETEND_MISSING=netns
 * reports the testbed as unusable, to check the skip / fail behaviour without changing the machine.
 */
export function checkNetns(): NetnsCheck {
  if ((process.env.TESTBED_PRETEND_MISSING ?? '').split(',').some((s) => s.trim() === 'netns')) {
    return { usable: false, reason: 'TESTBED_PRETEND_MISSING=netns', nft: false, netem: false, tun: false, missing: [] };
  }
  const r = spawnSync(join(TESTBED_HOME, 'netns-check.sh'), { encoding: 'utf8' });
  const kv = new Map<string, string>();
  const missing: string[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    const [k, ...v] = line.split(' ');
    if (!k) continue;
    if (k === 'missing') missing.push(v.join(' '));
    else kv.set(k, v.join(' '));
  }
  const usable = r.status === 0 && kv.get('usable') === 'yes';
  return {
    usable,
    reason: usable ? '' : (kv.get('usable')?.replace(/^no /, '') ?? r.error?.message ?? `netns-check.sh exited ${String(r.status)}`),
    nft: kv.get('nft') === 'yes',
    netem: kv.get('netem') === 'yes',
    tun: kv.get('tun') === 'yes',
    missing,
  };
}

/** True in CI or with BGP2VPC_REQUIRE_PEERS=1: an unusable testbed is a failure, not a skip. */
export const netnsRequired: boolean =
  (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') || process.env.BGP2VPC_REQUIRE_PEERS === '1';

export interface NetnsGate {
  readonly run: boolean;
  readonly fail: boolean;
  readonly message: string;
  readonly check: NetnsCheck;
}

/**
 * Whether the namespace tests run here. `needs` lists extra requirements: BGP daemons ('bird', 'gobgpd', ...) by
 * binary name, 'nft', 'tun'. Use as `describe.runIf(gate.run)(...)` plus `netnsUsableTest(gate)`.
 */
export function netnsGate(needs: readonly string[] = [], check: NetnsCheck = checkNetns()): NetnsGate {
  const lacking: string[] = [];
  if (!check.usable) lacking.push(`network namespaces (${check.reason})`);
  for (const n of needs) {
    if (n === 'nft' && !check.nft) lacking.push('nft (apt-get install nftables)');
    else if (n === 'tun' && !check.tun) lacking.push('/dev/net/tun and python3 (the userspace wire)');
    else if (check.missing.includes(n)) lacking.push(`${n} (bash gobgp-testbed/install.sh)`);
  }
  if (lacking.length === 0) return { run: true, fail: false, message: '', check };
  const message = `netns testbed not usable here: ${lacking.join('; ')}`;
  if (netnsRequired) return { run: false, fail: true, message: `${message}. CI / BGP2VPC_REQUIRE_PEERS=1 requires it.`, check };
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING netns tests: ${message}\n${'!'.repeat(100)}\n`);
  return { run: false, fail: false, message, check };
}

/** A test that always runs and fails only when the testbed is required (CI) but unusable. */
export function netnsUsableTest(gate: NetnsGate): void {
  it('the netns testbed is usable (required in CI)', () => {
    if (gate.fail) throw new Error(gate.message);
  });
}
