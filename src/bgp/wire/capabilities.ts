// OPEN capabilities (RFC 5492): one decode/encode pair per capability code.
import { CapCode, ErrorCode, OpenSubcode } from './constants.js';
import { BgpMessageError, BgpEncodeError } from './error.js';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

export type AddPathMode = 'receive' | 'send' | 'both';

export type Capability =
  | { readonly type: 'multiprotocol'; readonly afi: number; readonly safi: number } // RFC 4760 §8
  | { readonly type: 'route-refresh' } // RFC 2918 §2
  | { readonly type: 'enhanced-route-refresh' } // RFC 7313 §3
  | { readonly type: 'cisco-route-refresh' } // pre-standard code 128
  | { readonly type: 'four-octet-asn'; readonly asn: number } // RFC 6793 §3
  | {
      // RFC 4724 §3
      readonly type: 'graceful-restart';
      /** The 4 flag bits: 0x8 = Restart State (R), 0x4 = Notification (N, RFC 8538). */
      readonly restartFlags: number;
      /** Seconds, 12 bits. */
      readonly restartTime: number;
      readonly families: readonly (AfiSafi & { readonly forwardingPreserved: boolean })[];
    }
  | {
      // RFC 9494 §2
      readonly type: 'long-lived-gr';
      readonly families: readonly (AfiSafi & { readonly forwardingPreserved: boolean; readonly staleTime: number })[];
    }
  | { readonly type: 'add-path'; readonly families: readonly (AfiSafi & { readonly mode: AddPathMode })[] } // RFC 7911 §4
  | { readonly type: 'extended-message' } // RFC 8654 §3
  | { readonly type: 'extended-next-hop'; readonly families: readonly (AfiSafi & { readonly nextHopAfi: number })[] } // RFC 8950 §3
  | { readonly type: 'fqdn'; readonly hostname: string; readonly domain: string } // draft-walton-bgp-hostname-capability
  | { readonly type: 'unknown'; readonly code: number; readonly value: Buffer };

function malformed(code: number, why: string): BgpMessageError {
  // RFC 5492 §3 defines no subcode for a malformed capability value; like most implementations we send
  // OPEN Message Error / Unspecific (RFC 4271 §6.2) with the capability code as data.
  return new BgpMessageError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSPECIFIC, `malformed capability ${code}: ${why}`, {
    data: Buffer.from([code]),
  });
}

const ADD_PATH_MODES: readonly (AddPathMode | undefined)[] = [undefined, 'receive', 'send', 'both'];

/** Decodes one capability value (the bytes after code and length). */
export function decodeCapability(code: number, v: Buffer): Capability {
  const need = (ok: boolean, why: string): void => {
    if (!ok) throw malformed(code, why);
  };
  switch (code) {
    case CapCode.MULTIPROTOCOL:
      need(v.length === 4, `length ${v.length}, expected 4`); // RFC 4760 §8: AFI(2) reserved(1) SAFI(1)
      return { type: 'multiprotocol', afi: v.readUInt16BE(0), safi: v[3] as number };
    case CapCode.ROUTE_REFRESH:
      need(v.length === 0, `length ${v.length}, expected 0`); // RFC 2918 §2
      return { type: 'route-refresh' };
    case CapCode.ENHANCED_ROUTE_REFRESH:
      need(v.length === 0, `length ${v.length}, expected 0`); // RFC 7313 §3
      return { type: 'enhanced-route-refresh' };
    case CapCode.CISCO_ROUTE_REFRESH:
      need(v.length === 0, `length ${v.length}, expected 0`);
      return { type: 'cisco-route-refresh' };
    case CapCode.FOUR_OCTET_ASN:
      need(v.length === 4, `length ${v.length}, expected 4`); // RFC 6793 §3
      return { type: 'four-octet-asn', asn: v.readUInt32BE(0) };
    case CapCode.EXTENDED_MESSAGE:
      need(v.length === 0, `length ${v.length}, expected 0`); // RFC 8654 §3
      return { type: 'extended-message' };
    case CapCode.GRACEFUL_RESTART: {
      // RFC 4724 §3: flags(4 bits) time(12 bits), then AFI(2) SAFI(1) flags(1) per family.
      need(v.length >= 2 && (v.length - 2) % 4 === 0, `length ${v.length}`);
      const head = v.readUInt16BE(0);
      const families = [];
      for (let o = 2; o < v.length; o += 4) {
        families.push({ afi: v.readUInt16BE(o), safi: v[o + 2] as number, forwardingPreserved: ((v[o + 3] as number) & 0x80) !== 0 });
      }
      return { type: 'graceful-restart', restartFlags: head >> 12, restartTime: head & 0x0fff, families };
    }
    case CapCode.LONG_LIVED_GR: {
      // RFC 9494 §2: AFI(2) SAFI(1) flags(1) long-lived stale time(3) per family.
      need(v.length % 7 === 0, `length ${v.length}`);
      const families = [];
      for (let o = 0; o < v.length; o += 7) {
        families.push({
          afi: v.readUInt16BE(o),
          safi: v[o + 2] as number,
          forwardingPreserved: ((v[o + 3] as number) & 0x80) !== 0,
          staleTime: v.readUIntBE(o + 4, 3),
        });
      }
      return { type: 'long-lived-gr', families };
    }
    case CapCode.ADD_PATH: {
      // RFC 7911 §4: AFI(2) SAFI(1) Send/Receive(1) per family; 1 receive, 2 send, 3 both.
      need(v.length > 0 && v.length % 4 === 0, `length ${v.length}`);
      const families = [];
      for (let o = 0; o < v.length; o += 4) {
        const mode = ADD_PATH_MODES[v[o + 3] as number];
        // A Send/Receive value other than 1–3 announces neither sending nor receiving: the entry is skipped
        // (path identifiers are then not expected for that family, the safe reading).
        if (mode !== undefined) families.push({ afi: v.readUInt16BE(o), safi: v[o + 2] as number, mode });
      }
      return { type: 'add-path', families };
    }
    case CapCode.EXTENDED_NEXT_HOP: {
      // RFC 8950 §3: NLRI AFI(2) NLRI SAFI(2) Next Hop AFI(2) per entry.
      need(v.length > 0 && v.length % 6 === 0, `length ${v.length}`);
      const families = [];
      for (let o = 0; o < v.length; o += 6) {
        families.push({ afi: v.readUInt16BE(o), safi: v.readUInt16BE(o + 2), nextHopAfi: v.readUInt16BE(o + 4) });
      }
      return { type: 'extended-next-hop', families };
    }
    case CapCode.FQDN: {
      // draft-walton-bgp-hostname-capability §3: hostname length(1) hostname, domain length(1) domain.
      // Informational only: a malformed one is kept raw rather than failing the session.
      const hl = v[0] ?? 0;
      const dl = v[1 + hl] ?? 0;
      if (v.length < 2 || 2 + hl > v.length || 2 + hl + dl > v.length) return { type: 'unknown', code, value: Buffer.from(v) };
      return {
        type: 'fqdn',
        hostname: v.toString('utf8', 1, 1 + hl),
        domain: v.toString('utf8', 2 + hl, 2 + hl + dl),
      };
    }
    default:
      // RFC 5492 §3: unknown capabilities are ignored (kept raw here).
      return { type: 'unknown', code, value: Buffer.from(v) };
  }
}

