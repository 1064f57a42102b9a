// A real etcd (the Debian etcd-server package, 3.4) for tests: one member on a loopback address, a temporary data
// directory, started and killed by PID only (the data directory is the marker in its command line). Restart keeps
// the data and the ports, as an etcd coming back after a crash.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOwnPid, startDaemon, type Daemon } from './daemon.js';
import { waitFor } from './wait.js';

export const ETCD_BIN = '/usr/bin/etcd';

export async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a ? a.port : 0;
}

export class Etcd {
  private daemon: Daemon | undefined;

  private constructor(
    readonly host: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly dir: string,
  ) {}

  get endpoint(): string {
    return `http://${this.host}:${this.clientPort}`;
  }

  get pid(): number | undefined {
    return this.daemon?.alive() ? this.daemon.pid : undefined;
  }

  static async start(host: string): Promise<Etcd> {
    const dir = mkdtempSync(join(tmpdir(), 'bgp2vpc-etcd-'));
    const e = new Etcd(host, await freePort(host), await freePort(host), dir);
    await e.up();
    return e;
  }

  /** Starts (or restarts on the same data and ports) and waits until it answers. */
  async up(): Promise<void> {
    const peer = `http://${this.host}:${this.peerPort}`;
    this.daemon = startDaemon(
      'etcd',
      ETCD_BIN,
      [
        '--name',
        'ha-test',
        '--data-dir',
        join(this.dir, 'data'),
        '--listen-client-urls',
        this.endpoint,
        '--advertise-client-urls',
        this.endpoint,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `ha-test=${peer}`,
        '--initial-cluster-state',
        'new',
        '--logger',
        'zap',
        '--log-outputs',
        'stderr',
        '--log-level',
        'warn',
      ],
      join(this.dir, 'etcd.log'),
      this.dir,
    );
    await waitFor(
      async () => {
        const r = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        return r.ok && ((await r.json()) as { health?: string }).health === 'true';
      },
      { timeoutMs: 30_000, intervalMs: 50, what: `etcd at ${this.endpoint} to answer` },
    );
  }

  /** SIGKILL (a crash); the data stays. */
  async kill(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    if (!d) return;
    killOwnPid(d.pid, this.dir);
    await waitFor(() => !d.alive(), { timeoutMs: 10_000, what: 'etcd to die' });
    await d.stop(); // forget it
  }

  async stop(): Promise<void> {
    await this.daemon?.stop(5000);
    this.daemon = undefined;
    if (process.env.TESTBED_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
