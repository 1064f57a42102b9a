// fast-check generators for BGP messages (shared by the property tests and scripts/fuzz-codec.ts).
import fc from 'fast-check';
import type { AsPathSegment, Capability, DecodeContext, Nlri, OpenInput, PathAttribute, UpdateInput } from '../../../src/bgp/wire/index.js';
import { encodeOpen, encodeUpdate, encodeNotification, encodeKeepalive, encodeRouteRefresh } from '../../../src/bgp/wire/index.js';
import { formatIpv4, formatIpv6 } from '../../../src/net/address.js';
import { makePrefix } from '../../../src/net/prefix.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const asn4 = fc.integer({ min: 1, max: 0xffffffff });
const asn2 = fc.integer({ min: 1, max: 0xffff });
/** A unicast IPv4 address (what NEXT_HOP accepts). */
const unicast4 = fc.integer({ min: 0x01000000, max: 0xdfffffff }).map(formatIpv4);
const any4 = fc.integer({ min: 0, max: 0xffffffff }).map(formatIpv4);
const v6addr = fc
  .bigInt({ min: 0n, max: (1n << 128n) - 1n })
  .filter((a) => a >> 32n !== 0xffffn) // IPv4-mapped addresses have their own text form
  .map(formatIpv6);

export const ctxArb: fc.Arbitrary<DecodeContext> = fc.record({
  fourOctetAsn: fc.boolean(),
  addPath: fc.record({ ipv4: fc.boolean(), ipv6: fc.boolean() }),
  extendedMessages: fc.constant(false),
});

export function nlriArb(family: 'ipv4' | 'ipv6', addPath: boolean): fc.Arbitrary<Nlri> {
  const bits = family === 'ipv4' ? 32 : 128;
  return fc
    .record({
      len: fc.integer({ min: 0, max: bits }),
      addr: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
      pathId: addPath ? u32 : fc.constant(0),
    })
    .map(({ len, addr, pathId }) => ({ prefix: makePrefix(family, addr, len), pathId }));
}

function segmentsArb(asn: fc.Arbitrary<number>, confed: boolean): fc.Arbitrary<AsPathSegment[]> {
  const types = confed ? (['sequence', 'set', 'confed-sequence', 'confed-set'] as const) : (['sequence', 'set'] as const);
  return fc.array(fc.record({ type: fc.constantFrom(...types), asns: fc.array(asn, { minLength: 1, maxLength: 8 }) }), { maxLength: 4 });
}

/** Optional attributes besides the mandatory three; unique by type. */
function optionalAttrs(ctx: DecodeContext): fc.Arbitrary<PathAttribute[]> {
  const asn = ctx.fourOctetAsn ? asn4 : asn2;
  const pool: fc.Arbitrary<PathAttribute>[] = [
    u32.map((med) => ({ type: 'med', med })),
    u32.map((localPref) => ({ type: 'local-pref', localPref })),
    fc.constant({ type: 'atomic-aggregate' }),
    fc.record({ asn, address: any4 }).map((a) => ({ type: 'aggregator', ...a })),
    fc.array(u32, { minLength: 1, maxLength: 10 }).map((communities) => ({ type: 'communities', communities })),
    any4.map((originatorId) => ({ type: 'originator-id', originatorId })),
    fc.array(any4, { minLength: 1, maxLength: 4 }).map((clusterIds) => ({ type: 'cluster-list', clusterIds })),
    fc
      .array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 4 })
      .map((cs) => ({ type: 'extended-communities', communities: cs.map((c) => Buffer.from(c).toString('hex')) })),
    fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 4 }).map((communities) => ({ type: 'large-communities', communities })),
    fc
      .record({
        code: fc.integer({ min: 19, max: 255 }).filter((c) => c !== 32),
        flags: fc.constantFrom(0x80, 0xc0, 0xe0),
        value: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
      })
      .map((a) => ({ type: 'unknown', ...a })),
  ];
  if (!ctx.fourOctetAsn) {
    pool.push(segmentsArb(asn4, false).map((segments) => ({ type: 'as4-path', segments })));
    pool.push(fc.record({ asn: asn4, address: any4 }).map((a) => ({ type: 'as4-aggregator', ...a })));
  }
  return fc
    .subarray(pool.map((_, i) => i))
    .chain((idx) => (idx.length === 0 ? fc.constant([]) : fc.tuple(...idx.map((i) => pool[i] as fc.Arbitrary<PathAttribute>))));
}

