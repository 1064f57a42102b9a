// Path attribute list decoding with RFC 7606 error handling. Table-driven: code → expected flags + decoder.
import { AttrCode, AttrFlag, ErrorCode, UpdateSubcode } from './constants.js';
import { BgpMessageError, type UpdateProblem } from './error.js';
import type { MpReachInfo, MpUnreachInfo, PathAttribute } from './attributes.js';
import { decodeSegments } from './as-path.js';
import { ipv4Text, ipv6Text } from './address.js';
import { checkNlri } from './nlri.js';
import type { Family } from '../../rib/prefix.js';

/** What the decoder needs to know about the session (negotiated capabilities). */
export interface DecodeContext {
  /** RFC 6793: both sides advertised the 4-octet ASN capability (AS_PATH/AGGREGATOR carry 4-byte ASNs). */
  readonly fourOctetAsn: boolean;
  /** RFC 7911: path identifiers are present in what we receive, per family. */
  readonly addPath: { readonly ipv4: boolean; readonly ipv6: boolean };
  /** RFC 8654: extended messages negotiated. */
  readonly extendedMessages: boolean;
}

export const DEFAULT_CONTEXT: DecodeContext = {
  fourOctetAsn: true,
  addPath: { ipv4: false, ipv6: false },
  extendedMessages: false,
};

/** Expected Optional/Transitive bits per known attribute (RFC 4271 §5, RFC 4760, RFC 6793, RFC 8092...). */
const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPT_TRANS = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPT_NON_TRANS = AttrFlag.OPTIONAL;
export const EXPECTED_FLAGS: ReadonlyMap<number, number> = new Map([
  [AttrCode.ORIGIN, WELL_KNOWN],
  [AttrCode.AS_PATH, WELL_KNOWN],
  [AttrCode.NEXT_HOP, WELL_KNOWN],
  [AttrCode.MED, OPT_NON_TRANS],
  [AttrCode.LOCAL_PREF, WELL_KNOWN],
  [AttrCode.ATOMIC_AGGREGATE, WELL_KNOWN],
  [AttrCode.AGGREGATOR, OPT_TRANS],
  [AttrCode.COMMUNITIES, OPT_TRANS],
  [AttrCode.ORIGINATOR_ID, OPT_NON_TRANS],
  [AttrCode.CLUSTER_LIST, OPT_NON_TRANS],
  [AttrCode.MP_REACH_NLRI, OPT_NON_TRANS],
  [AttrCode.MP_UNREACH_NLRI, OPT_NON_TRANS],
  [AttrCode.EXTENDED_COMMUNITIES, OPT_TRANS],
  [AttrCode.AS4_PATH, OPT_TRANS],
  [AttrCode.AS4_AGGREGATOR, OPT_TRANS],
  [AttrCode.LARGE_COMMUNITIES, OPT_TRANS],
]);

/** Where the NLRI of an MP attribute sit in the message. */
export interface MpRange {
  readonly start: number;
  readonly end: number;
}

export interface ParsedAttributes {
  /** Accepted attributes in wire order. MP attributes appear with empty `nlri` (see mpReach/mpUnreach ranges). */
  readonly attributes: PathAttribute[];
  readonly nextHop: string | undefined;
  readonly mpReach: (MpReachInfo & MpRange & { readonly index: number }) | undefined;
  readonly mpUnreach: (MpUnreachInfo & MpRange & { readonly index: number }) | undefined;
  readonly problems: UpdateProblem[];
  /** Type codes seen (first occurrences only), for the mandatory-attribute check. */
  readonly seen: Uint8Array;
}

export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== 1) return undefined;
  return afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : undefined;
}

function attrData(msg: Buffer, start: number, end: number): Buffer {
  return Buffer.from(msg.subarray(start, end));
}

/**
 * Decodes the path attribute field [start, end) of an UPDATE. Throws BgpMessageError only for session-reset
 * errors; treat-as-withdraw and attribute-discard problems are returned.
 */
