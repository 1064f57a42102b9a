// One entry point for the session: a framed message → a typed value.
import { ErrorCode, HeaderSubcode, MessageType } from './constants.js';
import { BgpMessageError } from './error.js';
import { decodeOpen, type OpenMessage } from './open.js';
import { decodeUpdate, type UpdateMessage } from './update-decode.js';
import { decodeNotification, type NotificationMessage } from './notification.js';
import { decodeKeepalive } from './keepalive.js';
import { decodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import type { DecodeContext } from './decode-context.js';

export type BgpMessage =
  | { readonly type: 'open'; readonly open: OpenMessage }
  | { readonly type: 'update'; readonly update: UpdateMessage }
  | { readonly type: 'notification'; readonly notification: NotificationMessage }
  | { readonly type: 'keepalive' }
  | { readonly type: 'route-refresh'; readonly routeRefresh: RouteRefreshMessage };

/** Decodes a whole message as returned by the Framer (UPDATEs through the convenient path). */
export function decodeMessage(msg: Buffer, ctx: DecodeContext): BgpMessage {
  const type = msg[18];
  switch (type) {
    case MessageType.OPEN:
      return { type: 'open', open: decodeOpen(msg) };
    case MessageType.UPDATE:
      return { type: 'update', update: decodeUpdate(msg, ctx) };
    case MessageType.NOTIFICATION:
      return { type: 'notification', notification: decodeNotification(msg) };
    case MessageType.KEEPALIVE:
      decodeKeepalive(msg);
      return { type: 'keepalive' };
    case MessageType.ROUTE_REFRESH:
      return { type: 'route-refresh', routeRefresh: decodeRouteRefresh(msg) };
    default:
      // RFC 4271 §6.1
      throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, `unknown message type ${type}`, {
        data: Buffer.from([type ?? 0]),
      });
  }
}
