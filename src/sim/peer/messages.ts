// The simulated host's messages, built with our own codec's encoders (src/bgp/wire). Announcements sharing a next
// hop and attributes are packed into as few UPDATEs as fit in 4096 bytes.
import { encodeOpen } from '../../bgp/wire/open.js';
import { encodeKeepalive } from '../../bgp/wire/keepalive.js';
import { encodeNotification } from '../../bgp/wire/notification.js';
import { basicAttributes, encodeEndOfRib, encodeUpdate } from '../../bgp/wire/update-encode.js';
import type { Capability } from '../../bgp/wire/capabilities.js';
import type { Family } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';

export interface Announcement {
  readonly prefix: Prefix;
  /** IPv4 text for IPv4 prefixes; IPv6 (or IPv4-mapped IPv6) text for IPv6 prefixes. */
  readonly nextHop: string;
  readonly asn: number;
  readonly localPref?: number;
  readonly med?: number;
  readonly communities?: readonly string[];
}

export interface OpenOptions {
  readonly asn: number;
  readonly holdTime: number;
  readonly routerId: string;
  readonly families: readonly Family[];
  readonly gracefulRestartTime?: number;
  readonly hostname?: string;
}

const AFI: Readonly<Record<Family, number>> = { ipv4: 1, ipv6: 2 };

export function openMessage(o: OpenOptions): Buffer {
  const caps: Capability[] = [
    ...o.families.map((f): Capability => ({ type: 'multiprotocol', afi: AFI[f], safi: 1 })), // RFC 4760 §8
    { type: 'route-refresh' }, // RFC 2918
    { type: 'four-octet-asn', asn: o.asn }, // RFC 6793 §3
  ];
  if (o.gracefulRestartTime !== undefined) {
    // RFC 4724 §3: R bit clear (not restarting), forwarding state not preserved.
    caps.push({
      type: 'graceful-restart',
      restartFlags: 0,
      restartTime: o.gracefulRestartTime,
      families: o.families.map((f) => ({ afi: AFI[f], safi: 1, forwardingPreserved: false })),
    });
  }
  if (o.hostname !== undefined) caps.push({ type: 'fqdn', hostname: o.hostname, domain: '' });
  return encodeOpen({ asn: o.asn, holdTime: o.holdTime, routerId: o.routerId, capabilities: caps });
}

export const keepaliveMessage = (): Buffer => encodeKeepalive();

export const notificationMessage = (code: number, subcode: number): Buffer => encodeNotification({ code, subcode });

export const endOfRibMessage = (family: Family): Buffer => encodeEndOfRib(family);

const PER_UPDATE: Readonly<Record<Family, number>> = { ipv4: 400, ipv6: 150 };

function chunks<T>(list: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

function communityNumber(text: string): number {
  const [a, b] = text.split(':').map(Number);
  return ((a ?? 0) * 65536 + (b ?? 0)) >>> 0;
}

/**
 * UPDATEs for the given announcements and withdrawals. `ibgp`: the controller shares our ASN, so the AS_PATH is
 * empty and LOCAL_PREF is sent (RFC 4271 §5.1.2, §5.1.5).
 */
export function updateMessages(announce: readonly Announcement[], withdraw: readonly Prefix[], ibgp = false): Buffer[] {
  const out: Buffer[] = [];
  const v4w = withdraw.filter((p) => p.family === 'ipv4');
  const v6w = withdraw.filter((p) => p.family === 'ipv6');
  for (const c of chunks(v4w, PER_UPDATE.ipv4)) out.push(encodeUpdate({ withdrawn: c }));
  for (const c of chunks(v6w, PER_UPDATE.ipv6)) out.push(encodeUpdate({ mpUnreach: { type: 'mp-unreach', afi: 2, safi: 1, nlri: c } }));

  const groups = new Map<string, Announcement[]>();
  for (const a of announce) {
    const key = JSON.stringify([a.prefix.family, a.nextHop, a.asn, a.localPref, a.med, a.communities]);
    const g = groups.get(key);
    if (g) g.push(a);
    else groups.set(key, [a]);
  }
  for (const g of groups.values()) {
    const first = g[0] as Announcement;
    const family = first.prefix.family;
    const base = {
      asPath: ibgp ? [] : [first.asn],
      ...(first.med !== undefined ? { med: first.med } : {}),
      ...(first.localPref !== undefined ? { localPref: first.localPref } : ibgp ? { localPref: 100 } : {}),
      ...(first.communities ? { communities: first.communities.map(communityNumber) } : {}),
    };
    for (const c of chunks(g, PER_UPDATE[family])) {
      const prefixes = c.map((a) => a.prefix);
      if (family === 'ipv4') {
        out.push(encodeUpdate({ attributes: basicAttributes({ ...base, nextHop: first.nextHop }), nlri: prefixes }));
      } else {
        // RFC 4760 §3: IPv6 goes in MP_REACH_NLRI with its own next hop; no NEXT_HOP attribute.
        out.push(
          encodeUpdate({
            attributes: basicAttributes(base),
            mpReach: { type: 'mp-reach', afi: 2, safi: 1, nextHop: first.nextHop, nlri: prefixes },
          }),
        );
      }
    }
  }
  return out;
}
