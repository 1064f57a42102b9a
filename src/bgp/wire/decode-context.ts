// What the decoder needs to know about the session: the capabilities both sides negotiated in their OPENs.

export interface DecodeContext {
  /** RFC 6793: both sides advertised the 4-octet ASN capability (AS_PATH/AGGREGATOR carry 4-byte ASNs). */
  readonly fourOctetAsn: boolean;
  /** RFC 7911: path identifiers are present in what we receive, per family. */
  readonly addPath: { readonly ipv4: boolean; readonly ipv6: boolean };
  /** RFC 8654: extended messages negotiated. */
  readonly extendedMessages: boolean;
}

export const DEFAULT_CONTEXT: DecodeContext = {
  fourOctetAsn: true,
  addPath: { ipv4: false, ipv6: false },
  extendedMessages: false,
};
