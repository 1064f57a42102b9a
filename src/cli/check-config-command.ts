// `bgp2vpc check-config FILE [--print]`: exit 0 when valid (and say what health checking each peer group gets),
// 1 with every error on its own line.
import { formatPrefix, type Prefix } from '../net/prefix.js';
import { ConfigError, formatIssue, loadConfig } from '../config/load.js';
import { healthSummary } from './health-summary.js';
import { socketOptionProblem } from '../daemon/socket-options.js';

/** Secrets never leave the process: --print shows that they are set, not what they are. */
const SECRET_KEYS = new Set(['password', 'token']);

const isPrefix = (v: unknown): v is Prefix =>
  typeof v === 'object' && v !== null && 'family' in v && 'addr' in v && typeof (v as { addr: unknown }).addr === 'bigint';

export function configToJson(cfg: unknown): string {
  return JSON.stringify(
    cfg,
    (k, v: unknown) => (SECRET_KEYS.has(k) && typeof v === 'string' ? '<redacted>' : isPrefix(v) ? formatPrefix(v) : v),
    2,
  );
}

export function checkConfigCommand(opts: Record<string, unknown>, args: readonly string[]): Promise<number> {
  const file = args[0] as string;
  try {
    const cfg = loadConfig(file);
    // Valid, but this system could not run it (TCP-MD5 or BFD without Linux/koffi): say so, as `run` would refuse.
    const problem = socketOptionProblem(cfg);
    if (problem !== undefined) process.stderr.write(`${file}: warning: bgp2vpc run would refuse this config here: ${problem}\n`);
    if (opts.print) process.stdout.write(configToJson(cfg) + '\n');
    else {
      process.stdout.write(`${file}: ok\n`);
      for (const g of healthSummary(cfg)) process.stdout.write(`health checks, group ${g.group}: ${g.text}\n`);
    }
    return Promise.resolve(0);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const i of err.issues) process.stderr.write(formatIssue(i) + '\n');
      process.stderr.write(`${file}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}\n`);
      return Promise.resolve(1);
    }
    throw err;
  }
}
