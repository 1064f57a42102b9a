// UPDATE encoding: the general encoder, a fast packer for many IPv4 prefixes, and End-of-RIB markers.
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants.js';
import { BgpEncodeError } from './error.js';
import type { AsPathSegment, MpReachAttribute, MpUnreachAttribute, PathAttribute } from './attributes.js';
import { encodeAttribute } from './attribute-encode.js';
import { DEFAULT_CONTEXT, type DecodeContext } from './decode-context.js';
import { encodeNlri, nlriSize, toNlri, type NlriInput } from './nlri.js';
import { allocMessage } from './header.js';
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';

export type MpReachInput = Omit<MpReachAttribute, 'nlri'> & { readonly nlri: readonly NlriInput[] };
export type MpUnreachInput = Omit<MpUnreachAttribute, 'nlri'> & { readonly nlri: readonly NlriInput[] };

export interface UpdateInput {
  /** IPv4 withdrawals (Withdrawn Routes field). */
  readonly withdrawn?: readonly NlriInput[];
  /** Attributes in the order they go on the wire. */
  readonly attributes?: readonly PathAttribute[];
  /** IPv4 announcements (NLRI field). */
  readonly nlri?: readonly NlriInput[];
  /** Added (as the first attribute, RFC 7606 §5.1) unless `attributes` already holds an MP_REACH_NLRI. */
  readonly mpReach?: MpReachInput;
  /** Added (first, RFC 7606 §5.1) unless `attributes` already holds an MP_UNREACH_NLRI. */
  readonly mpUnreach?: MpUnreachInput;
}

