// FRR 8.4 bgpd (alone: -Z -n) against our speaker (gobgp-testbed). Capabilities as captured in TESTBED.md:
// MP v4/v6, 4-octet ASN, route refresh (+ Cisco's) + enhanced, graceful restart (here GR_TIME, R=1, F with
// preserve-fw-state) and long-lived GR, ADD-PATH receive only (so nothing for us to receive), extended message,
// FQDN. IPv6 next-hop-self is ::ffff:<its IPv4>, understood as IPv4. With graceful restart configured, bgpd
// stops (SIGTERM) without NOTIFICATION (a planned restart): its paths stay stale until the restart time.
import { definePeerSuite, GR_TIME } from './support/peer-suite.js';

definePeerSuite({
  kind: 'frr',
  title: 'FRR 8',
  capabilities: [
    'ipv4-unicast',
    'ipv6-unicast',
    '4-octet-asn',
    'route-refresh',
    'enhanced-route-refresh',
    `graceful-restart:${GR_TIME}s:ipv4+ipv6`,
    'long-lived-gr(peer)',
    'extended-message',
    'fqdn',
  ],
  gracefulRestart: true,
  hostname: true,
  stopReason: 'tcp-closed',
  connectTimeoutMs: 20_000,
});
