// TypeScript face of gobgp-testbed/: start a real BGP peer (gobgpd, BIRD 2, FRR bgpd, ExaBGP) on loopback with
// options, announce and withdraw prefixes, stop or crash it, wait for its session. Every call runs the shell
// scripts of gobgp-testbed/ with the matching environment, so tests and people at a terminal drive the same
// thing. Each peer gets its own fresh directory (configs, logs, pidfile), so several instances can coexist on
// different loopback addresses. Everything started here is killed (by PID) in stopAllPeers() and on exit.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killOwnPid } from './daemon.js';
import { waitFor } from './wait.js';

export type PeerKind = 'gobgp' | 'bird' | 'frr' | 'exabgp';
export const PEER_KINDS: readonly PeerKind[] = ['gobgp', 'bird', 'frr', 'exabgp'];
export type NextHopMode = 'doc' | 'self';

export const TESTBED_HOME = resolve(fileURLToPath(new URL('../../../gobgp-testbed', import.meta.url)));

/** Defaults of gobgp-testbed/lib/common.sh. */
export const PEER_DEFAULTS: Readonly<Record<PeerKind, { readonly address: string; readonly asn: number; readonly port: number }>> = {
  gobgp: { address: '127.0.0.11', asn: 65001, port: 1791 },
  bird: { address: '127.0.0.12', asn: 65002, port: 1792 },
  frr: { address: '127.0.0.13', asn: 65003, port: 1793 },
  exabgp: { address: '127.0.0.14', asn: 65004, port: 0 },
};

export interface PeerOptions {
  readonly kind: PeerKind;
  /** The peer's own loopback address (default 127.0.0.11..14 by kind). */
  readonly address?: string;
  readonly asn?: number;
  /** The peer's listening port, for a controller that connects actively (gobgp, bird, frr). */
  readonly port?: number;
  /** gobgpd's gRPC port (bound on the peer's address; default 50151). */
  readonly grpcPort?: number;
  readonly controllerAddress?: string;
  readonly controllerPort?: number;
  readonly controllerAsn?: number;
  /** Default next hop of announcements: documentation addresses (default) or the peer itself. */
  readonly nextHopMode?: NextHopMode;
  /** Documentation next hops in doc mode (default 192.0.2.x / 2001:db8:ffff::x, x = last octet of address). */
  readonly nextHop4?: string;
  readonly nextHop6?: string;
  /** Graceful-restart time the peer advertises (BIRD, FRR), seconds. Default 5. */
  readonly grTime?: number;
  /** Hold time the peer proposes, seconds (default: the implementation's). */
  readonly holdTime?: number;
  /** Routes to announce from the start: prefix, optional next hop (address or "self"). */
  readonly routes?: readonly (string | { readonly prefix: string; readonly nextHop?: string })[];
  /** Base directory (TESTBED_DIR); default a fresh temporary directory. */
  readonly dir?: string;
  /** TCP-MD5 key (RFC 2385) the peer uses with the controller (MD5_PASSWORD). */
  readonly md5Password?: string;
}

const started = new Set<TestbedPeer>();

function lastOctet(ipv4: string): string {
  return ipv4.split('.').pop() ?? '0';
}