function maxLen(ctx: DecodeContext): number {
  return ctx.extendedMessages ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

/** Encodes an UPDATE (header included). Throws BgpEncodeError when it does not fit the maximum length. */
export function encodeUpdate(u: UpdateInput, ctx: DecodeContext = DEFAULT_CONTEXT): Buffer {
  const attrs: PathAttribute[] = [];
  const given = u.attributes ?? [];
  if (u.mpUnreach !== undefined && !given.some((a) => a.type === 'mp-unreach')) {
    attrs.push({ ...u.mpUnreach, type: 'mp-unreach', nlri: u.mpUnreach.nlri.map(toNlri) });
  }
  if (u.mpReach !== undefined && !given.some((a) => a.type === 'mp-reach')) {
    attrs.push({ ...u.mpReach, type: 'mp-reach', nlri: u.mpReach.nlri.map(toNlri) });
  }
  attrs.push(...given);
  const withdrawn = encodeNlri(u.withdrawn ?? [], 'ipv4', ctx.addPath.ipv4);
  const attrBytes = Buffer.concat(attrs.map((a) => encodeAttribute(a, ctx)));
  const nlri = encodeNlri(u.nlri ?? [], 'ipv4', ctx.addPath.ipv4);
  const body = 4 + withdrawn.length + attrBytes.length + nlri.length;
  const msg = allocMessage(MessageType.UPDATE, body, maxLen(ctx));
  let o = HEADER_LENGTH;
  o = msg.writeUInt16BE(withdrawn.length, o);
  o += withdrawn.copy(msg, o);
  o = msg.writeUInt16BE(attrBytes.length, o);
  o += attrBytes.copy(msg, o);
  nlri.copy(msg, o);
  return msg;
}

/** RFC 4724 §2: End-of-RIB for IPv4 unicast (empty UPDATE) or IPv6 unicast (empty MP_UNREACH_NLRI). */
export function encodeEndOfRib(family: Family): Buffer {
  if (family === 'ipv4') return encodeUpdate({});
  return encodeUpdate({ mpUnreach: { type: 'mp-unreach', afi: 2, safi: 1, nlri: [] } });
}

export interface BasicAttributesInput {
  readonly origin?: 0 | 1 | 2;
  /** AS_SEQUENCE of these ASNs (leftmost = nearest). Empty for an iBGP-originated route. */
  readonly asPath: readonly number[];
  /** IPv4 NEXT_HOP; omit for MP-only UPDATEs. */
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly (readonly [number, number, number])[];
}

/** The usual attribute set of a host announcement, in type-code order. */
export function basicAttributes(i: BasicAttributesInput): PathAttribute[] {
  const segments: AsPathSegment[] = i.asPath.length > 0 ? [{ type: 'sequence', asns: i.asPath }] : [];
  const out: PathAttribute[] = [
    { type: 'origin', origin: i.origin ?? 0 },
    { type: 'as-path', segments },
  ];
  if (i.nextHop !== undefined) out.push({ type: 'next-hop', nextHop: i.nextHop });
  if (i.med !== undefined) out.push({ type: 'med', med: i.med });
  if (i.localPref !== undefined) out.push({ type: 'local-pref', localPref: i.localPref });
  if (i.communities !== undefined && i.communities.length > 0) out.push({ type: 'communities', communities: i.communities });
  if (i.largeCommunities !== undefined && i.largeCommunities.length > 0) {
    out.push({ type: 'large-communities', communities: i.largeCommunities });
  }
  return out;
}

/** An IPv4 prefix as numbers: the fast encoders take these (or Prefix values). */
export interface Ipv4PrefixNumber {
  readonly addr: number;
  readonly len: number;
}

export interface PackOptions {
  readonly ctx?: DecodeContext;
  /** Maximum message length (default 4096, or 65535 when ctx.extendedMessages). */
  readonly maxLength?: number;
  /** ADD-PATH path identifier written for every prefix when ctx.addPath.ipv4. */
  readonly pathId?: number;
}

function packIpv4(prefixes: readonly (Prefix | Ipv4PrefixNumber)[], attrBytes: Buffer, withdraw: boolean, opts: PackOptions): Buffer[] {
  const ctx = opts.ctx ?? DEFAULT_CONTEXT;
  const limit = opts.maxLength ?? maxLen(ctx);
  const addPath = ctx.addPath.ipv4;
  const fixed = HEADER_LENGTH + 4 + attrBytes.length;
  if (fixed + nlriSize(32, addPath) > limit) throw new BgpEncodeError('attributes leave no room for a prefix');
  const out: Buffer[] = [];
  const scratch = Buffer.alloc(limit);
  let i = 0;
  while (i < prefixes.length) {
    let o = fixed;
    const from = i;
    while (i < prefixes.length) {
      const p = prefixes[i] as Prefix | Ipv4PrefixNumber;
      if (typeof p.addr === 'bigint' && (p as Prefix).family !== 'ipv4') throw new BgpEncodeError('IPv6 prefix in an IPv4 UPDATE');
      const len = p.len;
      if (len < 0 || len > 32) throw new BgpEncodeError(`bad IPv4 prefix length ${len}`);
      const n = (len + 7) >> 3;
      if (o + (addPath ? 5 : 1) + n > limit) break;
      if (addPath) o = scratch.writeUInt32BE((opts.pathId ?? 0) >>> 0, o);
      scratch[o++] = len;
      const a = Number(p.addr);
      for (let k = 0; k < n; k++) scratch[o + k] = (a >>> (24 - 8 * k)) & 255;
      o += n;
      i++;
    }
    if (i === from) throw new BgpEncodeError('prefix does not fit a message');
    const msg = allocMessage(MessageType.UPDATE, o - HEADER_LENGTH, limit);
    const nl = o - fixed;
    let h = HEADER_LENGTH;
    if (withdraw) {
      h = msg.writeUInt16BE(nl, h);
      scratch.copy(msg, h, fixed, o);
      msg.writeUInt16BE(0, h + nl);
    } else {
      h = msg.writeUInt16BE(0, h);
      h = msg.writeUInt16BE(attrBytes.length, h);
      h += attrBytes.copy(msg, h);
      scratch.copy(msg, h, fixed, o);
    }
    out.push(msg);
  }
  return out;
}

/**
 * Packs IPv4 announcements sharing `attributes` (which must include NEXT_HOP) into as few UPDATEs as fit the
 * maximum message length (about 800 /32s per 4096-byte UPDATE).
 */
export function encodePackedIpv4Updates(
  prefixes: readonly (Prefix | Ipv4PrefixNumber)[],
  attributes: readonly PathAttribute[],
  opts: PackOptions = {},
): Buffer[] {
  if (!attributes.some((a) => a.type === 'next-hop')) throw new BgpEncodeError('IPv4 NLRI need a NEXT_HOP attribute');
  const ctx = opts.ctx ?? DEFAULT_CONTEXT;
  const attrBytes = Buffer.concat(attributes.map((a) => encodeAttribute(a, ctx)));
  return packIpv4(prefixes, attrBytes, false, opts);
}

/** Packs IPv4 withdrawals into as few UPDATEs as fit. */
export function encodePackedIpv4Withdrawals(prefixes: readonly (Prefix | Ipv4PrefixNumber)[], opts: PackOptions = {}): Buffer[] {
  return packIpv4(prefixes, Buffer.alloc(0), true, opts);
}
