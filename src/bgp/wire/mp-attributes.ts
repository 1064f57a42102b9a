// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3–§4) parsing helpers: family, next hop, session-reset errors.
import { AttrFlag, ErrorCode, UpdateSubcode, familyOf } from './constants.js';
import { BgpMessageError } from './error.js';
import type { MpReachInfo, PathAttribute } from './attributes.js';
import { ipv4Text, ipv6Text } from './address.js';
import { checkNlri } from './nlri.js';
import type { DecodeContext } from './decode-context.js';
import type { Family } from '../../net/address.js';

function attrData(msg: Buffer, start: number, end: number): Buffer {
  return Buffer.from(msg.subarray(start, end));
}

export function mpError(msg: Buffer, hStart: number, end: number, why: string): BgpMessageError {
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

export function parseMpReach(
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
