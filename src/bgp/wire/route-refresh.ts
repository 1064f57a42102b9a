// ROUTE-REFRESH (RFC 2918 §3) with the enhanced route refresh subtypes (RFC 7313 §3.2).
import { ErrorCode, HEADER_LENGTH, MessageType, ROUTE_REFRESH_LENGTH } from './constants.js';
import { BgpMessageError } from './error.js';
import { frameMessage } from './header.js';

/** RFC 7313 §3.2: 0 normal request, 1 Beginning of Route Refresh, 2 End of Route Refresh. */
export type RouteRefreshSubtype = 'request' | 'borr' | 'eorr';

const SUBTYPES: readonly RouteRefreshSubtype[] = ['request', 'borr', 'eorr'];

export interface RouteRefreshMessage {
  readonly afi: number;
  readonly safi: number;
  /** Undefined for a subtype other than 0–2: RFC 7313 §5 says such a message MUST be ignored. */
  readonly subtype: RouteRefreshSubtype | undefined;
  readonly rawSubtype: number;
}

export function decodeRouteRefresh(msg: Buffer): RouteRefreshMessage {
  // RFC 7313 §5: a length other than 23 → ROUTE-REFRESH Message Error / Invalid Message Length (7/1),
  // data = the complete message.
  if (msg.length !== ROUTE_REFRESH_LENGTH) {
    throw new BgpMessageError(ErrorCode.ROUTE_REFRESH, 1, `ROUTE-REFRESH of ${msg.length} bytes`, { data: Buffer.from(msg) });
  }
  const raw = msg[HEADER_LENGTH + 2] as number;
  return {
    afi: msg.readUInt16BE(HEADER_LENGTH),
    safi: msg[HEADER_LENGTH + 3] as number,
    subtype: SUBTYPES[raw],
    rawSubtype: raw,
  };
}

export function encodeRouteRefresh(afi: number, safi: number, subtype: RouteRefreshSubtype = 'request'): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(afi, 0);
  body[2] = SUBTYPES.indexOf(subtype);
  body[3] = safi;
  return frameMessage(MessageType.ROUTE_REFRESH, body);
}
