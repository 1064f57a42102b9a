// The codec's error: what went wrong, the NOTIFICATION to send, and the RFC 7606 action.
import { Bgp2vpcError } from '../../base/errors.js';

/**
 * RFC 7606 §2: how a receiver reacts to a malformed message.
 * - session-reset: send a NOTIFICATION with code/subcode/data and close (RFC 4271 §6).
 * - treat-as-withdraw: keep the session, withdraw every prefix of the UPDATE (RFC 7606 §2).
 * - attribute-discard: keep the session, drop the attribute, use the rest of the UPDATE (RFC 7606 §2).
 */
export type ErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

export class BgpMessageError extends Bgp2vpcError {
  declare readonly code: 'BGP_MESSAGE_ERROR';
  readonly notificationCode: number;
  readonly notificationSubcode: number;
  readonly data: Buffer;
  readonly action: ErrorAction;
  constructor(
    notificationCode: number,
    notificationSubcode: number,
    message: string,
    opts: { data?: Buffer; action?: ErrorAction; cause?: unknown } = {},
  ) {
    super('BGP_MESSAGE_ERROR', message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.notificationCode = notificationCode;
    this.notificationSubcode = notificationSubcode;
    this.data = opts.data ?? Buffer.alloc(0);
    this.action = opts.action ?? 'session-reset';
  }
}

/** Something an encoder was asked to produce cannot be put on the wire (too long, bad address text...). */
export class BgpEncodeError extends Bgp2vpcError {
  declare readonly code: 'BGP_ENCODE_ERROR';
  constructor(message: string) {
    super('BGP_ENCODE_ERROR', message);
  }
}

/** A non-fatal UPDATE problem (RFC 7606 treat-as-withdraw or attribute-discard), reported, not thrown. */
export interface UpdateProblem {
  readonly action: 'treat-as-withdraw' | 'attribute-discard';
  readonly code: number;
  readonly subcode: number;
  /** Attribute type code concerned, when there is one. */
  readonly attribute?: number;
  readonly reason: string;
}
