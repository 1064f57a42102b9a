// Config `ha` → the lease backend: none, etcd (key per cluster, TLS files read at startup), kubernetes.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/base/clock.js';
import { parseConfig } from '../../src/config/index.js';
import { createHaBackend, etcdLeaderKey, haIdentity } from '../../src/daemon/ha-wiring.js';

const base = `cluster: { name: prod, cidrs: [10.244.0.0/16] }
bgp: { asn: 64512, routerId: 10.0.0.10 }
vpc: { vpcId: vpc-0123abcd }
`;
const cfg = (ha: string) => parseConfig(`${base}ha:\n${ha}`);

describe('HA wiring', () => {
  it('defaults: no election, identity = hostname, a 3 s lease and a 1.5 s write timeout', async () => {
    const c = parseConfig(base);
    expect(c.ha).toMatchObject({ backend: 'none', leaseTtl: 3000, writeTimeout: 1500 });
    expect(haIdentity(c)).toBe(hostname());
    expect(await createHaBackend(c, new FakeClock())).toBeUndefined();
  });

  it('etcd: one leader key per cluster under the prefix', async () => {
    const c = cfg('  backend: etcd\n  identity: ctl-a\n  etcd: { endpoints: [http://127.0.12.50:2379], keyPrefix: /x }\n');
    expect(etcdLeaderKey(c)).toBe('/x/prod/leader');
    const b = await createHaBackend(c, new FakeClock());
    expect(b).toMatchObject({ name: 'etcd', where: '/x/prod/leader' });
  });

  it('refuses what cannot work: fractional TTLs, a cert without its key, a TLS file that is not there', async () => {
    expect(() => cfg('  leaseTtl: 2500ms\n')).toThrow(/whole seconds/);
    expect(() => cfg('  leaseTtl: 1s\n')).toThrow(/at least 2000ms/);
    expect(() => cfg('  etcd: { tls: { cert: /c.pem } }\n')).toThrow(/tls.cert and tls.key go together/);
    expect(() => cfg('  kubernetes: { leaseName: Bad_Name }\n')).toThrow(/Kubernetes object name/);
    const c = cfg('  backend: etcd\n  etcd: { endpoints: [https://127.0.12.50:2379], tls: { ca: /nonexistent/ca.pem } }\n');
    await expect(createHaBackend(c, new FakeClock())).rejects.toMatchObject({ code: 'HA_TLS_FILE' });
  });
});
