// Stream → whole messages. Checks the header of every message (RFC 4271 §6.1) before handing it out.
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderSubcode,
  KEEPALIVE_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  MIN_NOTIFICATION_LENGTH,
  MIN_OPEN_LENGTH,
  MIN_UPDATE_LENGTH,
} from './constants.js';
import { BgpMessageError } from './error.js';

export interface FramerOptions {
  /** Maximum message length before extended messages are negotiated (default 4096, RFC 4271 §4). */
  readonly maxLength?: number;
}

function badLength(buf: Buffer, off: number, why: string): BgpMessageError {
  // RFC 4271 §6.1: Bad Message Length, data = the erroneous Length field.
  return new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, why, {
    data: Buffer.from(buf.subarray(off + 16, off + 18)),
  });
}

/**
 * Validates the header of the message starting at `off` (at least 19 bytes available) and returns its length.
 * Throws BgpMessageError (session reset) on a bad marker, length or type.
 */
export function checkHeader(buf: Buffer, off: number, maxLength: number): number {
  // RFC 4271 §6.1: marker must be all ones, else Connection Not Synchronized.
  for (let i = 0; i < 16; i++) {
    if (buf[off + i] !== 0xff) {
      throw new BgpMessageError(
        ErrorCode.MESSAGE_HEADER,
        HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED,
        'message header marker is not all ones',
      );
    }
  }
  const len = buf.readUInt16BE(off + 16);
  const type = buf[off + 18] as number;
  // RFC 4271 §6.1: length below 19 or above the maximum (4096, or 65535 with RFC 8654 §4).
  if (len < HEADER_LENGTH || len > maxLength) {
    throw badLength(buf, off, `message length ${len} outside ${HEADER_LENGTH}..${maxLength}`);
  }
  switch (type) {
    case MessageType.OPEN:
      // RFC 4271 §6.1 minimum length; RFC 8654 §4: an OPEN never exceeds 4096 bytes.
      if (len < MIN_OPEN_LENGTH || len > MAX_MESSAGE_LENGTH) throw badLength(buf, off, `OPEN length ${len}`);
      break;
    case MessageType.UPDATE:
      if (len < MIN_UPDATE_LENGTH) throw badLength(buf, off, `UPDATE length ${len} below ${MIN_UPDATE_LENGTH}`);
      break;
    case MessageType.NOTIFICATION:
      if (len < MIN_NOTIFICATION_LENGTH) {
        throw badLength(buf, off, `NOTIFICATION length ${len} below ${MIN_NOTIFICATION_LENGTH}`);
      }
      break;
    case MessageType.KEEPALIVE:
      // RFC 4271 §6.1: a KEEPALIVE is exactly 19 bytes.
      if (len !== KEEPALIVE_LENGTH) throw badLength(buf, off, `KEEPALIVE length ${len} is not 19`);
      break;
    case MessageType.ROUTE_REFRESH:
      // RFC 7313 §5: a wrong ROUTE-REFRESH length is a ROUTE-REFRESH error (7/1), raised by decodeRouteRefresh,
      // not a header error.
      break;
    default:
      // RFC 4271 §6.1: Bad Message Type, data = the type field.
      throw new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, `unknown message type ${type}`, {
        data: Buffer.from([type]),
      });
  }
  return len;
}

/**
 * Splits a TCP byte stream into whole BGP messages (header included). Messages returned may share memory with
 * the pushed chunks; do not mutate them.
 *
 * Errors: a bad header makes the framer fail for good (the session must reset). If whole messages preceded the
 * bad header in the same push, push returns them first and the error is thrown by the next push; check
 * `error` after handling them to act at once.
 */
export class Framer {
  private maxLength: number;
  private readonly baseMaxLength: number;
  private pending: Buffer | undefined;
  private failed: BgpMessageError | undefined;

  constructor(opts: FramerOptions = {}) {
    this.baseMaxLength = opts.maxLength ?? MAX_MESSAGE_LENGTH;
    this.maxLength = this.baseMaxLength;
  }

  /** RFC 8654 §4: once both sides advertised the extended message capability, accept up to 65535 bytes. */
  setExtendedMessages(on: boolean): void {
    this.maxLength = on ? MAX_EXTENDED_MESSAGE_LENGTH : this.baseMaxLength;
  }

  /** Bytes held back waiting for the rest of a message. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  /** The error that failed the framer, if any. */
  get error(): BgpMessageError | undefined {
    return this.failed;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    const out: Buffer[] = [];
    let off = 0;
    try {
      if (this.pending) {
        // Complete the held-back message with only the bytes of the chunk it needs, then frame the rest of the
        // chunk in place. Concatenating the whole chunk allocated a chunk-sized buffer per push; on Node 24 that
        // churn of short-lived ArrayBuffers triggers a full mark-compact every few MB (BENCHMARKS.md, Node 20 vs 24).
        const held = this.pending;
        let len = 0;
        if (held.length >= HEADER_LENGTH) len = checkHeader(held, 0, this.maxLength);
        else if (held.length + chunk.length >= HEADER_LENGTH) {
          len = checkHeader(Buffer.concat([held, chunk.subarray(0, HEADER_LENGTH - held.length)]), 0, this.maxLength);
        }
        const need = len - held.length;
        if (len === 0 || chunk.length < need) {
          this.pending = Buffer.concat([held, chunk]);
          return out;
        }
        out.push(Buffer.concat([held, chunk.subarray(0, need)], len));
        this.pending = undefined;
        off = need;
      }
      while (chunk.length - off >= HEADER_LENGTH) {
        const len = checkHeader(chunk, off, this.maxLength);
        if (chunk.length - off < len) break;
        out.push(chunk.subarray(off, off + len));
        off += len;
      }
    } catch (err) {
      if (!(err instanceof BgpMessageError)) throw err;
      this.failed = err;
      this.pending = undefined; // as before: a failed framer holds nothing back
      if (out.length === 0) throw err;
      return out;
    }
    if (off < chunk.length) {
      // Copy the remainder (less than one message) so a large chunk is not kept alive by a few trailing bytes.
      this.pending = Buffer.from(chunk.subarray(off));
    }
    return out;
  }
}
