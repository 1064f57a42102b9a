// BFD in the config: per peer group (true, false or settings; intervals 50 ms to 60 s, multiplier 1-255) and the
// receive addresses; mapped to the BFD module in µs.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { bfdGroups } from '../../src/daemon/wiring.js';

const cfg = (groups: string, extra = '') => `cluster: { name: t, cidrs: [100.70.0.0/16] }
bgp:
  asn: 65000
  routerId: 10.0.0.1
  groups:
${groups}
vpc: { vpcId: vpc-0abc }
${extra}`;

function errors(text: string): string[] {
  try {
    parseConfig(text, 'c.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('BFD config', () => {
  it('true means the defaults (300 ms × 3, single hop); settings override them; off unless asked', () => {
    const c = parseConfig(
      cfg(`    nodes: { bfd: true }
    remote: { bfd: { multihop: true, minRx: 500ms, minTx: 200ms, multiplier: 5, resetSession: true } }
    plain: { maxPrefixes: 10 }`),
      'c.yaml',
    );
    expect(c.bgp.groups.nodes?.bfd).toEqual({ multihop: false, minRx: 300, minTx: 300, multiplier: 3, resetSession: false });
    expect(c.bgp.groups.plain?.bfd).toBeUndefined();
    expect(c.bfd.listen).toEqual([]);
    expect([...bfdGroups(c)]).toEqual([
      ['nodes', { multihop: false, resetSession: false, timers: { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3 } }],
      ['remote', { multihop: true, resetSession: true, timers: { desiredMinTxUs: 200_000, requiredMinRxUs: 500_000, detectMult: 5 } }],
    ]);
  });

  it('checks timers and the listen addresses', () => {
    expect(
      errors(
        cfg(`    a: { bfd: { minRx: 10ms, minTx: 2m, multiplier: 0 } }`, 'bfd: { listen: [10.0.0.300] }\n'),
      ),
    ).toEqual([
      'c.yaml:6:24: bgp.groups.a.bfd.minRx: must be at least 50ms',
      'c.yaml:6:37: bgp.groups.a.bfd.minTx: must be at most 60000ms',
      'c.yaml:6:53: bgp.groups.a.bfd.multiplier: Too small: expected number to be >=1',
      'c.yaml:8:17: bfd.listen.0: invalid IP address "10.0.0.300"',
    ]);
  });
});
