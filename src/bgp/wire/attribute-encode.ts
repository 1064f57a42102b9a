// Path attribute encoding: type → (code, default flags, value bytes).
import { AttrCode, AttrFlag, familyOf } from './constants.js';
import { BgpEncodeError } from './error.js';
import type { PathAttribute } from './attributes.js';
import { encodeSegments } from './as-path.js';
import { ipv4Bytes, writeIpv4, writeIpv6 } from './address.js';
import { encodeNlri } from './nlri.js';
import { EXPECTED_FLAGS } from './attribute-decode.js';
import type { DecodeContext } from './decode-context.js';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function mpNextHop(afi: number, nextHop: string, linkLocal: string | undefined): Buffer {
  if (!nextHop.includes(':')) {
    if (afi !== 1 || linkLocal !== undefined) throw new BgpEncodeError(`IPv4 next hop ${nextHop} for AFI ${afi}`);
    return ipv4Bytes(nextHop);
  }
  const b = Buffer.alloc(linkLocal === undefined ? 16 : 32);
  writeIpv6(nextHop, b, 0);
  if (linkLocal !== undefined) writeIpv6(linkLocal, b, 16);
  return b;
}

/** The type code and value bytes of an attribute. */
export function attributeValue(a: PathAttribute, ctx: DecodeContext): { code: number; value: Buffer } {
  switch (a.type) {
    case 'origin':
      return { code: AttrCode.ORIGIN, value: Buffer.from([a.origin]) };
    case 'as-path':
      return { code: AttrCode.AS_PATH, value: encodeSegments(a.segments, ctx.fourOctetAsn ? 4 : 2) };
    case 'next-hop':
      return { code: AttrCode.NEXT_HOP, value: ipv4Bytes(a.nextHop) };
    case 'med':
      return { code: AttrCode.MED, value: u32(a.med) };
    case 'local-pref':
      return { code: AttrCode.LOCAL_PREF, value: u32(a.localPref) };
    case 'atomic-aggregate':
      return { code: AttrCode.ATOMIC_AGGREGATE, value: Buffer.alloc(0) };
    case 'aggregator': {
      const four = ctx.fourOctetAsn;
      const b = Buffer.alloc(four ? 8 : 6);
      if (four) b.writeUInt32BE(a.asn >>> 0, 0);
      else b.writeUInt16BE(a.asn > 0xffff ? 23456 : a.asn, 0); // RFC 6793 §4.2.2: AS_TRANS
      writeIpv4(a.address, b, four ? 4 : 2);
      return { code: AttrCode.AGGREGATOR, value: b };
    }
    case 'communities': {
      const b = Buffer.alloc(4 * a.communities.length);
      a.communities.forEach((c, i) => b.writeUInt32BE(c >>> 0, 4 * i));
      return { code: AttrCode.COMMUNITIES, value: b };
    }
    case 'originator-id':
      return { code: AttrCode.ORIGINATOR_ID, value: ipv4Bytes(a.originatorId) };
    case 'cluster-list':
      return { code: AttrCode.CLUSTER_LIST, value: Buffer.concat(a.clusterIds.map(ipv4Bytes)) };
    case 'mp-reach': {
      const family = familyOf(a.afi, a.safi);
      if (family === undefined) throw new BgpEncodeError(`MP_REACH_NLRI for unsupported AFI/SAFI ${a.afi}/${a.safi}`);
      const nh = mpNextHop(a.afi, a.nextHop, a.nextHopLinkLocal);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(a.afi, 0);
      head[2] = a.safi;
      head[3] = nh.length;
      // RFC 4760 §3: AFI SAFI NH-length NH Reserved(0) NLRI
      return {
        code: AttrCode.MP_REACH_NLRI,
        value: Buffer.concat([head, nh, Buffer.from([0]), encodeNlri(a.nlri, family, ctx.addPath[family])]),
      };
    }
    case 'mp-unreach': {
      const family = familyOf(a.afi, a.safi);
      if (family === undefined) throw new BgpEncodeError(`MP_UNREACH_NLRI for unsupported AFI/SAFI ${a.afi}/${a.safi}`);
      const head = Buffer.alloc(3);
      head.writeUInt16BE(a.afi, 0);
      head[2] = a.safi;
      return { code: AttrCode.MP_UNREACH_NLRI, value: Buffer.concat([head, encodeNlri(a.nlri, family, ctx.addPath[family])]) };
    }
    case 'extended-communities':
      for (const c of a.communities) {
        if (!/^[0-9a-f]{16}$/i.test(c)) throw new BgpEncodeError(`extended community "${c}" is not 16 hex digits`);
      }
      return { code: AttrCode.EXTENDED_COMMUNITIES, value: Buffer.from(a.communities.join(''), 'hex') };
    case 'as4-path':
      return { code: AttrCode.AS4_PATH, value: encodeSegments(a.segments, 4) };
    case 'as4-aggregator': {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(a.asn >>> 0, 0);
      writeIpv4(a.address, b, 4);
      return { code: AttrCode.AS4_AGGREGATOR, value: b };
    }
    case 'large-communities': {
      const b = Buffer.alloc(12 * a.communities.length);
      a.communities.forEach((c, i) => {
        b.writeUInt32BE(c[0] >>> 0, 12 * i);
        b.writeUInt32BE(c[1] >>> 0, 12 * i + 4);
        b.writeUInt32BE(c[2] >>> 0, 12 * i + 8);
      });
      return { code: AttrCode.LARGE_COMMUNITIES, value: b };
    }
    case 'unknown':
      return { code: a.code, value: a.value };
  }
}

/**
 * Encodes one attribute: flags(1) type(1) length(1 or 2) value. Uses `a.flags` when given, else the standard
 * flags; the Extended Length bit is set when the value exceeds 255 bytes or the given flags carry it.
 */
export function encodeAttribute(a: PathAttribute, ctx: DecodeContext): Buffer {
  const { code, value } = attributeValue(a, ctx);
  if (value.length > 0xffff) throw new BgpEncodeError(`attribute ${code} value of ${value.length} bytes`);
  const given = a.flags ?? EXPECTED_FLAGS.get(code) ?? AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
  const ext = value.length > 255 || (given & AttrFlag.EXTENDED_LENGTH) !== 0;
  const flags = (given & ~AttrFlag.EXTENDED_LENGTH & 0xff) | (ext ? AttrFlag.EXTENDED_LENGTH : 0);
  const head = ext ? Buffer.from([flags, code, value.length >> 8, value.length & 255]) : Buffer.from([flags, code, value.length]);
  return Buffer.concat([head, value]);
}
