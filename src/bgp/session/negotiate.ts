// Capability negotiation (RFC 5492): what we advertise in our OPEN, and what both sides agreed once the peer's
// OPEN is in. Pure. We are a receive-only speaker: every capability below is about understanding the peer.
import { AS_TRANS, type Capability, type OpenMessage } from '../wire/index.js';
import { Afi, afiOf, familyOf, Safi } from '../wire/constants.js';
import type { Family } from '../../net/address.js';
import type { PeerGracefulRestart } from './graceful-restart.js';

export interface LocalCapabilities {
  readonly asn: number;
  /** Families we ask for (default both). */
  readonly families?: readonly Family[];
  /** Advertise ADD-PATH receive (RFC 7911) for every family (default true). */
  readonly addPathReceive?: boolean;
  /**
   * Graceful restart (RFC 4724): restart time we advertise (seconds). We advertise no families (a helper that
   * preserves no forwarding state, §3) and the N bit (RFC 8538). Undefined: no GR capability at all.
   */
  readonly gracefulRestartTime?: number;
  /** FQDN capability value, shown by peers (FRR, GoBGP). */
  readonly hostname?: string;
}

export interface Negotiated {
  /** RFC 6793: both sides support 4-octet ASNs (AS_PATH carries 4-byte ASNs). */
  readonly fourOctetAsn: boolean;
  /** Families both sides agreed on (RFC 4760 §8: a peer with no MP capability gets IPv4 unicast only). */
  readonly families: readonly Family[];
  /** RFC 7911 §4: we receive path identifiers in this family. */
  readonly addPath: { readonly ipv4: boolean; readonly ipv6: boolean };
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** RFC 8654: both sides advertised extended messages. */
  readonly extendedMessage: boolean;
  /** RFC 8950: the peer may send IPv6 next hops for IPv4 unicast NLRI. */
  readonly extendedNextHopIpv4: boolean;
  /** The peer's graceful-restart capability (we are its helper). */
  readonly gracefulRestart?: PeerGracefulRestart;
  readonly longLivedGr: boolean;
  readonly hostname?: string;
  readonly domain?: string;
  /** Human-readable list for status pages ("ipv4-unicast", "add-path-rx:ipv4", ...). */
  readonly names: readonly string[];
}

/** The capabilities of our OPEN. */
export function localCapabilities(local: LocalCapabilities): Capability[] {
  const families = local.families ?? ['ipv4', 'ipv6'];
  const caps: Capability[] = families.map((f) => ({ type: 'multiprotocol', afi: afiOf(f), safi: Safi.UNICAST }));
  caps.push({ type: 'route-refresh' }, { type: 'enhanced-route-refresh' });
  caps.push({ type: 'four-octet-asn', asn: local.asn });
  if (local.gracefulRestartTime !== undefined) {
    // RFC 4724 §3 + RFC 8538 §2: N bit (0x4) set, R bit clear, no families (we preserve no forwarding state).
    caps.push({ type: 'graceful-restart', restartFlags: 0x4, restartTime: Math.min(4095, local.gracefulRestartTime), families: [] });
  }
  if (local.addPathReceive ?? true) {
    caps.push({ type: 'add-path', families: families.map((f) => ({ afi: afiOf(f), safi: Safi.UNICAST, mode: 'receive' as const })) });
  }
  caps.push({ type: 'extended-message' });
  if (families.includes('ipv4')) {
    caps.push({ type: 'extended-next-hop', families: [{ afi: Afi.IPV4, safi: Safi.UNICAST, nextHopAfi: Afi.IPV6 }] });
  }
  if (local.hostname) caps.push({ type: 'fqdn', hostname: local.hostname.slice(0, 64), domain: '' });
  return caps;
}

/** Our 2-octet My AS field: AS_TRANS for a 4-octet ASN (RFC 6793 §4.1). */
export const myAsnField = (asn: number): number => (asn > 0xffff ? AS_TRANS : asn);

