// Our speaker for real-peer tests: listens on loopback (default 127.0.0.1:1179, AS 65000, where gobgp-testbed's
// peers connect), feeds a RibView, and waits on what tests care about. restart() is a real stop + a new Speaker
// on the same address, as a daemon restart would be.
import { Speaker, type DynamicRange, type PeerStatus, type StaticNeighbor } from '../../../src/bgp/speaker.js';
import { createLogger, silentLogger, type Logger } from '../../../src/base/log.js';
import type { BgpPath, PeerInfo } from '../../../src/bgp/events.js';
import { RibView } from './rib-view.js';
import { waitFor } from './wait.js';

export interface HarnessOptions {
  readonly address?: string;
  readonly port?: number;
  readonly asn?: number;
  readonly routerId?: string;
  readonly neighbors?: readonly StaticNeighbor[];
  readonly dynamic?: readonly DynamicRange[];
  readonly holdTime?: number;
  /** Restart time we advertise (default 120 as the daemon; null = no GR capability). */
  readonly advertiseRestartTime?: number | null;
  readonly logger?: Logger;
}

/** BGP2VPC_TEST_LOG=debug|info|... prints the speaker's log (pretty) while tests run. */
function testLogger(): Logger {
  const level = process.env.BGP2VPC_TEST_LOG;
  if (level === undefined || level === '') return silentLogger;
  return createLogger({ level: level as 'debug', format: 'pretty' });
}

export class SpeakerHarness {
  speaker: Speaker;
  readonly rib = new RibView();
  private off: () => void;

  private constructor(private readonly opts: HarnessOptions) {
    this.speaker = this.create();
    this.off = this.speaker.on(this.rib.listener);
  }

  private create(): Speaker {
    const o = this.opts;
    return new Speaker({
      asn: o.asn ?? 65000,
      routerId: o.routerId ?? '127.0.0.1',
      listen: [{ address: o.address ?? '127.0.0.1', port: o.port ?? 1179 }],
      neighbors: o.neighbors ?? [],
      dynamic: o.dynamic ?? [],
      holdTime: o.holdTime ?? 90,
      gracefulRestart: { advertiseRestartTime: o.advertiseRestartTime === undefined ? 120 : o.advertiseRestartTime },
      logger: o.logger ?? testLogger(),
    });
  }

  static async start(opts: HarnessOptions): Promise<SpeakerHarness> {
    const h = new SpeakerHarness(opts);
    await h.speaker.start();
    return h;
  }

  async stop(): Promise<void> {
    await this.speaker.stop({ notify: true, message: 'test done' });
  }

  /** Stops the speaker (Cease to every peer), forgets everything, starts a fresh one on the same address. */
  async restart(): Promise<void> {
    await this.stop();
    this.off();
    this.rib.clear();
    this.speaker = this.create();
    this.off = this.speaker.on(this.rib.listener);
    await this.speaker.start();
  }

  status(peer: string): PeerStatus | undefined {
    return this.speaker.peer(peer);
  }

  private describe(peer: string, extra?: () => string): () => string {
    return () => {
      const s = this.status(peer);
      const lines = [
        `speaker view of ${peer}: state ${s?.state ?? 'unknown'}${s?.lastError ? `, last error: ${s.lastError}` : ''}`,
        `paths: ${JSON.stringify(this.rib.summary(peer))}`,
      ];
      if (extra) lines.push(extra());
      return lines.join('\n');
    };
  }

  async waitPeerUp(peer: string, timeoutMs = 30_000, extra?: () => string): Promise<PeerInfo> {
    return waitFor(() => this.rib.up.get(peer), { timeoutMs, what: `peer-up from ${peer}`, describe: this.describe(peer, extra) });
  }

  /** Waits until `peer` has a path for `prefix` with `nextHop` (and, if given, the stale flag). */
  async waitPath(
    peer: string,
    prefix: string,
    nextHop: string | undefined,
    opts: { readonly stale?: boolean; readonly timeoutMs?: number; readonly extra?: () => string } = {},
  ): Promise<BgpPath> {
    return waitFor(
      () => {
        const p = this.rib.get(peer, prefix);
        if (!p) return undefined;
        if (nextHop !== undefined && p.nextHop !== nextHop) return undefined;
        if (opts.stale !== undefined && p.stale !== opts.stale) return undefined;
        return p;
      },
      {
        timeoutMs: opts.timeoutMs ?? 20_000,
        what: `${peer} ${prefix}${nextHop ? ` via ${nextHop}` : ''}${opts.stale === undefined ? '' : opts.stale ? ' (stale)' : ' (not stale)'}`,
        describe: this.describe(peer, opts.extra),
      },
    );
  }

  async waitNoPath(peer: string, prefix: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.rib.get(peer, prefix) === undefined, {
      timeoutMs,
      what: `${prefix} from ${peer} to go`,
      describe: this.describe(peer),
    });
  }

  /** Waits until the peer's paths, as "prefix nexthop[ stale]" lines, equal `expected` (order free). */
  async waitPaths(peer: string, expected: readonly string[], timeoutMs = 20_000, extra?: () => string): Promise<void> {
    const want = [...expected].sort().join('\n');
    await waitFor(() => this.rib.summary(peer).join('\n') === want, {
      timeoutMs,
      what: `${peer} to hold exactly ${JSON.stringify([...expected].sort())}`,
      describe: this.describe(peer, extra),
    });
  }
}
