// Numbers on the wire: message types, attribute and capability codes, AFI/SAFI, NOTIFICATION codes.
import type { Family } from '../../net/address.js';

/** RFC 4271 §4.1 message types; ROUTE-REFRESH from RFC 2918. */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** RFC 4271 §4.1: 16-byte marker, 2-byte length, 1-byte type. */
export const HEADER_LENGTH = 19;
/** RFC 4271 §4: maximum message size without RFC 8654. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 §3: maximum message size once extended messages are negotiated. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** Minimum lengths per message type (RFC 4271 §4.2–§4.4, RFC 2918 §3). */
export const MIN_OPEN_LENGTH = 29;
export const MIN_UPDATE_LENGTH = 23;
export const MIN_NOTIFICATION_LENGTH = 21;
export const KEEPALIVE_LENGTH = 19;
export const ROUTE_REFRESH_LENGTH = 23;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MED: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITIES: 32,
} as const;

/** Attribute flag bits (RFC 4271 §4.3). */
export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** Capability codes (IANA "Capability Codes"). */
export const CapCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_ASN: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GR: 71,
  FQDN: 73,
  CISCO_ROUTE_REFRESH: 128,
} as const;

export const Afi = { IPV4: 1, IPV6: 2 } as const;
export const Safi = { UNICAST: 1 } as const;

/** The unicast families we speak, from their AFI/SAFI (RFC 4760 §5); anything else is undefined. */
export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.UNICAST) return undefined;
  return afi === Afi.IPV4 ? 'ipv4' : afi === Afi.IPV6 ? 'ipv6' : undefined;
}

export const afiOf = (f: Family): number => (f === 'ipv4' ? Afi.IPV4 : Afi.IPV6);

/** RFC 6793 §9: the 2-octet placeholder for a 4-octet ASN. */
export const AS_TRANS = 23456;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313, RFC 9687). */
export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  ROUTE_REFRESH: 7,
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

/** RFC 4271 §6.1 */
export const HeaderSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** RFC 4271 §6.2, RFC 5492 §5 (7), RFC 9234 (11). */
export const OpenSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

/** RFC 4271 §6.3 */
export const UpdateSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN: 2,
  MISSING_WELL_KNOWN: 3,
  ATTRIBUTE_FLAGS: 4,
  ATTRIBUTE_LENGTH: 5,
  INVALID_ORIGIN: 6,
  INVALID_NEXT_HOP: 8,
  OPTIONAL_ATTRIBUTE: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** RFC 4486 §4, RFC 8538 (9), RFC 9384 (10). */
export const CeaseSubcode = {
  MAX_PREFIXES: 1,
  ADMIN_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMIN_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIG_CHANGE: 6,
  CONNECTION_COLLISION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** RFC 6608 §4 */
export const FsmSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_IN_OPENSENT: 1,
  UNEXPECTED_IN_OPENCONFIRM: 2,
  UNEXPECTED_IN_ESTABLISHED: 3,
} as const;
