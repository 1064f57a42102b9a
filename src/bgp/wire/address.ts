// Addresses as they sit in BGP messages: 4 or 16 raw bytes <-> canonical text, without bigints.
import { BgpEncodeError } from './error.js';
import { parseAddress } from '../../net/address.js';

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
  // Longest run (>= 2) of zero groups, first one on ties (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && buf[off + 2 * i] === 0 && buf[off + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart;
      }
      runStart = -1;
    }
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    text += (((buf[off + 2 * i] as number) << 8) | (buf[off + 2 * i + 1] as number)).toString(16);
    if (i < 7) text += ':';
  }
  return text;
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
