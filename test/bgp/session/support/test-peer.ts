// A scripted BGP peer built on our own codec, for loopback session tests: connects from its own 127.0.0.x
// address, sends what the test says, and records what the speaker sends back.
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  decodeNotification,
  decodeOpen,
  encodeKeepalive,
  encodeOpen,
  Framer,
  MessageType,
  type Capability,
  type NotificationMessage,
  type OpenMessage,
} from '../../../../src/bgp/wire/index.js';
import { Speaker, type SpeakerOptions } from '../../../../src/bgp/speaker.js';
import type { SpeakerEvent } from '../../../../src/bgp/events.js';
import { md5ClientSocket } from '../../../../src/sockopt/md5-sockets.js';
import { parseAddress } from '../../../../src/net/address.js';

export const DEFAULT_CAPS: readonly Capability[] = [
  { type: 'multiprotocol', afi: 1, safi: 1 },
  { type: 'multiprotocol', afi: 2, safi: 1 },
  { type: 'route-refresh' },
  { type: 'four-octet-asn', asn: 65001 },
];

export interface TestPeerOptions {
  readonly port: number;
  readonly host?: string;
  readonly localAddress: string;
  readonly asn: number;
  readonly routerId?: string;
  readonly holdTime?: number;
  readonly capabilities?: readonly Capability[];
  /** Sign every segment with this TCP-MD5 key (RFC 2385). */
  readonly md5Key?: string;
}

/** Polls `cond` until it returns a value other than undefined/false, or fails after `ms` with `what`. */
export async function until<T>(cond: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class TestPeer {
  readonly received: Buffer[] = [];
  private readonly framer = new Framer({ maxLength: 65535 });
  closed = false;
  open: OpenMessage | undefined;

  private constructor(
    readonly socket: Socket,
    readonly opts: TestPeerOptions,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.framer.push(chunk)) this.received.push(m);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static async connect(opts: TestPeerOptions): Promise<TestPeer> {
    const where = { host: opts.host ?? '127.0.0.1', port: opts.port, localAddress: opts.localAddress };
    const socket =
      opts.md5Key === undefined ? connect(where) : md5ClientSocket(parseAddress(where.host), Buffer.from(opts.md5Key)).connect(where);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new TestPeer(socket, opts);
  }

  /** Wraps an accepted socket (the speaker connected to us). */
  static wrap(socket: Socket, opts: TestPeerOptions): TestPeer {
    return new TestPeer(socket, opts);
  }

  openMessage(): Buffer {
    const o = this.opts;
    return encodeOpen({
      asn: o.asn,
      holdTime: o.holdTime ?? 90,
      routerId: o.routerId ?? o.localAddress,
      capabilities: o.capabilities ?? DEFAULT_CAPS.map((c) => (c.type === 'four-octet-asn' ? { ...c, asn: o.asn } : c)),
    });
  }

  send(...bufs: Buffer[]): void {
    for (const b of bufs) this.socket.write(b);
  }

  /** Waits for the next message of `type` received at or after index `from`; returns it and its index. */
  async waitFor(type: number, what = `message type ${type}`, ms = 5000): Promise<Buffer> {
    const m = await until(() => this.received.find((x) => x[18] === type), what, ms);
    this.received.splice(this.received.indexOf(m), 1);
    return m;
  }

  async waitNotification(ms = 5000): Promise<NotificationMessage> {
    return decodeNotification(await this.waitFor(MessageType.NOTIFICATION, 'NOTIFICATION', ms));
  }

  async waitClosed(ms = 5000): Promise<void> {
    await until(() => this.closed, 'the speaker to close the connection', ms);
  }

  /** OPEN → (their OPEN) → KEEPALIVE → (their KEEPALIVE): the session is Established on both sides after this. */
  async establish(): Promise<OpenMessage> {
    this.send(this.openMessage());
    const first = await until(() => this.received.find((x) => x[18] === MessageType.OPEN || x[18] === MessageType.NOTIFICATION), 'OPEN');
    if (first[18] === MessageType.NOTIFICATION) {
      const n = decodeNotification(first);
      throw new Error(`NOTIFICATION ${n.code}/${n.subcode} instead of OPEN`);
    }
    this.open = decodeOpen(await this.waitFor(MessageType.OPEN, 'OPEN'));
    await this.waitFor(MessageType.KEEPALIVE, 'KEEPALIVE');
    this.send(encodeKeepalive());
    return this.open;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A speaker on 127.0.0.1 port 0 with an event log (`record: false`: no listener, the fastest ingest path). */
export async function startSpeaker(
  opts: Partial<SpeakerOptions> = {},
  record = true,
): Promise<{ speaker: Speaker; port: number; events: SpeakerEvent[] }> {
  const speaker = new Speaker({ asn: 65000, routerId: '127.0.0.1', listen: [{ address: '127.0.0.1', port: 0 }], ...opts });
  const events: SpeakerEvent[] = [];
  if (record) speaker.on((e) => events.push(e));
  await speaker.start();
  const port = speaker.addresses()[0]?.port ?? 0;
  return { speaker, port, events };
}

/** A TCP server on a loopback address for the speaker's active connects. */
export async function listenAt(host: string): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, () => resolve()));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, accepted };
}
