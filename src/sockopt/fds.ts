// File descriptors: sockets created in libc (so options can be set before bind/listen/connect, then handed to
// Node with listen({fd}), bind({fd}) or new Socket({fd})), and the fds behind Node's own sockets.
import type { Server, Socket } from 'node:net';
import type { Socket as DgramSocket } from 'node:dgram';
import type { Address, Family } from '../net/address.js';
import { formatAddress } from '../net/address.js';
import { Bgp2vpcError } from '../base/errors.js';
import { AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM } from './constants.js';
import { sockaddr } from './sockaddr.js';
import { checkRc, libc } from './libc.js';

export class NoFdError extends Bgp2vpcError {
  constructor(what: string) {
    super('NO_FD', `${what} has no file descriptor yet`);
  }
}

/** A non-blocking, close-on-exec socket of the family. */
export function createSocketFd(family: Family, kind: 'tcp' | 'udp'): number {
  const domain = family === 'ipv4' ? AF_INET : AF_INET6;
  const type = (kind === 'tcp' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  return checkRc(`socket(${family}, ${kind})`, libc().socket(domain, type, 0));
}

export function bindFd(fd: number, a: Address, port: number): void {
  const sa = sockaddr(a, port);
  checkRc(`bind(${formatAddress(a)} port ${port})`, libc().bind(fd, sa, sa.length));
}

export function listenFd(fd: number, backlog: number): void {
  checkRc('listen', libc().listen(fd, backlog));
}

export function closeFd(fd: number): void {
  libc().close(fd);
}

export function setIntOption(fd: number, level: number, name: number, value: number, what: string): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  checkRc(`setsockopt(${what})`, libc().setsockopt(fd, level, name, b, 4));
}

export function getIntOption(fd: number, level: number, name: number, what: string): number {
  const v = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4, 0);
  checkRc(`getsockopt(${what})`, libc().getsockopt(fd, level, name, v, len));
  return v.readInt32LE(0);
}

// Node keeps the fd on the libuv handle: `_handle.fd` for net (used by Node's own cluster code), the
// 'state symbol' slot for dgram. Neither is documented; both are checked by test/sockopt.
interface HandleOwner {
  _handle?: { fd?: number } | null;
}

/** The fd of a listening net.Server (after 'listening'). */
export function serverFd(server: Server): number {
  const fd = (server as unknown as HandleOwner)._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new NoFdError('the server');
  return fd;
}

/** The fd of a connected or accepted net.Socket. */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as HandleOwner)._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new NoFdError('the socket');
  return fd;
}

/** The fd of a bound dgram socket. */
export function dgramFd(socket: DgramSocket): number {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = sym ? (socket as unknown as Record<symbol, { handle?: { fd?: number } } | undefined>)[sym] : undefined;
  const fd = state?.handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new NoFdError('the UDP socket');
  return fd;
}
