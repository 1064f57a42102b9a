// Key rotation through the daemon: a neighbour's key comes from passwordFile; the file changes and the config is
// reloaded (what SIGHUP does). The established session stays; new connections need the new key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sim/ec2/emulator.js';
import type { StateDoc } from '../../src/sim/ec2/state-file.js';
import { loadConfig } from '../../src/config/index.js';
import { runDaemon } from '../../src/daemon/run-daemon.js';
import { silentLogger } from '../../src/base/log.js';
import { createEmulatorEc2Client } from '../../src/vpc/ec2-client.js';
import { parseAddress } from '../../src/net/address.js';
import { md5ClientSocket } from '../../src/sockopt/md5-sockets.js';
import { TestPeer, until } from '../bgp/session/support/test-peer.js';
import { sockoptRequiredTest, sockoptUsable } from '../support/sockopt-gate.js';

const CTRL = '127.0.16.1';
const HOST = '127.0.16.61';
const state: StateDoc = {
  vpcs: [
    {
      name: 'vpc',
      id: 'vpc-0e2e0000000000016',
      cidr: '127.0.16.0/24',
      subnets: [{ name: 'sub', cidr: '127.0.16.0/25', az: 'us-east-1a' }],
      instances: [{ name: 'h', subnet: 'sub', privateIp: HOST, sourceDestCheck: false }],
      routeTables: [{ name: 'rt', id: 'rtb-0e2e0000000000016', subnets: ['sub'] }],
    },
  ],
};

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** 'connected' or 'timeout': a SYN with the wrong key is dropped silently. */
function dial(port: number, key: string): Promise<'connected' | 'timeout'> {
  const s: Socket = md5ClientSocket(parseAddress(CTRL), Buffer.from(key));
  cleanup.push(() => void s.destroy());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve('timeout'), 800);
    s.once('error', reject);
    s.connect({ host: CTRL, port, localAddress: HOST }, () => {
      clearTimeout(t);
      resolve('connected');
    });
  });
}

sockoptRequiredTest();
describe.runIf(sockoptUsable())('TCP-MD5 key rotation on reload', () => {
  it('re-reads passwordFile: the established session stays up, the listener takes the new key', async () => {
    const emu = await startEmulator({ host: '127.0.0.1', port: 0, state });
    cleanup.push(() => emu.stop());
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-md5-reload-'));
    const keyFile = join(dir, 'key');
    const cfgFile = join(dir, 'bgp2vpc.yaml');
    writeFileSync(keyFile, 'key-one\n');
    writeFileSync(
      cfgFile,
      `cluster: { name: md5, cidrs: [100.70.0.0/16] }
bgp:
  asn: 65000
  routerId: ${CTRL}
  listen: [{ address: ${CTRL}, port: 0 }]
  neighbors: [{ address: ${HOST}, asn: 65061, passwordFile: ${keyFile} }]
routes: { settleTime: 1s }
vpc: { endpoint: ${emu.endpoint}, routeTables: [rtb-0e2e0000000000016] }
api: { listen: "${CTRL}:0" }
`,
    );
    const d = await runDaemon(loadConfig(cfgFile), { logger: silentLogger, ec2: createEmulatorEc2Client(emu.endpoint) });
    cleanup.push(() => d.stop());
    const port = d.parts.speaker.addresses()[0]?.port ?? 0;
    const peer = await TestPeer.connect({ host: CTRL, port, localAddress: HOST, asn: 65061, md5Key: 'key-one' });
    cleanup.push(() => peer.close());
    await peer.establish();
    await until(() => d.parts.speaker.peer(HOST)?.state === 'Established', 'Established');

    writeFileSync(keyFile, 'key-two\n');
    expect(await d.parts.reload(loadConfig(cfgFile))).toEqual([]);
    expect(await dial(port, 'key-one')).toBe('timeout');
    expect(await dial(port, 'key-two')).toBe('connected');
    expect(peer.closed).toBe(false);
    expect(d.parts.speaker.peer(HOST)?.state).toBe('Established');
  });
});
