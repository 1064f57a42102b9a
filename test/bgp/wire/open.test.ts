// OPEN and capabilities: hand-built vectors (a comment per field), round trips, and RFC 4271 §6.2 errors.
import { describe, expect, it } from 'vitest';
import { decodeOpen, encodeOpen, BgpMessageError, type Capability } from '../../../src/bgp/wire/index.js';
import { hex, msg, MARKER } from './hex.js';

/** OPEN with the given optional parameters (hex). */
function open(params: string, opts: { version?: string; as?: string; hold?: string; id?: string } = {}): Buffer {
  const p = hex(params);
  return msg(
    1,
    opts.version ?? '04', // version 4
    opts.as ?? 'fde8', // My AS 65000
    opts.hold ?? '005a', // hold time 90
    opts.id ?? '0a000001', // BGP identifier 10.0.0.1
    p.length.toString(16).padStart(2, '0'), // optional parameters length
    params,
  );
}

/** One Capabilities optional parameter holding one capability. */
function capParam(code: string, value: string): string {
  const v = hex(value);
  const cap = code + v.length.toString(16).padStart(2, '0') + value.replace(/\s+/g, '');
  return '02' + (cap.length / 2).toString(16).padStart(2, '0') + cap; // param type 2, length, capability
}

function expectError(fn: () => unknown, code: number, subcode: number, data?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BgpMessageError);
    const err = e as BgpMessageError;
    expect(err.code).toBe('BGP_MESSAGE_ERROR');
    expect([err.notificationCode, err.notificationSubcode]).toEqual([code, subcode]);
    expect(err.action).toBe('session-reset');
    if (data !== undefined) expect(err.data.toString('hex')).toBe(data);
    return;
  }
  throw new Error('expected a BgpMessageError');
}