/** Runs a gobgp-testbed script; rejects with its stderr on failure. */
function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      join(TESTBED_HOME, script),
      [...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`gobgp-testbed/${script} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolvePromise(stdout);
      },
    );
  });
}

export class TestbedPeer {
  readonly kind: PeerKind;
  readonly address: string;
  readonly asn: number;
  readonly nextHopMode: NextHopMode;
  /** TESTBED_DIR of this peer; its files are in `${baseDir}/${kind}`. */
  readonly baseDir: string;
  private readonly ownsDir: boolean;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(opts: PeerOptions) {
    const d = PEER_DEFAULTS[opts.kind];
    this.kind = opts.kind;
    this.address = opts.address ?? d.address;
    this.asn = opts.asn ?? d.asn;
    this.nextHopMode = opts.nextHopMode ?? 'doc';
    this.ownsDir = opts.dir === undefined;
    this.baseDir = opts.dir ?? mkdtempSync(join(tmpdir(), `bgp2vpc-testbed-${opts.kind}-`));
    const K = opts.kind.toUpperCase();
    const env: NodeJS.ProcessEnv = {
      TESTBED_DIR: this.baseDir,
      NEXTHOP_MODE: this.nextHopMode,
      GR_TIME: String(opts.grTime ?? 5),
      HOLD_TIME: String(opts.holdTime ?? 0),
      [`${K}_ADDR`]: this.address,
      [`${K}_ASN`]: String(this.asn),
    };
    if (opts.port !== undefined) env[`${K}_PORT`] = String(opts.port);
    if (opts.grpcPort !== undefined) env.GOBGP_GRPC_PORT = String(opts.grpcPort);
    if (opts.controllerAddress !== undefined) env.CONTROLLER_ADDR = opts.controllerAddress;
    if (opts.controllerPort !== undefined) env.CONTROLLER_PORT = String(opts.controllerPort);
    if (opts.controllerAsn !== undefined) env.CONTROLLER_ASN = String(opts.controllerAsn);
    if (opts.md5Password !== undefined) env.MD5_PASSWORD = opts.md5Password;
    if (opts.nextHop4 !== undefined) env[`${K}_NEXTHOP4`] = opts.nextHop4;
    if (opts.nextHop6 !== undefined) env[`${K}_NEXTHOP6`] = opts.nextHop6;
    this.env = env;
    this.docNextHop4 = opts.nextHop4 ?? `192.0.2.${lastOctet(this.address)}`;
    this.docNextHop6 = opts.nextHop6 ?? `2001:db8:ffff::${lastOctet(this.address)}`;
  }

  private readonly docNextHop4: string;
  private readonly docNextHop6: string;

  /** Starts a peer (its routes first recorded, then the daemon started so they go out with the first UPDATEs). */
  static async start(opts: PeerOptions): Promise<TestbedPeer> {
    const peer = new TestbedPeer(opts);
    started.add(peer);
    try {
      for (const r of opts.routes ?? []) {
        const route = typeof r === 'string' ? { prefix: r } : r;
        await peer.announce(route.prefix, route.nextHop);
      }
      await peer.up();
    } catch (err) {
      await peer.stop({ kill: true, keepDir: true });
      throw err;
    }
    return peer;
  }

  /** Directory holding this peer's config, log and pidfile. */
  get dir(): string {
    return join(this.baseDir, this.kind);
  }

  /**
   * (Re)starts the daemon with the routes announced so far. No-op while it runs. `gracefulRestart`: restart as
   * a graceful restart (BIRD `-R`: R and F bits set, so the controller keeps its stale routes until End-of-RIB;
   * FRR always sets F here, `preserve-fw-state`).
   */
  async up(opts: { readonly gracefulRestart?: boolean } = {}): Promise<void> {
    started.add(this);
    await runScript('up.sh', [this.kind], { ...this.env, TESTBED_GR_RECOVERY: opts.gracefulRestart === true ? '1' : '0' });
  }

  /** Announces (or re-announces with a new next hop) a prefix. nextHop: address, "self", or the mode default. */
  async announce(prefix: string, nextHop?: string): Promise<void> {
    await runScript('announce.sh', nextHop === undefined ? [this.kind, prefix] : [this.kind, prefix, nextHop], this.env);
  }

  async withdraw(prefix: string): Promise<void> {
    await runScript('withdraw.sh', [this.kind, prefix], this.env);
  }

  /**
   * Stops the daemon: SIGTERM (it closes with a NOTIFICATION where it does), or with `kill` SIGKILL (a crash:
   * TCP close without NOTIFICATION, as graceful-restart tests need). The directory is removed unless
   * `keepDir` or TESTBED_KEEP=1 (useful to read logs after a failure).
   */
  async stop(opts: { readonly kill?: boolean; readonly keepDir?: boolean } = {}): Promise<void> {
    await runScript('down.sh', opts.kill === true ? ['--kill', this.kind] : [this.kind], this.env);
    started.delete(this);
    if (opts.keepDir !== true && process.env.TESTBED_KEEP !== '1' && this.ownsDir) {
      rmSync(this.baseDir, { recursive: true, force: true });
    }
  }

  /** Crash (SIGKILL) without removing the directory, so up() restarts it with the same routes. */
  async crash(): Promise<void> {
    await runScript('down.sh', ['--kill', this.kind], this.env);
  }

  /** Graceful stop (SIGTERM) keeping the directory, so up() restarts it with the same routes. */
  async halt(): Promise<void> {
    await runScript('down.sh', [this.kind], this.env);
  }

  /** The peer's own view of its session with the controller: "established", "active", ..., "stopped". */
  async state(): Promise<string> {
    const out = await runScript('state.sh', [this.kind], this.env, 15_000);
    return out.trim().split(/\s+/)[1] ?? 'unknown';
  }

  async waitEstablished(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.state()) === 'established', {
      timeoutMs,
      intervalMs: 200,
      what: `${this.kind} at ${this.address} to reach Established`,
      describe: () => this.logTail(),
    });
  }

  /**
   * The next hop the controller should record for an announcement of `prefix` made with `nextHop`
   * (as passed to announce()), IPv4-mapped IPv6 already understood as IPv4.
   */
  expectedNextHop(prefix: string, nextHop?: string): string {
    const v6 = prefix.includes(':');
    const nh = nextHop ?? (this.nextHopMode === 'self' ? 'self' : v6 ? this.docNextHop6 : this.docNextHop4);
    if (nh !== 'self') return nh.toLowerCase().startsWith('::ffff:') && nh.includes('.') ? nh.slice(7) : nh;
    if (!v6) return this.address;
    // IPv6 over an IPv4 session: BIRD announces its configured IPv6 address (it refuses IPv4-mapped ones);
    // gobgpd, FRR and our ExaBGP config send ::ffff:<own IPv4>, which the controller understands as IPv4.
    return this.kind === 'bird' ? this.docNextHop6 : this.address;
  }

  /** The last lines of the peer's logs, for failure messages. */
  logTail(lines = 30): string {
    const files: Record<PeerKind, readonly string[]> = {
      gobgp: ['gobgpd.log'],
      bird: ['bird.log', 'bird.out'],
      frr: ['bgpd.log', 'bgpd.out'],
      exabgp: ['exabgp.log'],
    };
    const parts: string[] = [];
    for (const f of files[this.kind]) {
      const p = join(this.dir, f);
      if (!existsSync(p)) continue;
      const text = readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('zclient_send_message'));
      parts.push(`--- ${p}\n${text.slice(-lines).join('\n')}`);
    }
    return parts.join('\n');
  }

  /** The daemon's PID if it runs (read from our pidfile). */
  pid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.dir, 'pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Synchronous SIGKILL of our PID (exit hooks). */
  killSync(): void {
    const pid = this.pid();
    if (pid !== undefined) killOwnPid(pid, this.dir);
  }
}

/** Stops every peer started through this module (afterAll). Failures to stop are reported, not thrown. */
export async function stopAllPeers(): Promise<void> {
  await Promise.all(
    [...started].map(async (peer) => {
      try {
        await peer.stop();
      } catch (err) {
        console.error(`could not stop ${peer.kind} at ${peer.address}: ${String(err)}`);
        peer.killSync();
        started.delete(peer);
      }
    }),
  );
}

process.once('exit', () => {
  for (const peer of started) peer.killSync();
});
