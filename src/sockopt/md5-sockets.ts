// TCP sockets that carry MD5 keys from their first segment: a listening socket with the keys set before listen()
// (no SYN can arrive before them), and a client socket with the peer's key set before connect().
import { Socket } from 'node:net';
import type { Address } from '../net/address.js';
import { IPPROTO_IPV6, IPV6_V6ONLY, SO_REUSEADDR, SOL_SOCKET } from './constants.js';
import { bindFd, closeFd, createSocketFd, listenFd, setIntOption } from './fds.js';
import { setTcpMd5Key, type TcpMd5Key } from './tcp-md5.js';

/**
 * A bound, listening TCP socket with the keys in place. Hand it to Node with `server.listen({ fd })`; Node then
 * owns and closes it. An IPv6 address listens dual-stack, as Node does for `::`.
 */
export function createListenFd(at: Address, port: number, keys: readonly TcpMd5Key[], backlog = 511): number {
  const fd = createSocketFd(at.family, 'tcp');
  try {
    setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
    if (at.family === 'ipv6') setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, 'IPV6_V6ONLY');
    for (const k of keys) setTcpMd5Key(fd, k, at.family);
    bindFd(fd, at, port);
    listenFd(fd, backlog);
    return fd;
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}

/**
 * An unconnected TCP socket whose segments to `peer` are signed with `key`: call `.connect()` on it. net.connect()
 * cannot do this (its fd only exists inside the call that connects), so the fd is made here and Node binds and
 * connects it. `manualStart` (an option Node's own tls and tty use) keeps the constructor from starting to read
 * an unconnected socket, which fails with ENOTCONN if the event loop turns before connect().
 */
export function md5ClientSocket(peer: Address, key: Buffer): Socket {
  const fd = createSocketFd(peer.family, 'tcp');
  try {
    setTcpMd5Key(fd, { prefix: { family: peer.family, addr: peer.addr, len: peer.family === 'ipv4' ? 32 : 128 }, key }, peer.family);
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  return new Socket({ fd, manualStart: true } as ConstructorParameters<typeof Socket>[0]);
}
