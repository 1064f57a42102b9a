// Path attribute list decoding with RFC 7606 error handling: a table of expected flags per code, a decoder per code.
import { AttrCode, AttrFlag, ErrorCode, familyOf, UpdateSubcode } from './constants.js';
import { BgpMessageError, type UpdateProblem } from './error.js';
import type { MpReachInfo, MpUnreachInfo, PathAttribute } from './attributes.js';
import { decodeSegments } from './as-path.js';
import { ipv4Text } from './address.js';
import { mpError, parseMpReach } from './mp-attributes.js';
import { checkNlri } from './nlri.js';
import type { DecodeContext } from './decode-context.js';

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
  /** Which well-known mandatory attributes were present (SEEN_* bits), for RFC 4271 §6.3 / RFC 7606 §3 (d). */
  readonly mandatory: number;
}

function addProblem(
  problems: UpdateProblem[],
  action: UpdateProblem['action'],
  subcode: number,
  attribute: number | undefined,
  reason: string,
): void {
  problems.push(
    attribute === undefined
      ? { action, code: ErrorCode.UPDATE_MESSAGE, subcode, reason }
      : { action, code: ErrorCode.UPDATE_MESSAGE, subcode, attribute, reason },
  );
}

/** RFC 4271 §6.3 Attribute Length Error, handled as RFC 7606 §7 says for the attribute. */
function lengthProblem(problems: UpdateProblem[], action: UpdateProblem['action'], code: number, why: string): void {
  addProblem(problems, action, UpdateSubcode.ATTRIBUTE_LENGTH, code, `attribute ${code}: ${why}`);
}

// Local copies of the codes: switch cases on plain constants (no property loads in the hot path).
const ORIGIN = AttrCode.ORIGIN;
const AS_PATH = AttrCode.AS_PATH;
const NEXT_HOP = AttrCode.NEXT_HOP;
const MED = AttrCode.MED;
const LOCAL_PREF = AttrCode.LOCAL_PREF;
const ATOMIC_AGGREGATE = AttrCode.ATOMIC_AGGREGATE;
const AGGREGATOR = AttrCode.AGGREGATOR;
const COMMUNITIES = AttrCode.COMMUNITIES;
const ORIGINATOR_ID = AttrCode.ORIGINATOR_ID;
const CLUSTER_LIST = AttrCode.CLUSTER_LIST;
const MP_REACH = AttrCode.MP_REACH_NLRI;
const MP_UNREACH = AttrCode.MP_UNREACH_NLRI;
const EXT_COMMUNITIES = AttrCode.EXTENDED_COMMUNITIES;
const AS4_PATH = AttrCode.AS4_PATH;
const AS4_AGGREGATOR = AttrCode.AS4_AGGREGATOR;
const LARGE_COMMUNITIES = AttrCode.LARGE_COMMUNITIES;
const EXT_LEN = AttrFlag.EXTENDED_LENGTH;
const OPT = AttrFlag.OPTIONAL;
const OT_MASK = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const EXPECTED = new Int16Array(256).fill(-1);
for (const [code, f] of EXPECTED_FLAGS) EXPECTED[code] = f;
/** Per-call scratch for duplicate detection; cleared for the codes used before returning. */
const SEEN = new Uint8Array(256);

/** Bits of `mandatory` in ParsedAttributes. */
export const SEEN_ORIGIN = 1;
export const SEEN_AS_PATH = 2;
export const SEEN_NEXT_HOP = 4;

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
  const codes: number[] = [];
  try {
    return parseInto(msg, start, end, ctx, attributes, problems, codes);
  } finally {
    for (const c of codes) SEEN[c] = 0;
  }
}

