// Who the OPEN says the peer is, checked against what we expect of it (RFC 4271 §6.2, RFC 6286 §2.2). Pure:
// a refusal carries its NOTIFICATION; collisions (RFC 4271 §6.8) need the peer's connections and stay there.
import type { OpenMessage } from '../wire/index.js';
import { ErrorCode, OpenSubcode } from '../wire/constants.js';
import { checkPeerAsn, type NeighborMatch } from './neighbors.js';
import type { OpenVerdict } from './session.js';

export function checkOpenIdentity(
  match: NeighborMatch,
  local: { readonly asn: number; readonly routerId: string },
  open: OpenMessage,
): Extract<OpenVerdict, { ok: false }> | undefined {
  const badAs = checkPeerAsn(match, open.asn);
  if (badAs !== undefined) {
    return { ok: false, code: ErrorCode.OPEN_MESSAGE, subcode: OpenSubcode.BAD_PEER_AS, detail: `bad peer AS: ${badAs}` };
  }
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 32-bit value; equal to ours is only an error for iBGP.
  if (open.routerId === '0.0.0.0' || (open.asn === local.asn && open.routerId === local.routerId)) {
    return {
      ok: false,
      code: ErrorCode.OPEN_MESSAGE,
      subcode: OpenSubcode.BAD_BGP_IDENTIFIER,
      data: Buffer.from(open.routerId.split('.').map(Number)),
      detail: `bad BGP identifier ${open.routerId}`,
    };
  }
  return undefined;
}
