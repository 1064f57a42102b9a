// BFD protocol numbers (RFC 5880 §4.1), ports (RFC 5881 §4, RFC 5883 §5) and timer rules.

/** RFC 5881 §4: single-hop control packets go to UDP 3784. */
export const BFD_SINGLE_HOP_PORT = 3784;
/** RFC 5883 §5: multihop control packets go to UDP 4784. */
export const BFD_MULTIHOP_PORT = 4784;
/** RFC 5881 §4: the source port is in 49152–65535. */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
export const BFD_VERSION = 1;
/** RFC 5880 §4.1: the mandatory section without authentication. */
export const BFD_CONTROL_LENGTH = 24;
/** RFC 5881 §5, RFC 5082: single-hop packets are sent, and must arrive, with TTL / hop limit 255. */
export const BFD_TTL = 255;
/** RFC 5880 §6.8.3: while the session is not Up, DesiredMinTxInterval is at least one second. */
export const SLOW_TX_US = 1_000_000;

/** bfd.SessionState values on the wire (RFC 5880 §4.1 "Sta"). */
export const BfdStateCode = { AdminDown: 0, Down: 1, Init: 2, Up: 3 } as const;
export type BfdState = keyof typeof BfdStateCode;
export const BFD_STATES: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** Diagnostic codes (RFC 5880 §4.1 "Diag"). */
export const BfdDiag = {
  NONE: 0,
  CONTROL_DETECTION_TIME_EXPIRED: 1,
  ECHO_FAILED: 2,
  NEIGHBOR_SIGNALED_DOWN: 3,
  FORWARDING_PLANE_RESET: 4,
  PATH_DOWN: 5,
  CONCATENATED_PATH_DOWN: 6,
  ADMIN_DOWN: 7,
  REVERSE_CONCATENATED_PATH_DOWN: 8,
} as const;

const DIAG_TEXT: readonly string[] = [
  'no diagnostic',
  'control detection time expired',
  'echo function failed',
  'neighbor signaled session down',
  'forwarding plane reset',
  'path down',
  'concatenated path down',
  'administratively down',
  'reverse concatenated path down',
];

export function diagText(diag: number): string {
  return DIAG_TEXT[diag] ?? `diagnostic ${diag}`;
}
