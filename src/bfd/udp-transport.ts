// BFD over UDP (RFC 5881 single hop, RFC 5883 multihop): receive sockets on 3784 / 4784 for each listen address,
// and one send socket per session from a source port in 49152–65535 with TTL / hop limit 255.
//
// GTSM (RFC 5881 §5): single-hop packets must arrive with TTL 255. Linux ignores IP_MINTTL on UDP, so the receive
// socket is made in libc with a BPF filter attached before bind() (sockopt/ttl-filter.ts) and handed to dgram.
// One socket per family (IPV6_V6ONLY), so the filter reads the right header. Multihop packets are not TTL-checked
// (RFC 5883 §5 leaves the bound to configuration). The source port of received packets is not checked: BIRD sends
// from the kernel's ephemeral range, below 49152.
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../base/log.js';
import { errorMessage } from '../base/errors.js';
import { canonicalAddressText, parseAddress, type Family } from '../net/address.js';
import { IPPROTO_IPV6, IPV6_V6ONLY, SO_REUSEADDR, SOL_SOCKET } from '../sockopt/constants.js';
import { bindFd, closeFd, createSocketFd, setIntOption } from '../sockopt/fds.js';
import { attachTtlFilter } from '../sockopt/ttl-filter.js';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT, BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, BFD_TTL } from './constants.js';
import { decodeBfdControl, type BfdControl } from './codec.js';

export interface BfdReceived {
  readonly packet: BfdControl;
  /** Canonical source address. */
  readonly from: string;
  readonly multihop: boolean;
}

export interface BfdSender {
  readonly localPort: number;
  send(packet: Buffer): void;
  close(): void;
}

/** What the BFD service needs from a transport (udp here; tests pass an in-memory one). */
export interface BfdTransport {
  /** Opens the receive sockets of one kind (once). */
  ensure(multihop: boolean): Promise<void>;
  sender(peer: string, multihop: boolean): Promise<BfdSender>;
  close(): Promise<void>;
}

export interface UdpTransportOptions {
  /** Addresses the receive sockets bind (default both wildcards). A single specific address per family is also the source. */
  readonly listen?: readonly string[];
  readonly logger: Logger;
  onPacket(r: BfdReceived): void;
  onDrop(reason: string, from: string): void;
}

const WILDCARD: Readonly<Record<Family, string>> = { ipv4: '0.0.0.0', ipv6: '::' };

export class UdpBfdTransport implements BfdTransport {
  private readonly listen: readonly string[];
  private readonly rx: Socket[] = [];
  private readonly opened = new Set<boolean>();
  private nextPort: number;

  constructor(private readonly o: UdpTransportOptions) {
    this.listen = (o.listen && o.listen.length > 0 ? o.listen : ['0.0.0.0', '::']).map(canonicalAddressText);
    this.nextPort = BFD_SOURCE_PORT_MIN + Math.floor(Math.random() * (BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN));
  }

  async ensure(multihop: boolean): Promise<void> {
    if (this.opened.has(multihop)) return;
    this.opened.add(multihop);
    const port = multihop ? BFD_MULTIHOP_PORT : BFD_SINGLE_HOP_PORT;
    const errors: string[] = [];
    for (const address of this.listen) {
      try {
        this.rx.push(await this.openRx(address, port, !multihop));
      } catch (err) {
        errors.push(`${address} port ${port}: ${errorMessage(err)}`);
      }
    }
    if (errors.length === this.listen.length) throw new Error(`cannot receive BFD: ${errors.join('; ')}`);
    for (const e of errors)
      this.o.logger.warn({ event: 'bfd_listen_failed', err: e }, `BFD: not listening on ${e} (the other addresses work)`);
  }

  private async openRx(address: string, port: number, gtsm: boolean): Promise<Socket> {
    const a = parseAddress(address);
    const fd = createSocketFd(a.family, 'udp');
    try {
      // Reuse: BIRD and bfdd bind the wildcard with SO_REUSEADDR; a specific address of ours then coexists with them.
      setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
      if (a.family === 'ipv6') setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, 'IPV6_V6ONLY');
      if (gtsm) attachTtlFilter(fd, a.family, BFD_TTL);
      bindFd(fd, a, port);
    } catch (err) {
      closeFd(fd);
      throw err;
    }
    const s = createSocket(a.family === 'ipv4' ? 'udp4' : 'udp6');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ fd } as Parameters<Socket['bind']>[0], () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', (err) => this.o.logger.warn({ event: 'bfd_socket_error', err: errorMessage(err) }, `BFD socket: ${errorMessage(err)}`));
    s.on('message', (msg, rinfo) => {
      const from = canonicalAddressText(rinfo.address);
      const d = decodeBfdControl(msg);
      if (d.ok) this.o.onPacket({ packet: d.packet, from, multihop: !gtsm });
      else this.o.onDrop(d.reason, from);
    });
    return s;
  }

  /** A send socket towards `peer`: source port in 49152–65535 (RFC 5881 §4), TTL 255 (RFC 5881 §5, RFC 5883 §5). */
  async sender(peer: string, multihop: boolean): Promise<BfdSender> {
    const family = parseAddress(peer).family;
    const own = this.listen.filter((l) => parseAddress(l).family === family && l !== WILDCARD[family]);
    const local = own.length === 1 ? (own[0] ?? WILDCARD[family]) : WILDCARD[family];
    const port = multihop ? BFD_MULTIHOP_PORT : BFD_SINGLE_HOP_PORT;
    const span = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;
    let last: unknown;
    for (let attempt = 0; attempt < 64; attempt++) {
      const p = this.nextPort;
      this.nextPort = BFD_SOURCE_PORT_MIN + ((p - BFD_SOURCE_PORT_MIN + 1) % span);
      const s = createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
      try {
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind({ address: local, port: p, exclusive: true }, () => {
            s.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        last = err;
        s.close();
        continue;
      }
      s.setTTL(BFD_TTL); // IP_TTL or IPV6_UNICAST_HOPS
      s.on('error', (err) => this.o.logger.debug({ event: 'bfd_send_error', peer, err: errorMessage(err) }, 'BFD send failed'));
      return {
        localPort: p,
        send: (packet) => s.send(packet, port, peer),
        close: () => s.close(),
      };
    }
    throw new Error(`no free BFD source port on ${local}: ${errorMessage(last)}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.rx.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
