// `bgp2vpc check-config FILE [--print]`: exit 0 when valid (and say what health checking each peer group gets),
// 1 with every error on its own line.
import { formatPrefix, type Prefix } from '../net/prefix.js';
import { ConfigError, formatIssue, loadConfig } from '../config/load.js';
import { healthSummary } from './health-summary.js';

const isPrefix = (v: unknown): v is Prefix =>
  typeof v === 'object' && v !== null && 'family' in v && 'addr' in v && typeof (v as { addr: unknown }).addr === 'bigint';

export function configToJson(cfg: unknown): string {
  return JSON.stringify(cfg, (_k, v: unknown) => (isPrefix(v) ? formatPrefix(v) : v), 2);
}

export function checkConfigCommand(opts: Record<string, unknown>, args: readonly string[]): Promise<number> {
  const file = args[0] as string;
  try {
    const cfg = loadConfig(file);
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