function parseInto(
  msg: Buffer,
  start: number,
  end: number,
  ctx: DecodeContext,
  attributes: PathAttribute[],
  problems: UpdateProblem[],
  codes: number[],
): ParsedAttributes {
  let nextHop: string | undefined;
  let mpReach: ParsedAttributes['mpReach'];
  let mpUnreach: ParsedAttributes['mpUnreach'];
  let mandatory = 0;

  let o = start;
  while (o < end) {
    const hStart = o;
    // RFC 7606 §4: fewer than 3 bytes left, or an attribute overrunning the field → treat-as-withdraw, and the
    // Total Path Attribute Length locates the NLRI.
    if (end - o < 3) {
      addProblem(problems, 'treat-as-withdraw', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, undefined, 'truncated attribute header');
      break;
    }
    const flags = msg[o] as number;
    const code = msg[o + 1] as number;
    const ext = (flags & EXT_LEN) !== 0;
    if (ext && end - o < 4) {
      addProblem(problems, 'treat-as-withdraw', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, code, 'truncated attribute header');
      break;
    }
    const len = ext ? msg.readUInt16BE(o + 2) : (msg[o + 2] as number);
    o += ext ? 4 : 3;
    if (o + len > end) {
      addProblem(problems, 'treat-as-withdraw', UpdateSubcode.ATTRIBUTE_LENGTH, code, `attribute ${code} overruns the attribute list`);
      break;
    }
    const vs = o;
    const ve = o + len;
    o = ve;

    if (SEEN[code] === 1) {
      // RFC 7606 §3 (g): a repeated MP_REACH/MP_UNREACH → Malformed Attribute List (session reset); any other
      // repeated attribute: keep the first, discard the others.
      if (code === MP_REACH || code === MP_UNREACH) {
        throw new BgpMessageError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} repeated`);
      }
      addProblem(problems, 'attribute-discard', UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, code, `attribute ${code} repeated`);
      continue;
    }
    SEEN[code] = 1;
    codes.push(code);
    if (code <= NEXT_HOP) mandatory |= 1 << (code - 1); // ORIGIN 1, AS_PATH 2, NEXT_HOP 4 (= SEEN_* bits)

    const expected = EXPECTED[code] as number;
    if (expected < 0) {
      // RFC 4271 §6.3: an unrecognized well-known attribute → Unrecognized Well-known Attribute (session reset;
      // RFC 7606 does not soften it). Unknown optional attributes are kept raw (RFC 4271 §5).
      if ((flags & OPT) === 0) {
        throw new BgpMessageError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.UNRECOGNIZED_WELL_KNOWN,
          `unrecognized well-known attribute ${code}`,
          {
            data: attrData(msg, hStart, ve),
          },
        );
      }
      attributes.push({ type: 'unknown', flags, code, value: Buffer.from(msg.subarray(vs, ve)) });
      continue;
    }
    const isMp = code === MP_REACH || code === MP_UNREACH;
    if ((flags & OT_MASK) !== expected) {
      // RFC 7606 §3 (c): Optional/Transitive bits in conflict → treat-as-withdraw. MP attributes are still parsed
      // below so that their NLRI can be withdrawn (RFC 7606 §5.3).
      addProblem(problems, 'treat-as-withdraw', UpdateSubcode.ATTRIBUTE_FLAGS, code, `attribute ${code} has flags 0x${flags.toString(16)}`);
      if (!isMp) continue;
    }

    switch (code) {
      case ORIGIN: {
        // RFC 7606 §7.1: wrong length or undefined value → treat-as-withdraw (3/5, 3/6 in RFC 4271 §6.3).
        if (len !== 1) lengthProblem(problems, 'treat-as-withdraw', code, `length ${len}, expected 1`);
        else if ((msg[vs] as number) > 2)
          addProblem(problems, 'treat-as-withdraw', UpdateSubcode.INVALID_ORIGIN, code, `ORIGIN value ${msg[vs]}`);
        else attributes.push({ type: 'origin', flags, origin: msg[vs] as 0 | 1 | 2 });
        break;
      }
      case AS_PATH: {
        // RFC 7606 §7.2: malformed AS_PATH → treat-as-withdraw (3/11); RFC 7607 §2: AS 0 likewise.
        const segs = decodeSegments(msg, vs, ve, ctx.fourOctetAsn ? 4 : 2);
        if (typeof segs === 'string') addProblem(problems, 'treat-as-withdraw', UpdateSubcode.MALFORMED_AS_PATH, code, `AS_PATH: ${segs}`);
        else attributes.push({ type: 'as-path', flags, segments: segs });
        break;
      }
      case NEXT_HOP: {
        // RFC 7606 §7.3: length other than 4 → treat-as-withdraw. RFC 4271 §6.3: a syntactically incorrect next
        // hop (0.0.0.0, class D/E, broadcast) → Invalid NEXT_HOP, treat-as-withdraw under RFC 7606 §7.3.
        if (len !== 4) {
          lengthProblem(problems, 'treat-as-withdraw', code, `length ${len}, expected 4`);
          break;
        }
        const first = msg[vs] as number;
        if (msg.readUInt32BE(vs) === 0 || first >= 224) {
          addProblem(
            problems,
            'treat-as-withdraw',
            UpdateSubcode.INVALID_NEXT_HOP,
            code,
            `NEXT_HOP ${ipv4Text(msg, vs)} is not a unicast address`,
          );
          break;
        }
        nextHop = ipv4Text(msg, vs);
        attributes.push({ type: 'next-hop', flags, nextHop });
        break;
      }
      case MED:
        // RFC 7606 §7.4
        if (len !== 4) lengthProblem(problems, 'treat-as-withdraw', code, `length ${len}, expected 4`);
        else attributes.push({ type: 'med', flags, med: msg.readUInt32BE(vs) });
        break;
      case LOCAL_PREF:
        // RFC 7606 §7.5 (ignoring it from an external peer is the session's decision)
        if (len !== 4) lengthProblem(problems, 'treat-as-withdraw', code, `length ${len}, expected 4`);
        else attributes.push({ type: 'local-pref', flags, localPref: msg.readUInt32BE(vs) });
        break;
      case ATOMIC_AGGREGATE:
        // RFC 7606 §7.6: length other than 0 → attribute discard.
        if (len !== 0) lengthProblem(problems, 'attribute-discard', code, `length ${len}, expected 0`);
        else attributes.push({ type: 'atomic-aggregate', flags });
        break;
      case AGGREGATOR: {
        // RFC 7606 §7.7: length other than 6 (2-octet session) or 8 (4-octet) → attribute discard;
        // RFC 7607 §2: AS 0 likewise.
        const want = ctx.fourOctetAsn ? 8 : 6;
        if (len !== want) {
          lengthProblem(problems, 'attribute-discard', code, `length ${len}, expected ${want}`);
          break;
        }
        const asn = ctx.fourOctetAsn ? msg.readUInt32BE(vs) : msg.readUInt16BE(vs);
        if (asn === 0) addProblem(problems, 'attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AGGREGATOR AS 0');
        else attributes.push({ type: 'aggregator', flags, asn, address: ipv4Text(msg, vs + want - 4) });
        break;
      }
      case COMMUNITIES: {
        // RFC 7606 §7.8: length zero or not a multiple of 4 → treat-as-withdraw.
        if (len === 0 || len % 4 !== 0) {
          lengthProblem(problems, 'treat-as-withdraw', code, `length ${len} is not a non-zero multiple of 4`);
          break;
        }
        const communities: number[] = [];
        for (let i = 0; i < len; i += 4) communities.push(msg.readUInt32BE(vs + i));
        attributes.push({ type: 'communities', flags, communities });
        break;
      }
      case ORIGINATOR_ID:
        // RFC 7606 §7.9
        if (len !== 4) lengthProblem(problems, 'treat-as-withdraw', code, `length ${len}, expected 4`);
        else attributes.push({ type: 'originator-id', flags, originatorId: ipv4Text(msg, vs) });
        break;
      case CLUSTER_LIST: {
        // RFC 7606 §7.10
        if (len === 0 || len % 4 !== 0) {
          lengthProblem(problems, 'treat-as-withdraw', code, `length ${len} is not a non-zero multiple of 4`);
          break;
        }
        const clusterIds: string[] = [];
        for (let i = 0; i < len; i += 4) clusterIds.push(ipv4Text(msg, vs + i));
        attributes.push({ type: 'cluster-list', flags, clusterIds });
        break;
      }
      case MP_REACH: {
        const r = parseMpReach(msg, vs, ve, ctx, flags);
        if (r === undefined) {
          attributes.push({ type: 'unknown', flags, code, value: Buffer.from(msg.subarray(vs, ve)) });
          break;
        }
        const info = r.info;
        mpReach =
          info.nextHopLinkLocal === undefined
            ? {
                afi: info.afi,
                safi: info.safi,
                family: info.family,
                nextHop: info.nextHop,
                start: r.start,
                end: ve,
                index: attributes.length,
              }
            : { ...info, start: r.start, end: ve, index: attributes.length };
        attributes.push(r.attr);
        break;
      }
      case MP_UNREACH: {
        // RFC 4760 §4 / RFC 7606 §7.12: too short or unparsable NLRI → session reset (Optional Attribute Error).
        if (len < 3) throw mpError(msg, hStart, ve, `MP_UNREACH_NLRI of ${len} bytes`);
        const afi = msg.readUInt16BE(vs);
        const safi = msg[vs + 2] as number;
        const family = familyOf(afi, safi);
        if (family === undefined) {
          attributes.push({ type: 'unknown', flags, code, value: Buffer.from(msg.subarray(vs, ve)) });
          break;
        }
        const bad = checkNlri(msg, vs + 3, ve, family, ctx.addPath[family]);
        if (bad !== undefined) throw mpError(msg, hStart, ve, `MP_UNREACH_NLRI: ${bad}`);
        mpUnreach = { afi, safi, family, start: vs + 3, end: ve, index: attributes.length };
        attributes.push({ type: 'mp-unreach', flags, afi, safi, nlri: [] });
        break;
      }
      case EXT_COMMUNITIES: {
        // RFC 7606 §7.14: length not a non-zero multiple of 8 → treat-as-withdraw.
        if (len === 0 || len % 8 !== 0) {
          lengthProblem(problems, 'treat-as-withdraw', code, `length ${len} is not a non-zero multiple of 8`);
          break;
        }
        const communities: string[] = [];
        for (let i = 0; i < len; i += 8) communities.push(msg.toString('hex', vs + i, vs + i + 8));
        attributes.push({ type: 'extended-communities', flags, communities });
        break;
      }
      case AS4_PATH: {
        // RFC 6793 §6: from a NEW speaker AS4_PATH is discarded; a malformed one is discarded
        // (RFC 7607 §2: AS 0 included).
        if (ctx.fourOctetAsn) {
          addProblem(problems, 'attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_PATH from a 4-octet ASN speaker');
          break;
        }
        const segs = decodeSegments(msg, vs, ve, 4);
        if (typeof segs === 'string')
          addProblem(problems, 'attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, `AS4_PATH: ${segs}`);
        else attributes.push({ type: 'as4-path', flags, segments: segs });
        break;
      }
      case AS4_AGGREGATOR: {
        // RFC 6793 §6 as for AS4_PATH; length must be 8.
        if (ctx.fourOctetAsn) {
          addProblem(problems, 'attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_AGGREGATOR from a 4-octet ASN speaker');
        } else if (len !== 8) {
          lengthProblem(problems, 'attribute-discard', code, `length ${len}, expected 8`);
        } else if (msg.readUInt32BE(vs) === 0) {
          addProblem(problems, 'attribute-discard', UpdateSubcode.OPTIONAL_ATTRIBUTE, code, 'AS4_AGGREGATOR AS 0');
        } else {
          attributes.push({ type: 'as4-aggregator', flags, asn: msg.readUInt32BE(vs), address: ipv4Text(msg, vs + 4) });
        }
        break;
      }
      case LARGE_COMMUNITIES: {
        // RFC 8092 §6: length not a non-zero multiple of 12 → treat-as-withdraw.
        if (len === 0 || len % 12 !== 0) {
          lengthProblem(problems, 'treat-as-withdraw', code, `length ${len} is not a non-zero multiple of 12`);
          break;
        }
        const communities: [number, number, number][] = [];
        for (let i = 0; i < len; i += 12)
          communities.push([msg.readUInt32BE(vs + i), msg.readUInt32BE(vs + i + 4), msg.readUInt32BE(vs + i + 8)]);
        attributes.push({ type: 'large-communities', flags, communities });
        break;
      }
    }
  }
  return { attributes, nextHop, mpReach, mpUnreach, problems, mandatory };
}
