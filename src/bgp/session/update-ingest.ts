// UPDATE → Adj-RIB-In, the hot path. One instance per peer, reused for every UPDATE: it is the codec's visitor
// (no closure and no object per prefix unless someone listens for events), decodes and interns the attributes
// once per UPDATE, applies max-prefix, and collects the event batch of the UPDATE.
import type { Logger } from '../../base/log.js';
import type { BgpPath } from '../events.js';
import { canonicalAddressText, isLinkLocal, parseAddress, type Family } from '../../net/address.js';
import { type Prefix } from '../../net/prefix.js';
import { ipv6KeyFromWire, type AdjRibIn, type RibAttrs } from './adj-rib-in.js';
import type { PathAttribute, UpdateHeader, UpdatePart, UpdateVisitor } from '../wire/index.js';
import { toPathAttributes } from './path-attributes.js';
import type { MaxPrefix } from './neighbors.js';
import type { PeerCounters } from './peer-counters.js';

export interface IngestResult {
  readonly withdrawn: { prefix: Prefix; pathId: number }[];
  readonly paths: BgpPath[];
  readonly endOfRib: Family | undefined;
  /** Max-prefix with action reset was crossed: the caller resets the session (RFC 4486 6/1). */
  readonly maxPrefixExceeded: { readonly family: Family; readonly limit: number } | undefined;
}

const INTERN_LIMIT = 20_000;

/**
 * Next hop text for routing: IPv4-mapped IPv6 → IPv4 (RFC 4291 §2.5.5.2, sent by GoBGP and FRR), link-local or
 * unspecified → the peer's own address (a VPC cannot route to fe80::/10), RFC 8950 IPv6 next hops kept.
 */
export function routableNextHop(text: string | undefined, peerAddress: string): string {
  if (text === undefined) return peerAddress;
  try {
    const a = parseAddress(text);
    if (a.addr === 0n || isLinkLocal(a)) return peerAddress;
    return canonicalAddressText(text);
  } catch {
    return peerAddress;
  }
}

function readIpv6(buf: Buffer, off: number, len: number): bigint {
  const n = (len + 7) >> 3;
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(i < n ? (buf[off + i] as number) : 0);
  return len === 0 ? 0n : v & (((1n << BigInt(len)) - 1n) << BigInt(128 - len));
}

export class UpdateIngest implements UpdateVisitor {
  wantEvents = false;
  fourOctetAsn = true;
  maxPrefix: MaxPrefix | undefined;
  private v4Attrs: RibAttrs | undefined;
  private v4NlriAttrs: RibAttrs | undefined;
  private v4MpAttrs: RibAttrs | undefined;
  private v6Attrs: RibAttrs | undefined;
  private withdrawn: { prefix: Prefix; pathId: number }[] = [];
  private paths: BgpPath[] = [];
  private exceeded: { family: Family; limit: number } | undefined;
  private warned = { ipv4: false, ipv6: false };
  private readonly intern = new Map<string, RibAttrs>();

  constructor(
    private readonly peer: string,
    private peerAsn: number,
    private readonly rib: AdjRibIn,
    private readonly counters: PeerCounters,
    private readonly logger: Logger,
  ) {}

  /** A new session: new ASN, fresh one-time warnings. */
  sessionUp(peerAsn: number, fourOctetAsn: boolean): void {
    this.peerAsn = peerAsn;
    this.fourOctetAsn = fourOctetAsn;
    this.warned = { ipv4: false, ipv6: false };
    this.intern.clear();
  }

  /** Runs after walkUpdate: the batch of this UPDATE. */
  take(header: UpdateHeader): IngestResult {
    this.flushV4();
    const r: IngestResult = { withdrawn: this.withdrawn, paths: this.paths, endOfRib: header.endOfRib, maxPrefixExceeded: this.exceeded };
    this.withdrawn = [];
    this.paths = [];
    this.exceeded = undefined;
    this.v4Attrs = undefined;
    this.v4NlriAttrs = undefined;
    this.v4MpAttrs = undefined;
    this.v6Attrs = undefined;
    return r;
  }

