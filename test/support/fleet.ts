// A fleet of simulated BGP hosts in a child process (test/support/fleet-child.ts), for tests and benchmarks that
// need peers whose timers do not share the event loop of the daemon under test.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FleetHostSpec, FleetReply, FleetRequest, PrefixRange } from './fleet-protocol.js';

export type { FleetHostSpec, FleetHostStatus, PrefixRange } from './fleet-protocol.js';

const CHILD = fileURLToPath(new URL('./fleet-child.ts', import.meta.url));

type Body<R> = R extends { op: string } ? R : never;

export class Fleet {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly pending = new Map<number, (r: FleetReply) => void>();
  /** Connection attempts the last start() repeated (fleet-child.ts retries as a real speaker does). */
  lastRetries = 0;

  private constructor() {
    this.child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: FleetReply) => {
      const cb = this.pending.get(r.id);
      this.pending.delete(r.id);
      cb?.(r);
    });
  }

  static create(): Fleet {
    return new Fleet();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request(req: Body<FleetRequest>, timeoutMs = 120_000): Promise<FleetReply> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`fleet: no answer to ${req.op} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r);
        else reject(new Error(`fleet ${req.op}: ${r.error ?? 'failed'}`));
      });
      this.child.send({ ...req, id });
    });
  }

  /** Starts the hosts (`concurrency` connecting at a time); resolves with the time until the last was Established. */
  async start(remote: { host: string; port: number }, hosts: readonly FleetHostSpec[], concurrency = 50): Promise<number> {
    const r = await this.request({ op: 'start', remote, hosts, concurrency }, 600_000);
    this.lastRetries = r.retried ?? 0;
    if ((r.failed ?? 0) > 0) throw new Error(`fleet: ${r.failed} host(s) did not reach Established: ${(r.errors ?? []).join('; ')}`);
    return r.ms ?? 0;
  }

  /** Stops every host with a Cease (the process stays for another start). */
  async stopHosts(): Promise<void> {
    await this.request({ op: 'stop' }, 120_000);
  }

  announce(host: string, prefixes: readonly string[] | PrefixRange, nextHop?: string): Promise<FleetReply> {
    return this.request({ op: 'announce', host, prefixes, ...(nextHop !== undefined ? { nextHop } : {}) });
  }

  status(): Promise<FleetReply> {
    return this.request({ op: 'status' });
  }

  /** Stops every host (Cease) and the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    await this.request({ op: 'stop' }, 30_000).catch(() => undefined);
    this.child.disconnect();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}
