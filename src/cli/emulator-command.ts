// `bgp2vpc emulator`: runs the EC2 emulator standalone until SIGINT/SIGTERM.
import { UserError } from '../base/errors.js';
import { startEmulator } from '../sim/ec2/emulator.js';
import { DEFAULT_ROUTE_LIMIT } from '../sim/ec2/model-state.js';
import { loadStateFile } from '../sim/ec2/state-file.js';

export interface EmulatorCommandOptions {
  readonly port?: string;
  readonly host?: string;
  readonly state?: string;
  readonly routeLimit?: string;
  readonly throttle?: boolean;
}

function parseIntOption(name: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UserError('BAD_OPTION', `--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

export async function emulatorCommand(opts: EmulatorCommandOptions, _args: readonly string[]): Promise<number> {
  const port = parseIntOption('port', opts.port, 5000, 0, 65535);
  const routeLimit = parseIntOption('route-limit', opts.routeLimit, DEFAULT_ROUTE_LIMIT, 1, 1000);
  const host = opts.host ?? '127.0.0.1';
  const state = opts.state !== undefined ? await loadStateFile(opts.state) : undefined;
  let emu;
  try {
    emu = await startEmulator({ host, port, routeLimit, ...(state ? { state } : {}) });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UserError('LISTEN_FAILED', `cannot listen on ${host}:${port} (${String(code)})`);
    }
    throw err;
  }
  if (state?.routeLimit === undefined) emu.model.routeLimit = routeLimit;
  if (opts.throttle) emu.faults.throttle(true);
  const lines = [
    `EC2 emulator listening on ${emu.endpoint}`,
    `  SDK:   new EC2Client({ endpoint: '${emu.endpoint}', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })`,
    `  CLI:   aws --endpoint-url ${emu.endpoint} ec2 describe-route-tables`,
    `  admin: ${emu.endpoint}/_emulator/state  (calls, counters, faults, reset)`,
    `  ${emu.model.vpcs.size} VPC(s), ${emu.model.routeTables.size} route table(s), ${emu.model.instances.size} instance(s); ` +
      `route limit ${emu.model.routeLimit}${opts.throttle ? '; EC2 throttling on' : ''}`,
    ...[...emu.names].map(([n, id]) => `    ${n} = ${id}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`); // one write, so readers never see half the banner
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await emu.stop();
  process.stdout.write('EC2 emulator stopped\n');
  return 0;
}
