// Realistic and adversarial input shapes for property tests and the benchmark, from a seeded PRNG.
import type { AggRoute } from '../../src/aggregate/types.js';
import type { Family } from '../../src/net/address.js';
import type { Prefix } from '../../src/net/prefix.js';

export interface Shape {
  readonly name: string;
  readonly family: Family;
  readonly routes: AggRoute[];
  readonly cluster: Prefix[];
}

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v4 = (a: number, b: number, c: number, d: number): bigint => BigInt(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
const p4 = (addr: bigint, len: number): Prefix => ({ family: 'ipv4', addr, len });
const host = (i: number): string => `i-${i.toString(16).padStart(6, '0')}`;

/** Calico-style /26 IPAM blocks handed to hosts in random order (interleaved), in 10.0.0.0/8. */
export function calicoBlocks(n: number, hosts: number, seed: number): Shape {
  const r = rng(seed);
  const base = v4(10, 0, 0, 0);
  const routes: AggRoute[] = [];
  for (let i = 0; i < n; i++) routes.push({ prefix: p4(base + BigInt(i * 64), 26), target: host(Math.floor(r() * hosts)) });
  return { name: `calico /26 blocks, ${n} prefixes, ${hosts} hosts`, family: 'ipv4', routes, cluster: [p4(base, 8)] };
}

/** Per-node /24 pod CIDRs, consecutive, in 10.244.0.0/16, with some nodes gone (holes). */
export function podCidrs(nodes: number, seed: number): Shape {
  const r = rng(seed);
  const routes: AggRoute[] = [];
  for (let i = 0; i < nodes && i < 256; i++) if (r() > 0.1) routes.push({ prefix: p4(v4(10, 244, i, 0), 24), target: host(i) });
  return { name: `per-node /24s in a /16, ${routes.length} nodes`, family: 'ipv4', routes, cluster: [p4(v4(10, 244, 0, 0), 16)] };
}

/** Weave-like: each host owns a contiguous range, announced as its CIDR-aligned blocks. */
export function hostRanges(hosts: number, seed: number): Shape {
  const r = rng(seed);
  const routes: AggRoute[] = [];
  let at = 0;
  const base = 10 * 2 ** 24;
  for (let h = 0; h < hosts; h++) {
    const size = 64 + Math.floor(r() * 2000);
    let start = at;
    const end = at + size;
    while (start < end) {
      let len = 32;
      while (len > 0 && start % 2 ** (33 - len) === 0 && start + 2 ** (33 - len) <= end) len--;
      routes.push({ prefix: p4(BigInt(base + start), len), target: host(h) });
      start += 2 ** (32 - len);
    }
    at = end;
  }
  return {
    name: `weave-like host ranges split into aligned blocks, ${hosts} hosts`,
    family: 'ipv4',
    routes,
    cluster: [p4(v4(10, 0, 0, 0), 8)],
  };
}

/** Scattered /32 VIPs in 10.96.0.0/16 announced by random hosts. */
export function vips(n: number, hosts: number, seed: number): Shape {
  const r = rng(seed);
  const seen = new Set<number>();
  const routes: AggRoute[] = [];
  while (routes.length < n) {
    const a = Math.floor(r() * 65536);
    if (seen.has(a)) continue;
    seen.add(a);
    routes.push({ prefix: p4(v4(10, 96, 0, 0) + BigInt(a), 32), target: host(Math.floor(r() * hosts)) });
  }
  return { name: `scattered /32 VIPs, ${n} prefixes, ${hosts} hosts`, family: 'ipv4', routes, cluster: [p4(v4(10, 96, 0, 0), 16)] };
}

/** Per-node /24s plus /32 VIPs and /28s inside other nodes' /24s (overlapping announcements). */
export function overlapping(nodes: number, extra: number, seed: number): Shape {
  const r = rng(seed);
  const routes: AggRoute[] = [];
  for (let i = 0; i < nodes && i < 256; i++) routes.push({ prefix: p4(v4(10, 244, i, 0), 24), target: host(i) });
  const seen = new Set<string>();
  while (routes.length < nodes + extra) {
    const len = r() < 0.7 ? 32 : 28;
    const a = Math.floor(r() * nodes * 256) & ~(2 ** (32 - len) - 1);
    const k = `${a}/${len}`;
    if (seen.has(k)) continue;
    seen.add(k);
    routes.push({ prefix: p4(v4(10, 244, 0, 0) + BigInt(a), len), target: host(Math.floor(r() * nodes)) });
  }
  return { name: `overlapping: ${nodes} /24s + ${extra} /32 & /28 inside`, family: 'ipv4', routes, cluster: [p4(v4(10, 244, 0, 0), 16)] };
}

/** IPv6 /64s in a /48 (fd00:10::/48), random hosts; a few /128 VIPs inside. */
export function ipv6(n: number, hosts: number, seed: number, clusterLen = 48): Shape {
  const r = rng(seed);
  const base = 0xfd0000100000n << 80n; // fd00:10::/48
  const routes: AggRoute[] = [];
  const seen = new Set<number>();
  const slots = 2 ** (64 - clusterLen);
  while (routes.length < n && seen.size < slots) {
    const i = Math.floor(r() * slots);
    if (seen.has(i)) continue;
    seen.add(i);
    routes.push({ prefix: { family: 'ipv6', addr: base + (BigInt(i) << 64n), len: 64 }, target: host(Math.floor(r() * hosts)) });
  }
  return {
    name: `IPv6 /64s in a /${clusterLen}, ${routes.length} prefixes, ${hosts} hosts`,
    family: 'ipv6',
    routes,
    cluster: [{ family: 'ipv6', addr: base, len: clusterLen }],
  };
}

/** Adversarial: consecutive /30s alternating between two targets, no cluster CIDRs. */
export function alternating(n: number): Shape {
  const routes: AggRoute[] = [];
  for (let i = 0; i < n; i++) routes.push({ prefix: p4(v4(10, 0, 0, 0) + BigInt(i * 4), 30), target: host(i % 2) });
  return { name: `alternating /30s, 2 targets, ${n} prefixes, no cluster`, family: 'ipv4', routes, cluster: [] };
}

/** Calico-style /26 blocks where each host takes runs of consecutive blocks (1-8) as it grows, in 10.0.0.0/8. */
export function calicoRuns(n: number, hosts: number, seed: number): Shape {
  const r = rng(seed);
  const base = v4(10, 0, 0, 0);
  const routes: AggRoute[] = [];
  while (routes.length < n) {
    const h = host(Math.floor(r() * hosts));
    const run = 1 + Math.floor(r() * 8);
    for (let j = 0; j < run && routes.length < n; j++) routes.push({ prefix: p4(base + BigInt(routes.length * 64), 26), target: h });
  }
  return { name: `calico /26 blocks in runs of 1-8, ${n} prefixes, ${hosts} hosts`, family: 'ipv4', routes, cluster: [p4(base, 8)] };
}
