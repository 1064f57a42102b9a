// `bgp2vpc doctor -c FILE`: checks what the operator must get right before bgp2vpc can route: EC2 access and IAM
// permissions (DryRun), the route quota and where it comes from, route tables and their headroom under it, cluster CIDRs against the VPC CIDRs,
// source/destination checking on next-hop instances, the BGP listener and static peers. Prints each result with
// its fix; exit 1 when something must be fixed. Writes nothing.
import { loadConfig } from '../config/index.js';
import { errorMessage } from '../base/errors.js';
import { loadSpecFile } from '../rib/spec-file.js';
import type { SpecEntry } from '../rib/spec-format.js';
import { healthSummary } from './health-summary.js';
import { ec2ClientFor, requireRegion, serviceQuotasClientFor } from '../daemon/assemble.js';
import { quotaCheck } from './doctor-quota.js';
import { socketOptionProblem, socketOptionUsers } from '../daemon/socket-options.js';
import {
  cidrChecks,
  configuredNextHops,
  iamChecks,
  networkChecks,
  readTables,
  sourceDestChecks,
  tableChecks,
  type CheckResult,
} from './doctor-checks.js';

const MARK: Readonly<Record<CheckResult['verdict'], string>> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function renderChecks(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${MARK[r.verdict]}  ${r.check}: ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}`);
  const fails = results.filter((r) => r.verdict === 'fail').length;
  const warns = results.filter((r) => r.verdict === 'warn').length;
  lines.push('', fails ? `${fails} problem(s) to fix, ${warns} warning(s).` : `No problems found${warns ? ` (${warns} warning(s))` : ''}.`);
  return lines.join('\n') + '\n';
}

export async function runDoctor(file: string): Promise<CheckResult[]> {
  const config = loadConfig(file);
  const ec2 = ec2ClientFor(config);
  await requireRegion(ec2);
  const results: CheckResult[] = [{ check: 'config', verdict: 'ok', detail: `${file} is valid` }];
  for (const g of healthSummary(config)) {
    results.push(
      g.probed
        ? { check: `health checks (group ${g.group})`, verdict: 'ok', detail: g.text }
        : {
            check: `health checks (group ${g.group})`,
            verdict: 'warn',
            detail: g.text,
            fix: `give the group a tcp, http or icmp profile (without health.profiles.default, every group probes TCP 179)`,
          },
    );
  }
  const users = socketOptionUsers(config);
  if (users.length > 0) {
    const problem = socketOptionProblem(config);
    results.push(
      problem === undefined
        ? { check: 'socket options', verdict: 'ok', detail: `${users.join(' and ')}: libc reachable through koffi` }
        : { check: 'socket options', verdict: 'fail', detail: problem, fix: 'run on Linux, installed without --omit=optional' },
    );
  }
  let spec: SpecEntry[] = [];
  if (config.routes.file !== undefined) {
    try {
      spec = await loadSpecFile(config.routes.file);
      results.push({ check: 'route spec file', verdict: 'ok', detail: `${config.routes.file}: ${spec.length} prefixes` });
    } catch (err) {
      results.push({
        check: 'route spec file',
        verdict: 'fail',
        detail: errorMessage(err),
        fix: 'fix the file (same format as vpc-router)',
      });
    }
  }
  let tables;
  try {
    tables = await readTables(ec2, config);
    results.push({
      check: 'EC2 access',
      verdict: 'ok',
      detail: `DescribeRouteTables answered (${config.vpc.endpoint ?? `region ${config.vpc.region ?? process.env.AWS_REGION ?? 'from the SDK chain'}`})`,
    });
  } catch (err) {
    results.push({
      check: 'EC2 access',
      verdict: 'fail',
      detail: errorMessage(err),
      fix: 'credentials come from the SDK default chain (instance profile, IRSA, AWS_* variables); set vpc.region or AWS_REGION; allow ec2:Describe*',
    });
    results.push(...(await networkChecks(config)));
    return results;
  }
  const sq = serviceQuotasClientFor(config);
  const quota = await quotaCheck(sq, config);
  sq.destroy();
  results.push(quota.result, ...tableChecks(config, tables, quota.limit));
  const vpcIds = [...new Set(tables.map((t) => t.VpcId).filter((v): v is string => v !== undefined))];
  try {
    results.push(...(await cidrChecks(ec2, config, vpcIds.length ? vpcIds : config.vpc.vpcId ? [config.vpc.vpcId] : [])));
  } catch (err) {
    results.push({
      check: 'VPC CIDRs',
      verdict: 'warn',
      detail: `DescribeVpcs failed: ${errorMessage(err)}`,
      fix: 'allow ec2:DescribeVpcs',
    });
  }
  let anyEni: string | undefined;
  try {
    const sd = await sourceDestChecks(ec2, configuredNextHops(config, spec), config.vpc.fixSourceDestCheck);
    results.push(...sd.results);
    anyEni = sd.anyEni;
  } catch (err) {
    results.push({
      check: 'source/dest check',
      verdict: 'warn',
      detail: `DescribeNetworkInterfaces failed: ${errorMessage(err)}`,
      fix: 'allow ec2:DescribeNetworkInterfaces',
    });
  }
  const first = tables[0]?.RouteTableId;
  if (first !== undefined) results.push(...(await iamChecks(ec2, config, first, anyEni ?? 'eni-00000000000000000')));
  results.push(...(await networkChecks(config)));
  return results;
}

export async function doctorCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  const results = await runDoctor(String(opts.config));
  process.stdout.write(renderChecks(results));
  return results.some((r) => r.verdict === 'fail') ? 1 : 0;
}
