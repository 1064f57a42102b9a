// KEEPALIVE (RFC 4271 §4.4): a bare header.
import { ErrorCode, HeaderSubcode, KEEPALIVE_LENGTH, MessageType } from './constants.js';
import { BgpMessageError } from './error.js';
import { allocMessage } from './header.js';

const KEEPALIVE = allocMessage(MessageType.KEEPALIVE, 0);

export function encodeKeepalive(): Buffer {
  return Buffer.from(KEEPALIVE);
}

/** RFC 4271 §6.1: a KEEPALIVE longer than 19 bytes → Bad Message Length with the length as data. */
export function decodeKeepalive(msg: Buffer): void {
  if (msg.length !== KEEPALIVE_LENGTH) {
    throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `KEEPALIVE of ${msg.length} bytes`, {
      data: Buffer.from([msg.length >> 8, msg.length & 255]),
    });
  }
}