/** A valid UPDATE (as an input to encodeUpdate) that fits 4096 bytes for the context. */
export function updateArb(ctx: DecodeContext): fc.Arbitrary<UpdateInput> {
  const asn = ctx.fourOctetAsn ? asn4 : asn2;
  return fc
    .record({
      withdrawn: fc.array(nlriArb('ipv4', ctx.addPath.ipv4), { maxLength: 20 }),
      nlri: fc.array(nlriArb('ipv4', ctx.addPath.ipv4), { maxLength: 20 }),
      origin: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
      segments: segmentsArb(asn, true),
      nextHop: unicast4,
      extra: optionalAttrs(ctx),
      reach: fc.option(
        fc.record({
          nextHop: v6addr,
          linkLocal: fc.option(v6addr, { nil: undefined }),
          nlri: fc.array(nlriArb('ipv6', ctx.addPath.ipv6), { maxLength: 15 }),
        }),
        { nil: undefined },
      ),
      unreach: fc.option(fc.array(nlriArb('ipv6', ctx.addPath.ipv6), { maxLength: 15 }), { nil: undefined }),
    })
    .map((g) => {
      const attributes: PathAttribute[] = [
        { type: 'origin', origin: g.origin },
        { type: 'as-path', segments: g.segments },
        { type: 'next-hop', nextHop: g.nextHop },
        ...g.extra,
      ];
      const u: { -readonly [K in keyof UpdateInput]: UpdateInput[K] } = { withdrawn: g.withdrawn, nlri: g.nlri, attributes };
      if (g.reach) {
        u.mpReach = {
          type: 'mp-reach',
          afi: 2,
          safi: 1,
          nextHop: g.reach.nextHop,
          ...(g.reach.linkLocal === undefined ? {} : { nextHopLinkLocal: g.reach.linkLocal }),
          nlri: g.reach.nlri,
        };
      }
      if (g.unreach) u.mpUnreach = { type: 'mp-unreach', afi: 2, safi: 1, nlri: g.unreach };
      return u;
    });
}

export const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc
    .record({ afi: fc.integer({ min: 0, max: 0xffff }), safi: fc.integer({ min: 0, max: 255 }) })
    .map((x) => ({ type: 'multiprotocol' as const, ...x })),
  fc.constantFrom<Capability>(
    { type: 'route-refresh' },
    { type: 'enhanced-route-refresh' },
    { type: 'cisco-route-refresh' },
    { type: 'extended-message' },
  ),
  asn4.map((asn) => ({ type: 'four-octet-asn' as const, asn })),
  fc
    .record({
      restartFlags: fc.integer({ min: 0, max: 15 }),
      restartTime: fc.integer({ min: 0, max: 4095 }),
      families: fc.array(
        fc.record({ afi: fc.integer({ min: 0, max: 0xffff }), safi: fc.integer({ min: 0, max: 255 }), forwardingPreserved: fc.boolean() }),
        { maxLength: 4 },
      ),
    })
    .map((x) => ({ type: 'graceful-restart' as const, ...x })),
  fc
    .array(
      fc.record({
        afi: fc.integer({ min: 0, max: 0xffff }),
        safi: fc.integer({ min: 0, max: 255 }),
        forwardingPreserved: fc.boolean(),
        staleTime: fc.integer({ min: 0, max: 0xffffff }),
      }),
      { maxLength: 4 },
    )
    .map((families) => ({ type: 'long-lived-gr' as const, families })),
  fc
    .array(
      fc.record({
        afi: fc.integer({ min: 0, max: 0xffff }),
        safi: fc.integer({ min: 0, max: 255 }),
        mode: fc.constantFrom('receive', 'send', 'both') as fc.Arbitrary<'receive' | 'send' | 'both'>,
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((families) => ({ type: 'add-path' as const, families })),
  fc
    .array(
      fc.record({
        afi: fc.integer({ min: 0, max: 0xffff }),
        safi: fc.integer({ min: 0, max: 0xffff }),
        nextHopAfi: fc.integer({ min: 0, max: 0xffff }),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((families) => ({ type: 'extended-next-hop' as const, families })),
  fc.record({ hostname: fc.string({ maxLength: 40 }), domain: fc.string({ maxLength: 40 }) }).map((x) => ({ type: 'fqdn' as const, ...x })),
  fc
    .record({
      code: fc.integer({ min: 0, max: 255 }).filter((c) => ![1, 2, 5, 6, 64, 65, 69, 70, 71, 73, 128].includes(c)),
      value: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
    })
    .map((x) => ({ type: 'unknown' as const, ...x })),
);

export const openArb: fc.Arbitrary<OpenInput> = fc.record({
  asn: asn4,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  routerId: fc.integer({ min: 1, max: 0xffffffff }).map(formatIpv4),
  capabilities: fc.array(capabilityArb, { maxLength: 12 }),
});

/** Any valid message, encoded. */
export function validMessageArb(ctx: DecodeContext): fc.Arbitrary<Buffer> {
  return fc.oneof(
    openArb.map(encodeOpen),
    updateArb(ctx).map((u) => encodeUpdate(u, ctx)),
    fc
      .record({ code: fc.integer({ min: 1, max: 8 }), subcode: fc.integer({ min: 0, max: 11 }), data: fc.uint8Array({ maxLength: 40 }) })
      .map((n) => encodeNotification({ ...n, data: Buffer.from(n.data) })),
    fc.constant(encodeKeepalive()),
    fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.constantFrom('request', 'borr', 'eorr') as fc.Arbitrary<'request' | 'borr' | 'eorr'>)
      .map(([afi, st]) => encodeRouteRefresh(afi, 1, st)),
  );
}

/** A valid message with a few bytes overwritten (after the marker), for robustness checks. */
export function mutatedMessageArb(ctx: DecodeContext): fc.Arbitrary<Buffer> {
  return fc
    .tuple(validMessageArb(ctx), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([m, edits]) => {
      const b = Buffer.from(m);
      for (const [pos, val] of edits) b[16 + (pos % (b.length - 16))] = val;
      return b;
    });
}
