// `bgp2vpc emulator` as a real process: prints its endpoint, serves the SDK, applies the flags, stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function run(args: string[]): { proc: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'emulator', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exit };
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('bgp2vpc emulator', () => {
  it('serves the state file to the SDK, honours --route-limit and --throttle, exits 0 on SIGTERM', async () => {
    const r = run(['--port', '0', '--route-limit', '7', '--throttle', '--state', 'src/sim/ec2/example-state.yaml']);
    child = r.proc;
    await until(() => /listening on http:\/\/127\.0\.0\.1:\d+[\s\S]*public = rtb-/.test(r.out()), 'the banner');
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out())?.[1] as string;
    const pods = /pods = (rtb-[0-9a-f]+)/.exec(r.out())?.[1] as string;
    expect(r.out()).toContain('EC2 throttling on');
    const ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const t = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [pods] }));
    expect(t.RouteTables?.[0]?.Tags).toContainEqual({ Key: 'bgp2vpc:cluster', Value: 'demo' });
    ec2.destroy();
    const faults = (await (await fetch(`${endpoint}/_emulator/faults`)).json()) as { throttle: unknown };
    expect(faults.throttle).toMatchObject({ mutating: { burst: 50, perSecond: 5 } });
    const state = (await (await fetch(`${endpoint}/_emulator/state`)).json()) as { routeLimit: number };
    expect(state.routeLimit).toBe(7);
    r.proc.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(r.out()).toContain('EC2 emulator stopped');
  });

  it('a bad option or state file is a one-line user error, exit 1', async () => {
    const bad = run(['--port', 'eighty']);
    child = bad.proc;
    expect(await bad.exit).toBe(1);
    expect(bad.err().trim()).toBe('bgp2vpc: --port must be an integer from 0 to 65535, got "eighty"');
    const missing = run(['--port', '0', '--state', 'no/such/file.yaml']);
    child = missing.proc;
    expect(await missing.exit).toBe(1);
    expect(missing.err().trim()).toMatch(/^bgp2vpc: cannot read state file no\/such\/file\.yaml: ENOENT/);
    expect(missing.err().trim().split('\n').length).toBe(1);
  });
});
