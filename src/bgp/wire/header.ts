// The 19-byte message header (RFC 4271 §4.1) and whole-message framing for encoders.
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, type MessageType } from './constants.js';
import { BgpEncodeError } from './error.js';

/** Message type byte of a whole message (header included). */
export function messageType(msg: Buffer): number {
  return msg[18] ?? 0;
}

/** Allocates a message of `bodyLength` body bytes with its header filled in; the body is zeroed. */
export function allocMessage(type: MessageType, bodyLength: number, maxLength = MAX_MESSAGE_LENGTH): Buffer {
  const total = HEADER_LENGTH + bodyLength;
  if (total > maxLength || total > MAX_EXTENDED_MESSAGE_LENGTH) {
    throw new BgpEncodeError(`message of ${total} bytes exceeds the maximum of ${maxLength}`);
  }
  const b = Buffer.alloc(total);
  b.fill(0xff, 0, 16); // RFC 4271 §4.1: marker, all ones
  b.writeUInt16BE(total, 16);
  b[18] = type;
  return b;
}

/** Wraps a body in a header. */
export function frameMessage(type: MessageType, body: Buffer, maxLength = MAX_MESSAGE_LENGTH): Buffer {
  const b = allocMessage(type, body.length, maxLength);
  body.copy(b, HEADER_LENGTH);
  return b;
}
