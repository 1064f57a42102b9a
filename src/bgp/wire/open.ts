// OPEN message (RFC 4271 §4.2) with capabilities (RFC 5492) and extended optional parameters (RFC 9072).
import { AS_TRANS, ErrorCode, HEADER_LENGTH, HeaderSubcode, MessageType, MIN_OPEN_LENGTH, OpenSubcode } from './constants.js';
import { BgpEncodeError, BgpMessageError } from './error.js';
import { decodeCapability, encodeCapability, type Capability } from './capabilities.js';
import { ipv4Text, writeIpv4 } from './address.js';
import { frameMessage } from './header.js';

/** Optional parameter type 2 = Capabilities (RFC 5492 §4). */
const PARAM_CAPABILITIES = 2;
/** RFC 9072 §2: Non-Ext OP Type value that announces the extended encoding. */
const PARAM_EXTENDED = 255;

export interface OpenMessage {
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN does not fit). */
  readonly myAsn: number;
  /** The speaker's ASN: the 4-octet ASN capability value when present (RFC 6793 §4.1), else myAsn. */
  readonly asn: number;
  readonly holdTime: number;
  /** BGP Identifier as a dotted quad. */
  readonly routerId: string;
  readonly capabilities: readonly Capability[];
  /** How many capabilities each Capabilities optional parameter held, in order (for byte-exact re-encoding). */
  readonly capabilityGroups: readonly number[];
  /** True when the RFC 9072 extended optional parameters encoding was used. */
  readonly extendedParameters: boolean;
}

export interface OpenInput {
  readonly version?: number;
  /** ASN (4 octets allowed; the 2-octet field gets AS_TRANS when it does not fit). */
  readonly asn: number;
  /** Override of the 2-octet My Autonomous System field. */
  readonly myAsn?: number;
  readonly holdTime: number;
  readonly routerId: string;
  readonly capabilities: readonly Capability[];
  /** Capabilities per optional parameter; default one capability per parameter. */
  readonly capabilityGroups?: readonly number[];
  /** Force the RFC 9072 encoding (used automatically when the parameters exceed 255 bytes). */
  readonly extendedParameters?: boolean;
}

function openError(sub: number, why: string, data?: Buffer): BgpMessageError {
  return new BgpMessageError(ErrorCode.OPEN_MESSAGE, sub, why, data === undefined ? {} : { data });
}

