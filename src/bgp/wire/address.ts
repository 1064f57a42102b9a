// Addresses as they sit in BGP messages: 4 or 16 raw bytes <-> canonical text, without bigints.
import { BgpEncodeError } from './error.js';
import { parseAddress } from '../../rib/prefix.js';

/** Dotted quad of the 4 bytes at `off`. */
export function ipv4Text(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** True when the 16 bytes at `off` are an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2, ::ffff:a.b.c.d). */
export function isIpv4Mapped(buf: Buffer, off: number): boolean {
  for (let i = 0; i < 10; i++) if (buf[off + i] !== 0) return false;
  return buf[off + 10] === 0xff && buf[off + 11] === 0xff;
}

/**
 * RFC 5952 text of the 16 bytes at `off` (lowercase, longest zero run compressed). IPv4-mapped addresses are
 * written `::ffff:a.b.c.d` (RFC 5952 §5).
 */
export function ipv6Text(buf: Buffer, off: number): string {
  if (isIpv4Mapped(buf, off)) return `::ffff:${ipv4Text(buf, off + 12)}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((buf[off + 2 * i] as number) << 8) | (buf[off + 2 * i + 1] as number));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Writes dotted-quad text as 4 bytes. */
export function writeIpv4(text: string, buf: Buffer, off: number): void {
  const a = parseAddress(text);
  if (a.family !== 'ipv4') throw new BgpEncodeError(`not an IPv4 address: ${text}`);
  buf.writeUInt32BE(Number(a.addr), off);
}

/** Writes IPv6 text (including ::ffff:a.b.c.d) as 16 bytes. */
export function writeIpv6(text: string, buf: Buffer, off: number): void {
  const a = parseAddress(text);
  if (a.family !== 'ipv6') throw new BgpEncodeError(`not an IPv6 address: ${text}`);
  for (let i = 0; i < 16; i++) buf[off + i] = Number((a.addr >> BigInt(8 * (15 - i))) & 0xffn);
}

export function ipv4Bytes(text: string): Buffer {
  const b = Buffer.alloc(4);
  writeIpv4(text, b, 0);
  return b;
}

export function ipv6Bytes(text: string): Buffer {
  const b = Buffer.alloc(16);
  writeIpv6(text, b, 0);
  return b;
}
