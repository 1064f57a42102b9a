// GTSM for UDP (RFC 5082; BFD single hop, RFC 5881 §5): accept only datagrams that arrived with TTL / hop limit
// 255. Linux accepts IP_MINTTL and IPV6_MINHOPCOUNT on UDP sockets but enforces them only for TCP, so the check
// is a classic-BPF socket filter. SKF_NET_OFF addresses the network header from a socket filter: the IPv4 TTL is
// its byte 8, the IPv6 hop limit its byte 7. Use one socket per family: on a dual-stack socket a v4-mapped
// datagram has an IPv4 header at that offset.
//
// struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }               8 bytes
// struct sock_fprog  { u16 len; (6 bytes padding) sock_filter *filter; } 16 bytes on 64-bit
import type { Family } from '../net/address.js';
import { SO_ATTACH_FILTER, SOL_SOCKET } from './constants.js';
import { checkRc, libc } from './libc.js';

const SKF_NET_OFF = -0x100000;
const BPF_LD_B_ABS = 0x30; // BPF_LD | BPF_B | BPF_ABS: A = byte at k
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K: A == k ? jt : jf
const BPF_RET_K = 0x06; // BPF_RET | BPF_K: keep k bytes (0 drops)

/** The filter program (sock_filter[]) accepting only datagrams with this TTL / hop limit. */
export function ttlFilterProgram(family: Family, ttl = 255): Buffer {
  const offset = family === 'ipv4' ? 8 : 7;
  const insns: readonly (readonly [number, number, number, number])[] = [
    [BPF_LD_B_ABS, 0, 0, (SKF_NET_OFF + offset) >>> 0],
    [BPF_JEQ_K, 0, 1, ttl],
    [BPF_RET_K, 0, 0, 0xffff_ffff], // accept the whole datagram
    [BPF_RET_K, 0, 0, 0], // drop
  ];
  const prog = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    prog.writeUInt16LE(code, i * 8);
    prog.writeUInt8(jt, i * 8 + 2);
    prog.writeUInt8(jf, i * 8 + 3);
    prog.writeUInt32LE(k, i * 8 + 4);
  });
  return prog;
}

/** Attaches the TTL filter to a UDP socket; do it before bind() so no datagram is queued unchecked. */
export function attachTtlFilter(fd: number, family: Family, ttl = 255): void {
  const c = libc();
  const prog = ttlFilterProgram(family, ttl);
  const fprog = Buffer.alloc(16);
  fprog.writeUInt16LE(prog.length / 8, 0);
  fprog.writeBigUInt64LE(c.koffi.address(prog), 8);
  const rc = c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, fprog.length);
  // The kernel copies the program during the call; naming `prog` after it keeps it alive until then.
  checkRc(`setsockopt(SO_ATTACH_FILTER, ${prog.length / 8} insns)`, rc);
}
