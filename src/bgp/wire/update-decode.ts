// UPDATE decoding (RFC 4271 §4.3, §6.3; RFC 4760; RFC 7606; RFC 7911): a fast visitor walk and a convenient
// object form built on the same checks.
import { AttrCode, ErrorCode, HEADER_LENGTH, HeaderSubcode, MIN_UPDATE_LENGTH, UpdateSubcode } from './constants.js';
import { BgpMessageError, type UpdateProblem } from './error.js';
import type { MpReachAttribute, MpReachInfo, MpUnreachAttribute, MpUnreachInfo, Nlri, PathAttribute } from './attributes.js';
import { parseAttributes, SEEN_AS_PATH, SEEN_NEXT_HOP, SEEN_ORIGIN, type ParsedAttributes } from './attribute-decode.js';
import { checkNlri, decodeNlri, readIpv4Prefix } from './nlri.js';
import type { DecodeContext } from './decode-context.js';
import type { Family } from '../../net/address.js';

/** What the visitor learns once per UPDATE, before any prefix. */
export interface UpdateHeader {
  /** Path attributes in wire order, MP_REACH_NLRI / MP_UNREACH_NLRI excluded (their NLRI come as callbacks). */
  readonly attributes: readonly PathAttribute[];
  /** The NEXT_HOP attribute (for IPv4 NLRI in the NLRI field). */
  readonly nextHop: string | undefined;
  readonly mpReach: MpReachInfo | undefined;
  readonly mpUnreach: MpUnreachInfo | undefined;
  /** RFC 7606: every announced prefix of this UPDATE is delivered as a withdrawal. */
  readonly treatAsWithdraw: UpdateProblem | undefined;
  /** Attributes dropped under RFC 7606 attribute-discard (and treat-as-withdraw causes). */
  readonly problems: readonly UpdateProblem[];
  /** RFC 4724 §2 End-of-RIB marker. */
  readonly endOfRib: Family | undefined;
}

/** The parts of an UPDATE that carry prefixes, in the order walkUpdate reports them. */
export type UpdatePart = 'withdrawn' | 'mp-unreach' | 'nlri' | 'mp-reach';

/**
 * Callbacks of walkUpdate. IPv4 prefixes arrive as a 32-bit unsigned address (host bits cleared) and a length;
 * IPv6 prefixes as the buffer, the offset of their ceil(len/8) significant bytes, and the length. No object is
 * created per prefix. Order: header, withdrawals (withdrawn field, then MP_UNREACH), announcements (NLRI field,
 * then MP_REACH) – or, under treat-as-withdraw, those announcements as withdrawals.
 */
export interface UpdateVisitor {
  header(h: UpdateHeader): void;
  /**
   * Optional: called before the prefixes of each non-empty part, so a consumer can tell NLRI-field prefixes
   * (next hop = NEXT_HOP) from MP_REACH_NLRI prefixes (next hop = the MP next hop, e.g. RFC 8950 IPv6 for IPv4).
   */
  section?(part: UpdatePart): void;
  withdrawIpv4(addr: number, len: number, pathId: number): void;
  announceIpv4(addr: number, len: number, pathId: number): void;
  withdrawIpv6(buf: Buffer, off: number, len: number, pathId: number): void;
  announceIpv6(buf: Buffer, off: number, len: number, pathId: number): void;
}

export interface UpdateMessage {
  readonly withdrawn: readonly Nlri[];
  /** Every accepted attribute in wire order, MP_REACH/MP_UNREACH included (with their NLRI). */
  readonly attributes: readonly PathAttribute[];
  readonly nlri: readonly Nlri[];
  readonly mpReach?: MpReachAttribute;
  readonly mpUnreach?: MpUnreachAttribute;
  readonly endOfRib?: Family;
  /** RFC 7606 §2: set when every announced prefix here must be handled as withdrawn. */
  readonly treatAsWithdraw?: UpdateProblem;
  /** Attributes dropped (RFC 7606 attribute-discard). */
  readonly discarded: readonly UpdateProblem[];
}

interface Layout {
  readonly wStart: number;
  readonly wEnd: number;
  readonly aStart: number;
  readonly aEnd: number;
  readonly nEnd: number;
  readonly parsed: ParsedAttributes;
  readonly treatAsWithdraw: UpdateProblem | undefined;
  readonly endOfRib: Family | undefined;
}

const networkError = (why: string): BgpMessageError =>
  // RFC 4271 §6.3 and RFC 7606 §5.3: a syntactically incorrect NLRI or Withdrawn Routes field → Invalid Network
  // Field, session reset (the prefixes cannot be located, so treat-as-withdraw is impossible).
  new BgpMessageError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD, why);

