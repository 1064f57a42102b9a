// gobgpd 3.10 against our speaker (gobgp-testbed). Capabilities as captured in TESTBED.md: MP v4/v6, 4-octet
// ASN, route refresh, extended next hop (IPv4 NLRI over IPv6 next hop offered), FQDN; no graceful restart, no
// ADD-PATH, no extended message. IPv6 next-hop-self is ::ffff:<its IPv4>, understood as IPv4. Its first connect
// comes 5–10 s after start (connect-retry floor). Stops with NOTIFICATION Cease 6/3.
import { definePeerSuite } from './support/peer-suite.js';

definePeerSuite({
  kind: 'gobgp',
  title: 'gobgpd 3',
  capabilities: ['ipv4-unicast', 'ipv6-unicast', '4-octet-asn', 'route-refresh', 'extended-next-hop', 'fqdn'],
  gracefulRestart: false,
  hostname: true,
  stopReason: 'notification-received',
  connectTimeoutMs: 25_000,
});
