// `bgp2vpc demo` (`npm start`): no AWS account needed. Starts the EC2 emulator with a small VPC, bgp2vpc itself and
// six simulated hosts over real BGP on loopback, plays the scenario under a live view, then keeps everything up for
// the user to explore the API until Ctrl-C. `--once` plays the scenario and exits (0 when every step did what it
// shows). Without a TTY (or with --no-tui) it prints plain lines instead of redrawing the screen.
import { UserError, errorMessage } from '../base/errors.js';
import { DemoWorld } from '../demo/demo-world.js';
import { LogCapture, type LogRecord } from '../demo/log-capture.js';
import { STEPS, ScenarioError, type ScenarioContext } from '../demo/scenario.js';
import { ansi, budgetsFor, fitLine, plain, renderView, type ViewSnapshot } from '../demo/view.js';
import { DEMO_HOSTS, DEMO_ROUTE_QUOTA, DEMO_TABLE_ID } from '../demo/demo-vpc.js';

/** Log events worth a line in the view / plain output. */
const SHOWN_EVENTS = new Set([
  'session_up',
  'session_down',
  'failover',
  'converged',
  'route_created',
  'route_replaced',
  'route_deleted',
  'table_claimed',
  'handler_error',
  'uncaught_error',
]);

function eventLine(r: LogRecord, startedAtWall: number): string {
  const t = ((r.time - startedAtWall) / 1000).toFixed(1).padStart(5);
  return `${t}s ${r.event}: ${r.msg}`;
}

function number(v: unknown, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UserError('BAD_OPTION', `--${name} must be a number from ${min} to ${max}, got ${String(v)}`);
  return n;
}

export async function demoCommand(opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  const speed = number(opts.speed ?? 1, 'speed', 0.1, 20);
  const apiPort = number(opts.apiPort ?? 33289, 'api-port', 0, 65535);
  const once = opts.once === true;
  const tty = opts.tui !== false && process.stdout.isTTY === true;
  const out = (s: string): void => void process.stdout.write(s);
  const startedAtWall = Date.now();

  // The AWS SDK warns once that future releases need Node 22; in the demo it would only garble the screen.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) return;
    (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;

  const capture = new LogCapture();
  const events: string[] = [];
  capture.onRecord((r) => {
    if (!SHOWN_EVENTS.has(r.event) && r.level < 50) return;
    const line = eventLine(r, startedAtWall);
    events.push(line);
    if (events.length > 200) events.shift();
    if (!tty) out(`  ${line}\n`);
  });

  if (!tty) out(`bgp2vpc demo: starting the EC2 emulator, bgp2vpc and ${DEMO_HOSTS.length} simulated hosts on 127.0.10.0/23...\n`);
  let world: DemoWorld;
  try {
    world = await DemoWorld.start({ apiPort, speed }, capture);
  } catch (err) {
    if (err instanceof UserError && /33289|api\.listen/.test(err.message)) {
      throw new UserError('DEMO_API_PORT', `${err.message} (another bgp2vpc running? try --api-port 0)`);
    }
    throw err;
  }
  const api = world.daemon.api.url;
  const narrative: string[] = [];
  let stepIndex = 0;
  let stepTitle = 'starting';
  const say = (text: string): void => {
    narrative.push(text);
    if (!tty) out(`${text}\n`);
  };

  const snapshot = (): ViewSnapshot => {
    const peers = new Map(world.daemon.parts.backend.peers().map((p) => [p.peer, p]));
    return {
      step: stepTitle,
      stepIndex,
      steps: STEPS.length,
      elapsedMs: Date.now() - startedAtWall,
      apiUrl: api,
      narrative,
      hosts: DEMO_HOSTS.map((h) => {
        const peer = peers.get(h.ip);
        return { name: h.name, ip: h.ip, ...(peer ? { peer } : {}), healthPortOpen: world.host(h.name).health.isOpen };
      }),
      tableId: DEMO_TABLE_ID,
      limit: world.daemon.parts.sync.routeQuota()?.limit ?? DEMO_ROUTE_QUOTA,
      routes: world.routes(),
      announced: new Set(
        [...world.hosts.values()]
          .filter((h) => h.sim.state === 'established')
          .flatMap((h) => h.sim.announced.map((a) => `${a.prefix.addr}/${a.prefix.len}`)),
      ).size,
      calls: world.mutatingCalls(startedAtWall),
      callTotals: world.callTotals(),
      events,
    };
  };

  let timer: NodeJS.Timeout | undefined;
  if (tty) {
    out('\x1b[?1049h\x1b[?25l'); // alternate screen, hide cursor
    const draw = (): void => {
      const b = budgetsFor(process.stdout.rows || 50);
      const width = Math.max(40, (process.stdout.columns || 120) - 1);
      const text = renderView(snapshot(), ansi, b.routes, b.calls, b.events)
        .split('\n')
        .map((l) => `${fitLine(l, width)}\x1b[0m\x1b[K`)
        .join('\n');
      out(`\x1b[H${text}\x1b[J`);
    };
    timer = setInterval(draw, 250);
  }
  let stopped = false;
  const shutdown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    if (tty) out('\x1b[?25h\x1b[?1049l'); // restore the screen and cursor
    await world.stop();
  };
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSigint = (): void => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const ctx: ScenarioContext = {
    world,
    say,
    pause: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms / speed);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }),
    until: async (cond, what, deadlineMs = 15_000) => {
      const t0 = performance.now();
      while (!cond()) {
        if (interrupted) throw new ScenarioError('interrupted');
        if (performance.now() - t0 > deadlineMs) throw new ScenarioError(`timed out after ${deadlineMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return performance.now() - t0;
    },
  };

  let failure: string | undefined;
  try {
    for (const [i, step] of STEPS.entries()) {
      if (interrupted) break;
      stepIndex = i + 1;
      stepTitle = step.title;
      if (!tty) out(`\n== step ${stepIndex}/${STEPS.length}: ${step.title}\n`);
      await step.run(ctx);
    }
  } catch (err) {
    if (!interrupted) failure = errorMessage(err);
  }

  if (!failure && !interrupted && !once) {
    stepTitle = 'done: explore the API';
    say(`Scenario complete. bgp2vpc keeps running: try  curl ${api}/api/v1/tables  or  bgp2vpc status --api ${api}`);
    say(
      `API: ${api}/api/v1/status  ${api}/api/v1/peers  ${api}/api/v1/routes  ${api}/metrics  ${api}/route_spec. Ctrl-C stops everything.`,
    );
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (interrupted) resolve();
    });
  }
  const final = renderView(snapshot(), plain, 60, 12, 10);
  await shutdown();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  if (tty || once) out(final);
  if (failure) {
    process.stderr.write(`bgp2vpc demo: ${failure}\n`);
    return 1;
  }
  out(interrupted ? 'stopped: Cease sent to every host, no route deleted in the (emulated) VPC.\n' : 'demo complete.\n');
  return 0;
}
