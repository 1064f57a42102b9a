// NOTIFICATION (RFC 4271 §4.5) with the shutdown communication of RFC 8203 / RFC 9003.
import { CeaseSubcode, ErrorCode, HEADER_LENGTH, HeaderSubcode, MessageType, MIN_NOTIFICATION_LENGTH } from './constants.js';
import { BgpMessageError } from './error.js';
import { frameMessage } from './header.js';

export interface NotificationMessage {
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
  /**
   * RFC 9003 §2: for Cease / Administrative Shutdown (6/2) or Administrative Reset (6/4), the operator's message
   * (length-prefixed UTF-8, up to 255 bytes). Absent when the data holds none or is not a valid one.
   */
  readonly shutdownMessage?: string;
}

export interface NotificationInput {
  readonly code: number;
  readonly subcode: number;
  readonly data?: Buffer;
  /** For 6/2 and 6/4 (RFC 9003): encoded as the data, truncated to 255 bytes on a character boundary. */
  readonly shutdownMessage?: string;
}

function hasShutdownMessage(code: number, subcode: number): boolean {
  return code === ErrorCode.CEASE && (subcode === CeaseSubcode.ADMIN_SHUTDOWN || subcode === CeaseSubcode.ADMIN_RESET);
}

/** Decodes a whole NOTIFICATION (header included). */
export function decodeNotification(msg: Buffer): NotificationMessage {
  if (msg.length < MIN_NOTIFICATION_LENGTH) {
    // RFC 4271 §6.1
    throw new BgpMessageError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_LENGTH,
      `NOTIFICATION of ${msg.length} bytes is too short`,
      {
        data: Buffer.from([msg.length >> 8, msg.length & 255]),
      },
    );
  }
  const code = msg[HEADER_LENGTH] as number;
  const subcode = msg[HEADER_LENGTH + 1] as number;
  const data = Buffer.from(msg.subarray(HEADER_LENGTH + 2));
  if (hasShutdownMessage(code, subcode) && data.length >= 1) {
    const n = data[0] as number;
    // RFC 9003 §2: a length that overruns the data means there is no valid message; it is not an error.
    if (n > 0 && 1 + n <= data.length) {
      const text = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(1, 1 + n));
      return { code, subcode, data, shutdownMessage: text };
    }
  }
  return { code, subcode, data };
}

/** Longest prefix of `text` whose UTF-8 encoding fits `max` bytes. */
function truncateUtf8(text: string, max: number): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= max) return b;
  let end = max;
  // Back off continuation bytes (10xxxxxx) so a character is never cut.
  while (end > 0 && ((b[end] as number) & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

export function encodeNotification(n: NotificationInput): Buffer {
  let data = n.data ?? Buffer.alloc(0);
  if (n.shutdownMessage !== undefined && hasShutdownMessage(n.code, n.subcode)) {
    const text = truncateUtf8(n.shutdownMessage, 255); // RFC 9003 §2
    data = Buffer.concat([Buffer.from([text.length]), text, data]);
  }
  return frameMessage(MessageType.NOTIFICATION, Buffer.concat([Buffer.from([n.code, n.subcode]), data]));
}

/** The NOTIFICATION a BgpMessageError asks for. */
export function notificationFor(err: BgpMessageError): Buffer {
  return encodeNotification({ code: err.notificationCode, subcode: err.notificationSubcode, data: err.data });
}
