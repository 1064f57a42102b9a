// Whether the tests that need a real etcd run: skipped with a message locally when it is missing, a failure in CI.
import { accessSync, constants } from 'node:fs';
import { it } from 'vitest';
import { peersRequired } from './availability.js';
import { ETCD_BIN } from './etcd.js';

export interface EtcdGate {
  readonly run: boolean;
  readonly fail: boolean;
  readonly message: string;
}

export function etcdGate(): EtcdGate {
  try {
    accessSync(ETCD_BIN, constants.X_OK);
    return { run: true, fail: false, message: '' };
  } catch {
    const message = `${ETCD_BIN} missing: install the Debian package etcd-server (.ci/run does)`;
    if (peersRequired) return { run: false, fail: true, message };
    console.warn(`\n!!! SKIPPING etcd tests: ${message}\n`);
    return { run: false, fail: false, message };
  }
}

export function etcdInstalledTest(gate: EtcdGate): void {
  it('etcd installed (required in CI)', () => {
    if (gate.fail) throw new Error(gate.message);
  });
}
