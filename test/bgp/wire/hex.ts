// Test helper: build byte vectors from commented hex parts.
export function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

/** A whole message: marker, length computed from the body, type, body. */
export function msg(type: number, ...body: string[]): Buffer {
  const b = hex(...body);
  const h = Buffer.alloc(19, 0xff);
  h.writeUInt16BE(19 + b.length, 16);
  h[18] = type;
  return Buffer.concat([h, b]);
}

export const MARKER = 'ffffffffffffffffffffffffffffffff';

/** An UPDATE from withdrawn-routes, path-attributes and NLRI hex (lengths computed). */
export function update(withdrawn: string, attrs: string, nlri = ''): Buffer {
  const w = hex(withdrawn);
  const a = hex(attrs);
  const len = (n: number): string => n.toString(16).padStart(4, '0');
  return msg(2, len(w.length), withdrawn, len(a.length), attrs, nlri);
}

/** One attribute: flags, type, 1-byte length (or 2 with flag 0x10), value. */
export function attr(flags: number, code: number, value: string): string {
  const v = hex(value);
  const ext = (flags & 0x10) !== 0;
  const l = v.length.toString(16).padStart(ext ? 4 : 2, '0');
  return flags.toString(16).padStart(2, '0') + code.toString(16).padStart(2, '0') + l + value.replace(/\s+/g, '');
}

/** ORIGIN IGP, AS_PATH [65001] (4-octet), NEXT_HOP 192.0.2.1: the mandatory set. */
export const ORIGIN_IGP = attr(0x40, 1, '00');
export const AS_PATH_65001 = attr(0x40, 2, '02 01 0000fde9'); // AS_SEQUENCE, 1 ASN, 65001
export const NEXT_HOP_192_0_2_1 = attr(0x40, 3, 'c0000201');
export const MANDATORY = ORIGIN_IGP + AS_PATH_65001 + NEXT_HOP_192_0_2_1;
