// Test helper: a one-line text summary of each decoded message, so capture tests can list the expected
// contents of a session literally (values as tshark shows them).
import { readTcpStreams } from '../../support/pcap.js';
import {
  decodeMessage,
  Framer,
  DEFAULT_CONTEXT,
  type BgpMessage,
  type Capability,
  type PathAttribute,
} from '../../../src/bgp/wire/index.js';
import { formatPrefix } from '../../../src/net/prefix.js';
import type { Nlri } from '../../../src/bgp/wire/index.js';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function cap(c: Capability): string {
  switch (c.type) {
    case 'multiprotocol':
      return `mp(${c.afi}/${c.safi})`;
    case 'route-refresh':
      return 'rr';
    case 'enhanced-route-refresh':
      return 'err';
    case 'cisco-route-refresh':
      return 'cisco-rr';
    case 'four-octet-asn':
      return `as4(${c.asn})`;
    case 'graceful-restart':
      return `gr(flags=${c.restartFlags},time=${c.restartTime}${c.families.map((f) => `,${f.afi}/${f.safi}${f.forwardingPreserved ? 'F' : ''}`).join('')})`;
    case 'long-lived-gr':
      return `llgr(${c.families.map((f) => `${f.afi}/${f.safi}${f.forwardingPreserved ? 'F' : ''}:${f.staleTime}`).join(',')})`;
    case 'add-path':
      return `add-path(${c.families.map((f) => `${f.afi}/${f.safi}:${f.mode}`).join(',')})`;
    case 'extended-message':
      return 'ext-msg';
    case 'extended-next-hop':
      return `ext-nh(${c.families.map((f) => `${f.afi}/${f.safi}:${f.nextHopAfi}`).join(',')})`;
    case 'fqdn':
      return `fqdn(${c.hostname}${c.domain ? '.' + c.domain : ''})`;
    case 'unknown':
      return `cap${c.code}(${c.value.toString('hex')})`;
  }
}

const pfx = (l: readonly Nlri[]): string[] => l.map((n) => formatPrefix(n.prefix) + (n.pathId ? `#${n.pathId}` : ''));

function attr(a: PathAttribute): string | undefined {
  switch (a.type) {
    case 'origin':
      return `origin=${a.origin}`;
    case 'as-path':
      return `aspath=${a.segments.map((s) => (s.type === 'sequence' ? s.asns.join(' ') : `${s.type}{${s.asns.join(',')}}`)).join(' ')}`;
    case 'next-hop':
      return `nh=${a.nextHop}`;
    case 'med':
      return `med=${a.med}`;
    case 'local-pref':
      return `lp=${a.localPref}`;
    case 'mp-reach':
      return `mp-nh=${a.nextHop}${a.nextHopLinkLocal ? ',' + a.nextHopLinkLocal : ''}`;
    case 'mp-unreach':
      return undefined;
    default:
      return a.type;
  }
}

export function summarize(m: BgpMessage): string {
  switch (m.type) {
    case 'open': {
      const o = m.open;
      return `OPEN as=${o.asn} hold=${o.holdTime} id=${o.routerId} caps=${o.capabilities.map(cap).join(',')}`;
    }
    case 'keepalive':
      return 'KEEPALIVE';
    case 'notification':
      return `NOTIFICATION ${m.notification.code}/${m.notification.subcode}`;
    case 'route-refresh':
      return `ROUTE-REFRESH ${m.routeRefresh.afi}/${m.routeRefresh.safi} ${m.routeRefresh.subtype ?? '?'}`;
    case 'update': {
      const u = m.update;
      if (u.endOfRib) return `EOR ${u.endOfRib}`;
      const parts = [
        ...pfx(u.withdrawn).map((p) => `-${p}`),
        ...pfx(u.mpUnreach?.nlri ?? []).map((p) => `-${p}`),
        ...pfx(u.nlri).map((p) => `+${p}`),
        ...pfx(u.mpReach?.nlri ?? []).map((p) => `+${p}`),
        ...u.attributes.map(attr).filter((x): x is string => x !== undefined),
      ];
      return `UPDATE ${parts.join(' ')}`;
    }
  }
}

export interface DecodedStream {
  readonly from: string;
  readonly data: Buffer;
  readonly chunks: readonly number[];
  readonly messages: readonly Buffer[];
  readonly summary: readonly string[];
}

/** Every direction of a capture, framed and summarized, keyed by sender address. */
export function decodeCapture(file: string): Map<string, DecodedStream> {
  const out = new Map<string, DecodedStream>();
  for (const s of readTcpStreams(FIXTURES + file)) {
    const messages = new Framer().push(s.data);
    out.set(s.src, {
      from: s.src,
      data: s.data,
      chunks: s.chunks,
      messages,
      summary: messages.map((m) => summarize(decodeMessage(m, DEFAULT_CONTEXT))),
    });
  }
  return out;
}
