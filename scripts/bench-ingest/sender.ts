// The ingest benchmark's sender: one BIRD 2 holding N IPv4 /32s in a disabled static protocol, with one BGP
// protocol per receiver (all disabled). A measurement enables one receiver's session, then the static protocol.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { startDaemon, type Daemon } from '../../test/interop/support/daemon.js';
import { waitFor } from '../../test/interop/support/wait.js';

export const SENDER = { address: '127.0.0.20', asn: 65010, port: 1820, nextHop: '192.0.2.20' } as const;

/** How routes are grouped: BIRD packs routes with equal attributes (~800 per UPDATE); `single` gives each a
 * distinct large community so no two can share an UPDATE. */
export type Packing = 'packed' | 'single';

export interface SenderTarget {
  /** Protocol name suffix and receiver name. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly asn: number;
}

/** The i-th benchmark prefix: 10.0.0.0 + i, as /32. */
export function benchPrefix(i: number): string {
  const a = (10 << 24) + i;
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/32`;
}

function birdc(ctl: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('birdc', ['-s', ctl, ...args], { timeout: 30_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

export class BirdSender {
  private daemon: Daemon | undefined;
  readonly ctl: string;

  constructor(
    readonly dir: string,
    readonly n: number,
    readonly packing: Packing,
    readonly targets: readonly SenderTarget[],
  ) {
    this.ctl = join(dir, 'sender.ctl');
  }

  private async writeConfig(path: string): Promise<void> {
    const out = createWriteStream(path);
    const w = async (s: string): Promise<void> => {
      if (!out.write(s)) await once(out, 'drain');
    };
    await w(`# ingest benchmark sender. No kernel protocol: nothing reaches the FIB.
log "${join(this.dir, 'sender.log')}" { warning, error, fatal };
router id ${SENDER.address};
protocol device { scan time 60; }
protocol static bench {
  disabled;
  ipv4;
`);
    let chunk = '';
    for (let i = 0; i < this.n; i++) {
      chunk +=
        this.packing === 'packed'
          ? `  route ${benchPrefix(i)} blackhole;\n`
          : `  route ${benchPrefix(i)} blackhole { bgp_large_community.add((${SENDER.asn}, ${i}, 0)); };\n`;
      if (chunk.length > 1 << 16) {
        await w(chunk);
        chunk = '';
      }
    }
    await w(chunk + '}\n');
    for (const t of this.targets) {
      await w(`protocol bgp to_${t.name} {
  disabled;
  local ${SENDER.address} port ${SENDER.port} as ${SENDER.asn};
  neighbor ${t.address} port ${t.port} as ${t.asn};
  strict bind yes;
  multihop 1;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 5;
  ipv4 { import none; export all; next hop address ${SENDER.nextHop}; };
}
`);
    }
    out.end();
    await once(out, 'finish');
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'sender.conf');
    await this.writeConfig(conf);
    this.daemon = startDaemon('bird-sender', 'bird', ['-f', '-c', conf, '-s', this.ctl], join(this.dir, 'sender.out'), this.dir);
    await waitFor(async () => (await birdc(this.ctl, 'show', 'status')).includes('Daemon is up'), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: 'the sender BIRD to load its config',
    });
  }

  async enable(proto: string): Promise<void> {
    await birdc(this.ctl, 'enable', proto);
  }

  async disable(proto: string): Promise<void> {
    await birdc(this.ctl, 'disable', proto);
  }

  async established(target: string): Promise<boolean> {
    return (await birdc(this.ctl, 'show', 'protocols', `to_${target}`)).includes('Established');
  }

  /** Routes the sender has exported to a receiver (its own O(1) counter). */
  async exported(target: string): Promise<number> {
    const out = await birdc(this.ctl, 'show', 'protocols', 'all', `to_${target}`);
    const m = /Routes:\s+\d+ imported, (?:\d+ filtered, )?(\d+) exported/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
    this.daemon = undefined;
  }
}