  header(h: UpdateHeader): void {
    this.counters.updates++;
    this.v4Added.length = 0;
    if (h.treatAsWithdraw) {
      this.counters.treatAsWithdraw++;
      this.logger.warn(
        { event: 'update_error', action: 'treat-as-withdraw', code: h.treatAsWithdraw.code, subcode: h.treatAsWithdraw.subcode },
        `malformed UPDATE, prefixes treated as withdrawn (RFC 7606): ${h.treatAsWithdraw.reason}`,
      );
    }
    for (const p of h.problems) {
      if (p.action === 'attribute-discard')
        this.logger.warn(
          { event: 'update_error', action: 'attribute-discard', attribute: p.attribute },
          `attribute discarded (RFC 7606): ${p.reason}`,
        );
    }
    // Intern by the raw path attribute bytes: UPDATEs with the same attributes (one prefix per UPDATE is common)
    // share one RibAttrs and skip attribute conversion. MP_REACH carries its NLRI inside, so IPv6 keys rarely hit.
    const raw = this.internPause === 0 ? this.rawAttributes() : '';
    // NLRI-field prefixes use NEXT_HOP; MP_REACH IPv4 prefixes use the MP next hop (RFC 4760 §3, RFC 8950). One
    // UPDATE may carry both, with different next hops: section() switches between them.
    this.v4NlriAttrs = h.nextHop !== undefined ? this.internAttrs('4', raw, h.attributes, h.nextHop) : undefined;
    this.v4MpAttrs = h.mpReach?.family === 'ipv4' ? this.internAttrs('4mp', raw, h.attributes, h.mpReach.nextHop) : undefined;
    this.v4Attrs = this.v4NlriAttrs ?? this.v4MpAttrs;
    if (h.mpReach?.family === 'ipv6') this.v6Attrs = this.internAttrs('6', raw, h.attributes, h.mpReach.nextHop);
  }

  /** The UPDATE being walked (set by the caller before walkUpdate). */
  msg: Buffer | undefined;

  private rawAttributes(): string {
    const m = this.msg;
    if (!m) return '';
    const wl = m.readUInt16BE(19); // RFC 4271 §4.3: withdrawn routes length, then total path attribute length
    const al = m.readUInt16BE(21 + wl);
    return m.toString('latin1', 23 + wl, 23 + wl + al);
  }

  /** Interning pays only when attribute sets repeat; after a run of misses it pauses (adaptive). */
  private internMisses = 0;
  private internPause = 0;

  private internAttrs(tag: string, raw: string, attrs: readonly PathAttribute[], nextHopText: string | undefined): RibAttrs {
    const use = raw !== '' && this.internPause === 0;
    if (this.internPause > 0) this.internPause--;
    const key = use ? tag + raw : '';
    let e = use ? this.intern.get(key) : undefined;
    if (e) {
      this.internMisses = 0;
      return e;
    }
    e = { attrs: toPathAttributes(attrs, this.fourOctetAsn), nextHop: this.nextHop(nextHopText), slot: -1 };
    if (use) {
      if (this.intern.size >= INTERN_LIMIT) this.intern.clear();
      this.intern.set(key, e);
      if (++this.internMisses >= 1000) {
        // 1000 distinct attribute sets in a row (e.g. a community per route): stop looking for a while.
        this.internMisses = 0;
        this.internPause = 10_000;
        this.intern.clear();
      }
    }
    return e;
  }

  private lastNhText: string | undefined;
  private lastNh = '';

  private nextHop(text: string | undefined): string {
    if (text !== this.lastNhText || this.lastNh === '') {
      this.lastNhText = text;
      this.lastNh = routableNextHop(text, this.peer);
    }
    return this.lastNh;
  }

