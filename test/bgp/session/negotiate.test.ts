import { describe, expect, it } from 'vitest';
import { localCapabilities, myAsnField, negotiate } from '../../../src/bgp/session/negotiate.js';
import { decodeOpen, encodeOpen, type Capability, type OpenMessage } from '../../../src/bgp/wire/index.js';

const openWith = (capabilities: Capability[], asn = 65001): OpenMessage =>
  decodeOpen(encodeOpen({ asn, holdTime: 90, routerId: '192.0.2.1', capabilities }));

describe('capability negotiation', () => {
  it('our OPEN: MP v4/v6, route refresh (+enhanced), 4-octet ASN, GR helper with N bit, ADD-PATH receive, extended message and next hop', () => {
    const caps = localCapabilities({ asn: 4200000000, gracefulRestartTime: 120, hostname: 'ctl' });
    expect(caps).toEqual([
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'multiprotocol', afi: 2, safi: 1 },
      { type: 'route-refresh' },
      { type: 'enhanced-route-refresh' },
      { type: 'four-octet-asn', asn: 4200000000 },
      { type: 'graceful-restart', restartFlags: 0x4, restartTime: 120, families: [] },
      {
        type: 'add-path',
        families: [
          { afi: 1, safi: 1, mode: 'receive' },
          { afi: 2, safi: 1, mode: 'receive' },
        ],
      },
      { type: 'extended-message' },
      { type: 'extended-next-hop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { type: 'fqdn', hostname: 'ctl', domain: '' },
    ]);
    expect(myAsnField(4200000000)).toBe(23456); // RFC 6793 AS_TRANS
    expect(myAsnField(65000)).toBe(65000);
    expect(localCapabilities({ asn: 65000, addPathReceive: false }).map((c) => c.type)).not.toContain('add-path');
    expect(localCapabilities({ asn: 65000 }).map((c) => c.type)).not.toContain('graceful-restart');
  });

  it('what FRR 8.4 sends (TESTBED.md): ADD-PATH both families, GR R+N 120 s, extended message, FQDN', () => {
    const n = negotiate(
      { asn: 65000, gracefulRestartTime: 120 },
      openWith(
        [
          { type: 'multiprotocol', afi: 1, safi: 1 },
          { type: 'multiprotocol', afi: 2, safi: 1 },
          { type: 'route-refresh' },
          { type: 'enhanced-route-refresh' },
          { type: 'four-octet-asn', asn: 65003 },
          {
            type: 'add-path',
            families: [
              { afi: 1, safi: 1, mode: 'receive' },
              { afi: 2, safi: 1, mode: 'receive' },
            ],
          },
          { type: 'extended-message' },
          { type: 'graceful-restart', restartFlags: 0xc, restartTime: 120, families: [] },
          { type: 'long-lived-gr', families: [] },
          { type: 'fqdn', hostname: 'frr-host', domain: 'example' },
        ],
        65003,
      ),
    );
    expect(n).toMatchObject({
      fourOctetAsn: true,
      families: ['ipv4', 'ipv6'],
      addPath: { ipv4: false, ipv6: false }, // FRR only receives: it sends us no path ids
      routeRefresh: true,
      enhancedRouteRefresh: true,
      extendedMessage: true,
      extendedNextHopIpv4: false,
      gracefulRestart: { restartTime: 120, restarting: true, notification: true, families: [] },
      longLivedGr: true,
      hostname: 'frr-host',
      domain: 'example',
    });
  });

  it('ADD-PATH is on only where the peer sends; no MP → IPv4 only; unknown capabilities ignored', () => {
    const n = negotiate(
      { asn: 65000 },
      openWith([
        { type: 'add-path', families: [{ afi: 2, safi: 1, mode: 'both' }] },
        { type: 'unknown', code: 200, value: Buffer.from([1]) },
      ]),
    );
    expect(n.families).toEqual(['ipv4']);
    expect(n.addPath).toEqual({ ipv4: false, ipv6: true });
    expect(n.fourOctetAsn).toBe(false);
    expect(n.gracefulRestart).toBeUndefined();
  });

  it('the GR capability of the peer is ignored when we are not a helper', () => {
    const n = negotiate(
      { asn: 65000 },
      openWith([
        { type: 'graceful-restart', restartFlags: 0, restartTime: 90, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
      ]),
    );
    expect(n.gracefulRestart).toBeUndefined();
    const m = negotiate(
      { asn: 65000, gracefulRestartTime: 60 },
      openWith([
        { type: 'graceful-restart', restartFlags: 0, restartTime: 90, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
      ]),
    );
    expect(m.gracefulRestart).toEqual({
      restartTime: 90,
      restarting: false,
      notification: false,
      families: [{ family: 'ipv4', forwardingPreserved: true }],
    });
    expect(m.names).toContain('graceful-restart:90s:ipv4');
  });

  it('an IPv6-only peer gets IPv6 only', () => {
    expect(negotiate({ asn: 65000 }, openWith([{ type: 'multiprotocol', afi: 2, safi: 1 }])).families).toEqual(['ipv6']);
  });
});