/** Decodes a whole OPEN message (header included). Throws BgpMessageError (session reset). */
export function decodeOpen(msg: Buffer): OpenMessage {
  if (msg.length < MIN_OPEN_LENGTH) {
    // RFC 4271 §6.1 (also checked by the framer).
    throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `OPEN of ${msg.length} bytes is too short`, {
      data: Buffer.from([msg.length >> 8, msg.length & 255]),
    });
  }
  let o = HEADER_LENGTH;
  const version = msg[o] as number;
  // RFC 4271 §6.2: Unsupported Version Number, data = the largest version we support (2 octets).
  if (version !== 4) throw openError(OpenSubcode.UNSUPPORTED_VERSION, `BGP version ${version}`, Buffer.from([0, 4]));
  const myAsn = msg.readUInt16BE(o + 1);
  const holdTime = msg.readUInt16BE(o + 3);
  // RFC 4271 §6.2: hold time 1 or 2 is unacceptable (0 or >= 3 are fine).
  if (holdTime === 1 || holdTime === 2) throw openError(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime}`);
  const idNum = msg.readUInt32BE(o + 5);
  // RFC 6286 §2.2 / RFC 4271 §6.2: a zero BGP Identifier is invalid (equality with ours is the session's check).
  if (idNum === 0) throw openError(OpenSubcode.BAD_BGP_IDENTIFIER, 'BGP identifier 0.0.0.0');
  const routerId = ipv4Text(msg, o + 5);
  let optLen = msg[o + 9] as number;
  o += 10;
  let extended = false;
  // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 → 2-octet lengths follow.
  if (optLen === 255 && msg[o] === PARAM_EXTENDED) {
    if (o + 3 > msg.length) throw openError(OpenSubcode.UNSPECIFIC, 'truncated extended optional parameters length');
    optLen = msg.readUInt16BE(o + 1);
    o += 3;
    extended = true;
  }
  const end = o + optLen;
  // RFC 4271 §6.2 / RFC 9072 §3: the parameters must fit the message exactly.
  if (end !== msg.length) {
    throw openError(OpenSubcode.UNSPECIFIC, `optional parameters length ${optLen} does not match the message`);
  }
  const capabilities: Capability[] = [];
  const groups: number[] = [];
  const hdr = extended ? 3 : 2;
  while (o < end) {
    if (o + hdr > end) throw openError(OpenSubcode.UNSPECIFIC, 'truncated optional parameter');
    const ptype = msg[o] as number;
    const plen = extended ? msg.readUInt16BE(o + 1) : (msg[o + 1] as number);
    o += hdr;
    if (o + plen > end) throw openError(OpenSubcode.UNSPECIFIC, `optional parameter ${ptype} overruns the message`);
    // RFC 4271 §6.2: an optional parameter we do not recognise → Unsupported Optional Parameter.
    if (ptype !== PARAM_CAPABILITIES) {
      throw openError(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${ptype}`);
    }
    const pend = o + plen;
    let count = 0;
    while (o < pend) {
      // RFC 5492 §4: code(1) length(1) value.
      if (o + 2 > pend) throw openError(OpenSubcode.UNSPECIFIC, 'truncated capability header');
      const code = msg[o] as number;
      const clen = msg[o + 1] as number;
      if (o + 2 + clen > pend) {
        throw openError(OpenSubcode.UNSPECIFIC, `capability ${code} overruns its optional parameter`, Buffer.from([code]));
      }
      capabilities.push(decodeCapability(code, msg.subarray(o + 2, o + 2 + clen)));
      o += 2 + clen;
      count++;
    }
    groups.push(count);
  }
  const four = capabilities.find((c) => c.type === 'four-octet-asn');
  return {
    version,
    myAsn,
    asn: four ? four.asn : myAsn,
    holdTime,
    routerId,
    capabilities,
    capabilityGroups: groups,
    extendedParameters: extended,
  };
}

/** Encodes an OPEN message (header included). */
export function encodeOpen(input: OpenInput): Buffer {
  const caps = input.capabilities.map(encodeCapability);
  const groups = input.capabilityGroups ?? caps.map(() => 1);
  if (groups.reduce((a, b) => a + b, 0) !== caps.length) {
    throw new BgpEncodeError('capabilityGroups does not add up to the number of capabilities');
  }
  const params: Buffer[] = [];
  let i = 0;
  for (const n of groups) {
    params.push(Buffer.concat(caps.slice(i, i + n)));
    i += n;
  }
  const paramsLen = params.reduce((a, p) => a + 2 + p.length, 0);
  const extended = input.extendedParameters === true || paramsLen > 255;
  const parts: Buffer[] = [];
  const fixed = Buffer.alloc(10);
  fixed[0] = input.version ?? 4;
  const myAsn = input.myAsn ?? (input.asn > 0xffff ? AS_TRANS : input.asn);
  fixed.writeUInt16BE(myAsn, 1);
  fixed.writeUInt16BE(input.holdTime, 3);
  writeIpv4(input.routerId, fixed, 5);
  parts.push(fixed);
  if (extended) {
    const extLen = params.reduce((a, p) => a + 3 + p.length, 0);
    fixed[9] = 255;
    const h = Buffer.alloc(3);
    h[0] = PARAM_EXTENDED;
    h.writeUInt16BE(extLen, 1);
    parts.push(h);
    for (const p of params) {
      const ph = Buffer.alloc(3);
      ph[0] = PARAM_CAPABILITIES;
      ph.writeUInt16BE(p.length, 1);
      parts.push(ph, p);
    }
  } else {
    fixed[9] = paramsLen;
    for (const p of params) {
      if (p.length > 255) throw new BgpEncodeError('optional parameter longer than 255 bytes');
      parts.push(Buffer.from([PARAM_CAPABILITIES, p.length]), p);
    }
  }
  return frameMessage(MessageType.OPEN, Buffer.concat(parts));
}
