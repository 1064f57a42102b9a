// What `bgp2vpc doctor` checks, each with a verdict and the fix. Read-only: the IAM checks use DryRun, which EC2
// answers with DryRunOperation (allowed) or UnauthorizedOperation (denied) without changing anything.
import { createServer, connect } from 'node:net';
import {
  CreateRouteCommand,
  CreateTagsCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type EC2Client,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { Config } from '../config/index.js';
import { errorMessage } from '../base/errors.js';
import { formatPrefix, parsePrefix, prefixesOverlap, type Prefix } from '../net/prefix.js';
import type { SpecEntry } from '../rib/spec-format.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  readonly fix?: string;
}

const CLAIM_TAG = 'bgp2vpc:cluster';
const RESERVED = ['169.254.168.0/22', 'fd00:ec2::/32'].map((t) => parsePrefix(t));

function errName(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; Code?: unknown };
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

export async function readTables(ec2: EC2Client, config: Config): Promise<RouteTable[]> {
  const v = config.vpc;
  if (v.routeTables.length > 0) {
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [...v.routeTables] }));
    return out.RouteTables ?? [];
  }
  const filters = [
    { Name: 'vpc-id', Values: [v.vpcId ?? ''] },
    ...Object.entries(v.discoverTags).map(([k, val]) => ({ Name: `tag:${k}`, Values: [val] })),
  ];
  const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: filters }));
  return out.RouteTables ?? [];
}

/** `limit`: the route quota in force (doctor-quota.ts). */
export function tableChecks(config: Config, tables: readonly RouteTable[], limit: number): CheckResult[] {
  const out: CheckResult[] = [];
  if (tables.length === 0) {
    out.push({
      check: 'route tables',
      verdict: 'fail',
      detail: 'no route table matches the configuration',
      fix: config.vpc.routeTables.length
        ? 'check vpc.routeTables'
        : `tag the tables of ${config.vpc.vpcId ?? '?'} with ${JSON.stringify(config.vpc.discoverTags)} or list them in vpc.routeTables`,
    });
    return out;
  }
  const cluster = config.cluster.cidrs;
  for (const t of tables) {
    const id = t.RouteTableId ?? '?';
    const claim = t.Tags?.find((x) => x.Key === CLAIM_TAG)?.Value;
    if (config.vpc.vpcId !== undefined && t.VpcId !== config.vpc.vpcId) {
      out.push({
        check: `table ${id}`,
        verdict: 'fail',
        detail: `belongs to ${t.VpcId ?? '?'}, not vpc.vpcId ${config.vpc.vpcId}`,
        fix: 'fix vpc.vpcId or vpc.routeTables',
      });
    }
    if (claim !== undefined && claim !== config.cluster.name) {
      out.push({
        check: `table ${id}`,
        verdict: 'fail',
        detail: `claimed by cluster "${claim}" (tag ${CLAIM_TAG})`,
        fix: `use a table of your own, or set cluster.name: ${claim} if it really is that cluster`,
      });
    } else {
      out.push({
        check: `table ${id}`,
        verdict: 'ok',
        detail: claim ? `claimed for ${claim}` : `unclaimed: bgp2vpc will tag it ${CLAIM_TAG}=${config.cluster.name}`,
      });
    }
    for (const family of ['ipv4', 'ipv6'] as const) {
      let foreign = 0;
      let ours = 0;
      for (const r of t.Routes ?? []) {
        const dest = family === 'ipv4' ? r.DestinationCidrBlock : r.DestinationIpv6CidrBlock;
        if (!dest || r.GatewayId === 'local') continue;
        let p: Prefix;
        try {
          p = parsePrefix(dest, { requireCanonical: false });
        } catch {
          continue;
        }
        const mine =
          (r.NetworkInterfaceId !== undefined || r.InstanceId !== undefined) &&
          cluster.some((c) => c.family === family && prefixesOverlap(c, p) && c.len <= p.len);
        if (mine) ours++;
        else foreign++;
      }
      if (!cluster.some((c) => c.family === family)) continue;
      const budget = limit - foreign - config.vpc.headroom;
      const detail = `${family}: ${foreign} routes of others, ${ours} of ours, limit ${limit}, headroom ${config.vpc.headroom} → ${budget} routes for bgp2vpc`;
      if (budget <= 0)
        out.push({
          check: `limit ${id}`,
          verdict: 'fail',
          detail,
          fix: 'raise the route quota (Service Quotas, up to 1000; vpc.routeLimit auto follows it), or lower vpc.headroom',
        });
      else if (budget < 5)
        out.push({
          check: `limit ${id}`,
          verdict: 'warn',
          detail,
          fix: 'few routes left: expect aggregation damage as hosts are added; raise the quota (Service Quotas, up to 1000)',
        });
      else out.push({ check: `limit ${id}`, verdict: 'ok', detail });
    }
  }
  return out;
}

