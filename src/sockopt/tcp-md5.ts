// TCP-MD5 signatures (RFC 2385) through setsockopt(TCP_MD5SIG_EXT): one key per peer address or prefix, on a
// listening socket (accepted sockets inherit a copy) or on a socket before connect().
//
// struct tcp_md5sig (linux/tcp.h), 216 bytes:
//   0    tcpm_addr       struct __kernel_sockaddr_storage (128): sockaddr_in or sockaddr_in6, port ignored
//   128  tcpm_flags      u8: TCP_MD5SIG_FLAG_PREFIX (1) makes tcpm_prefixlen count
//   129  tcpm_prefixlen  u8
//   130  tcpm_keylen     u16, host order; 0 deletes the key of that address and prefix length
//   132  tcpm_ifindex    int (unused here)
//   136  tcpm_key        u8[80]
// Kernel behaviour this relies on (checked on 6.x): the longest matching prefix wins; a key set on a listener
// applies to SYNs that arrive later, and each accepted socket keeps its own copy (changing the listener does not
// touch established sessions); an IPv4 peer of a dual-stack IPv6 socket needs its key as ::ffff:a.b.c.d with the
// IPv4 prefix length; a segment without a key from an address that has one, or with a wrong one, is dropped by
// the kernel and counted in /proc/net/netstat (tcp-ext-stats.ts).
import type { Family } from '../net/address.js';
import { formatPrefix, type Prefix } from '../net/prefix.js';
import { UserError } from '../base/errors.js';
import { IPPROTO_TCP, TCP_MD5SIG_EXT, TCP_MD5SIG_FLAG_PREFIX, TCP_MD5SIG_MAXKEYLEN, TCP_MD5SIG_SIZE } from './constants.js';
import { writeSockaddr } from './sockaddr.js';
import { checkRc, libc } from './libc.js';

export interface TcpMd5Key {
  /** The peer (a /32 or /128) or range the key is for. */
  readonly prefix: Prefix;
  /** 1..80 bytes; empty deletes the key of this prefix. */
  readonly key: Buffer;
}

const IPV4_MAPPED = 0xffff_0000_0000n;

/** The tcp_md5sig struct for a socket of `socketFamily` (an IPv4 prefix on an IPv6 socket is written v4-mapped). */
export function encodeTcpMd5sig(k: TcpMd5Key, socketFamily: Family): Buffer {
  if (k.key.length > TCP_MD5SIG_MAXKEYLEN)
    throw new UserError('MD5_KEY_TOO_LONG', `TCP-MD5 key for ${formatPrefix(k.prefix)} is ${k.key.length} bytes; at most 80`);
  if (k.prefix.family === 'ipv6' && socketFamily === 'ipv4')
    throw new UserError('MD5_FAMILY', `TCP-MD5 key for ${formatPrefix(k.prefix)} cannot go on an IPv4 socket`);
  const buf = Buffer.alloc(TCP_MD5SIG_SIZE);
  const mapped = k.prefix.family === 'ipv4' && socketFamily === 'ipv6';
  writeSockaddr(buf, mapped ? { family: 'ipv6', addr: IPV4_MAPPED | k.prefix.addr } : k.prefix, 0);
  buf.writeUInt8(TCP_MD5SIG_FLAG_PREFIX, 128);
  buf.writeUInt8(k.prefix.len, 129); // v4-mapped keys take the IPv4 length (the kernel stores them as IPv4 keys)
  buf.writeUInt16LE(k.key.length, 130);
  k.key.copy(buf, 136);
  return buf;
}

/** Installs (or replaces) the key for k.prefix on the socket `fd`. */
export function setTcpMd5Key(fd: number, k: TcpMd5Key, socketFamily: Family): void {
  const buf = encodeTcpMd5sig(k, socketFamily);
  checkRc(`setsockopt(TCP_MD5SIG_EXT, ${formatPrefix(k.prefix)})`, libc().setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG_EXT, buf, buf.length));
}

/** Removes the key for exactly this prefix (ENOENT when there is none). */
export function deleteTcpMd5Key(fd: number, prefix: Prefix, socketFamily: Family): void {
  setTcpMd5Key(fd, { prefix, key: Buffer.alloc(0) }, socketFamily);
}
