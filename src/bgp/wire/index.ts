// The BGP wire codec: pure, synchronous, bytes in → values out and back. Public API (stable):
//
// Framing      Framer (push(chunk) → whole messages; RFC 4271 §6.1 header checks; setExtendedMessages for RFC 8654),
//              checkHeader, messageType.
// Decoding     decodeMessage(msg, ctx) → BgpMessage (discriminated by `type`), or per type: decodeOpen,
//              decodeUpdate (convenient: values + RFC 7606 flags), walkUpdate (fast: visitor callbacks, numeric IPv4
//              prefixes, no object per prefix), decodeNotification, decodeKeepalive, decodeRouteRefresh.
//              DecodeContext says what was negotiated (4-octet ASN, ADD-PATH receive per family, extended messages).
// Encoding     encodeOpen, encodeUpdate, encodePackedIpv4Updates / encodePackedIpv4Withdrawals (≈800 /32 per
//              4096-byte UPDATE), encodeEndOfRib, encodeKeepalive, encodeNotification (+ RFC 9003 shutdown message),
//              notificationFor(BgpMessageError), encodeRouteRefresh, basicAttributes.
// Errors       BgpMessageError {code: 'BGP_MESSAGE_ERROR', notificationCode, notificationSubcode, data, action};
//              only session-reset errors are thrown by decoders. BgpEncodeError for impossible encodings.
// Attributes   mergeAs4Path (RFC 6793 §4.2.3), asPathLength (best-path length), flattenAsPath.
// Names        describeNotification(code, subcode).
export * from './constants.js';
export { BgpMessageError, BgpEncodeError, type ErrorAction, type UpdateProblem } from './error.js';
export { Framer, checkHeader, type FramerOptions } from './framer.js';
export { messageType } from './header.js';
export { ipv4Text, ipv6Text, isIpv4Mapped } from './address.js';
export type { Capability, AfiSafi, AddPathMode } from './capabilities.js';
export { decodeOpen, encodeOpen, type OpenMessage, type OpenInput } from './open.js';
export type {
  AsPathSegment,
  AsPathSegmentType,
  Nlri,
  PathAttribute,
  PathAttributeType,
  MpReachAttribute,
  MpUnreachAttribute,
  MpReachInfo,
  MpUnreachInfo,
} from './attributes.js';
export { DEFAULT_CONTEXT, type DecodeContext } from './decode-context.js';
export { readIpv4Prefix, readIpv6Prefix, type NlriInput } from './nlri.js';
export { decodeUpdate, walkUpdate, type UpdateMessage, type UpdateHeader, type UpdateVisitor, type UpdatePart } from './update-decode.js';
export {
  encodeUpdate,
  encodeEndOfRib,
  encodePackedIpv4Updates,
  encodePackedIpv4Withdrawals,
  basicAttributes,
  type UpdateInput,
  type MpReachInput,
  type MpUnreachInput,
  type BasicAttributesInput,
  type Ipv4PrefixNumber,
  type PackOptions,
} from './update-encode.js';
export { encodeAttribute } from './attribute-encode.js';
export { asPathLength, mergeAs4Path, flattenAsPath } from './as-path.js';
export {
  decodeNotification,
  encodeNotification,
  notificationFor,
  type NotificationMessage,
  type NotificationInput,
} from './notification.js';
export { describeNotification } from './notification-names.js';
export { encodeKeepalive, decodeKeepalive } from './keepalive.js';
export { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage, type RouteRefreshSubtype } from './route-refresh.js';
export { decodeMessage, type BgpMessage } from './message.js';
