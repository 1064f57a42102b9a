// Linux socket constants (include/uapi/linux/*.h, asm-generic/socket.h) used by this module.
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0x800;
export const SOCK_CLOEXEC = 0x80000;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ATTACH_FILTER = 26;

export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
export const IP_TTL = 2;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_V6ONLY = 26;

/** linux/tcp.h: struct tcp_md5sig, one key per address. */
export const TCP_MD5SIG = 14;
/** linux/tcp.h (4.13+): the same struct with tcpm_flags, tcpm_prefixlen and tcpm_ifindex honoured. */
export const TCP_MD5SIG_EXT = 32;
export const TCP_MD5SIG_FLAG_PREFIX = 0x1;
export const TCP_MD5SIG_MAXKEYLEN = 80;
export const TCP_MD5SIG_SIZE = 216;
