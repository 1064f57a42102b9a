// Bytes → text for inputs people write (the config, route spec files and bodies): invalid UTF-8 is an error with
// its position, never a silent U+FFFD (Buffer.toString and TextDecoder without `fatal` replace bad bytes, so a
// corrupted token would be used as something else).
import { Bgp2vpcError } from './errors.js';

export class InvalidUtf8Error extends Bgp2vpcError {
  constructor(
    readonly offset: number,
    /** 1-based line and column (in characters) of the first bad byte. */
    readonly line: number,
    readonly col: number,
    readonly byte: number,
  ) {
    super('INVALID_UTF8', `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset})`);
  }
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629 §4), or undefined. */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // no overlong forms
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 (a leading BOM is dropped) or throws InvalidUtf8Error naming where the first bad byte is. */
export function decodeUtf8(b: Uint8Array): string {
  const bad = firstInvalidUtf8(b);
  if (bad === undefined) return decoder.decode(b);
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < bad; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = [...decoder.decode(b.subarray(lineStart, bad))].length + 1;
  throw new InvalidUtf8Error(bad, line, col, b[bad] as number);
}