function layout(msg: Buffer, ctx: DecodeContext): Layout {
  const total = msg.length;
  if (total < MIN_UPDATE_LENGTH) {
    throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `UPDATE of ${total} bytes is too short`, {
      data: Buffer.from([total >> 8, total & 255]),
    });
  }
  const wl = msg.readUInt16BE(HEADER_LENGTH);
  const wStart = HEADER_LENGTH + 2;
  const wEnd = wStart + wl;
  // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 > message length → Malformed Attribute List.
  if (wEnd + 2 > total) {
    throw new BgpMessageError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `withdrawn routes length ${wl} overruns the message`,
    );
  }
  const al = msg.readUInt16BE(wEnd);
  const aStart = wEnd + 2;
  const aEnd = aStart + al;
  if (aEnd > total) {
    throw new BgpMessageError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `total attribute length ${al} overruns the message`,
    );
  }
  const bad = checkNlri(msg, wStart, wEnd, 'ipv4', ctx.addPath.ipv4);
  if (bad !== undefined) throw networkError(`withdrawn routes: ${bad}`);
  const badN = checkNlri(msg, aEnd, total, 'ipv4', ctx.addPath.ipv4);
  if (badN !== undefined) throw networkError(`NLRI: ${badN}`);

  const parsed = parseAttributes(msg, aStart, aEnd, ctx);
  const problems = parsed.problems;
  if (aEnd === total) {
    // RFC 4760 §3: without NLRI in the NLRI field a NEXT_HOP attribute SHOULD be ignored, so a malformed one
    // only costs the attribute (RFC 7606 §7.3 defers to this).
    for (let i = 0; i < problems.length; i++) {
      const p = problems[i] as UpdateProblem;
      if (p.attribute === AttrCode.NEXT_HOP && p.action === 'treat-as-withdraw') problems[i] = { ...p, action: 'attribute-discard' };
    }
  }
  let treatAsWithdraw: UpdateProblem | undefined;
  for (const p of problems) if (p.action === 'treat-as-withdraw') treatAsWithdraw ??= p;
  // RFC 4271 §6.3 / RFC 7606 §3 (d): missing well-known mandatory attributes when there is something to announce.
  if (treatAsWithdraw === undefined) {
    const hasNlri = aEnd < total;
    const hasMpNlri = parsed.mpReach !== undefined && parsed.mpReach.start < parsed.mpReach.end;
    if (hasNlri || hasMpNlri) {
      const m = parsed.mandatory;
      const missing =
        (m & SEEN_ORIGIN) === 0
          ? AttrCode.ORIGIN
          : (m & SEEN_AS_PATH) === 0
            ? AttrCode.AS_PATH
            : hasNlri && (m & SEEN_NEXT_HOP) === 0
              ? AttrCode.NEXT_HOP
              : undefined;
      if (missing !== undefined) {
        treatAsWithdraw = {
          action: 'treat-as-withdraw',
          code: ErrorCode.UPDATE_MESSAGE,
          subcode: UpdateSubcode.MISSING_WELL_KNOWN,
          attribute: missing,
          reason: `missing well-known attribute ${missing}`,
        };
        problems.push(treatAsWithdraw);
      }
    }
  }
  // RFC 4724 §2: End-of-RIB is an UPDATE with nothing in it (IPv4) or only an empty MP_UNREACH_NLRI.
  let endOfRib: Family | undefined;
  if (wl === 0 && aEnd === total && parsed.mpReach === undefined) {
    if (al === 0) endOfRib = 'ipv4';
    else if (parsed.mpUnreach !== undefined && parsed.mpUnreach.start === parsed.mpUnreach.end) endOfRib = parsed.mpUnreach.family;
  }
  return { wStart, wEnd, aStart, aEnd, nEnd: total, parsed, treatAsWithdraw, endOfRib };
}

/** Reports the IPv4 NLRI field [start, end) (already checked) to the visitor. */
function walkIpv4(msg: Buffer, start: number, end: number, addPath: boolean, v: UpdateVisitor, announce: boolean): void {
  let o = start;
  const step = addPath ? 5 : 1;
  while (o < end) {
    const pathId = addPath ? msg.readUInt32BE(o) : 0;
    const len = msg[o + step - 1] as number;
    const p = o + step;
    let addr: number;
    if (len === 32) {
      // The common host route: four whole bytes.
      addr = (((msg[p] as number) << 24) | ((msg[p + 1] as number) << 16) | ((msg[p + 2] as number) << 8) | (msg[p + 3] as number)) >>> 0;
    } else {
      addr = readIpv4Prefix(msg, p, len);
    }
    if (announce) v.announceIpv4(addr, len, pathId);
    else v.withdrawIpv4(addr, len, pathId);
    o = p + ((len + 7) >> 3);
  }
}