export async function iamChecks(ec2: EC2Client, config: Config, tableId: string, eniId: string): Promise<CheckResult[]> {
  const v4 = config.cluster.cidrs.find((c) => c.family === 'ipv4');
  const v6 = config.cluster.cidrs.find((c) => c.family === 'ipv6');
  const dest = v4 ? { DestinationCidrBlock: formatPrefix(v4) } : { DestinationIpv6CidrBlock: formatPrefix(v6 ?? parsePrefix('fd00::/64')) };
  const probes: [string, () => Promise<unknown>][] = [
    [
      'ec2:CreateRoute',
      () => ec2.send(new CreateRouteCommand({ DryRun: true, RouteTableId: tableId, NetworkInterfaceId: eniId, ...dest })),
    ],
    [
      'ec2:ReplaceRoute',
      () => ec2.send(new ReplaceRouteCommand({ DryRun: true, RouteTableId: tableId, NetworkInterfaceId: eniId, ...dest })),
    ],
    ['ec2:DeleteRoute', () => ec2.send(new DeleteRouteCommand({ DryRun: true, RouteTableId: tableId, ...dest }))],
    [
      'ec2:CreateTags',
      () => ec2.send(new CreateTagsCommand({ DryRun: true, Resources: [tableId], Tags: [{ Key: CLAIM_TAG, Value: config.cluster.name }] })),
    ],
  ];
  if (config.vpc.fixSourceDestCheck) {
    probes.push([
      'ec2:ModifyNetworkInterfaceAttribute',
      () =>
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({ DryRun: true, NetworkInterfaceId: eniId, SourceDestCheck: { Value: false } }),
        ),
    ]);
  }
  const out: CheckResult[] = [];
  for (const [action, call] of probes) {
    try {
      await call();
      out.push({
        check: `IAM ${action}`,
        verdict: 'warn',
        detail: `DryRun on ${tableId} was not refused nor confirmed (the endpoint ignored DryRun)`,
      });
    } catch (err) {
      const name = errName(err);
      if (name === 'DryRunOperation') out.push({ check: `IAM ${action}`, verdict: 'ok', detail: `allowed on ${tableId}` });
      else if (name === 'UnauthorizedOperation' || name === 'AccessDenied') {
        out.push({
          check: `IAM ${action}`,
          verdict: 'fail',
          detail: `denied on ${tableId}`,
          fix: `attach deploy/iam/bgp2vpc-policy.json (with your cluster name) to the instance or pod role`,
        });
      } else out.push({ check: `IAM ${action}`, verdict: 'warn', detail: `DryRun on ${tableId} answered ${name}: ${errorMessage(err)}` });
    }
  }
  return out;
}

export async function cidrChecks(ec2: EC2Client, config: Config, vpcIds: readonly string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of config.cluster.cidrs) {
    const r = RESERVED.find((x) => prefixesOverlap(x, c));
    if (r)
      out.push({
        check: `cluster CIDR ${formatPrefix(c)}`,
        verdict: 'fail',
        detail: `overlaps the AWS-reserved ${formatPrefix(r)}`,
        fix: 'pick another pod network',
      });
  }
  if (vpcIds.length === 0) return out;
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [...vpcIds] }))).Vpcs ?? [];
  const vpcCidrs: Prefix[] = [];
  for (const v of vpcs) {
    for (const a of v.CidrBlockAssociationSet ?? []) if (a.CidrBlock) vpcCidrs.push(parsePrefix(a.CidrBlock, { requireCanonical: false }));
    for (const a of v.Ipv6CidrBlockAssociationSet ?? [])
      if (a.Ipv6CidrBlock) vpcCidrs.push(parsePrefix(a.Ipv6CidrBlock, { requireCanonical: false }));
  }
  for (const c of config.cluster.cidrs) {
    const hit = vpcCidrs.find((v) => prefixesOverlap(v, c));
    if (hit) {
      out.push({
        check: `cluster CIDR ${formatPrefix(c)}`,
        verdict: 'fail',
        detail: `overlaps the VPC CIDR ${formatPrefix(hit)}: EC2 refuses routes inside a VPC CIDR`,
        fix: 'use a pod network outside every VPC CIDR (e.g. 100.64.0.0/10 space not used by the VPC)',
      });
    } else
      out.push({
        check: `cluster CIDR ${formatPrefix(c)}`,
        verdict: 'ok',
        detail: `outside the VPC CIDRs (${vpcCidrs.map(formatPrefix).join(', ') || 'none'})`,
      });
  }
  return out;
}

