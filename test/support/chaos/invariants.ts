// Invariants checked continuously while faults come and go (every `intervalMs`), as the issue states them:
//   - bgp2vpc never dies (except when a fault kills it on purpose) and prints nothing but JSON log lines (an unhandled rejection or a stack trace would);
//   - no foreign route is ever touched;
//   - no announced prefix is routed to a dead host while a live announcer exists, once the fault's detection time
//     has passed (faults come one at a time, from a quiet world, so EC2 faults never overlap host faults);
//   - no announced prefix is routed to a host that does not announce it, or to no host, for longer than a
//     transition (make-before-break plans pass through a few states); while a move waits for an impaired EC2 (an
//     EC2 episode, until its recovery allowance) its intermediate states last as long as EC2 takes to answer each
//     write (ec2-slow: 3 ± 1 s per call), so they are held to that allowance, as routes to the dead host are;
//   - RSS stays under a bound.
// A condition counts as a violation only when it persists past its tolerance; each is recorded once.
import type { Fault } from './faults.js';
import type { ChaosWorld } from './world.js';

export interface Violation {
  readonly at: string;
  readonly what: string;
}

export interface InvariantOptions {
  readonly intervalMs?: number;
  /** How long a misrouting may last during a plan's application or a re-aggregation (default 3 s). */
  readonly transitionMs?: number;
  readonly rssLimitBytes?: number;
}

export class Invariants {
  readonly violations: Violation[] = [];
  /** bgp2vpc's RSS and open descriptors, every 10 s. */
  readonly rss: { t: number; bytes: number; fds: number }[] = [];
  checks = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private fault: { f: Fault; due: number } | undefined;
  /** The fault in force came with an impaired EC2 (set by an EC2 episode's faultStarted, until faultHealed). */
  private ec2Episode = false;
  /** Hosts healed but not yet back in full (until the world is quiet again). */
  private readonly recovering = new Set<number>();
  private readonly since = new Map<string, number>();
  private readonly reported = new Set<string>();
  private readonly t0 = Date.now();
  private strays = 0;

  constructor(
    private readonly world: ChaosWorld,
    private readonly o: InvariantOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 250);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    await this.tick();
  }

  /** A fault is on; traffic to its dead hosts must have moved by `due` (default: now + its detection time). */
  faultStarted(f: Fault, due = Date.now() + f.detectMs): void {
    this.fault = { f, due };
    if (f.ec2) this.ec2Episode = true;
  }

  /** The fault is gone; its hosts are exempt until quiet() says the world caught up. */
  faultHealed(): void {
    const f = this.fault?.f;
    if (f) for (const h of [...f.dead, ...f.exempt]) this.recovering.add(h);
    this.fault = undefined;
    this.ec2Episode = false;
  }

  /** The world is quiet again (everyone announcing, every route in place). */
  quiet(): void {
    this.recovering.clear();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.check();
    } finally {
      this.running = false;
    }
  }

  private check(): void {
    this.checks++;
    const w = this.world;
    const now = Date.now();
    if (!w.daemon.running && !w.restarting)
      this.violate('exit', `bgp2vpc exited (${String(w.daemon.exitCode)}, ${String(w.daemon.exitSignal)})`);
    if (w.daemon.stray.length > this.strays) {
      for (const l of w.daemon.stray.slice(this.strays)) this.violate(`stray:${l}`, `bgp2vpc printed a non-log line: ${l.slice(0, 200)}`);
      this.strays = w.daemon.stray.length;
    }
    const bytes = w.rss();
    if (bytes > 0 && (this.rss.length === 0 || now - this.t0 - (this.rss.at(-1)?.t ?? 0) >= 10_000))
      this.rss.push({ t: now - this.t0, bytes, fds: w.fds() });
    if (bytes > (this.o.rssLimitBytes ?? 400 * 1024 * 1024)) this.violate('rss', `RSS ${Math.round(bytes / 2 ** 20)} MiB`);
    const rows = w.table();
    for (const v of w.foreignChanged(rows)) this.violate(`foreign:${v}`, v);
    // Misroutings: tolerated during transitions; towards a dead host only once its detection time has passed.
    const f = this.fault;
    const seen = new Set<string>();
    const exempt = new Set([...this.recovering, ...(f?.f.exempt ?? [])]);
    for (const m of w.misrouted(rows, f?.f.dead ?? new Set(), exempt)) {
      const key = `route:${m}`;
      seen.add(key);
      const first = this.since.get(key) ?? now;
      this.since.set(key, first);
      const waitsForEc2 = this.ec2Episode && now <= (f?.due ?? now);
      const late = m.includes(' → dead ') ? now > (f?.due ?? now) : now - first > (this.o.transitionMs ?? 3_000) && !waitsForEc2;
      const during = f ? ` (during ${f.f.kind}${f.f.host !== undefined ? ` of h${f.f.host}` : ''})` : '';
      if (late) this.violate(key, `${m} for ${now - first} ms${during}`);
    }
    for (const k of [...this.since.keys()]) if (!seen.has(k)) this.since.delete(k);
  }

  private violate(key: string, what: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.violations.push({ at: new Date().toISOString(), what });
  }
}
