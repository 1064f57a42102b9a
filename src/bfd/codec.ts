// The BFD Control packet (RFC 5880 §4.1), pure. Intervals are microseconds on the wire and here. decode applies
// the checks of RFC 5880 §6.8.6 that need no session state; the session does the rest.
//
//   byte 0      Vers (3 bits) | Diag (5 bits)
//   byte 1      Sta (2 bits) | P | F | C | A | D | M
//   byte 2      Detect Mult
//   byte 3      Length
//   4..7        My Discriminator
//   8..11       Your Discriminator
//   12..15      Desired Min TX Interval (µs)
//   16..19      Required Min RX Interval (µs)
//   20..23      Required Min Echo RX Interval (µs)
//   24..        Authentication section (A bit), not supported here: such packets are discarded
import { BFD_CONTROL_LENGTH, BFD_STATES, BFD_VERSION, BfdStateCode, type BfdState } from './constants.js';

export interface BfdControl {
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  /** C: control plane independent. */
  readonly cpi: boolean;
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscr: number;
  readonly yourDiscr: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
}

export type BfdDecodeResult = { readonly ok: true; readonly packet: BfdControl } | { readonly ok: false; readonly reason: string };

export function encodeBfdControl(p: BfdControl): Buffer {
  const b = Buffer.alloc(BFD_CONTROL_LENGTH);
  b[0] = (BFD_VERSION << 5) | (p.diag & 0x1f);
  b[1] = (BfdStateCode[p.state] << 6) | (p.poll ? 0x20 : 0) | (p.final ? 0x10 : 0) | (p.cpi ? 0x08 : 0) | (p.demand ? 0x02 : 0); // A = 0, M = 0
  b[2] = p.detectMult;
  b[3] = BFD_CONTROL_LENGTH;
  b.writeUInt32BE(p.myDiscr >>> 0, 4);
  b.writeUInt32BE(p.yourDiscr >>> 0, 8);
  b.writeUInt32BE(p.desiredMinTxUs >>> 0, 12);
  b.writeUInt32BE(p.requiredMinRxUs >>> 0, 16);
  b.writeUInt32BE(p.requiredMinEchoRxUs >>> 0, 20);
  return b;
}

const fail = (reason: string): BfdDecodeResult => ({ ok: false, reason });

/** Decodes a datagram; every discard of RFC 5880 §6.8.6 that needs no session comes back with its reason. */
export function decodeBfdControl(b: Buffer): BfdDecodeResult {
  if (b.length < BFD_CONTROL_LENGTH) return fail(`${b.length} bytes, shorter than a control packet`);
  const b0 = b[0] ?? 0;
  const b1 = b[1] ?? 0;
  const version = b0 >> 5;
  const auth = (b1 & 0x04) !== 0;
  const length = b[3] ?? 0;
  const detectMult = b[2] ?? 0;
  const packet: BfdControl = {
    diag: b0 & 0x1f,
    state: BFD_STATES[b1 >> 6] ?? 'AdminDown',
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    cpi: (b1 & 0x08) !== 0,
    demand: (b1 & 0x02) !== 0,
    detectMult,
    myDiscr: b.readUInt32BE(4),
    yourDiscr: b.readUInt32BE(8),
    desiredMinTxUs: b.readUInt32BE(12),
    requiredMinRxUs: b.readUInt32BE(16),
    requiredMinEchoRxUs: b.readUInt32BE(20),
  };
  // RFC 5880 §6.8.6, in its order.
  if (version !== BFD_VERSION) return fail(`version ${version}`);
  if (length < (auth ? BFD_CONTROL_LENGTH + 2 : BFD_CONTROL_LENGTH)) return fail(`length ${length} too short`);
  if (length > b.length) return fail(`length ${length} beyond the ${b.length}-byte payload`);
  if (detectMult === 0) return fail('detect multiplier 0');
  if ((b1 & 0x01) !== 0) return fail('multipoint (M) bit set');
  if (packet.myDiscr === 0) return fail('my discriminator 0');
  if (packet.yourDiscr === 0 && packet.state !== 'Down' && packet.state !== 'AdminDown')
    return fail(`your discriminator 0 in state ${packet.state}`);
  if (packet.poll && packet.final) return fail('poll and final both set'); // RFC 5880 §6.5: MUST NOT both be set
  if (auth) return fail('authentication (A bit) is not configured here'); // §6.8.6: A set, bfd.AuthType zero
  return { ok: true, packet };
}