  section(part: UpdatePart): void {
    if (part !== 'nlri' && part !== 'mp-reach') return;
    const next = part === 'nlri' ? this.v4NlriAttrs : this.v4MpAttrs;
    if (next === this.v4Attrs) return;
    this.flushV4(); // pending events belong to the previous section's next hop
    this.v4Attrs = next;
  }

  announceIpv4(addr: number, len: number, pathId: number): void {
    const c = this.counters;
    c.received++;
    const attrs = this.v4Attrs;
    if (!attrs) return;
    const mp = this.maxPrefix;
    if (mp !== undefined && this.rib.familyTotal('ipv4') >= mp.limit && this.rib.getV4(addr, len, pathId) === undefined) {
      this.overLimit('ipv4', mp);
      return;
    }
    this.rib.setV4(addr, len, pathId, attrs);
    if (this.wantEvents) {
      // Recorded as numbers; the BgpPath objects are built after the walk (keeps this callback small).
      const q = this.v4Added;
      q.push(addr, len, pathId);
    }
  }

  /** IPv4 announcements of the current UPDATE, as (addr, len, pathId) triples, when events are wanted. */
  private v4Added: number[] = [];

  private flushV4(): void {
    const q = this.v4Added;
    const attrs = this.v4Attrs;
    if (q.length === 0 || !attrs) return;
    const { peer, peerAsn } = this;
    const { nextHop, attrs: pa } = attrs;
    for (let i = 0; i < q.length; i += 3) {
      const addr = q[i] as number;
      this.paths.push({
        peer,
        peerAsn,
        pathId: q[i + 2] as number,
        prefix: { family: 'ipv4', addr: BigInt(addr), len: q[i + 1] as number },
        nextHop,
        attrs: pa,
        stale: false,
      });
    }
    q.length = 0;
  }

  withdrawIpv4(addr: number, len: number, pathId: number): void {
    if (!this.rib.deleteV4(addr, len, pathId)) return;
    this.counters.withdrawn++;
    if (this.wantEvents) this.withdrawn.push({ prefix: { family: 'ipv4', addr: BigInt(addr), len }, pathId });
  }

  announceIpv6(buf: Buffer, off: number, len: number, pathId: number): void {
    this.counters.received++;
    const attrs = this.v6Attrs;
    if (!attrs) return;
    const key = ipv6KeyFromWire(buf, off, len, pathId);
    const mp = this.maxPrefix;
    if (mp !== undefined && this.rib.familyTotal('ipv6') >= mp.limit && this.rib.getV6(key) === undefined) {
      this.overLimit('ipv6', mp);
      return;
    }
    this.rib.setV6(key, attrs);
    if (this.wantEvents) {
      this.paths.push({
        peer: this.peer,
        peerAsn: this.peerAsn,
        pathId,
        prefix: { family: 'ipv6', addr: readIpv6(buf, off, len), len },
        nextHop: attrs.nextHop,
        attrs: attrs.attrs,
        stale: false,
      });
    }
  }

  withdrawIpv6(buf: Buffer, off: number, len: number, pathId: number): void {
    if (!this.rib.deleteV6(ipv6KeyFromWire(buf, off, len, pathId))) return;
    this.counters.withdrawn++;
    if (this.wantEvents) this.withdrawn.push({ prefix: { family: 'ipv6', addr: readIpv6(buf, off, len), len }, pathId });
  }

  private overLimit(family: Family, mp: MaxPrefix): void {
    this.counters.rejected++;
    if (mp.action === 'reset') {
      this.exceeded ??= { family, limit: mp.limit };
      return;
    }
    if (!this.warned[family]) {
      this.warned[family] = true;
      this.logger.warn(
        { event: 'max_prefix', family, limit: mp.limit, action: 'warn' },
        `${family} max-prefix limit ${mp.limit} reached; further prefixes are ignored`,
      );
    }
  }
}
