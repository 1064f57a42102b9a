// FRR's bfdd as a BFD far end inside a testbed host's namespace, with static peers (no zebra, so no `interface`
// lines and no BGP integration: bgpd without zebra cannot register BFD peers). Facts from /work/proto/md5bfd:
// bfdd refuses to run as root with the default vty group, so it runs as frr:frr in a directory frr owns; it binds
// 3784/4784 on every address of its namespace, hence one per host namespace.
import { execFile, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NetnsHost } from './testbed.js';

const run = promisify(execFile);

export interface BfddPeer {
  readonly peer: string;
  readonly local: string;
  readonly multihop?: boolean;
}

export class Bfdd {
  private constructor(
    readonly dir: string,
    readonly child: ChildProcess,
    private readonly peers: readonly BfddPeer[],
  ) {}

  /** Starts bfdd in the host's namespace with these peers at `intervalMs` × `mult`. */
  static start(host: NetnsHost, peers: readonly BfddPeer[], intervalMs = 300, mult = 3): Bfdd {
    const dir = mkdtempSync(join(tmpdir(), 'b2v-bfdd-'));
    const lines = [`log file ${dir}/bfdd.log debugging`, 'debug bfd peer', 'bfd'];
    for (const p of peers) {
      lines.push(
        ` peer ${p.peer}${p.multihop ? ' multihop' : ''} local-address ${p.local}`,
        `  receive-interval ${intervalMs}`,
        `  transmit-interval ${intervalMs}`,
        `  detect-multiplier ${mult}`,
        '  no shutdown',
        ' !',
      );
    }
    lines.push('!', '');
    writeFileSync(join(dir, 'bfdd.conf'), lines.join('\n'));
    const frr = uidOf('frr');
    if (frr && userInfo().uid === 0) {
      chownSync(dir, frr.uid, frr.gid);
      chownSync(join(dir, 'bfdd.conf'), frr.uid, frr.gid);
    }
    const args = ['-u', 'frr', '-g', 'frr', '-f', `${dir}/bfdd.conf`, '-i', `${dir}/bfdd.pid`, '--vty_socket', dir];
    args.push('--bfdctl', `${dir}/bfdd.sock`, '-z', `${dir}/zserv.api`, '-P', '0');
    const child = host.spawn('/usr/lib/frr/bfdd', args, { stdio: 'ignore' });
    return new Bfdd(dir, child, peers);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** bfdd's own view: `show bfd peers brief` through its vty socket. */
  async show(): Promise<string> {
    const r = await run('vtysh', ['--vty_socket', this.dir, '-c', 'show bfd peers brief']);
    return r.stdout;
  }

  /** `shutdown` (AdminDown) or `no shutdown` of a peer, as an operator would. */
  async adminDown(peer: BfddPeer, down: boolean): Promise<void> {
    const p = this.peers.find((x) => x.peer === peer.peer) ?? peer;
    const head = `peer ${p.peer}${p.multihop ? ' multihop' : ''} local-address ${p.local}`;
    await run('vtysh', [
      '--vty_socket',
      this.dir,
      '-c',
      'configure terminal',
      '-c',
      'bfd',
      '-c',
      head,
      '-c',
      down ? 'shutdown' : 'no shutdown',
    ]);
  }

  /** SIGSTOP / SIGCONT: the process lives, nothing is sent (its packets are "dropped"). */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }
  thaw(): void {
    this.child.kill('SIGCONT');
  }

  log(lines = 30): string {
    try {
      return readFileSync(join(this.dir, 'bfdd.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no bfdd log)';
    }
  }

  stop(): void {
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    if (process.env.NETNS_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}

function uidOf(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    const f = line?.split(':');
    return f ? { uid: Number(f[2]), gid: Number(f[3]) } : undefined;
  } catch {
    return undefined;
  }
}
