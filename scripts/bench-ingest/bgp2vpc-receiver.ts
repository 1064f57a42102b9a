// bgp2vpc's speaker alone as an ingest-benchmark receiver ("speaker"): our Speaker in a child process (its own
// heap, RSS and event loop), asked for its per-peer counter over IPC. No route spec, no VPC sync: the codec and
// the Adj-RIB-In only, kept to show what the speaker costs apart from the rest of the daemon.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { waitFor } from '../../test/interop/support/wait.js';
import { rssOf, type Receiver } from './receivers.js';
import type { SenderTarget } from './sender.js';
import type { ChildReply, ChildRequest } from './bgp2vpc-protocol.js';

const CHILD = fileURLToPath(new URL('./bgp2vpc-child.ts', import.meta.url));

export class Bgp2vpcReceiver implements Receiver {
  readonly name = 'speaker';
  readonly target: SenderTarget = { name: 'bgp2vpc', address: '127.0.0.30', port: 1830, asn: 65030 };
  private child: ChildProcess | undefined;
  private seq = 0;
  private readonly pending = new Map<number, (r: ChildReply) => void>();

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    if (!existsSync(CHILD)) throw new Error(`bgp2vpc receiver: ${CHILD} missing`);
    const child = fork(CHILD, [JSON.stringify({ target: this.target, dir: this.dir })], {
      // BENCH_CPU_PROF=DIR: write a V8 CPU profile of the speaker process into DIR (open it in Chrome DevTools).
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (m: ChildReply) => {
      const cb = this.pending.get(m.id);
      this.pending.delete(m.id);
      cb?.(m);
    });
    await waitFor(() => this.request({ id: 0, op: 'ready' }).then((r) => r.ok), { timeoutMs: 60_000, what: 'bgp2vpc speaker to listen' });
  }

  private request(req: ChildRequest): Promise<ChildReply> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error('bgp2vpc receiver not running'));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`bgp2vpc receiver: no answer to ${req.op}`));
      }, 10_000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      child.send({ ...req, id });
    });
  }

  async accepted(): Promise<number> {
    const r = await this.request({ id: 0, op: 'accepted' });
    if (!r.ok) throw new Error(r.error ?? 'bgp2vpc receiver error');
    return r.accepted ?? 0;
  }

  rssBytes(): number {
    return rssOf(this.child?.pid);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    try {
      await this.request({ id: 0, op: 'stop' });
    } catch {
      child.kill('SIGKILL');
    }
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}
