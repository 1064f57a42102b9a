// Receivers of the ingest benchmark: gobgpd, BIRD and FRR bgpd (each its own process on its own loopback
// address, passive, never writing the FIB), read through O(1) per-peer counters, never table walks.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../test/interop/support/daemon.js';
import { waitFor } from '../../test/interop/support/wait.js';
import { SENDER, type SenderTarget } from './sender.js';

export interface Receiver {
  readonly name: string;
  readonly target: SenderTarget;
  start(): Promise<void>;
  /** The receiver's accepted-prefix counter for the sender's session. */
  accepted(): Promise<number>;
  /** Resident set size of the receiver process, bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: 30_000, maxBuffer: 4 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export class GobgpReceiver implements Receiver {
  readonly name = 'gobgpd';
  readonly target: SenderTarget = { name: 'gobgpd', address: '127.0.0.31', port: 1831, asn: 65031 };
  private readonly grpc = '50161';
  private daemon: Daemon | undefined;
  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    const conf = join(this.dir, 'gobgpd-rx.toml');
    writeFileSync(
      conf,
      `[global.config]
  as = ${this.target.asn}
  router-id = "${this.target.address}"
  port = ${this.target.port}
  local-address-list = ["${this.target.address}"]
[global.apply-policy.config]
  default-export-policy = "reject-route"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${SENDER.address}"
    peer-as = ${SENDER.asn}
  [neighbors.transport.config]
    passive-mode = true
    local-address = "${this.target.address}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`,
    );
    this.daemon = startDaemon(
      'gobgpd-rx',
      'gobgpd',
      ['-f', conf, '-p', '--api-hosts', `${this.target.address}:${this.grpc}`, '--pprof-disable', '-l', 'warn'],
      join(this.dir, 'gobgpd-rx.log'),
      this.dir,
    );
    await waitFor(() => run('gobgp', ['-u', this.target.address, '-p', this.grpc, 'global']).then(() => true), {
      timeoutMs: 20_000,
      what: 'gobgpd receiver gRPC',
    });
  }

  async accepted(): Promise<number> {
    // `gobgp neighbor` prints one line per peer with #Received and Accepted (an O(1) per-peer counter).
    const out = await run('gobgp', ['-u', this.target.address, '-p', this.grpc, 'neighbor']);
    for (const line of out.split('\n')) {
      if (!line.startsWith(SENDER.address)) continue;
      const m = /\|\s*(\d+)\s+(\d+)\s*$/.exec(line);
      return m ? Number(m[2]) : 0;
    }
    return 0;
  }

  rssBytes(): number {
    return rssOf(this.daemon?.pid);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}

export class BirdReceiver implements Receiver {
  readonly name = 'bird';
  readonly target: SenderTarget = { name: 'bird', address: '127.0.0.32', port: 1832, asn: 65032 };
  private daemon: Daemon | undefined;
  private readonly ctl: string;
  constructor(private readonly dir: string) {
    this.ctl = join(dir, 'bird-rx.ctl');
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'bird-rx.conf');
    // No kernel protocol. The static blackhole lets BIRD resolve the documentation next hop recursively.
    writeFileSync(
      conf,
      `log "${join(this.dir, 'bird-rx.log')}" { warning, error, fatal };
router id ${this.target.address};
protocol device { scan time 60; }
protocol static nh_resolve { ipv4; route 192.0.2.0/24 blackhole; }
protocol bgp from_sender {
  local ${this.target.address} port ${this.target.port} as ${this.target.asn};
  neighbor ${SENDER.address} port ${SENDER.port} as ${SENDER.asn};
  strict bind yes;
  multihop 1;
  passive on;
  ipv4 { import all; export none; igp table master4; };
}
`,
    );
    this.daemon = startDaemon('bird-rx', 'bird', ['-f', '-c', conf, '-s', this.ctl], join(this.dir, 'bird-rx.out'), this.dir);
    await waitFor(() => run('birdc', ['-s', this.ctl, 'show', 'status']).then((o) => o.includes('Daemon is up')), {
      timeoutMs: 20_000,
      what: 'BIRD receiver control socket',
    });
  }

  async accepted(): Promise<number> {
    const out = await run('birdc', ['-s', this.ctl, 'show', 'protocols', 'all', 'from_sender']);
    const m = /Routes:\s+(\d+) imported/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  rssBytes(): number {
    return rssOf(this.daemon?.pid);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}

export class FrrReceiver implements Receiver {
  readonly name = 'frr';
  readonly target: SenderTarget = { name: 'frr', address: '127.0.0.33', port: 1833, asn: 65033 };
  private daemon: Daemon | undefined;
  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    const conf = join(this.dir, 'frr-rx.conf');
    const s = SENDER.address;
    writeFileSync(
      conf,
      `frr defaults traditional
hostname bench-frr-rx
log file ${join(this.dir, 'frr-rx.log')} warnings
router bgp ${this.target.asn}
 bgp router-id ${this.target.address}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${s} remote-as ${SENDER.asn}
 neighbor ${s} passive
 neighbor ${s} disable-connected-check
 address-family ipv4 unicast
  neighbor ${s} activate
 exit-address-family
`,
    );
    this.daemon = startDaemon(
      'frr-rx',
      '/usr/lib/frr/bgpd',
      [
        '-f',
        conf,
        '-i',
        join(this.dir, 'frr-rx.pid'),
        '-Z',
        '-n',
        '-S',
        '-l',
        this.target.address,
        '-p',
        String(this.target.port),
        '-P',
        '0',
        '--vty_socket',
        this.dir,
      ],
      join(this.dir, 'frr-rx.out'),
      this.dir,
    );
    await waitFor(() => run('vtysh', ['--vty_socket', this.dir, '-d', 'bgpd', '-c', 'show bgp summary']).then(() => true), {
      timeoutMs: 20_000,
      what: 'FRR receiver vty',
    });
  }

  async accepted(): Promise<number> {
    const out = await run('vtysh', ['--vty_socket', this.dir, '-d', 'bgpd', '-c', 'show bgp ipv4 unicast summary json']);
    const j = JSON.parse(out) as { peers?: Record<string, { pfxRcd?: number }> };
    return j.peers?.[SENDER.address]?.pfxRcd ?? 0;
  }

  rssBytes(): number {
    return rssOf(this.daemon?.pid);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}