/** Everything both sides agreed on, from our settings and the peer's OPEN. */
export function negotiate(local: LocalCapabilities, open: OpenMessage): Negotiated {
  const ours = local.families ?? ['ipv4', 'ipv6'];
  const theirMp = new Set<Family>();
  let sawMp = false;
  let fourOctetAsn = false;
  let routeRefresh = false;
  let enhancedRouteRefresh = false;
  let extendedMessage = false;
  let extendedNextHopIpv4 = false;
  let longLivedGr = false;
  let gr: PeerGracefulRestart | undefined;
  let hostname: string | undefined;
  let domain: string | undefined;
  const addPathSend = new Set<Family>();
  for (const c of open.capabilities) {
    switch (c.type) {
      case 'multiprotocol': {
        sawMp = true;
        const f = familyOf(c.afi, c.safi);
        if (f) theirMp.add(f);
        break;
      }
      case 'route-refresh':
      case 'cisco-route-refresh':
        routeRefresh = true;
        break;
      case 'enhanced-route-refresh':
        enhancedRouteRefresh = true;
        break;
      case 'four-octet-asn':
        fourOctetAsn = true;
        break;
      case 'graceful-restart': {
        const families: { family: Family; forwardingPreserved: boolean }[] = [];
        for (const f of c.families) {
          const fam = familyOf(f.afi, f.safi);
          if (fam) families.push({ family: fam, forwardingPreserved: f.forwardingPreserved });
        }
        // RFC 4724 §3: R = 0x8, RFC 8538 §2: N = 0x4 (of the 4 flag bits).
        gr = { restartTime: c.restartTime, restarting: (c.restartFlags & 0x8) !== 0, notification: (c.restartFlags & 0x4) !== 0, families };
        break;
      }
      case 'long-lived-gr':
        longLivedGr = true;
        break;
      case 'add-path':
        for (const f of c.families) {
          const fam = familyOf(f.afi, f.safi);
          if (fam && (f.mode === 'send' || f.mode === 'both')) addPathSend.add(fam);
        }
        break;
      case 'extended-message':
        extendedMessage = true;
        break;
      case 'extended-next-hop':
        // RFC 8950 §3: IPv4 unicast NLRI with an IPv6 next hop.
        if (c.families.some((f) => f.afi === Afi.IPV4 && f.safi === Safi.UNICAST && f.nextHopAfi === Afi.IPV6)) extendedNextHopIpv4 = true;
        break;
      case 'fqdn':
        hostname = c.hostname;
        domain = c.domain;
        break;
      case 'unknown':
        break; // RFC 5492 §3: unknown capabilities are ignored
    }
  }
  // RFC 4760 §8: without any MP capability the peer speaks IPv4 unicast only.
  const theirs: ReadonlySet<Family> = sawMp ? theirMp : new Set<Family>(['ipv4']);
  const families = ours.filter((f) => theirs.has(f));
  const addRx = local.addPathReceive ?? true;
  const addPath = {
    ipv4: addRx && addPathSend.has('ipv4') && ours.includes('ipv4'),
    ipv6: addRx && addPathSend.has('ipv6') && ours.includes('ipv6'),
  };
  const grHelper = local.gracefulRestartTime !== undefined ? gr : undefined;

  const names: string[] = families.map((f) => `${f}-unicast`);
  if (fourOctetAsn) names.push('4-octet-asn');
  if (routeRefresh) names.push('route-refresh');
  if (enhancedRouteRefresh) names.push('enhanced-route-refresh');
  if (grHelper)
    names.push(
      `graceful-restart:${grHelper.restartTime}s${grHelper.families.length ? ':' + grHelper.families.map((f) => f.family).join('+') : ':helper'}`,
    );
  if (longLivedGr) names.push('long-lived-gr(peer)');
  if (addPath.ipv4) names.push('add-path-rx:ipv4');
  if (addPath.ipv6) names.push('add-path-rx:ipv6');
  if (extendedMessage) names.push('extended-message');
  if (extendedNextHopIpv4) names.push('extended-next-hop');
  if (hostname) names.push('fqdn');

  return {
    fourOctetAsn,
    families,
    addPath,
    routeRefresh,
    enhancedRouteRefresh,
    extendedMessage,
    extendedNextHopIpv4,
    ...(grHelper ? { gracefulRestart: grHelper } : {}),
    longLivedGr,
    ...(hostname !== undefined ? { hostname } : {}),
    ...(domain !== undefined ? { domain } : {}),
    names,
  };
}
