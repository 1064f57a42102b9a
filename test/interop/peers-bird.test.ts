// BIRD 2.0.12 against our speaker (gobgp-testbed). Capabilities as captured in TESTBED.md: MP v4/v6, 4-octet ASN,
// route refresh + enhanced, graceful restart (here GR_TIME, R=0) and long-lived GR; no ADD-PATH, no extended
// message, no extended next hop, no FQDN. IPv6 next-hop-self is its configured 2001:db8:ffff::12 (it refuses
// IPv4-mapped next hops). Stops with NOTIFICATION Cease 6/2.
import { definePeerSuite, GR_TIME } from './support/peer-suite.js';

definePeerSuite({
  kind: 'bird',
  title: 'BIRD 2',
  capabilities: [
    'ipv4-unicast',
    'ipv6-unicast',
    '4-octet-asn',
    'route-refresh',
    'enhanced-route-refresh',
    `graceful-restart:${GR_TIME}s:ipv4+ipv6`,
    'long-lived-gr(peer)',
  ],
  gracefulRestart: true,
  hostname: false,
  stopReason: 'notification-received',
  connectTimeoutMs: 20_000,
});
