// struct sockaddr_in (16 bytes) and sockaddr_in6 (28 bytes) as Linux lays them out: the family in host order
// (little-endian here, see libc.ts), the port in network order.
import type { Address } from '../net/address.js';
import { AF_INET, AF_INET6 } from './constants.js';

export const SOCKADDR_IN_SIZE = 16;
export const SOCKADDR_IN6_SIZE = 28;

/** Writes the sockaddr of `a` at offset 0 of `out` (zero-filled by the caller); returns its length. */
export function writeSockaddr(out: Buffer, a: Address, port: number): number {
  if (a.family === 'ipv4') {
    out.writeUInt16LE(AF_INET, 0); // sin_family
    out.writeUInt16BE(port, 2); // sin_port
    out.writeUInt32BE(Number(a.addr), 4); // sin_addr
    return SOCKADDR_IN_SIZE;
  }
  out.writeUInt16LE(AF_INET6, 0); // sin6_family
  out.writeUInt16BE(port, 2); // sin6_port; flowinfo (4) and scope_id (24) stay 0
  out.writeBigUInt64BE(a.addr >> 64n, 8); // sin6_addr
  out.writeBigUInt64BE(a.addr & 0xffff_ffff_ffff_ffffn, 16);
  return SOCKADDR_IN6_SIZE;
}

export function sockaddr(a: Address, port: number): Buffer {
  const b = Buffer.alloc(a.family === 'ipv4' ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
  writeSockaddr(b, a, port);
  return b;
}