/** Capabilities whose value is empty: route refresh (RFC 2918), enhanced (RFC 7313), Cisco's, extended message (RFC 8654). */
const EMPTY_VALUE_CODE = {
  'route-refresh': CapCode.ROUTE_REFRESH,
  'enhanced-route-refresh': CapCode.ENHANCED_ROUTE_REFRESH,
  'cisco-route-refresh': CapCode.CISCO_ROUTE_REFRESH,
  'extended-message': CapCode.EXTENDED_MESSAGE,
} as const;

/** Encodes one capability as code(1) length(1) value. */
export function encodeCapability(c: Capability): Buffer {
  let code: number;
  let v: Buffer;
  switch (c.type) {
    case 'multiprotocol':
      code = CapCode.MULTIPROTOCOL;
      v = Buffer.alloc(4);
      v.writeUInt16BE(c.afi, 0);
      v[3] = c.safi;
      break;
    case 'route-refresh':
    case 'enhanced-route-refresh':
    case 'cisco-route-refresh':
    case 'extended-message':
      code = EMPTY_VALUE_CODE[c.type];
      v = Buffer.alloc(0);
      break;
    case 'four-octet-asn':
      code = CapCode.FOUR_OCTET_ASN;
      v = Buffer.alloc(4);
      v.writeUInt32BE(c.asn >>> 0, 0);
      break;
    case 'graceful-restart':
      code = CapCode.GRACEFUL_RESTART;
      v = Buffer.alloc(2 + 4 * c.families.length);
      v.writeUInt16BE(((c.restartFlags & 0xf) << 12) | (c.restartTime & 0x0fff), 0);
      c.families.forEach((f, i) => {
        v.writeUInt16BE(f.afi, 2 + 4 * i);
        v[4 + 4 * i] = f.safi;
        v[5 + 4 * i] = f.forwardingPreserved ? 0x80 : 0;
      });
      break;
    case 'long-lived-gr':
      code = CapCode.LONG_LIVED_GR;
      v = Buffer.alloc(7 * c.families.length);
      c.families.forEach((f, i) => {
        v.writeUInt16BE(f.afi, 7 * i);
        v[7 * i + 2] = f.safi;
        v[7 * i + 3] = f.forwardingPreserved ? 0x80 : 0;
        v.writeUIntBE(f.staleTime & 0xffffff, 7 * i + 4, 3);
      });
      break;
    case 'add-path':
      code = CapCode.ADD_PATH;
      v = Buffer.alloc(4 * c.families.length);
      c.families.forEach((f, i) => {
        v.writeUInt16BE(f.afi, 4 * i);
        v[4 * i + 2] = f.safi;
        v[4 * i + 3] = ADD_PATH_MODES.indexOf(f.mode);
      });
      break;
    case 'extended-next-hop':
      code = CapCode.EXTENDED_NEXT_HOP;
      v = Buffer.alloc(6 * c.families.length);
      c.families.forEach((f, i) => {
        v.writeUInt16BE(f.afi, 6 * i);
        v.writeUInt16BE(f.safi, 6 * i + 2);
        v.writeUInt16BE(f.nextHopAfi, 6 * i + 4);
      });
      break;
    case 'fqdn': {
      code = CapCode.FQDN;
      const h = Buffer.from(c.hostname, 'utf8');
      const d = Buffer.from(c.domain, 'utf8');
      if (h.length > 255 || d.length > 255) throw new BgpEncodeError('FQDN capability: name longer than 255 bytes');
      v = Buffer.concat([Buffer.from([h.length]), h, Buffer.from([d.length]), d]);
      break;
    }
    case 'unknown':
      code = c.code;
      v = c.value;
      break;
  }
  if (v.length > 255) throw new BgpEncodeError(`capability ${code}: value of ${v.length} bytes exceeds 255`);
  return Buffer.concat([Buffer.from([code, v.length]), v]);
}