/** Reports the IPv6 NLRI field [start, end) (already checked) to the visitor. */
function walkIpv6(msg: Buffer, start: number, end: number, addPath: boolean, v: UpdateVisitor, announce: boolean): void {
  let o = start;
  const step = addPath ? 5 : 1;
  while (o < end) {
    const pathId = addPath ? msg.readUInt32BE(o) : 0;
    const len = msg[o + step - 1] as number;
    const p = o + step;
    if (announce) v.announceIpv6(msg, p, len, pathId);
    else v.withdrawIpv6(msg, p, len, pathId);
    o = p + ((len + 7) >> 3);
  }
}

function walkFamily(
  msg: Buffer,
  start: number,
  end: number,
  family: Family,
  ctx: DecodeContext,
  v: UpdateVisitor,
  announce: boolean,
  part: UpdatePart,
): void {
  if (start >= end) return;
  v.section?.(part);
  if (family === 'ipv4') walkIpv4(msg, start, end, ctx.addPath.ipv4, v, announce);
  else walkIpv6(msg, start, end, ctx.addPath.ipv6, v, announce);
}

/**
 * The fast path: checks the whole UPDATE first (a session-reset error throws before any callback), then reports
 * it through the visitor. Returns the header it passed to `visitor.header`.
 */
export function walkUpdate(msg: Buffer, ctx: DecodeContext, v: UpdateVisitor): UpdateHeader {
  const l = layout(msg, ctx);
  const p = l.parsed;
  const header: UpdateHeader = {
    attributes:
      p.mpReach === undefined && p.mpUnreach === undefined
        ? p.attributes
        : p.attributes.filter((a) => a.type !== 'mp-reach' && a.type !== 'mp-unreach'),
    nextHop: p.nextHop,
    mpReach: p.mpReach,
    mpUnreach: p.mpUnreach,
    treatAsWithdraw: l.treatAsWithdraw,
    problems: p.problems,
    endOfRib: l.endOfRib,
  };
  v.header(header);
  walkFamily(msg, l.wStart, l.wEnd, 'ipv4', ctx, v, false, 'withdrawn');
  const un = p.mpUnreach;
  if (un !== undefined) walkFamily(msg, un.start, un.end, un.family, ctx, v, false, 'mp-unreach');
  const announce = l.treatAsWithdraw === undefined;
  walkFamily(msg, l.aEnd, l.nEnd, 'ipv4', ctx, v, announce, 'nlri');
  const re = p.mpReach;
  if (re !== undefined) walkFamily(msg, re.start, re.end, re.family, ctx, v, announce, 'mp-reach');
  return header;
}

/**
 * The convenient path: the whole UPDATE as values. Throws BgpMessageError only for session-reset errors;
 * RFC 7606 treat-as-withdraw and attribute-discard are reported in the result.
 */
export function decodeUpdate(msg: Buffer, ctx: DecodeContext): UpdateMessage {
  const l = layout(msg, ctx);
  const p = l.parsed;
  const attributes = p.attributes.slice();
  let mpReach: MpReachAttribute | undefined;
  let mpUnreach: MpUnreachAttribute | undefined;
  if (p.mpReach !== undefined) {
    const base = attributes[p.mpReach.index] as MpReachAttribute;
    mpReach = { ...base, nlri: decodeNlri(msg, p.mpReach.start, p.mpReach.end, p.mpReach.family, ctx.addPath[p.mpReach.family]) };
    attributes[p.mpReach.index] = mpReach;
  }
  if (p.mpUnreach !== undefined) {
    const base = attributes[p.mpUnreach.index] as MpUnreachAttribute;
    mpUnreach = { ...base, nlri: decodeNlri(msg, p.mpUnreach.start, p.mpUnreach.end, p.mpUnreach.family, ctx.addPath[p.mpUnreach.family]) };
    attributes[p.mpUnreach.index] = mpUnreach;
  }
  const out: {
    -readonly [K in keyof UpdateMessage]: UpdateMessage[K];
  } = {
    withdrawn: decodeNlri(msg, l.wStart, l.wEnd, 'ipv4', ctx.addPath.ipv4),
    attributes,
    nlri: decodeNlri(msg, l.aEnd, l.nEnd, 'ipv4', ctx.addPath.ipv4),
    discarded: p.problems.filter((x) => x.action === 'attribute-discard'),
  };
  if (mpReach !== undefined) out.mpReach = mpReach;
  if (mpUnreach !== undefined) out.mpUnreach = mpUnreach;
  if (l.endOfRib !== undefined) out.endOfRib = l.endOfRib;
  if (l.treatAsWithdraw !== undefined) out.treatAsWithdraw = l.treatAsWithdraw;
  return out;
}