describe('OPEN', () => {
  it('decodes the fixed fields', () => {
    const m = open('');
    expect(m.toString('hex')).toBe(MARKER + '001d' + '01' + '04' + 'fde8' + '005a' + '0a000001' + '00');
    expect(decodeOpen(m)).toEqual({
      version: 4,
      myAsn: 65000,
      asn: 65000,
      holdTime: 90,
      routerId: '10.0.0.1',
      capabilities: [],
      capabilityGroups: [],
      extendedParameters: false,
    });
  });

  // One vector per capability: [name, code, value hex with field comments, decoded]
  const vectors: [string, string, string, Capability][] = [
    [
      'multiprotocol IPv6 unicast',
      '01',
      '0002' /* AFI 2 */ + '00' /* reserved */ + '01' /* SAFI 1 */,
      { type: 'multiprotocol', afi: 2, safi: 1 },
    ],
    ['route refresh', '02', '', { type: 'route-refresh' }],
    ['enhanced route refresh', '46', '', { type: 'enhanced-route-refresh' }],
    ['Cisco route refresh (128)', '80', '', { type: 'cisco-route-refresh' }],
    ['4-octet ASN 4200000000', '41', 'fa56ea00' /* ASN */, { type: 'four-octet-asn', asn: 4200000000 }],
    ['extended message', '06', '', { type: 'extended-message' }],
    [
      'graceful restart R=1 300 s, IPv4 forwarding kept, IPv6 not',
      '40',
      '812c' /* flags 1000 (R), time 0x12c = 300 */ + '0001 01 80' /* AFI 1 SAFI 1 F=1 */ + '0002 01 00' /* AFI 2 SAFI 1 F=0 */,
      {
        type: 'graceful-restart',
        restartFlags: 8,
        restartTime: 300,
        families: [
          { afi: 1, safi: 1, forwardingPreserved: true },
          { afi: 2, safi: 1, forwardingPreserved: false },
        ],
      },
    ],
    [
      'long-lived GR, IPv4 F=1 stale 3600 s',
      '47',
      '0001 01' /* AFI 1 SAFI 1 */ + '80' /* F */ + '000e10' /* stale time 3600 */,
      { type: 'long-lived-gr', families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTime: 3600 }] },
    ],
    [
      'ADD-PATH receive IPv4, send IPv6, both',
      '45',
      '0001 01 01' /* IPv4 receive */ + '0002 01 02' /* IPv6 send */ + '0001 02 03' /* IPv4 multicast both */,
      {
        type: 'add-path',
        families: [
          { afi: 1, safi: 1, mode: 'receive' },
          { afi: 2, safi: 1, mode: 'send' },
          { afi: 1, safi: 2, mode: 'both' },
        ],
      },
    ],
    [
      'extended next hop: IPv4 unicast over IPv6',
      '05',
      '0001' /* NLRI AFI 1 */ + '0001' /* NLRI SAFI 1 (2 bytes) */ + '0002' /* next hop AFI 2 */,
      { type: 'extended-next-hop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
    ],
    [
      'FQDN node1.example.com',
      '49',
      '05' + Buffer.from('node1').toString('hex') + '0b' + Buffer.from('example.com').toString('hex'),
      { type: 'fqdn', hostname: 'node1', domain: 'example.com' },
    ],
    ['unknown capability 99 kept raw', '63', 'c0ffee', { type: 'unknown', code: 99, value: hex('c0ffee') }],
  ];

  it.each(vectors)('capability: %s', (_name, code, value, decoded) => {
    const m = open(capParam(code, value));
    const o = decodeOpen(m);
    expect(o.capabilities).toEqual([decoded]);
    expect(o.capabilityGroups).toEqual([1]);
    expect(encodeOpen(o).toString('hex')).toBe(m.toString('hex'));
    expect(encodeOpen({ asn: 65000, holdTime: 90, routerId: '10.0.0.1', capabilities: [decoded] }).toString('hex')).toBe(m.toString('hex'));
  });

  it('several capabilities in one parameter (BIRD style) keep their grouping', () => {
    const params = '02' + '0a' + '01 04 0001 00 01' /* mp IPv4 unicast */ + '02 00' /* route refresh */ + '46 00'; /* enhanced */
    const m = open(params.replace(/\s+/g, ''));
    const o = decodeOpen(m);
    expect(o.capabilities.map((c) => c.type)).toEqual(['multiprotocol', 'route-refresh', 'enhanced-route-refresh']);
    expect(o.capabilityGroups).toEqual([3]);
    expect(encodeOpen(o).equals(m)).toBe(true);
  });

  it('4-octet ASN: the capability gives the ASN, My AS carries AS_TRANS', () => {
    const m = open(capParam('41', '0001 0000' /* AS 65536 */), { as: '5ba0' /* AS_TRANS 23456 */ });
    const o = decodeOpen(m);
    expect([o.myAsn, o.asn]).toEqual([23456, 65536]);
    const enc = encodeOpen({ asn: 65536, holdTime: 90, routerId: '10.0.0.1', capabilities: [{ type: 'four-octet-asn', asn: 65536 }] });
    expect(enc.equals(m)).toBe(true);
  });

  it('RFC 9072 extended optional parameters: decoded, and used when parameters exceed 255 bytes', () => {
    const cap = '49' + 'ff' + 'fd' + '61'.repeat(253) + '00'; // FQDN, length 255: 253 'a', empty domain
    const ext = '02' + '0101' + cap; // param type 2, 2-byte length 257
    const body = hex(
      '04 fde8 005a 0a000001',
      'ff', // Non-Ext OP Len 255
      'ff', // Non-Ext OP Type 255: extended encoding
      '0104', // Extended Opt. Parm. Length = 260
      ext,
    );
    const m = msg(1, body.toString('hex'));
    const o = decodeOpen(m);
    expect(o.extendedParameters).toBe(true);
    expect(o.capabilities).toEqual([{ type: 'fqdn', hostname: 'a'.repeat(253), domain: '' }]);
    expect(encodeOpen({ asn: 65000, holdTime: 90, routerId: '10.0.0.1', capabilities: o.capabilities }).equals(m)).toBe(true);
  });

  describe('errors (RFC 4271 §6.2, RFC 5492)', () => {
    it('version 3 → 2/1 Unsupported Version Number, data = our version (2 octets)', () => {
      expectError(() => decodeOpen(open('', { version: '03' })), 2, 1, '0004');
    });
    it('hold time 1 and 2 → 2/6 Unacceptable Hold Time; 0 and 3 are accepted', () => {
      expectError(() => decodeOpen(open('', { hold: '0001' })), 2, 6);
      expectError(() => decodeOpen(open('', { hold: '0002' })), 2, 6);
      expect(decodeOpen(open('', { hold: '0000' })).holdTime).toBe(0);
      expect(decodeOpen(open('', { hold: '0003' })).holdTime).toBe(3);
    });
    it('BGP identifier 0.0.0.0 → 2/3 Bad BGP Identifier', () => {
      expectError(() => decodeOpen(open('', { id: '00000000' })), 2, 3);
    });
    it('optional parameter type 1 (authentication) → 2/4 Unsupported Optional Parameter', () => {
      expectError(() => decodeOpen(open('01 02 abcd')), 2, 4);
    });
    it('optional parameters length beyond the message → 2/0', () => {
      const m = open(capParam('02', ''));
      m[28] = 10; // claims 10 bytes, 4 present
      expectError(() => decodeOpen(m), 2, 0);
    });
    it('capability overrunning its parameter → 2/0 with the capability code', () => {
      expectError(() => decodeOpen(open('02 04 41 04 0000')), 2, 0, '41');
    });
    it('malformed known capability values → 2/0', () => {
      expectError(() => decodeOpen(open(capParam('01', '0001 00'))), 2, 0, '01'); // multiprotocol of 3 bytes
      expectError(() => decodeOpen(open(capParam('41', '0001'))), 2, 0, '41'); // 4-octet ASN of 2 bytes
      expectError(() => decodeOpen(open(capParam('45', '0001 01'))), 2, 0, '45'); // ADD-PATH entry of 3 bytes
      expectError(() => decodeOpen(open(capParam('40', '00'))), 2, 0, '40'); // GR of 1 byte
      expectError(() => decodeOpen(open(capParam('47', '0001 01 80 0000'))), 2, 0, '47'); // LLGR entry of 6 bytes
      expectError(() => decodeOpen(open(capParam('05', '0001 0001'))), 2, 0, '05'); // ext next hop entry of 4 bytes
    });
    it('lenient where it is safe: a malformed FQDN is kept raw, an ADD-PATH entry with mode 0 or 5 is skipped', () => {
      expect(decodeOpen(open(capParam('49', '05 61'))).capabilities).toEqual([{ type: 'unknown', code: 73, value: hex('0561') }]);
      expect(decodeOpen(open(capParam('45', '0001 01 05' + '0002 01 01'))).capabilities).toEqual([
        { type: 'add-path', families: [{ afi: 2, safi: 1, mode: 'receive' }] },
      ]);
    });
    it('OPEN shorter than 29 bytes → 1/2 with the length', () => {
      expectError(() => decodeOpen(open('').subarray(0, 28)), 1, 2, '001c');
    });
  });
});
