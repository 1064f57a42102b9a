// The libc calls behind the socket options Node does not expose (TCP_MD5SIG, SO_ATTACH_FILTER, IP_MINTTL...),
// through koffi. Loaded on first use, so a config without keys or BFD never loads the native binary, and a
// platform without it gets one line saying why instead of a crash at import time.
//
// koffi ships its binary in an optional npm package (@koromix/koffi-linux-x64 and friends): an install with
// `npm ci --omit=optional` leaves it out, and koffi's install script then tries to build from source (CMake and a
// C++ compiler). The reason below names that.
import { createRequire } from 'node:module';
import { arch, endianness } from 'node:os';
import type * as KoffiModule from 'koffi';
import { Bgp2vpcError, UserError, errorMessage } from '../base/errors.js';

type Koffi = typeof KoffiModule;

/** A failed system call, with its errno (EINVAL, ENOENT...). */
export class SocketOptionError extends Bgp2vpcError {
  constructor(
    readonly call: string,
    readonly errno: number,
    text: string,
  ) {
    super('SOCKOPT_FAILED', `${call}: ${text} (errno ${errno})`);
  }
}

export interface Libc {
  readonly koffi: Koffi;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, length: Buffer): number;
  bind(fd: number, addr: Buffer, length: number): number;
  listen(fd: number, backlog: number): number;
  close(fd: number): number;
  strerror(errno: number): string;
}

// The struct layouts in this module (tcp_md5sig, sock_fprog, sockaddr) are Linux UAPI on a 64-bit little-endian
// machine: x86-64, arm64, riscv64.
const SUPPORTED_ARCH = new Set(['x64', 'arm64', 'riscv64']);

let loaded: Libc | undefined;
let failure: string | undefined;

/** Why socket options cannot be set on this system, or undefined when they can (loads koffi on first call). */
export function socketOptionsUnavailable(): string | undefined {
  if (loaded) return undefined;
  if (failure !== undefined) return failure;
  if (process.platform !== 'linux') return (failure = `this is ${process.platform}; TCP-MD5 and BFD need Linux`);
  if (!SUPPORTED_ARCH.has(arch()) || endianness() !== 'LE')
    return (failure = `this is Linux on ${arch()}; TCP-MD5 and BFD are supported on x64, arm64 and riscv64`);
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const lib = koffi.load('libc.so.6');
    const f = {
      socket: lib.func('int socket(int domain, int type, int protocol)'),
      setsockopt: lib.func('int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen)'),
      getsockopt: lib.func('int getsockopt(int fd, int level, int optname, void *optval, void *optlen)'),
      bind: lib.func('int bind(int fd, const void *addr, uint32_t addrlen)'),
      listen: lib.func('int listen(int fd, int backlog)'),
      close: lib.func('int close(int fd)'),
      strerror: lib.func('const char *strerror(int errnum)'),
    };
    loaded = {
      koffi,
      socket: (d, t, p) => f.socket(d, t, p) as number,
      setsockopt: (fd, level, name, value, length) => f.setsockopt(fd, level, name, value, length) as number,
      getsockopt: (fd, level, name, value, length) => f.getsockopt(fd, level, name, value, length) as number,
      bind: (fd, addr, length) => f.bind(fd, addr, length) as number,
      listen: (fd, backlog) => f.listen(fd, backlog) as number,
      close: (fd) => f.close(fd) as number,
      strerror: (e) => f.strerror(e) as string,
    };
    return undefined;
  } catch (err) {
    failure =
      `cannot load koffi (the FFI library behind TCP-MD5 and BFD): ${errorMessage(err).split('\n')[0] ?? ''}; ` +
      'reinstall without --omit=optional so its prebuilt binary (@koromix/koffi-linux-*) is present';
    return failure;
  }
}

/** libc, or a UserError naming why it cannot be used here. */
export function libc(): Libc {
  const why = socketOptionsUnavailable();
  if (why !== undefined || !loaded) throw new UserError('SOCKOPT_UNAVAILABLE', why ?? 'socket options unavailable');
  return loaded;
}

/** Throws a SocketOptionError for a negative return code; errno is read at once (same thread, sync call). */
export function checkRc(call: string, rc: number): number {
  if (rc >= 0) return rc;
  const c = libc();
  const errno = c.koffi.errno();
  throw new SocketOptionError(call, errno, c.strerror(errno));
}
