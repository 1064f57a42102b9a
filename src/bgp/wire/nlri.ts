// NLRI encoding (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3): length-prefixed prefixes, optional path id.
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';
import type { Nlri } from './attributes.js';
import { BgpEncodeError } from './error.js';

/**
 * Checks the syntax of an NLRI field [start, end): every prefix length fits the family and no prefix overruns.
 * Returns undefined when fine, else the reason.
 */
export function checkNlri(buf: Buffer, start: number, end: number, family: Family, addPath: boolean): string | undefined {
  const maxLen = family === 'ipv4' ? 32 : 128;
  let o = start;
  if (!addPath) {
    while (o < end) {
      const len = buf[o] as number;
      if (len > maxLen) return `prefix length ${len} exceeds ${maxLen}`;
      o += 1 + ((len + 7) >> 3);
    }
  } else {
    while (o < end) {
      if (o + 5 > end) return 'truncated path identifier';
      const len = buf[o + 4] as number;
      if (len > maxLen) return `prefix length ${len} exceeds ${maxLen}`;
      o += 5 + ((len + 7) >> 3);
    }
  }
  return o === end ? undefined : 'prefix overruns the NLRI field';
}

/** The IPv4 address of a `len`-bit prefix whose significant bytes start at `off`, host bits cleared. */
export function readIpv4Prefix(buf: Buffer, off: number, len: number): number {
  let a: number;
  switch ((len + 7) >> 3) {
    case 0:
      return 0;
    case 1:
      a = (buf[off] as number) << 24;
      break;
    case 2:
      a = ((buf[off] as number) << 24) | ((buf[off + 1] as number) << 16);
      break;
    case 3:
      a = ((buf[off] as number) << 24) | ((buf[off + 1] as number) << 16) | ((buf[off + 2] as number) << 8);
      break;
    default:
      a = buf.readInt32BE(off);
  }
  // RFC 4271 §4.3: trailing bits are irrelevant; clear them.
  return (a & (-1 << (32 - len))) >>> 0;
}

/** The IPv6 address of a `len`-bit prefix at `off` as a bigint, host bits cleared. */
export function readIpv6Prefix(buf: Buffer, off: number, len: number): bigint {
  if (len === 0) return 0n;
  const n = (len + 7) >> 3;
  // Four 32-bit words from the significant bytes (missing bytes are zero), then one bigint.
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[off + i] as number;
    const shift = 24 - 8 * (i & 3);
    if (i < 4) w0 |= b << shift;
    else if (i < 8) w1 |= b << shift;
    else if (i < 12) w2 |= b << shift;
    else w3 |= b << shift;
  }
  const addr = (BigInt(w0 >>> 0) << 96n) | (BigInt(w1 >>> 0) << 64n) | (BigInt(w2 >>> 0) << 32n) | BigInt(w3 >>> 0);
  const mask = ((1n << BigInt(len)) - 1n) << BigInt(128 - len);
  return addr & mask;
}

/** Decodes an NLRI field already checked by checkNlri. */
export function decodeNlri(buf: Buffer, start: number, end: number, family: Family, addPath: boolean): Nlri[] {
  const out: Nlri[] = [];
  let o = start;
  while (o < end) {
    let pathId = 0;
    if (addPath) {
      pathId = buf.readUInt32BE(o);
      o += 4;
    }
    const len = buf[o] as number;
    const addr = family === 'ipv4' ? BigInt(readIpv4Prefix(buf, o + 1, len)) : readIpv6Prefix(buf, o + 1, len);
    out.push({ prefix: { family, addr, len }, pathId });
    o += 1 + ((len + 7) >> 3);
  }
  return out;
}

export type NlriInput = Nlri | Prefix;

export function toNlri(x: NlriInput): Nlri {
  return 'prefix' in x ? x : { prefix: x, pathId: 0 };
}

/** Bytes an NLRI entry takes. */
export function nlriSize(len: number, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((len + 7) >> 3);
}

/** Writes one NLRI entry at `off`; returns the new offset. */
export function writeNlri(buf: Buffer, off: number, n: Nlri, addPath: boolean): number {
  const { prefix, pathId } = n;
  const bits = prefix.family === 'ipv4' ? 32 : 128;
  if (!Number.isInteger(prefix.len) || prefix.len < 0 || prefix.len > bits) {
    throw new BgpEncodeError(`bad prefix length ${prefix.len}`);
  }
  let o = off;
  if (addPath) {
    buf.writeUInt32BE(pathId >>> 0, o);
    o += 4;
  }
  buf[o++] = prefix.len;
  const nbytes = (prefix.len + 7) >> 3;
  for (let i = 0; i < nbytes; i++) buf[o + i] = Number((prefix.addr >> BigInt(bits - 8 - 8 * i)) & 0xffn);
  return o + nbytes;
}

/** Encodes a list of NLRI entries of one family. */
export function encodeNlri(list: readonly NlriInput[], family: Family, addPath: boolean): Buffer {
  const items = list.map(toNlri);
  let size = 0;
  for (const n of items) {
    if (n.prefix.family !== family) throw new BgpEncodeError(`${n.prefix.family} prefix in an ${family} NLRI field`);
    size += nlriSize(n.prefix.len, addPath);
  }
  const b = Buffer.alloc(size);
  let o = 0;
  for (const n of items) o = writeNlri(b, o, n, addPath);
  return b;
}
