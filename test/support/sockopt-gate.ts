// Tests that need socket options (TCP-MD5, the BFD TTL filter) run where sockopt/ can set them (Linux with koffi's
// binary). Elsewhere they skip, loudly; in CI (or with BGP2VPC_REQUIRE_PEERS=1) the reason is a failing test.
import { it } from 'vitest';
import { socketOptionsUnavailable } from '../../src/sockopt/libc.js';

const required =
  (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') || process.env.BGP2VPC_REQUIRE_PEERS === '1';

/** True when the socket-option tests can run here. */
export function sockoptUsable(): boolean {
  return socketOptionsUnavailable() === undefined;
}

/** A test that always runs: it fails when socket options are unavailable where they are required (CI). */
export function sockoptRequiredTest(): void {
  const why = socketOptionsUnavailable();
  if (why !== undefined && !required) console.warn(`SKIPPING socket-option tests: ${why}`);
  it('socket options are available (required in CI)', () => {
    if (why !== undefined && required) throw new Error(why);
  });
}
