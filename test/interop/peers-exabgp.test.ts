// ExaBGP 4.2 against our speaker (gobgp-testbed). Capabilities as captured in TESTBED.md: MP v4/v6, 4-octet ASN,
// extended message; no route refresh, no graceful restart, no ADD-PATH, no FQDN. Changes are config reloads
// (SIGUSR1) that re-announce everything. It closes with a bare TCP FIN, no NOTIFICATION.
import { definePeerSuite } from './support/peer-suite.js';

definePeerSuite({
  kind: 'exabgp',
  title: 'ExaBGP 4',
  capabilities: ['ipv4-unicast', 'ipv6-unicast', '4-octet-asn', 'extended-message'],
  gracefulRestart: false,
  hostname: false,
  stopReason: 'tcp-closed',
  connectTimeoutMs: 20_000,
});