export function parseAttributes(msg: Buffer, start: number, end: number, ctx: DecodeContext): ParsedAttributes {
  const attributes: PathAttribute[] = [];
  const problems: UpdateProblem[] = [];
  const seen = new Uint8Array(256);
  let nextHop: string | undefined;
  let mpReach: ParsedAttributes['mpReach'];
  let mpUnreach: ParsedAttributes['mpUnreach'];
  const problem = (
    action: UpdateProblem['action'],
    subcode: number,
    attribute: number | undefined,
    reason: string,
  ): void => {
    problems.push(
      attribute === undefined
        ? { action, code: ErrorCode.UPDATE_MESSAGE, subcode, reason }
        : { action, code: ErrorCode.UPDATE_MESSAGE, subcode, attribute, reason },
    );
  };

  let o = start;
  while (o < end) {
    const hStart = o;
    // RFC 7606 §4: fewer than 3 bytes left, or an attribute overrunning the field → treat-as-withdraw, and the
    // Total Path Attribute Length locates the NLRI.
    if (end - o < 3) {
      problem('treat-as-withdraw', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, undefined, 'truncated attribute header');
      break;
    }
    const flags = msg[o] as number;
    const code = msg[o + 1] as number;
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (ext && end - o < 4) {
      problem('treat-as-withdraw', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, code, 'truncated attribute header');
      break;
    }
    const len = ext ? msg.readUInt16BE(o + 2) : (msg[o + 2] as number);
    o += ext ? 4 : 3;
    if (o + len > end) {
      problem('treat-as-withdraw', UpdateSubcode.ATTRIBUTE_LENGTH, code, `attribute ${code} overruns the attribute list`);
      break;
    }
    const vs = o;
    const ve = o + len;
    o = ve;
    const v = msg.subarray(vs, ve);

    if (seen[code] === 1) {
      // RFC 7606 §3 (g): a repeated MP_REACH/MP_UNREACH → Malformed Attribute List (session reset); any other
      // repeated attribute: keep the first, discard the others.
      if (code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI) {
        throw new BgpMessageError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`);
      }
      problem('attribute-discard', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, code, `attribute ${code} repeated`);
      continue;
    }
    seen[code] = 1;

    const expected = EXPECTED_FLAGS.get(code);
    if (expected === undefined) {
      // RFC 4271 §6.3: an unrecognized well-known attribute → Unrecognized Well-known Attribute (session reset;
      // RFC 7606 does not soften it). Unknown optional attributes are kept raw (RFC 4271 §5).
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        throw new BgpMessageError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.UNRECOGNIZED_WELL_KNOWN, `unrecognized well-known attribute ${code}`, {
          data: attrData(msg, hStart, ve),
        });
      }
      attributes.push({ type: 'unknown', flags, code, value: Buffer.from(v) });
      continue;
    }
    const isMp = code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI;
    if ((flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) !== expected) {
      // RFC 7606 §3 (c): Optional/Transitive bits in conflict → treat-as-withdraw. MP attributes are still parsed
      // below so that their NLRI can be withdrawn (RFC 7606 §5.3).
      problem('treat-as-withdraw', UpdateSubcode.ATTRIBUTE_FLAGS, code, `attribute ${code} has flags 0x${flags.toString(16)}`);
      if (!isMp) continue;
    }
    const lenError = (action: UpdateProblem['action'], why: string): void =>
      problem(action, UpdateSubcode.ATTRIBUTE_LENGTH, code, `attribute ${code}: ${why}`);

    switch (code) {
      case AttrCode.ORIGIN: {
        // RFC 7606 §7.1: wrong length or undefined value → treat-as-withdraw (3/5, 3/6 in RFC 4271 §6.3).
        if (len !== 1) lenError('treat-as-withdraw', `length ${len}, expected 1`);
        else if ((v[0] as number) > 2) problem('treat-as-withdraw', UpdateSubcode.INVALID_ORIGIN, code, `ORIGIN value ${v[0]}`);
        else attributes.push({ type: 'origin', flags, origin: v[0] as 0 | 1 | 2 });
        break;
      }
      case AttrCode.AS_PATH: {
        // RFC 7606 §7.2: malformed AS_PATH → treat-as-withdraw (3/11); RFC 7607 §2: AS 0 likewise.
        const segs = decodeSegments(v, ctx.fourOctetAsn ? 4 : 2);
        if (typeof segs === 'string') problem('treat-as-withdraw', UpdateSubcode.MALFORMED_AS_PATH, code, `AS_PATH: ${segs}`);
        else attributes.push({ type: 'as-path', flags, segments: segs });
        break;
      }
      case AttrCode.NEXT_HOP: {
        // RFC 7606 §7.3: length other than 4 → treat-as-withdraw. RFC 4271 §6.3: a syntactically incorrect next
        // hop (0.0.0.0, class D/E, broadcast) → Invalid NEXT_HOP, treat-as-withdraw under RFC 7606 §7.3.
        if (len !== 4) {
          lenError('treat-as-withdraw', `length ${len}, expected 4`);
          break;
        }
        const first = v[0] as number;
        if (v.readUInt32BE(0) === 0 || first >= 224) {
          problem('treat-as-withdraw', UpdateSubcode.INVALID_NEXT_HOP, code, `NEXT_HOP ${ipv4Text(v, 0)} is not a unicast address`);
          break;
        }
        nextHop = ipv4Text(v, 0);
        attributes.push({ type: 'next-hop', flags, nextHop });
        break;
      }
      case AttrCode.MED:
        // RFC 7606 §7.4
        if (len !== 4) lenError('treat-as-withdraw', `length ${len}, expected 4`);
        else attributes.push({ type: 'med', flags, med: v.readUInt32BE(0) });
        break;
      case AttrCode.LOCAL_PREF:
        // RFC 7606 §7.5 (ignoring it from an external peer is the session's decision)
        if (len !== 4) lenError('treat-as-withdraw', `length ${len}, expected 4`);
        else attributes.push({ type: 'local-pref', flags, localPref: v.readUInt32BE(0) });
        break;
      case AttrCode.ATOMIC_AGGREGATE:
        // RFC 7606 §7.6: length other than 0 → attribute discard.
        if (len !== 0) lenError('attribute-discard', `length ${len}, expected 0`);
        else attributes.push({ type: 'atomic-aggregate', flags });
        break;
      case AttrCode.AGGREGATOR: {
        // RFC 7606 §7.7: length other than 6 (2-octet session) or 8 (4-octet) → attribute discard;
        // RFC 7607 §2: AS 0 likewise.
        const want = ctx.fourOctetAsn ? 8 : 6;
        if (len !== want) {
          lenError('attribute-discard', `length ${len}, expected ${want}`);
          break;
        }
        const asn = ctx.fourOctetAsn ? v.readUInt32BE(0) : v.readUInt16BE(0);
        if (asn === 0) problem('attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AGGREGATOR AS 0');
        else attributes.push({ type: 'aggregator', flags, asn, address: ipv4Text(v, want - 4) });
        break;
      }
      case AttrCode.COMMUNITIES: {
        // RFC 7606 §7.8: length zero or not a multiple of 4 → treat-as-withdraw.
        if (len === 0 || len % 4 !== 0) {
          lenError('treat-as-withdraw', `length ${len} is not a non-zero multiple of 4`);
          break;
        }
        const communities: number[] = [];
        for (let i = 0; i < len; i += 4) communities.push(v.readUInt32BE(i));
        attributes.push({ type: 'communities', flags, communities });
        break;
      }
      case AttrCode.ORIGINATOR_ID:
        // RFC 7606 §7.9
        if (len !== 4) lenError('treat-as-withdraw', `length ${len}, expected 4`);
        else attributes.push({ type: 'originator-id', flags, originatorId: ipv4Text(v, 0) });
        break;
      case AttrCode.CLUSTER_LIST: {
        // RFC 7606 §7.10
        if (len === 0 || len % 4 !== 0) {
          lenError('treat-as-withdraw', `length ${len} is not a non-zero multiple of 4`);
          break;
        }
        const clusterIds: string[] = [];
        for (let i = 0; i < len; i += 4) clusterIds.push(ipv4Text(v, i));
        attributes.push({ type: 'cluster-list', flags, clusterIds });
        break;
      }
      case AttrCode.MP_REACH_NLRI: {
        const r = parseMpReach(msg, vs, ve, ctx, flags);
        if (r === undefined) {
          attributes.push({ type: 'unknown', flags, code, value: Buffer.from(v) });
          break;
        }
        mpReach = { ...r.info, start: r.start, end: ve, index: attributes.length };
        attributes.push(r.attr);
        break;
      }
      case AttrCode.MP_UNREACH_NLRI: {
        // RFC 4760 §4 / RFC 7606 §7.12: too short or unparsable NLRI → session reset (Optional Attribute Error).
        if (len < 3) throw mpError(msg, hStart, ve, `MP_UNREACH_NLRI of ${len} bytes`);
        const afi = v.readUInt16BE(0);
        const safi = v[2] as number;
        const family = familyOf(afi, safi);
        if (family === undefined) {
          attributes.push({ type: 'unknown', flags, code, value: Buffer.from(v) });
          break;
        }
        const bad = checkNlri(msg, vs + 3, ve, family, ctx.addPath[family]);
        if (bad !== undefined) throw mpError(msg, hStart, ve, `MP_UNREACH_NLRI: ${bad}`);
        mpUnreach = { afi, safi, family, start: vs + 3, end: ve, index: attributes.length };
        attributes.push({ type: 'mp-unreach', flags, afi, safi, nlri: [] });
        break;
      }
      case AttrCode.EXTENDED_COMMUNITIES: {
        // RFC 7606 §7.14: length not a non-zero multiple of 8 → treat-as-withdraw.
        if (len === 0 || len % 8 !== 0) {
          lenError('treat-as-withdraw', `length ${len} is not a non-zero multiple of 8`);
          break;
        }
        const communities: string[] = [];
        for (let i = 0; i < len; i += 8) communities.push(v.toString('hex', i, i + 8));
        attributes.push({ type: 'extended-communities', flags, communities });
        break;
      }
      case AttrCode.AS4_PATH: {
        // RFC 6793 §6: from a NEW speaker AS4_PATH is discarded; a malformed one is discarded
        // (RFC 7607 §2: AS 0 included).
        if (ctx.fourOctetAsn) {
          problem('attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_PATH from a 4-octet ASN speaker');
          break;
        }
        const segs = decodeSegments(v, 4);
        if (typeof segs === 'string') problem('attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, `AS4_PATH: ${segs}`);
        else attributes.push({ type: 'as4-path', flags, segments: segs });
        break;
      }
      case AttrCode.AS4_AGGREGATOR: {
        // RFC 6793 §6 as for AS4_PATH; length must be 8.
        if (ctx.fourOctetAsn) {
          problem('attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_AGGREGATOR from a 4-octet ASN speaker');
        } else if (len !== 8) {
          lenError('attribute-discard', `length ${len}, expected 8`);
        } else if (v.readUInt32BE(0) === 0) {
          problem('attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_AGGREGATOR AS 0');
        } else {
          attributes.push({ type: 'as4-aggregator', flags, asn: v.readUInt32BE(0), address: ipv4Text(v, 4) });
        }
        break;
      }
      case AttrCode.LARGE_COMMUNITIES: {
        // RFC 8092 §6: length not a non-zero multiple of 12 → treat-as-withdraw.
        if (len === 0 || len % 12 !== 0) {
          lenError('treat-as-withdraw', `length ${len} is not a non-zero multiple of 12`);
          break;
        }
        const communities: [number, number, number][] = [];
        for (let i = 0; i < len; i += 12) communities.push([v.readUInt32BE(i), v.readUInt32BE(i + 4), v.readUInt32BE(i + 8)]);
        attributes.push({ type: 'large-communities', flags, communities });
        break;
      }
    }
  }
  return { attributes, nextHop, mpReach, mpUnreach, problems, seen };
}

function mpError(msg: Buffer, hStart: number, end: number, why: string): BgpMessageError {
  // RFC 4760 §7 and RFC 7606 §7.11–§7.12: an MP attribute we cannot parse → Optional Attribute Error, session
  // reset (AFI/SAFI disable is not implemented), data = the attribute.
  return new BgpMessageError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.OPTIONAL_ATTRIBUTE, why, {
    data: attrData(msg, hStart, end),
  });
}

/** Next hop lengths RFC 4760 §3, RFC 2545 §3 and RFC 8950 §3 allow per family. */
function nextHopLengthOk(family: Family, n: number): boolean {
  return family === 'ipv4' ? n === 4 || n === 16 || n === 32 : n === 16 || n === 32;
}

function parseMpReach(
  msg: Buffer,
  vs: number,
  ve: number,
  ctx: DecodeContext,
  flags: number,
): { info: MpReachInfo; start: number; attr: PathAttribute } | undefined {
  const hStart = vs - ((flags & AttrFlag.EXTENDED_LENGTH) !== 0 ? 4 : 3);
  // RFC 4760 §3: AFI(2) SAFI(1) NH length(1) NH Reserved(1) NLRI.
  if (ve - vs < 5) throw mpError(msg, hStart, ve, `MP_REACH_NLRI of ${ve - vs} bytes`);
  const afi = msg.readUInt16BE(vs);
  const safi = msg[vs + 2] as number;
  const family = familyOf(afi, safi);
  if (family === undefined) return undefined; // not a family we speak: kept raw
  const nhLen = msg[vs + 3] as number;
  // RFC 7606 §7.11: a next hop length inconsistent with the AFI/SAFI → session reset.
  if (!nextHopLengthOk(family, nhLen)) throw mpError(msg, hStart, ve, `MP_REACH_NLRI next hop length ${nhLen} for ${family}`);
  const nh = vs + 4;
  if (nh + nhLen + 1 > ve) throw mpError(msg, hStart, ve, 'MP_REACH_NLRI next hop overruns the attribute');
  const nextHop = nhLen === 4 ? ipv4Text(msg, nh) : ipv6Text(msg, nh);
  const start = nh + nhLen + 1; // skip Reserved (RFC 4760 §3: ignored on receipt)
  const bad = checkNlri(msg, start, ve, family, ctx.addPath[family]);
  if (bad !== undefined) throw mpError(msg, hStart, ve, `MP_REACH_NLRI: ${bad}`);
  if (nhLen === 32) {
    const nextHopLinkLocal = ipv6Text(msg, nh + 16);
    return {
      info: { afi, safi, family, nextHop, nextHopLinkLocal },
      start,
      attr: { type: 'mp-reach', flags, afi, safi, nextHop, nextHopLinkLocal, nlri: [] },
    };
  }
  return { info: { afi, safi, family, nextHop }, start, attr: { type: 'mp-reach', flags, afi, safi, nextHop, nlri: [] } };
}
