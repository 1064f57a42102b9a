#!/usr/bin/env node
// The one entry point: `bgp2vpc <command>`. Each command lives in its own module and is loaded on demand,
// so `--help` and `check-config` start fast. A UserError prints one line on stderr and exits 1.
import { Command, CommanderError, Option } from 'commander';
import { UserError, errorMessage } from './base/errors.js';
import { VERSION } from './base/version.js';

type Action = (opts: Record<string, unknown>, args: readonly string[]) => Promise<number | void>;

/** Wraps a command action: runs it, maps UserError to exit 1 with one line, unexpected errors to exit 2. */
function act(load: () => Promise<Action>) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw[raw.length - 1] as Command;
    const opts = cmd.opts();
    const args = cmd.args;
    try {
      const fn = await load();
      const code = await fn(opts, args);
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    } catch (err) {
      if (err instanceof UserError) {
        process.stderr.write(`bgp2vpc: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`bgp2vpc: internal error: ${errorMessage(err)}\n`);
      if (process.env.BGP2VPC_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      process.exitCode = 2;
    }
  };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function buildProgram(): Command {
  const program = new Command('bgp2vpc')
    .description('BGP speaker that keeps AWS VPC route tables in sync with what hosts announce')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run the daemon: BGP listener, route spec, health checks, VPC sync, HTTP API')
    .requiredOption('-c, --config <file>', 'YAML configuration file')
    .action(act(async () => (await import('./cli/run-command.js')).runCommand));

  program
    .command('demo')
    .description('self-contained demo: embedded EC2 emulator, simulated hosts over real BGP on loopback, live view')
    .option('--no-tui', 'plain log lines instead of the live view')
    .option('--speed <factor>', 'scenario speed multiplier', '1')
    .option('--api-port <port>', 'HTTP API port', '33289')
    .option('--once', 'play the scenario once and exit (for tests)')
    .action(act(async () => (await import('./cli/demo-command.js')).demoCommand));

  program
    .command('plan')
    .description('dry run: collect routes for a settle time (or read a spec file), print the EC2 diff, write nothing')
    .requiredOption('-c, --config <file>', 'YAML configuration file')
    .option('--spec <file>', 'read the route spec from this JSON file instead of listening for BGP')
    .option('--settle <duration>', 'how long to collect BGP routes before planning', '10s')
    .option('--json', 'print the plan as JSON')
    .action(act(async () => (await import('./cli/plan-command.js')).planCommand));

  program
    .command('check-config')
    .description('validate a configuration file; print every error as file:line:col: path: message')
    .argument('<file>', 'YAML configuration file')
    .option('--print', 'print the effective configuration as JSON')
    .action(act(async () => (await import('./cli/check-config-command.js')).checkConfigCommand));

  program
    .command('aggregate')
    .description('compute the minimal (or least-damage) route table for a set of prefixes')
    .requiredOption('--in <file>', 'input JSON: {"prefix": "target"}, {"cluster": [...], "routes": {...}} or [{"cidr","target"}]')
    .option('--cluster <cidr>', "cluster CIDR (don't-care space); repeatable", collect, [])
    .option('--limit <n>', 'route budget per address family (default: unlimited)')
    .option('--previous <file>', 'previous table (same formats), preferred on ties')
    .option('--out <file>', 'write the table here instead of stdout')
    .option('--stats', 'print statistics to stderr')
    .action(act(async () => (await import('./cli/aggregate-command.js')).aggregateCommand));

  program
    .command('emulator')
    .description('run the EC2 emulator (EC2 Query API over HTTP) standalone')
    .option('--port <port>', 'listen port', '5000')
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--state <file>', 'YAML state file: VPCs, subnets, instances, ENIs, route tables')
    .option('--route-limit <n>', 'routes per route table and family (EC2 default 500; also the quota GetServiceQuota reports)', '500')
    .addOption(new Option('--throttle', 'enforce EC2-like request rate limits'))
    .action(act(async () => (await import('./cli/emulator-command.js')).emulatorCommand));

  program
    .command('status')
    .description('show sessions, prefixes, chosen next hops and tables from a running daemon')
    .option('--api <url>', 'daemon API URL', 'http://127.0.0.1:33289')
    .option('--token <token>', 'bearer token (default: $BGP2VPC_TOKEN)')
    .option('--json', 'raw JSON')
    .action(act(async () => (await import('./cli/status-command.js')).statusCommand));

  program
    .command('doctor')
    .description('check IAM permissions, route-table headroom, source/dest check, CIDRs and peer reachability')
    .requiredOption('-c, --config <file>', 'YAML configuration file')
    .action(act(async () => (await import('./cli/doctor-command.js')).doctorCommand));

  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version print and exit 0; usage errors have already printed their one line.
      process.exitCode = err.exitCode === 0 ? 0 : 1;
      return;
    }
    throw err;
  }
}

await main(process.argv);
