// NOTIFICATION (with RFC 9003 shutdown communication), KEEPALIVE, ROUTE-REFRESH (RFC 7313), decodeMessage.
import { describe, expect, it } from 'vitest';
import {
  BgpMessageError,
  decodeMessage,
  decodeNotification,
  decodeRouteRefresh,
  describeNotification,
  DEFAULT_CONTEXT,
  encodeKeepalive,
  encodeNotification,
  encodeRouteRefresh,
  notificationFor,
} from '../../../src/bgp/wire/index.js';
import { hex, msg, MARKER } from './hex.js';

describe('NOTIFICATION (RFC 4271 §4.5)', () => {
  it('Cease / Peer De-configured without data', () => {
    const m = msg(3, '06' /* Cease */, '03' /* Peer De-configured */);
    expect(decodeNotification(m)).toEqual({ code: 6, subcode: 3, data: Buffer.alloc(0) });
    expect(encodeNotification({ code: 6, subcode: 3 }).equals(m)).toBe(true);
  });

  it('Administrative Shutdown with a shutdown communication (RFC 9003 §2)', () => {
    const text = 'maintenance: back at 14:00 ✓';
    const utf8 = Buffer.from(text, 'utf8');
    const m = msg(3, '06 02', utf8.length.toString(16).padStart(2, '0') /* length */, utf8.toString('hex'));
    const n = decodeNotification(m);
    expect(n.shutdownMessage).toBe(text);
    expect(encodeNotification({ code: 6, subcode: 2, shutdownMessage: text }).equals(m)).toBe(true);
  });

  it('Administrative Reset (6/4) carries one too; other subcodes do not', () => {
    expect(decodeNotification(msg(3, '06 04 02 6869')).shutdownMessage).toBe('hi');
    expect(decodeNotification(msg(3, '06 03 02 6869')).shutdownMessage).toBeUndefined();
  });

  it('a shutdown length overrunning the data is no message, and no error (RFC 9003 §2)', () => {
    const n = decodeNotification(msg(3, '06 02 09 6869'));
    expect(n.shutdownMessage).toBeUndefined();
    expect(n.data.toString('hex')).toBe('096869');
  });

  it('encoding truncates the message to 255 bytes without cutting a character', () => {
    const m = encodeNotification({ code: 6, subcode: 2, shutdownMessage: 'é'.repeat(200) }); // 400 bytes of UTF-8
    expect(m[21]).toBe(254);
    expect(decodeNotification(m).shutdownMessage).toBe('é'.repeat(127));
  });

  it('notificationFor turns a BgpMessageError into the NOTIFICATION to send', () => {
    const err = new BgpMessageError(1, 2, 'bad length', { data: hex('0012') });
    expect(notificationFor(err).toString('hex')).toBe(MARKER + '0017' + '03' + '01' + '02' + '0012');
  });

  it('names codes and subcodes', () => {
    expect(describeNotification(6, 2)).toBe('Cease / Administrative Shutdown (6/2)');
    expect(describeNotification(3, 11)).toBe('UPDATE Message Error / Malformed AS_PATH (3/11)');
    expect(describeNotification(4, 0)).toBe('Hold Timer Expired (4/0)');
    expect(describeNotification(7, 1)).toBe('ROUTE-REFRESH Message Error / Invalid Message Length (7/1)');
    expect(describeNotification(2, 99)).toBe('OPEN Message Error / subcode 99 (2/99)');
    expect(describeNotification(42, 1)).toBe('Unknown error code 42 / subcode 1 (42/1)');
  });
});

describe('KEEPALIVE (RFC 4271 §4.4)', () => {
  it('is a bare 19-byte header', () => {
    expect(encodeKeepalive().toString('hex')).toBe(MARKER + '0013' + '04');
    expect(decodeMessage(encodeKeepalive(), DEFAULT_CONTEXT)).toEqual({ type: 'keepalive' });
  });
});

describe('ROUTE-REFRESH (RFC 2918, RFC 7313)', () => {
  it.each([
    ['request', '00'],
    ['borr', '01'],
    ['eorr', '02'],
  ] as const)('subtype %s', (subtype, byte) => {
    const m = msg(5, '0002' /* AFI 2 */, byte /* subtype */, '01' /* SAFI 1 */);
    expect(decodeRouteRefresh(m)).toEqual({ afi: 2, safi: 1, subtype, rawSubtype: Number(byte) });
    expect(encodeRouteRefresh(2, 1, subtype).equals(m)).toBe(true);
  });

  it('an unknown subtype is reported as undefined: the message must be ignored (RFC 7313 §5)', () => {
    expect(decodeRouteRefresh(msg(5, '0001 07 01')).subtype).toBeUndefined();
  });
});

describe('decodeMessage', () => {
  it('dispatches on the type byte', () => {
    expect(decodeMessage(msg(3, '0402'), DEFAULT_CONTEXT).type).toBe('notification');
    expect(decodeMessage(msg(5, '0001 00 01'), DEFAULT_CONTEXT).type).toBe('route-refresh');
    expect(decodeMessage(msg(2, '0000 0000'), DEFAULT_CONTEXT).type).toBe('update');
    expect(() => decodeMessage(msg(9), DEFAULT_CONTEXT)).toThrow(expect.objectContaining({ notificationCode: 1, notificationSubcode: 3 }));
  });
});
