// AS_PATH / AS4_PATH segments: decode, encode, the RFC 6793 merge and the best-path length.
import { AS_TRANS } from './constants.js';
import type { AsPathSegment, AsPathSegmentType } from './attributes.js';

const SEGMENT_TYPES: readonly (AsPathSegmentType | undefined)[] = [
  undefined,
  'set', // 1, RFC 4271 §4.3
  'sequence', // 2
  'confed-sequence', // 3, RFC 5065 §3
  'confed-set', // 4
];

export function segmentTypeCode(t: AsPathSegmentType): number {
  return SEGMENT_TYPES.indexOf(t);
}

/**
 * Decodes AS path segments of `asnSize` (2 or 4) byte ASNs. Returns a reason string when malformed
 * (RFC 7606 §7.2: unknown segment type, zero segment length, overrun; RFC 7607 §2: AS 0).
 */
export function decodeSegments(v: Buffer, start: number, end: number, asnSize: 2 | 4): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  let o = start;
  while (o < end) {
    if (o + 2 > end) return 'truncated segment header';
    const type = SEGMENT_TYPES[v[o] as number];
    const count = v[o + 1] as number;
    if (type === undefined) return `unknown segment type ${v[o]}`;
    if (count === 0) return 'segment of length zero';
    o += 2;
    if (o + count * asnSize > end) return 'segment overruns the attribute';
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const asn = asnSize === 4 ? v.readUInt32BE(o) : v.readUInt16BE(o);
      if (asn === 0) return 'AS number 0';
      asns[i] = asn;
      o += asnSize;
    }
    segments.push({ type, asns });
  }
  return segments;
}

/**
 * Encodes segments with `asnSize` byte ASNs. With 2-byte ASNs a 4-octet ASN is written as AS_TRANS
 * (RFC 6793 §4.2.2). Segments longer than 255 ASNs are split.
 */
export function encodeSegments(segments: readonly AsPathSegment[], asnSize: 2 | 4): Buffer {
  let size = 0;
  for (const s of segments) size += 2 * Math.ceil(s.asns.length / 255) + s.asns.length * asnSize;
  const b = Buffer.alloc(size);
  let o = 0;
  for (const s of segments) {
    for (let start = 0; start < s.asns.length; start += 255) {
      const chunk = s.asns.slice(start, start + 255);
      b[o] = segmentTypeCode(s.type);
      b[o + 1] = chunk.length;
      o += 2;
      for (const asn of chunk) {
        if (asnSize === 4) b.writeUInt32BE(asn >>> 0, o);
        else b.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn, o);
        o += asnSize;
      }
    }
  }
  return b;
}

/** RFC 4271 §9.1.2.2 (a) with RFC 5065 §5.3: each AS_SEQUENCE ASN counts 1, an AS_SET counts 1, confed 0. */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: rebuild the real AS path of a route received from an OLD (2-octet) speaker.
 * `aggregatorAsn` is the AGGREGATOR attribute's ASN when present: if it is not AS_TRANS, AS4_PATH is ignored.
 * AS4_PATH confederation segments are dropped (RFC 6793 §5).
 */
export function mergeAs4Path(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[] | undefined,
  aggregatorAsn?: number,
): readonly AsPathSegment[] {
  if (as4Path === undefined) return asPath;
  if (aggregatorAsn !== undefined && aggregatorAsn !== AS_TRANS) return asPath;
  const as4 = as4Path.filter((s) => s.type === 'sequence' || s.type === 'set');
  const n = asPathLength(asPath);
  const n4 = asPathLength(as4);
  // RFC 6793 §4.2.3: an AS4_PATH longer than AS_PATH is ignored.
  if (n < n4) return asPath;
  let need = n - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (need <= 0) break;
    if (s.type === 'sequence') {
      const take = Math.min(need, s.asns.length);
      out.push({ type: 'sequence', asns: s.asns.slice(0, take) });
      need -= take;
    } else if (s.type === 'set') {
      out.push(s);
      need -= 1;
    } else {
      out.push(s); // confederation segments count 0 and stay in front
    }
  }
  return [...out, ...as4];
}

/** All ASNs of the path in order (sets and confederation segments included). */
export function flattenAsPath(segments: readonly AsPathSegment[]): number[] {
  const out: number[] = [];
  for (const s of segments) for (const a of s.asns) out.push(a);
  return out;
}
