// bgp2vpc as a child process (`bgp2vpc run -c FILE`, from source through tsx), started by a caller-supplied spawn
// (plain, or inside a network namespace), with its JSON log kept for assertions: the last lines, every `event`
// counted, and a listener per line. Never kills anything but its own child.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../interop/support/wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Spawner = (cmd: string, args: readonly string[], opts: SpawnOptions) => ChildProcess;

export interface LogLine {
  readonly level?: number;
  readonly event?: string;
  readonly msg?: string;
  readonly [k: string]: unknown;
}

export interface Bgp2vpcOptions {
  readonly configFile: string;
  /** How to start it (default: a plain child process). */
  readonly spawn?: Spawner;
  /** Lines of output kept for failure messages (default 400). */
  readonly keepLines?: number;
  /** Every line of output is also appended here. */
  readonly logFile?: string;
}

export class Bgp2vpcProcess {
  child: ChildProcess | undefined;
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null = null;
  /** Count of every `event` value seen in the log since start. */
  readonly events = new Map<string, number>();
  /** Lines that were not JSON (a crash's stack trace, Node warnings). */
  readonly stray: string[] = [];
  private tail: string[] = [];
  private partial = '';
  private readonly listeners = new Set<(l: LogLine) => void>();

  constructor(readonly o: Bgp2vpcOptions) {}

  start(): void {
    this.exitCode = undefined;
    this.exitSignal = null;
    this.partial = '';
    const spawner = this.o.spawn ?? ((cmd, args, opts) => spawn(cmd, [...args], opts));
    const c = spawner(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli.ts'), 'run', '-c', this.o.configFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        AWS_ACCESS_KEY_ID: 'AKIDNETNS',
        AWS_SECRET_ACCESS_KEY: 'netns',
        AWS_REGION: 'us-east-1',
      },
    });
    c.stdout?.on('data', (d: Buffer) => this.feed(d.toString()));
    c.stderr?.on('data', (d: Buffer) => this.feed(d.toString()));
    c.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
    });
    this.child = c;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  /** The last lines of output, for failure messages. */
  log(lines = 60): string {
    return this.tail.slice(-lines).join('\n');
  }

  onLine(f: (l: LogLine) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  eventCount(event: string): number {
    return this.events.get(event) ?? 0;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child?.kill(sig);
  }

  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    try {
      await waitFor(() => !this.running, { timeoutMs, what: 'bgp2vpc to stop' });
    } finally {
      this.signal('SIGKILL');
    }
  }

  async exited(timeoutMs = 20_000): Promise<number | null> {
    await waitFor(() => !this.running, { timeoutMs, what: 'bgp2vpc to exit', describe: () => this.log() });
    return this.exitCode ?? null;
  }

  /** Waits until `GET url/readyz` answers 200. */
  async ready(apiUrl: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => !this.running || (await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.status === 200, {
      timeoutMs,
      intervalMs: 100,
      what: 'bgp2vpc /readyz',
      describe: () => this.log(),
    });
    if (!this.running) throw new Error(`bgp2vpc exited (${String(this.exitCode)}) before it was ready:\n${this.log()}`);
  }

  private feed(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const keep = this.o.keepLines ?? 400;
    if (this.o.logFile && lines.length > 0) appendFileSync(this.o.logFile, lines.map((l) => `${l}\n`).join(''));
    for (const line of lines) {
      if (line === '') continue;
      this.tail.push(line);
      if (this.tail.length > keep * 2) this.tail = this.tail.slice(-keep);
      let parsed: LogLine | undefined;
      try {
        const v: unknown = JSON.parse(line);
        if (v !== null && typeof v === 'object') parsed = v as LogLine;
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        if (this.stray.length < 1000) this.stray.push(line);
        continue;
      }
      if (typeof parsed.event === 'string') this.events.set(parsed.event, (this.events.get(parsed.event) ?? 0) + 1);
      for (const f of this.listeners) f(parsed);
    }
  }
}
