import { describe, expect, it } from 'vitest';
import { asnAllowed, checkPeerAsn, NeighborTable } from '../../../src/bgp/session/neighbors.js';
import { UserError } from '../../../src/base/errors.js';

describe('neighbour matching', () => {
  const table = new NeighborTable(
    [
      { address: '10.0.0.5', asn: 65001 },
      { address: '2001:db8::5', asn: 65002 },
    ],
    [
      { range: '10.0.0.0/16', asns: { min: 64512, max: 65534 }, group: 'wide' },
      { range: '10.0.1.0/24', asns: { list: [65010, 65011] }, group: 'narrow', maxPeers: 2 },
      {
        range: '10.9.0.0/16',
        asns: [
          { min: 65001, max: 65001 },
          { min: 65100, max: 65200 },
        ],
      },
    ],
  );
  const none = () => 0;

  it('static neighbours by canonical address', () => {
    const m = table.match('::ffff:10.0.0.5', none);
    expect(m).toMatchObject({ kind: 'static', key: '10.0.0.5', neighbor: { asn: 65001 } });
    expect(table.match('2001:DB8:0::5', none)).toMatchObject({ kind: 'static', key: '2001:db8::5' });
  });

  it('the most specific dynamic range wins', () => {
    expect(table.match('10.0.1.7', none)).toMatchObject({ kind: 'dynamic', rangeText: '10.0.1.0/24', range: { group: 'narrow' } });
    expect(table.match('10.0.2.7', none)).toMatchObject({ kind: 'dynamic', rangeText: '10.0.0.0/16', range: { group: 'wide' } });
  });

  it('unknown sources and full ranges are rejected with a reason', () => {
    expect(table.match('192.0.2.1', none)).toMatchObject({ kind: 'reject', key: '192.0.2.1' });
    const full = table.match('10.0.1.7', (r) => (r === '10.0.1.0/24' ? 2 : 0));
    expect(full.kind).toBe('reject');
    expect(full.kind === 'reject' && full.reason).toContain('limit of 2');
  });

  it('ASN checks (Bad Peer AS)', () => {
    expect(checkPeerAsn(table.match('10.0.0.5', none), 65001)).toBeUndefined();
    expect(checkPeerAsn(table.match('10.0.0.5', none), 65009)).toBe('expected AS 65001, got 65009');
    expect(checkPeerAsn(table.match('10.0.1.7', none), 65011)).toBeUndefined();
    expect(checkPeerAsn(table.match('10.0.1.7', none), 65012)).toContain('not allowed in range 10.0.1.0/24 (65010,65011)');
    expect(checkPeerAsn(table.match('10.9.3.3', none), 65150)).toBeUndefined();
    expect(checkPeerAsn(table.match('10.9.3.3', none), 65002)).toContain('(65001,65100-65200)');
  });

  it('asn sets', () => {
    expect(asnAllowed({ min: 10, max: 20 }, 20)).toBe(true);
    expect(asnAllowed({ min: 10, max: 20 }, 21)).toBe(false);
    expect(asnAllowed({ list: [1, 5] }, 5)).toBe(true);
    expect(asnAllowed([], 5)).toBe(false);
  });

  it('duplicate and invalid neighbours are user errors', () => {
    expect(
      () =>
        new NeighborTable(
          [
            { address: '10.0.0.1', asn: 1 },
            { address: '::ffff:10.0.0.1', asn: 1 },
          ],
          [],
        ),
    ).toThrow(UserError);
    expect(() => new NeighborTable([{ address: '10.0.0.1', asn: 0 }], [])).toThrow(/invalid ASN/);
    expect(() => new NeighborTable([{ address: '10.0.0.1', asn: 1, holdTime: 2 }], [])).toThrow(/hold time 2/);
    expect(() => new NeighborTable([], [{ range: '10.0.0.0/8', asns: { list: [1] }, maxPrefix: { limit: 0, action: 'warn' } }])).toThrow(
      /max-prefix/,
    );
  });
});