/** Next hops the configuration names: static routes, the route spec file, static neighbours. */
export function configuredNextHops(config: Config, specFile: readonly SpecEntry[]): string[] {
  const set = new Set<string>();
  for (const hops of Object.values(config.routes.static)) for (const h of hops) set.add(h);
  for (const e of specFile) for (const h of e.nextHops) set.add(h);
  for (const n of config.bgp.neighbors) set.add(n.address);
  return [...set];
}

export async function sourceDestChecks(
  ec2: EC2Client,
  ips: readonly string[],
  autoFix = false,
): Promise<{ results: CheckResult[]; anyEni?: string }> {
  if (ips.length === 0) {
    return {
      results: [
        {
          check: 'source/dest check',
          verdict: 'ok',
          detail: 'no next hop named in the config (dynamic peers are checked at run time by VPC sync)',
        },
      ],
    };
  }
  const out = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: [...ips] }] }),
  );
  const enis = out.NetworkInterfaces ?? [];
  const results: CheckResult[] = [];
  for (const ip of ips) {
    const eni = enis.find((e) => (e.PrivateIpAddresses ?? []).some((a) => a.PrivateIpAddress === ip) || e.PrivateIpAddress === ip);
    if (!eni) {
      results.push({
        check: `next hop ${ip}`,
        verdict: 'warn',
        detail: 'no ENI holds this address in the region',
        fix: 'check the address (routes to it cannot be created)',
      });
    } else if (eni.SourceDestCheck !== false) {
      const who = eni.Attachment?.InstanceId ?? eni.NetworkInterfaceId ?? '?';
      const fixed = 'bgp2vpc turns it off (vpc.fixSourceDestCheck: true) once it routes to this next hop';
      results.push({
        check: `next hop ${ip}`,
        verdict: autoFix ? 'warn' : 'fail',
        detail: `${who} has source/destination checking on: EC2 drops traffic for addresses it does not own${autoFix ? `; ${fixed}` : ''}`,
        fix: autoFix
          ? 'nothing to do if ec2:ModifyNetworkInterfaceAttribute is allowed (see the IAM check below)'
          : `${
              eni.Attachment?.InstanceId
                ? `aws ec2 modify-instance-attribute --instance-id ${eni.Attachment.InstanceId} --no-source-dest-check`
                : `aws ec2 modify-network-interface-attribute --network-interface-id ${eni.NetworkInterfaceId ?? '?'} --no-source-dest-check`
            } (or set vpc.fixSourceDestCheck: true)`,
      });
    } else results.push({ check: `next hop ${ip}`, verdict: 'ok', detail: `${eni.NetworkInterfaceId ?? '?'}, source/dest check off` });
  }
  const anyEni = enis[0]?.NetworkInterfaceId;
  return anyEni !== undefined ? { results, anyEni } : { results };
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      resolve(e.message);
    });
  });
}

function tryBind(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

export async function networkChecks(config: Config): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const l of config.bgp.listen) {
    const err = l.port === 0 ? undefined : await tryBind(l.address, l.port);
    const at = `${l.address}:${l.port}`;
    if (err === undefined) out.push({ check: `BGP listener ${at}`, verdict: 'ok', detail: 'can be bound' });
    else if (err === 'EADDRINUSE')
      out.push({
        check: `BGP listener ${at}`,
        verdict: 'warn',
        detail: 'in use (bgp2vpc already running, or another BGP daemon)',
        fix: 'stop the other listener or change bgp.listen',
      });
    else if (err === 'EACCES')
      out.push({
        check: `BGP listener ${at}`,
        verdict: 'fail',
        detail: 'permission denied',
        fix: 'grant CAP_NET_BIND_SERVICE (deploy/systemd/bgp2vpc.service, deploy/Dockerfile) or use a port above 1023',
      });
    else out.push({ check: `BGP listener ${at}`, verdict: 'fail', detail: err, fix: 'bgp.listen must name an address of this host' });
  }
  for (const n of config.bgp.neighbors.filter((x) => x.active)) {
    const err = await tryConnect(n.address, n.port ?? 179, 2000);
    out.push(
      err === undefined
        ? { check: `peer ${n.address}`, verdict: 'ok', detail: `TCP ${n.port ?? 179} reachable` }
        : {
            check: `peer ${n.address}`,
            verdict: 'warn',
            detail: `TCP ${n.port ?? 179}: ${err}`,
            fix: 'security groups must allow TCP 179 between the hosts and bgp2vpc; is the host BGP daemon running?',
          },
    );
  }
  return out;
}
