// Deploy files and documentation examples stay valid: YAML parses, the IAM policy is well-formed and minimal,
// every example config (including the one inside the Kubernetes ConfigMap and the ones in the docs' code blocks)
// loads through the real config loader.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig, parseConfig } from '../../src/config/index.js';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const env = { NODE_IP: '10.0.0.10', BGP2VPC_TOKEN: 'a-test-token-of-enough-length', POD_NAME: 'bgp2vpc-7c9d-x2' };

function yamlDocs(path: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(read(path));
  for (const d of docs) expect(d.errors, `${path}: ${d.errors.map((e) => e.message).join('; ')}`).toEqual([]);
  return docs.map((d) => d.toJS() as Record<string, unknown>);
}

describe('Kubernetes manifests', () => {
  const dir = 'deploy/kubernetes';
  const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml'));

  it('parse, and every object has apiVersion, kind and a name', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files.filter((f) => f !== 'kustomization.yaml')) {
      for (const doc of yamlDocs(`${dir}/${f}`)) {
        expect(doc.apiVersion, f).toBeTypeOf('string');
        expect(doc.kind, f).toBeTypeOf('string');
        expect((doc.metadata as { name?: string }).name, f).toBeTypeOf('string');
      }
    }
  });

  it('kustomization lists existing files, including Deployment, ServiceAccount, ConfigMap and Service', () => {
    const [k] = yamlDocs(`${dir}/kustomization.yaml`);
    const resources = (k as { resources: string[] }).resources;
    for (const r of resources) expect(files).toContain(r);
    const kinds = resources.flatMap((r) => yamlDocs(`${dir}/${r}`).map((d) => d.kind));
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'ServiceAccount', 'ConfigMap', 'Service']));
  });

  it('the Deployment runs unprivileged with only NET_BIND_SERVICE and probes /healthz and /readyz', () => {
    const [d] = yamlDocs(`${dir}/deployment.yaml`);
    const pod = (d as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    expect(pod.serviceAccountName).toBe('bgp2vpc');
    expect((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot).toBe(true);
    const [c] = pod.containers as Record<string, Record<string, unknown>>[];
    expect(c?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
    expect(c?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
    expect(c?.livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
  });

  it('controller HA: at least two replicas, one per node, electing their writer through a Lease they may use', () => {
    const [d] = yamlDocs(`${dir}/deployment.yaml`);
    const spec = (d as { spec: { replicas: number; strategy: { type: string }; template: { spec: Record<string, unknown> } } }).spec;
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    expect(spec.strategy.type).toBe('RollingUpdate');
    const pod = spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(JSON.stringify(pod.affinity)).toContain('"topologyKey":"kubernetes.io/hostname"');
    const [c] = pod.containers as { env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[];
    expect(c?.env.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const [cm] = yamlDocs(`${dir}/configmap.yaml`);
    const cfg = parseConfig((cm as { data: Record<string, string> }).data['config.yaml'] ?? '', 'configmap.yaml', { env });
    expect(cfg.ha).toMatchObject({ backend: 'kubernetes', identity: env.POD_NAME, kubernetes: { leaseName: 'bgp2vpc-leader' } });
    const rbac = yamlDocs(`${dir}/rbac.yaml`);
    const role = rbac.find((x) => x.kind === 'Role') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
    const verbs = role.rules.filter((r) => r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases')).flatMap((r) => r.verbs);
    expect(new Set(verbs)).toEqual(new Set(['get', 'create', 'update']));
    expect(role.rules.find((r) => r.verbs.includes('update'))?.resourceNames).toEqual(['bgp2vpc-leader']);
    const binding = rbac.find((x) => x.kind === 'RoleBinding') as { subjects: { kind: string; name: string }[]; roleRef: { name: string } };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'bgp2vpc', namespace: 'bgp2vpc' }]);
    expect(binding.roleRef.name).toBe((rbac.find((x) => x.kind === 'Role') as { metadata: { name: string } }).metadata.name);
    const [k] = yamlDocs(`${dir}/kustomization.yaml`);
    expect((k as { resources: string[] }).resources).toEqual(expect.arrayContaining(['rbac.yaml', 'poddisruptionbudget.yaml']));
  });

  it('the ConfigMap holds a config that loads', () => {
    const [cm] = yamlDocs(`${dir}/configmap.yaml`);
    const text = (cm as { data: Record<string, string> }).data['config.yaml'] ?? '';
    const cfg = parseConfig(text, 'configmap.yaml', { env });
    expect(cfg.cluster.name).toBe('prod');
    expect(cfg.bgp.routerId).toBe('10.0.0.10');
  });
});

describe('IAM policy', () => {
  const policy = JSON.parse(read('deploy/iam/bgp2vpc-policy.json')) as {
    Version: string;
    Statement: { Effect: string; Action: string | string[]; Resource: string; Condition?: Record<string, Record<string, unknown>> }[];
  };
  const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

  it('grants exactly what bgp2vpc calls', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(new Set(actions)).toEqual(
      new Set([
        'ec2:DescribeRouteTables',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeInstances',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:CreateRoute',
        'ec2:ReplaceRoute',
        'ec2:DeleteRoute',
        'ec2:CreateTags',
        'servicequotas:GetServiceQuota',
        'ec2:ModifyNetworkInterfaceAttribute',
      ]),
    );
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('reads only the routes-per-table quota', () => {
    const read = policy.Statement.filter((s) => s.Action === 'servicequotas:GetServiceQuota');
    expect(read.map((s) => s.Resource)).toEqual(['arn:aws:servicequotas:*:*:vpc/L-93826ACB']);
  });

  it('allows the source/dest check fix only on network interfaces of one VPC', () => {
    const fix = policy.Statement.filter((s) => s.Action === 'ec2:ModifyNetworkInterfaceAttribute');
    expect(fix.map((s) => [s.Resource, Object.keys(s.Condition?.ArnEquals ?? {})])).toEqual([
      ['arn:aws:ec2:*:*:network-interface/*', ['ec2:Vpc']],
    ]);
  });

  it('scopes every route write to route tables carrying the cluster tag', () => {
    for (const s of policy.Statement) {
      const acts = Array.isArray(s.Action) ? s.Action : [s.Action];
      const other = ['servicequotas:GetServiceQuota', 'ec2:ModifyNetworkInterfaceAttribute'];
      if (acts.every((a) => a.startsWith('ec2:Describe') || other.includes(a))) continue;
      expect(s.Resource).toBe('arn:aws:ec2:*:*:route-table/*');
      const cond = JSON.stringify(s.Condition ?? {});
      expect(cond).toContain('bgp2vpc:cluster');
    }
  });
});

/** The major in package.json's `engines.node` (">=22" → 22). */
function enginesFloor(): number {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  return Number(/^>=(\d+)$/.exec(engines)?.[1]);
}

describe('systemd unit and Dockerfile', () => {
  it('the unit runs `bgp2vpc run`, reloads with SIGHUP, and is hardened', () => {
    const unit = read('deploy/systemd/bgp2vpc.service');
    const keys = new Map<string, string[]>();
    let section = '';
    for (const raw of unit.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const sec = /^\[(\w+)\]$/.exec(line);
      if (sec) {
        section = sec[1] as string;
        continue;
      }
      const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
      expect(kv, `bad unit line: ${line}`).not.toBeNull();
      const k = `${section}.${kv?.[1] ?? ''}`;
      keys.set(k, [...(keys.get(k) ?? []), kv?.[2] ?? '']);
    }
    expect(keys.get('Service.ExecStart')?.[0]).toContain('bgp2vpc run -c /etc/bgp2vpc/config.yaml');
    expect(keys.get('Service.ExecReload')?.[0]).toContain('-HUP');
    for (const k of ['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'DynamicUser', 'RestrictAddressFamilies', 'SystemCallFilter']) {
      expect(keys.has(`Service.${k}`), k).toBe(true);
    }
    expect(keys.get('Service.CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(keys.get('Install.WantedBy')).toEqual(['multi-user.target']);
    // the host's node must be a supported one: the first check refuses anything below package.json's engines floor
    expect(keys.get('Service.ExecStartPre')?.[0]).toContain(`process.versions.node.split('.')[0] < ${enginesFloor()})`);
  });

  it('the Dockerfile builds and runs on Node 24 LTS (slim), and the runtime stage keeps node only', () => {
    const df = read('deploy/Dockerfile');
    const image = /^ARG NODE_IMAGE=node:(\d+)-[a-z]+-slim$/m.exec(df);
    expect(Number(image?.[1])).toBe(24);
    expect(df.match(/^FROM .*/gm)?.every((l) => l.startsWith('FROM ${NODE_IMAGE}'))).toBe(true);
    const runtime = df.slice(df.lastIndexOf('\nFROM '));
    expect(runtime).toContain('rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack');
    expect(runtime).toMatch(/^COPY --from=deps \/src\/node_modules/m); // production dependencies only
    expect(Number(image?.[1])).toBeGreaterThanOrEqual(enginesFloor());
  });

  it('the Dockerfile is multi-stage, drops root and grants only the bind capability', () => {
    const df = read('deploy/Dockerfile');
    expect(df.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/^USER 10001/m);
    expect(df).toContain('setcap cap_net_bind_service=+ep');
    expect(df).not.toMatch(/^[^#]*cap_net_raw/im); // CAP_NET_RAW only when ICMP probes are on (documented)
    expect(df).toMatch(/^COPY --from=build/m);
  });
});

describe('config examples', () => {
  it('config/*.yaml and docs/examples/*.yaml load', () => {
    const files = [
      ...readdirSync(join(root, 'config')).map((f) => `config/${f}`),
      ...readdirSync(join(root, 'docs/examples')).map((f) => `docs/examples/${f}`),
    ].filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['config/minimal.yaml', 'config/full.yaml', 'config/demo.yaml', 'docs/examples/calico.yaml']));
    for (const f of files) expect(() => loadConfig(join(root, f), { env }), f).not.toThrow();
  });

  it('every ```yaml block in docs/*.md that is a bgp2vpc config loads', () => {
    const mds = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
    let checked = 0;
    for (const md of mds) {
      for (const m of read(`docs/${md}`).matchAll(/```yaml\n([\s\S]*?)```/g)) {
        const text = m[1] ?? '';
        if (!/^cluster:/m.test(text)) continue; // Kubernetes/Calico objects, not our config
        expect(() => parseConfig(text, md, { env }), `${md}:\n${text}`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('the migration guide maps every documented vpc-router option', () => {
    const guide = read('docs/migrating-from-vpc-router.md');
    for (const flag of ['-m configfile', '-m http', '-m fixedconf', '-a ADDRESS -p PORT', '-r REGION', '-v VPC_ID']) expect(guide).toContain(flag);
  });
});
